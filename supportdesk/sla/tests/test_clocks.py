"""Clocks on tickets: started, met, paused, resumed and re-targeted as the ticket moves."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supportdesk.crm.choices import CustomerTier
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.models import BusinessCalendar, SlaPolicy, TicketClock
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tickets import actions
from supportdesk.tickets.choices import EventKind, ResolutionResult, Status
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def clock(ticket: Ticket, kind: str = ClockKind.FIRST_RESPONSE) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, kind=kind)


def sla_events(ticket: Ticket) -> list[dict]:
    return [e.data for e in ticket.events.filter(kind=EventKind.SLA).order_by("pk")]


def file_ticket(desk: Desk, at: dt.datetime = MONDAY_10, code: str = "P2", **fields) -> Ticket:
    with desk.at(at):
        return desk.cast.ticket(priority=desk.cast.priority(code), **fields)


def test_a_new_ticket_gets_first_response_and_resolution_clocks(desk: Desk) -> None:
    ticket = file_ticket(desk)
    # P2: 4 working hours; 10:00–12:00 and 13:30–15:30.
    assert clock(ticket).due_at == dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
    assert clock(ticket).state == ClockState.RUNNING
    assert [(d["clock"], d["action"]) for d in sla_events(ticket)] == [
        ("first_response", "started"),
        ("resolution", "started"),
    ]
    started = ticket.events.filter(kind=EventKind.SLA).first()
    assert started is not None and "2026-11-23 15:30" in started.body


def test_a_p0_runs_on_the_24x7_calendar_through_the_night(desk: Desk) -> None:
    saturday_night = dt.datetime(2026, 11, 28, 23, 50, tzinfo=SH)
    ticket = file_ticket(desk, at=saturday_night, code="P0")
    assert clock(ticket).due_at == dt.datetime(2026, 11, 29, 0, 5, tzinfo=SH)


def test_a_ticket_filed_on_national_day_waits_for_the_first_working_day(desk: Desk) -> None:
    ticket = file_ticket(desk, at=dt.datetime(2026, 10, 2, 10, tzinfo=SH), code="P1")
    # 1–7 October are off (holidays library, pre-filled); Thursday 8 October is worked.
    assert clock(ticket).due_at == dt.datetime(2026, 10, 8, 9, 30, tzinfo=SH)


def test_the_first_agent_reply_meets_the_first_response_target(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(MONDAY_10 + dt.timedelta(minutes=40)):
        actions.do_add_reply(ticket, actor=desk.cast.l1, body="您好，我们正在查看。")
    first = clock(ticket)
    assert first.state == ClockState.MET
    assert first.completed_at == MONDAY_10 + dt.timedelta(minutes=40)
    assert first.next_fire_at is None
    # The next public update is now due (P2: every 8 working hours).
    update = clock(ticket, ClockKind.NEXT_UPDATE)
    assert update.due_at == dt.datetime(2026, 11, 24, 11, 10, tzinfo=SH)
    assert ("first_response", "met") in [(d["clock"], d["action"]) for d in sla_events(ticket)]


def test_a_customer_reply_does_not_count_as_a_response(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(MONDAY_10 + dt.timedelta(minutes=5)):
        actions.do_add_reply(ticket, actor=desk.cast.customer, body="补充：截图见附件")
    assert clock(ticket).state == ClockState.RUNNING


def test_waiting_on_the_customer_pauses_and_shifts_the_deadline(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH)):
        actions.do_transition(ticket, actor=desk.cast.l1, to=Status.DIAGNOSING)
        ticket.refresh_from_db()
        actions.do_transition(
            ticket, actor=desk.cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志"
        )
    resolution = clock(ticket, ClockKind.RESOLUTION)
    assert resolution.state == ClockState.PAUSED
    assert resolution.next_fire_at is None
    before = resolution.due_at
    # The customer answers the next morning at 10:00: 1 h before lunch + 4.5 h + 1 h paused.
    with desk.at(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)):
        actions.do_add_reply(ticket, actor=desk.cast.customer, body="日志已上传")
    resolution = clock(ticket, ClockKind.RESOLUTION)
    assert resolution.state == ClockState.RUNNING
    assert resolution.paused_seconds == 6.5 * 3600
    from supportdesk.sla.actions import CalendarCache
    from supportdesk.sla.working_time import working_time_between

    cal = CalendarCache().get(resolution.calendar_id)
    assert working_time_between(before, resolution.due_at, cal) == dt.timedelta(hours=6.5)
    actions_seen = [d["action"] for d in sla_events(ticket) if d["clock"] == "resolution"]
    assert actions_seen == ["started", "paused", "resumed"]


def test_raising_the_priority_retargets_and_says_why(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(MONDAY_10 + dt.timedelta(minutes=10)):
        actions.do_update_fields(
            ticket,
            actor=desk.cast.l1,
            changes={"priority": desk.cast.priority("P1")},
            reason="影响全公司登录",
        )
    first = clock(ticket)
    # 10 minutes used of the new 30: due 20 minutes later.
    assert first.target_seconds == 30 * 60
    assert first.due_at == MONDAY_10 + dt.timedelta(minutes=30)
    retarget = [d for d in sla_events(ticket) if d["action"] == "retargeted"]
    assert {d["clock"] for d in retarget} == {"first_response", "resolution"}
    assert "P1" in retarget[0]["reason"]


def test_raising_to_p0_moves_the_clock_onto_24x7(desk: Desk) -> None:
    friday_evening = dt.datetime(2026, 11, 27, 17, 50, tzinfo=SH)
    ticket = file_ticket(desk, at=friday_evening)
    with desk.at(friday_evening + dt.timedelta(minutes=5)):
        actions.do_update_fields(
            ticket, actor=desk.cast.l1, changes={"priority": desk.cast.priority("P0")}
        )
    assert clock(ticket).due_at == friday_evening + dt.timedelta(minutes=15)
    assert clock(ticket).calendar.is_24x7


def test_resolving_meets_the_resolution_target_and_reopening_resumes_it(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(MONDAY_10 + dt.timedelta(hours=1)):
        actions.do_transition(
            ticket, actor=desk.cast.l1, to=Status.RESOLVED,
            solution="清除缓存", result=ResolutionResult.SOLVED,
        )  # fmt: skip
    assert clock(ticket, ClockKind.RESOLUTION).state == ClockState.MET
    assert clock(ticket).state == ClockState.MET  # resolving is also a response
    with desk.at(MONDAY_10 + dt.timedelta(hours=3)):
        ticket.refresh_from_db()
        actions.do_reopen(ticket, actor=desk.cast.customer, reason="问题又出现了")
    resolution = clock(ticket, ClockKind.RESOLUTION)
    assert resolution.state == ClockState.RUNNING
    assert resolution.consumed_seconds == 3600
    # Updates are owed again too (P2: every 8 working hours).
    update = clock(ticket, ClockKind.NEXT_UPDATE)
    assert update.completed_at is None
    assert update.started_at == MONDAY_10 + dt.timedelta(hours=3)


def test_a_more_specific_policy_wins_for_key_accounts(desk: Desk) -> None:
    desk.cast.org.tier = CustomerTier.KEY
    desk.cast.org.save()
    SlaPolicy.objects.create(
        name="P2 重点客户",
        priority=desk.cast.priority("P2"),
        customer_tier=CustomerTier.KEY,
        calendar=BusinessCalendar.objects.get(is_24x7=True),
        first_response_minutes=60,
        resolution_minutes=8 * 60,
    )
    ticket = file_ticket(desk)
    assert clock(ticket).due_at == MONDAY_10 + dt.timedelta(hours=1)


def test_a_ticket_without_any_policy_has_no_clock(desk: Desk) -> None:
    SlaPolicy.objects.update(active=False)
    ticket = file_ticket(desk)
    assert not TicketClock.objects.filter(ticket=ticket).exists()


def test_lowering_to_a_priority_without_update_cadence_stops_that_clock(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(MONDAY_10 + dt.timedelta(minutes=5)):
        actions.do_add_reply(ticket, actor=desk.cast.l1, body="收到")
    assert clock(ticket, ClockKind.NEXT_UPDATE).completed_at is None
    with desk.at(MONDAY_10 + dt.timedelta(minutes=10)):
        ticket.refresh_from_db()
        actions.do_update_fields(
            ticket, actor=desk.cast.l1, changes={"priority": desk.cast.priority("P3")}
        )
    update = clock(ticket, ClockKind.NEXT_UPDATE)
    assert update.completed_at == MONDAY_10 + dt.timedelta(minutes=10)
    assert update.next_fire_at is None
    assert sla_events(ticket)[-1]["action"] in ("stopped", "retargeted")
    assert any(
        d["clock"] == "next_update" and d["action"] == "stopped" and "P3" in d["reason"]
        for d in sla_events(ticket)
    )


def test_each_public_engineer_update_restarts_the_update_cadence(desk: Desk) -> None:
    ticket = file_ticket(desk)
    with desk.at(MONDAY_10 + dt.timedelta(minutes=5)):
        actions.do_add_reply(ticket, actor=desk.cast.l1, body="收到")
    with desk.at(MONDAY_10 + dt.timedelta(hours=1)):
        actions.do_add_reply(ticket, actor=desk.cast.l1, body="已定位到原因")
    update = clock(ticket, ClockKind.NEXT_UPDATE)
    assert update.started_at == MONDAY_10 + dt.timedelta(hours=1)
    assert update.state == ClockState.RUNNING
    # An internal note is no update for the customer.
    with desk.at(MONDAY_10 + dt.timedelta(hours=1, minutes=30)):
        actions.do_add_note(ticket, actor=desk.cast.l1, body="内部：等研发确认")
    assert clock(ticket, ClockKind.NEXT_UPDATE).started_at == MONDAY_10 + dt.timedelta(hours=1)


def test_the_ticket_promises_the_working_time_deadline_not_a_wall_clock_one(desk: Desk) -> None:
    friday_5pm = dt.datetime(2026, 11, 27, 17, 0, tzinfo=SH)
    ticket = file_ticket(desk, at=friday_5pm)
    # P2, 4 working hours from Friday 17:00: 1 h on Friday, 09:00–12:00 on Monday.
    monday = dt.datetime(2026, 11, 30, 12, 0, tzinfo=SH)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == monday
    assert clock(ticket).due_at == monday
