"""The emergency procedure (R-SL-3): opened by a P0 or an engineer, reports every 30 min."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from supportdesk.sla import tasks
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.models import Emergency, TicketClock
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tests_support import PASSWORD
from supportdesk.tickets import actions
from supportdesk.tickets.choices import EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
SATURDAY_NIGHT = dt.datetime(2026, 11, 28, 23, 0, tzinfo=SH)
MINUTE = dt.timedelta(minutes=1)


def report_clock(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=ClockKind.MANAGEMENT_REPORT)


def p0(desk: Desk) -> Ticket:
    with desk.at(SATURDAY_NIGHT):
        return desk.cast.ticket(
            priority=desk.cast.priority("P0"), team=desk.cast.l1_team, assignee=desk.cast.l1
        )


def engineer(desk: Desk) -> Client:
    desk.cast.l1.language = "en"
    desk.cast.l1.save()
    client = Client()
    client.login(username=desk.cast.l1.username, password=PASSWORD)
    return client


def test_a_p0_opens_the_procedure_with_reports_due_every_30_minutes_round_the_clock(
    desk: Desk,
) -> None:
    ticket = p0(desk)
    assert Emergency.objects.filter(ticket=ticket, declared_by=None).exists()
    assert report_clock(ticket).due_at == SATURDAY_NIGHT + 30 * MINUTE
    opened = ticket.events.filter(kind=EventKind.EMERGENCY).get()
    assert "15" in opened.body and "30" in opened.body


def test_each_report_restarts_the_30_minutes_and_a_late_one_breaches(desk: Desk) -> None:
    ticket = p0(desk)
    client = engineer(desk)
    url = reverse("sla:emergency_report", args=[ticket.number])
    with desk.at(SATURDAY_NIGHT + 20 * MINUTE):
        response = client.post(url, {"body": "已切换备用节点，核心业务恢复 80%"})
    assert response.status_code == 302
    assert report_clock(ticket).due_at == SATURDAY_NIGHT + 50 * MINUTE
    with desk.at(SATURDAY_NIGHT + 49 * MINUTE):
        tasks.fire_due_clocks()
    assert report_clock(ticket).state == ClockState.RUNNING
    with desk.at(SATURDAY_NIGHT + 50 * MINUTE):
        tasks.fire_due_clocks()
    assert report_clock(ticket).state == ClockState.BREACHED
    with time_machine.travel(SATURDAY_NIGHT + 51 * MINUTE, tick=False):
        page = client.get(reverse("workspace:ticket", args=[ticket.number])).content.decode()
    assert "已切换备用节点" in page
    assert 'data-kind="mgmt_report" data-state="breached"' in page


def test_resolving_ends_the_reports(desk: Desk) -> None:
    ticket = p0(desk)
    with desk.at(SATURDAY_NIGHT + 10 * MINUTE):
        actions.do_transition(
            ticket, actor=desk.cast.l1, to=Status.RESOLVED, solution="重启服务",
            result=ResolutionResult.SOLVED,
        )  # fmt: skip
    clock = report_clock(ticket)
    assert clock.completed_at is not None and clock.next_fire_at is None


def test_an_engineer_declares_an_emergency_on_a_p2(desk: Desk) -> None:
    with desk.at(SATURDAY_NIGHT):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"))
    assert not Emergency.objects.filter(ticket=ticket).exists()
    client = engineer(desk)
    with desk.at(SATURDAY_NIGHT + 5 * MINUTE):
        client.post(
            reverse("sla:declare_emergency", args=[ticket.number]), {"reason": "全网支付失败"}
        )
        client.post(reverse("sla:declare_emergency", args=[ticket.number]), {"reason": "again"})
    emergency = Emergency.objects.get(ticket=ticket)
    assert emergency.declared_by == desk.cast.l1 and emergency.reason == "全网支付失败"
    assert ticket.events.filter(kind=EventKind.EMERGENCY).count() == 1


def test_customers_cannot_declare_or_report(desk: Desk) -> None:
    ticket = p0(desk)
    client = Client()
    client.login(username=desk.cast.customer.username, password=PASSWORD)
    assert (
        client.post(
            reverse("sla:emergency_report", args=[ticket.number]), {"body": "x"}
        ).status_code
        == 404
    )
    assert client.post(reverse("sla:declare_emergency", args=[ticket.number])).status_code == 404


def test_an_empty_report_is_refused(desk: Desk) -> None:
    ticket = p0(desk)
    client = engineer(desk)
    client.post(reverse("sla:emergency_report", args=[ticket.number]), {"body": " "})
    assert not ticket.events.filter(kind=EventKind.EMERGENCY, data__action="report").exists()
