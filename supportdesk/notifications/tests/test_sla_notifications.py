"""Warnings and breaches reach the owner and the team lead, in the app and by email, once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from supportdesk.notifications.models import Notification
from supportdesk.sla import tasks
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tests_support import PASSWORD
from supportdesk.tickets.choices import EventKind
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
WARN_75 = dt.datetime(2026, 11, 23, 14, 30, tzinfo=SH)
DUE = dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)


def owned_ticket(desk: Desk) -> Ticket:
    desk.cast.l1.email = "chen.l1@support.example"
    desk.cast.l1.save()
    desk.cast.lead.email = "sun.lead@support.example"
    desk.cast.lead.save()
    with desk.at(MONDAY_10):
        return desk.cast.ticket(
            priority=desk.cast.priority("P2"), team=desk.cast.l1_team, assignee=desk.cast.l1
        )


def staff_mail() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to[0].endswith("@support.example")]


def sweep(desk: Desk, moment: dt.datetime) -> None:
    with desk.at(moment):
        tasks.fire_due_clocks()


def test_a_warning_reaches_owner_and_lead_in_app_and_by_email(desk: Desk) -> None:
    ticket = owned_ticket(desk)
    sweep(desk, WARN_75)
    notes = Notification.objects.filter(ticket=ticket)
    assert {n.recipient for n in notes} == {desk.cast.l1, desk.cast.lead}
    assert all("75%" in n.title and ticket.number in n.title for n in notes)
    assert sorted(m.to[0] for m in staff_mail()) == [
        "chen.l1@support.example",
        "sun.lead@support.example",
    ]
    assert all(n.emailed_at is not None for n in notes)
    logged = ticket.events.filter(kind=EventKind.NOTIFICATION).get()
    assert "陈一线" in logged.body and "孙组长" in logged.body


def test_each_warning_and_the_breach_notify_once(desk: Desk) -> None:
    ticket = owned_ticket(desk)
    for moment in (WARN_75, WARN_75, DUE, DUE, DUE + dt.timedelta(minutes=5)):
        sweep(desk, moment)
    keys = Notification.objects.filter(ticket=ticket, recipient=desk.cast.l1).values_list(
        "key", flat=True
    )
    # First response: the 75 % warning, then the breach; the 90 % point passed between two
    # sweeps together with the deadline, so the breach alone says it (no stale warning).
    fired = ticket.events.filter(kind=EventKind.SLA, data__action__in=["warned", "breached"])
    assert sorted(keys) == sorted(f"sla:{pk}" for pk in fired.values_list("pk", flat=True))
    assert [e.data["action"] for e in fired.order_by("pk")] == ["warned", "breached"]
    assert len(staff_mail()) == 2 * 2


def test_a_person_sees_only_their_own_notifications(desk: Desk) -> None:
    owned_ticket(desk)
    sweep(desk, WARN_75)
    client = Client()
    client.login(username=desk.cast.l2.username, password=PASSWORD)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "75%" not in page
    client.login(username=desk.cast.l1.username, password=PASSWORD)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "75%" in page
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=desk.cast.l1, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=desk.cast.lead, read_at__isnull=True).exists()


def test_an_unassigned_ticket_notifies_the_team_lead_only(desk: Desk) -> None:
    with desk.at(MONDAY_10):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"), team=desk.cast.l1_team)
    sweep(desk, WARN_75)
    assert [n.recipient for n in Notification.objects.filter(ticket=ticket)] == [desk.cast.lead]


def test_a_failing_mail_server_keeps_the_in_app_notification(desk: Desk, settings) -> None:
    settings.EMAIL_BACKEND = "supportdesk.notifications.tests.failing_mail.Backend"
    ticket = owned_ticket(desk)
    sweep(desk, WARN_75)
    notes = Notification.objects.filter(ticket=ticket)
    assert notes.count() == 2
    assert all(n.emailed_at is None and "refused" in n.email_error for n in notes)


def test_anonymous_visitors_are_sent_to_login(client: Client) -> None:
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "login" in response["Location"]
