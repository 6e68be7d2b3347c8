"""Re-targeting every live clock after an admin edits a calendar (issue 3, performance)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supportdesk.sla import actions
from supportdesk.sla.choices import ClockKind
from supportdesk.sla.defaults import CHINA_CALENDAR
from supportdesk.sla.models import BusinessCalendar, CalendarDay, TicketClock
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tickets import actions as ticket_actions

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
    assert actions._write_deadlines([(clock.pk, clock.version, MONDAY_10, None)]) == 0
    clock.refresh_from_db()
    assert clock.due_at == later
