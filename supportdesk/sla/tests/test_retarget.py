"""Re-targeting every live clock after an admin edits a calendar (issue 3, performance)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.sla import actions
from supportdesk.sla.choices import ClockKind, ClockState
from supportdesk.sla.defaults import CHINA_CALENDAR
from supportdesk.sla.models import BusinessCalendar, CalendarDay, TicketClock
from supportdesk.sla.tests.conftest import Desk
from supportdesk.sla.tests.test_working_time import calendars, instants
from supportdesk.sla.working_time import WorkingLine, from_micros, to_micros
from supportdesk.tickets import actions as ticket_actions
from supportdesk.tickets.choices import Status

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def test_a_new_holiday_moves_every_live_deadline_and_only_those(desk: Desk, monkeypatch) -> None:
    monkeypatch.setattr(actions, "RETARGET_BATCH", 2)  # several batches
    with desk.at(MONDAY_10):
        tickets = [desk.cast.ticket(priority=desk.cast.priority("P2")) for _ in range(3)]
    with desk.at(MONDAY_10 + dt.timedelta(minutes=5)):
        ticket_actions.do_add_reply(tickets[0], actor=desk.cast.l1, body="收到，正在排查。")
    met = TicketClock.objects.get(ticket=tickets[0], kind=ClockKind.FIRST_RESPONSE)
    met_before = (met.due_at, met.version)
    office = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    # Monday becomes a holiday: 4 working hours now run Tuesday 09:00–12:00, 13:30–14:30.
    CalendarDay.objects.create(calendar=office, date=dt.date(2026, 11, 23), kind="holiday")
    moved = actions.do_retarget_calendar(office.pk)
    first = TicketClock.objects.get(ticket=tickets[1], kind=ClockKind.FIRST_RESPONSE)
    assert first.due_at == dt.datetime(2026, 11, 24, 14, 30, tzinfo=SH)
    # Warnings re-aimed as well: 75 % of 4 h is 3 h into Tuesday's working time.
    assert first.next_fire_at == dt.datetime(2026, 11, 24, 12, 0, tzinfo=SH)
    met.refresh_from_db()
    assert (met.due_at, met.version) == met_before  # done clocks keep their record
    live = TicketClock.objects.filter(calendar=office, completed_at__isnull=True).count()
    assert moved == live == 6  # resolution x3, first response x2, next update x1
    assert actions.do_retarget_calendar(office.pk) == 0  # nothing left to move


def test_a_clock_changed_while_the_batch_ran_keeps_what_its_writer_wrote(desk: Desk) -> None:
    with desk.at(MONDAY_10):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"))
    clock = TicketClock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    later = clock.due_at + dt.timedelta(hours=1)
    # Read at version v; meanwhile someone (a ticket event) wrote version v + 1.
    TicketClock.objects.filter(pk=clock.pk).update(version=clock.version + 1, due_at=later)
    monday_10 = to_micros(MONDAY_10)
    assert actions._write_deadlines([(clock.pk, clock.version, monday_10, None)]) == 0
    clock.refresh_from_db()
    assert clock.due_at == later


def test_re_targeted_deadlines_are_what_the_clock_functions_compute(desk: Desk) -> None:
    # Odd fractions of a second (.999999 must not round up to the next second on the way
    # through the database), a paused clock, a warned one, and a long resolution target.
    office = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    for i, fraction in enumerate((0, 500_000, 999_999, 999_600)):
        with desk.at(MONDAY_10 + dt.timedelta(minutes=7 * i, microseconds=fraction)):
            ticket = desk.cast.ticket(priority=desk.cast.priority(("P1", "P2", "P3", "P2")[i]))
        if i == 1:
            with desk.at(MONDAY_10 + dt.timedelta(hours=1, microseconds=333_333)):
                ticket_actions.do_transition(ticket, actor=desk.cast.l1, to=Status.DIAGNOSING)
                ticket.refresh_from_db()
                ticket_actions.do_transition(
                    ticket, actor=desk.cast.l1, to=Status.WAITING_CUSTOMER, reason="请提供日志"
                )
    TicketClock.objects.filter(pk=TicketClock.objects.order_by("pk")[2].pk).update(
        warned_levels=[75]
    )
    CalendarDay.objects.create(calendar=office, date=dt.date(2026, 11, 24), kind="holiday")
    assert actions.do_retarget_calendar(office.pk) > 0
    cal = office.as_calendar()
    live = list(TicketClock.objects.filter(calendar=office, completed_at__isnull=True))
    assert {c.state for c in live} >= {ClockState.RUNNING, ClockState.PAUSED}
    for clock in live:
        stored = (clock.due_at, clock.next_fire_at)
        assert stored[0] == actions.compute_due(clock, cal), clock
        assert stored[1] == actions.compute_next_fire(clock, cal), clock


# The re-target's integer arithmetic (``_relay`` on a ``WorkingLine``) against the per-clock
# functions every other path uses, over random clocks on the test calendars.
@settings(max_examples=200, deadline=None)
@given(
    calendar=calendars,
    clocks=st.lists(
        st.tuples(
            instants,
            st.integers(min_value=60, max_value=60 * 60 * 72),  # target seconds
            st.integers(min_value=0, max_value=60 * 60 * 80),  # consumed seconds
            st.sampled_from([ClockState.RUNNING, ClockState.PAUSED]),
            st.sampled_from([[], [75], [75, 90], [90]]),
        ),
        min_size=1,
        max_size=6,
    ),
)
@pytest.mark.django_db(False)
def test_the_batch_arithmetic_gives_what_compute_due_and_next_fire_give(calendar, clocks) -> None:
    line = WorkingLine.from_instant(calendar, clocks[0][0])
    levels = actions.warning_levels()
    for start, target, consumed, state, warned in clocks:
        clock = TicketClock(
            state=state, target_seconds=target, consumed_seconds=consumed,
            segment_started_at=start, warned_levels=warned,
        )  # fmt: skip
        clock.due_at = actions.compute_due(clock, calendar)
        expected = (clock.due_at, actions.compute_next_fire(clock, calendar))
        row = (1, 1, state, target, consumed, to_micros(start), warned, None, None)
        due, fire = actions._relay(line, levels, warned, row)
        assert (from_micros(due), fire and from_micros(fire)) == expected
