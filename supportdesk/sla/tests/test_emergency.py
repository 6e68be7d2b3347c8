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
from supportdesk.sla.models import (
    Emergency,
    EmergencyChecklistItem,
    EmergencyReport,
    TicketClock,
)
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
        panel = client.get(reverse("sla:emergency_panel", args=[ticket.number])).content.decode()
    assert 'data-kind="mgmt_report" data-state="breached"' in page
    assert "已切换备用节点" in panel
    assert 'data-kind="mgmt_report" data-state="breached"' in panel


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


def contact_clock(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=ClockKind.CUSTOMER_CONTACT)


def test_the_customer_must_be_contacted_within_15_minutes_and_a_call_meets_it(
    desk: Desk,
) -> None:
    ticket = p0(desk)
    assert contact_clock(ticket).due_at == SATURDAY_NIGHT + 15 * MINUTE
    with desk.at(SATURDAY_NIGHT + 12 * MINUTE):
        tasks.fire_due_clocks()  # 75 % reached: a warning, not yet a breach
        actions.do_log_call(
            ticket, actor=desk.cast.l1, direction="outbound", summary="已电话确认：全部门店无法收银"
        )
    clock = contact_clock(ticket)
    assert clock.state == ClockState.MET and clock.completed_at == SATURDAY_NIGHT + 12 * MINUTE
    assert clock.next_fire_at is None
    actions_seen = [
        e.data["action"]
        for e in ticket.events.filter(kind=EventKind.SLA, data__clock="customer_contact")
    ]
    assert actions_seen == ["started", "warned", "met"]


def test_no_contact_within_15_minutes_is_a_breach(desk: Desk) -> None:
    ticket = p0(desk)
    with desk.at(SATURDAY_NIGHT + 15 * MINUTE):
        tasks.fire_due_clocks()
    assert contact_clock(ticket).state == ClockState.BREACHED
    # A reply after the breach still records that the customer was reached.
    with desk.at(SATURDAY_NIGHT + 20 * MINUTE):
        actions.do_add_reply(ticket, actor=desk.cast.l1, body="我们正在处理，10 分钟后再同步进展。")
    clock = contact_clock(ticket)
    assert clock.state == ClockState.BREACHED and clock.completed_at is not None


def test_an_internal_note_is_not_contact(desk: Desk) -> None:
    ticket = p0(desk)
    with desk.at(SATURDAY_NIGHT + 5 * MINUTE):
        actions.do_add_note(ticket, actor=desk.cast.l1, body="先查日志")
    assert contact_clock(ticket).completed_at is None


def test_the_contingency_plan_is_checked_off_step_by_step_on_the_timeline(desk: Desk) -> None:
    ticket = p0(desk)
    items = list(Emergency.objects.get(ticket=ticket).checklist.all())
    assert [i.text for i in items][:2] == ["与客户确认问题的具体情况和影响范围", "隔离受影响的系统"]
    client = engineer(desk)
    url = reverse("sla:check_contingency_item", args=[ticket.number])
    with desk.at(SATURDAY_NIGHT + 7 * MINUTE):
        assert client.post(url, {"item": items[1].pk}).status_code == 302
        client.post(url, {"item": items[1].pk})  # a double click changes nothing
    done = EmergencyChecklistItem.objects.get(pk=items[1].pk)
    assert done.done_by == desk.cast.l1 and done.done_at == SATURDAY_NIGHT + 7 * MINUTE
    entries = ticket.events.filter(kind=EventKind.EMERGENCY, data__action="checklist")
    assert entries.count() == 1
    assert entries.get().actor == desk.cast.l1 and "隔离受影响的系统" in entries.get().body
    with time_machine.travel(SATURDAY_NIGHT + 8 * MINUTE, tick=False):
        panel = client.get(reverse("sla:emergency_panel", args=[ticket.number])).content.decode()
    assert "(1/5)" in panel and "<s>隔离受影响的系统</s>" in panel
    assert 'data-kind="customer_contact" data-state="ok"' in panel
    # 7 of 15 minutes gone: 8 minutes left, counting down live on the page.
    assert 'data-sla-left="420"' in panel


def test_a_step_of_another_ticket_or_garbage_is_refused_with_a_message(desk: Desk) -> None:
    ticket = p0(desk)
    other = p0(desk)
    foreign = Emergency.objects.get(ticket=other).checklist.all()[0]
    client = engineer(desk)
    url = reverse("sla:check_contingency_item", args=[ticket.number])
    for payload in ({"item": foreign.pk}, {"item": "abc"}, {}):
        response = client.post(url, payload, follow=True)
        assert "not on this ticket" in response.content.decode() or "Choose a step" in (
            response.content.decode()
        )
    assert not EmergencyChecklistItem.objects.filter(done_at__isnull=False).exists()


def test_an_agent_declares_from_the_page_and_the_panel_shows_the_procedure(desk: Desk) -> None:
    with desk.at(SATURDAY_NIGHT):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"))
    client = engineer(desk)
    panel_url = reverse("sla:emergency_panel", args=[ticket.number])
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        before = client.get(panel_url).content.decode()
    assert "Declare an emergency" in before
    with desk.at(SATURDAY_NIGHT + MINUTE):
        client.post(reverse("sla:declare_emergency", args=[ticket.number]), {"reason": "支付中断"})
    with time_machine.travel(SATURDAY_NIGHT + 2 * MINUTE, tick=False):
        panel = client.get(panel_url).content.decode()
    assert "支付中断" in panel and "(0/5)" in panel
    assert 'data-kind="mgmt_report"' in panel and "2026-11-28 23:31" in panel


def test_the_panel_costs_the_same_queries_with_many_steps_and_reports(
    desk: Desk, django_assert_max_num_queries
) -> None:
    ticket = p0(desk)
    emergency = Emergency.objects.get(ticket=ticket)
    for n in range(20):
        EmergencyChecklistItem.objects.create(emergency=emergency, text=f"step {n}", position=9)
        EmergencyReport.objects.create(
            emergency=emergency, author=desk.cast.l1, body=f"report {n}", created_at=SATURDAY_NIGHT
        )
    client = engineer(desk)
    url = reverse("sla:emergency_panel", args=[ticket.number])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_customers_cannot_see_the_panel_or_check_steps(desk: Desk) -> None:
    ticket = p0(desk)
    client = Client()
    client.login(username=desk.cast.customer.username, password=PASSWORD)
    item = Emergency.objects.get(ticket=ticket).checklist.all()[0]
    assert client.get(reverse("sla:emergency_panel", args=[ticket.number])).status_code == 404
    url = reverse("sla:check_contingency_item", args=[ticket.number])
    assert client.post(url, {"item": item.pk}).status_code == 404
