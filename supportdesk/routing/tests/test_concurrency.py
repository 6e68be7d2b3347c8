"""Two processes filing tickets at once get distinct round-robin picks (PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from supportdesk.routing.choices import RoutingMethod
from supportdesk.routing.models import RoutedTicket
from supportdesk.routing.tests.conftest import Desk
from supportdesk.tests_support import database_url_for_subprocesses
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket

FILE_TICKETS = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from supportdesk.accounts.models import User
    from supportdesk.crm.models import Organization
    from supportdesk.tickets.actions import NewTicket, do_create_ticket
    customer = User.objects.get(username="zhang.wei")
    org = Organization.objects.get(pk=customer.organization_id)
    for i in range(int(sys.argv[1])):
        do_create_ticket(NewTicket(subject=f"并发 {i}", description="并发提交", organization=org),
                         actor=customer)
    """
)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_processes_filing_at_once_get_distinct_round_robin_picks(desk: Desk) -> None:
    c = desk.cast
    desk.route_to(c.l1_team, RoutingMethod.ROUND_ROBIN)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings",
        "HUEY_IMMEDIATE": "1",  # routing inline after each commit, as the test settings do
    }
    per_process = 6
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", FILE_TICKETS, str(per_process)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    results = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _out, err in results]
    tickets = list(Ticket.objects.all())
    assert len(tickets) == 2 * per_process
    assert RoutedTicket.objects.count() == len(tickets)
    for ticket in tickets:
        assert ticket.events.filter(kind=EventKind.ROUTING).count() == 1
    # Twelve tickets over three engineers in strict rotation: four each, never a double pick.
    loads = Counter(t.assignee_id for t in tickets)
    assert loads == {c.l1.pk: 4, c.lead.pk: 4, desk.l1b.pk: 4}
    by_routing_order = [
        t.assignee_id for t in sorted(tickets, key=lambda t: t.events.get(kind="routing").pk)
    ]
    members = [c.l1.pk, c.lead.pk, desk.l1b.pk]
    assert by_routing_order == members * 4


REPORT_OVERDUE = textwrap.dedent(
    """
    import django
    django.setup()
    from supportdesk.routing.actions import notify_overdue_threads
    print(notify_overdue_threads())
    """
)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_report_each_overdue_thread_exactly_once(desk: Desk) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from supportdesk.notifications.models import Notification
    from supportdesk.routing.actions import do_open_thread

    c = desk.cast
    opened = timezone.now() - dt.timedelta(hours=3)
    with time_machine.travel(opened, tick=False):
        ticket = c.ticket(team=c.l1_team, assignee=c.l1)
        threads = [
            do_open_thread(
                ticket,
                actor=c.l1,
                team=desk.rnd_team,
                owner=desk.rnd,
                subject=f"协作 {i}",
                due_at=opened + dt.timedelta(minutes=30 + i),
                tell_customer=False,
            )
            for i in range(12)
        ]
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings",
        "HUEY_IMMEDIATE": "1",  # notifications inline after each commit, as in the tests
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", REPORT_OVERDUE], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    results = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _out, err in results]
    assert sum(int(out.strip().splitlines()[-1]) for out, _err in results) == len(threads)
    for thread in threads:
        overdue = ticket.events.filter(kind=EventKind.COLLABORATION, data__thread=thread.pk)
        assert overdue.filter(data__step="overdue").count() == 1
        notices = Notification.objects.filter(key=f"thread-overdue:{thread.pk}")
        assert sorted(n.recipient_id for n in notices) == sorted([desk.rnd.pk, c.l1.pk])
