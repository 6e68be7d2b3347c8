"""Warnings and breaches fired by the worker: at the right minute, once, never missed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from zoneinfo import ZoneInfo

import pytest
import time_machine

from supportdesk.sla import tasks
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.escalation import run_escalation_rules
from supportdesk.sla.models import TicketClock
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tests_support import database_url_for_subprocesses
from supportdesk.tickets import actions
from supportdesk.tickets.choices import EventKind, Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.timeline_integrity import verify_timeline

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
# P2 first response: 4 working hours → due 15:30; 75 % (3 h) at 14:30; 90 % (3 h 36) at 15:06.
WARN_75 = dt.datetime(2026, 11, 23, 14, 30, tzinfo=SH)
WARN_90 = dt.datetime(2026, 11, 23, 15, 6, tzinfo=SH)
DUE = dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
MINUTE = dt.timedelta(minutes=1)


def sweep(desk: Desk, moment: dt.datetime) -> int:
    with desk.at(moment):
        return tasks.fire_due_clocks()


def fired(ticket: Ticket, clock: str = "first_response") -> list[tuple[str, int | None]]:
    return [
        (e.data["action"], e.data.get("level"))
        for e in ticket.events.filter(kind=EventKind.SLA).order_by("pk")
        if e.data["clock"] == clock and e.data["action"] in ("warned", "breached")
    ]


def filed(desk: Desk) -> Ticket:
    with desk.at(MONDAY_10):
        return desk.cast.ticket(priority=desk.cast.priority("P2"))


@pytest.mark.django_db
def test_the_75_percent_warning_fires_at_its_minute_and_not_before(desk: Desk) -> None:
    ticket = filed(desk)
    assert sweep(desk, WARN_75 - MINUTE) == 0
    assert fired(ticket) == []
    assert sweep(desk, WARN_75) == 1
    assert fired(ticket) == [("warned", 75)]
    assert sweep(desk, WARN_75 + MINUTE) == 0
    assert fired(ticket) == [("warned", 75)]


@pytest.mark.django_db
def test_the_breach_fires_at_the_exact_due_minute_once(desk: Desk) -> None:
    ticket = filed(desk)
    sweep(desk, WARN_75)
    sweep(desk, WARN_90)
    assert sweep(desk, DUE - MINUTE) == 0
    assert sweep(desk, DUE) == 1
    assert sweep(desk, DUE) == 0
    assert sweep(desk, DUE + 10 * MINUTE) == 0
    assert fired(ticket) == [("warned", 75), ("warned", 90), ("breached", None)]
    first = TicketClock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    assert first.state == ClockState.BREACHED
    assert first.breached_at == DUE
    ticket.refresh_from_db()
    assert verify_timeline(ticket) is None


@pytest.mark.django_db
def test_a_breach_missed_while_the_worker_was_down_fires_once_on_return(desk: Desk) -> None:
    ticket = filed(desk)
    # The worker comes back the next morning: one breach, no stale warnings.
    next_morning = dt.datetime(2026, 11, 24, 9, 5, tzinfo=SH)
    assert sweep(desk, next_morning) >= 1
    assert fired(ticket) == [("breached", None)]
    sweep(desk, next_morning + MINUTE)
    assert fired(ticket) == [("breached", None)]


@pytest.mark.django_db
def test_a_responded_ticket_never_breaches(desk: Desk) -> None:
    ticket = filed(desk)
    with desk.at(MONDAY_10 + 30 * MINUTE):
        actions.do_add_reply(ticket, actor=desk.cast.l1, body="已收到，正在排查")
    sweep(desk, DUE + MINUTE)
    assert fired(ticket) == []


@pytest.mark.django_db
def test_a_pause_moves_the_breach_by_the_paused_working_time(desk: Desk) -> None:
    ticket = filed(desk)
    with desk.at(MONDAY_10 + 30 * MINUTE):
        actions.do_transition(
            ticket, actor=None, to=Status.WAITING_CUSTOMER, reason="请提供截图",
            actor_label="System",
        )  # fmt: skip
    assert sweep(desk, WARN_75) == 0  # paused: nothing fires
    with desk.at(MONDAY_10 + 90 * MINUTE):
        actions.do_add_reply(ticket, actor=desk.cast.customer, body="截图如下")
    # Paused 10:30 → 11:30 (one working hour): every point moves one hour later.
    assert sweep(desk, WARN_75 + 59 * MINUTE) == 0
    assert sweep(desk, WARN_75 + 60 * MINUTE) == 1
    assert sweep(desk, WARN_90 + 60 * MINUTE) == 1
    assert sweep(desk, DUE + 59 * MINUTE) == 0
    assert sweep(desk, DUE + 60 * MINUTE) == 1
    assert sweep(desk, DUE + 61 * MINUTE) == 0
    assert fired(ticket) == [("warned", 75), ("warned", 90), ("breached", None)]
    breach = TicketClock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    assert breach.breached_at == DUE + 60 * MINUTE
    assert breach.paused_seconds == 3600


def test_the_scheduler_runs_the_sla_timer_every_minute() -> None:
    from huey.contrib.djhuey import HUEY

    def due_at(minute: int) -> set[str]:
        return {task.name for task in HUEY.read_periodic(dt.datetime(2026, 11, 23, 10, minute))}

    assert all("fire_sla_timers" in due_at(m) for m in (0, 1, 17, 59))


SWEEP = textwrap.dedent(
    """
    import django
    django.setup()
    from supportdesk.sla.escalation import run_escalation_rules
    from supportdesk.sla.tasks import fire_due_clocks
    print(fire_due_clocks() + run_escalation_rules())
    """
)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_fire_each_breach_and_escalation_exactly_once(
    desk: Desk,
) -> None:
    from django.utils import timezone

    from supportdesk.notifications.models import Notification
    from supportdesk.sla.models import EscalationRule

    EscalationRule.objects.create(
        name="首次响应超时转二线", on_breach=ClockKind.FIRST_RESPONSE,
        to_team=desk.cast.l2_team, notify_lead=True,
    )  # fmt: skip
    long_ago = timezone.now() - dt.timedelta(days=3)
    with time_machine.travel(long_ago, tick=False):
        tickets = [
            desk.cast.ticket(
                priority=desk.cast.priority("P0"), team=desk.cast.l1_team, assignee=desk.cast.l1
            )
            for _ in range(20)
        ]
    # Started by the receiver after each commit: first response, resolution and (a P0 opens
    # the emergency procedure) the report to management and the customer contact, for each.
    due = TicketClock.objects.filter(next_fire_at__lte=timezone.now()).count()
    assert due == 4 * len(tickets)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings",
        "HUEY_IMMEDIATE": "1",  # notifications inline, as the test settings do
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SWEEP], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]  # fmt: skip
    results = [worker.communicate(timeout=180) for worker in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _out, err in results]
    # Escalations may also be left to the next minute's run; finish them here.
    late = run_escalation_rules()
    total = sum(int(out.strip().splitlines()[-1]) for out, _err in results) + late
    assert total == due + len(tickets)
    for ticket in tickets:
        for kind in ("first_response", "resolution", "mgmt_report", "customer_contact"):
            assert fired(ticket, kind) == [("breached", None)], ticket.number
        assert ticket.events.filter(kind=EventKind.ESCALATION).count() == 1
        ticket.refresh_from_db()
        assert ticket.team == desk.cast.l2_team
        assert verify_timeline(ticket) is None
        # The lead: four breaches and one escalation; each once.
        assert Notification.objects.filter(ticket=ticket, recipient=desk.cast.lead).count() == 5


@pytest.mark.django_db
def test_the_warning_points_follow_the_setting(desk: Desk, settings) -> None:
    settings.SLA_WARNING_LEVELS = (50,)
    ticket = filed(desk)
    # Half of 4 working hours: 10:00–12:00.
    assert sweep(desk, dt.datetime(2026, 11, 23, 11, 59, tzinfo=SH)) == 0
    assert sweep(desk, dt.datetime(2026, 11, 23, 12, 0, tzinfo=SH)) == 1
    assert sweep(desk, WARN_75) == 0
    assert fired(ticket) == [("warned", 50)]


@pytest.mark.django_db
def test_a_clock_aimed_at_a_removed_warning_point_is_re_aimed_not_fired(
    desk: Desk, settings
) -> None:
    ticket = filed(desk)  # aimed at 75 % (14:30)
    settings.SLA_WARNING_LEVELS = (95,)
    assert sweep(desk, WARN_75) == 0
    first = TicketClock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    # 95 % of 4 h = 3 h 48 min of working time: 15:18.
    assert first.next_fire_at == dt.datetime(2026, 11, 23, 15, 18, tzinfo=SH)
    assert sweep(desk, dt.datetime(2026, 11, 23, 15, 18, tzinfo=SH)) == 1
    assert fired(ticket) == [("warned", 95)]
