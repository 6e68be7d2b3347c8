"""Policies and calendars kept in memory between filings: every edit is seen by the next one.

The promise shown to a customer at filing comes from policies and calendars the process
keeps (``sla.actions.current_settings``); these tests file a ticket, change the settings
the ways an admin or a command does, and file again.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.sla.choices import DayKind
from supportdesk.sla.defaults import CHINA_CALENDAR
from supportdesk.sla.models import BusinessCalendar, CalendarDay, SlaPolicy, WorkingSpan
from supportdesk.sla.tests.conftest import Desk
from supportdesk.sla.tests.test_calendars_admin import admin_client
from supportdesk.tickets.choices import Channel

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
P2_PORTAL = "P2 中"


def promised(desk: Desk, at: dt.datetime = MONDAY_10) -> dt.datetime:
    with desk.at(at):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"), channel=Channel.PORTAL)
    assert ticket.first_response_due_at is not None
    return ticket.first_response_due_at.astimezone(SH)


def test_the_next_ticket_is_promised_what_an_admin_set_on_the_policy_page(desk: Desk) -> None:
    # P2: 4 working hours from Monday 10:00 is 15:30 (lunch 12:00–13:30).
    assert promised(desk) == dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
    policy = SlaPolicy.objects.get(name=P2_PORTAL)
    form = {
        "name": policy.name, "priority": str(policy.priority_id), "customer_tier": "",
        "channel": "", "product": "", "calendar": str(policy.calendar_id),
        "first_response_minutes": "60", "next_update_minutes": "",
        "resolution_minutes": str(policy.resolution_minutes), "active": "on",
    }  # fmt: skip
    page = admin_client(desk).post(f"/admin/sla/slapolicy/{policy.pk}/change/", form)
    assert page.status_code == 302, page.content[:2000]

    assert promised(desk) == dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH)


def test_the_next_ticket_is_promised_around_a_holiday_added_since_the_last_one(
    desk: Desk,
) -> None:
    assert promised(desk) == dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
    china = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    CalendarDay.objects.create(
        calendar=china, date=dt.date(2026, 11, 23), kind=DayKind.HOLIDAY, name="公司周年"
    )
    # Monday is off now: Tuesday 09:00 + 4 working hours.
    assert promised(desk) == dt.datetime(2026, 11, 24, 14, 30, tzinfo=SH)


def test_bulk_writes_and_deletes_are_seen_too(desk: Desk) -> None:
    china = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    assert promised(desk) == dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
    # A command's bulk insert sends no signals; the database tells all the same.
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=china, date=dt.date(2026, 11, 23), kind=DayKind.HOLIDAY)]
    )
    assert promised(desk) == dt.datetime(2026, 11, 24, 14, 30, tzinfo=SH)
    CalendarDay.objects.filter(calendar=china, date=dt.date(2026, 11, 23)).delete()
    assert promised(desk) == dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH)
    # Shorter Mondays (09:00–11:00 only): the rest of the 4 hours on Tuesday.
    WorkingSpan.objects.filter(calendar=china, weekday=0).update(end=dt.time(11, 0))
    WorkingSpan.objects.filter(calendar=china, weekday=0, start__gte=dt.time(11, 0)).delete()
    assert promised(desk) == dt.datetime(2026, 11, 24, 12, 0, tzinfo=SH)
    BusinessCalendar.objects.filter(pk=china.pk).update(is_24x7=True)
    assert promised(desk) == dt.datetime(2026, 11, 23, 14, 0, tzinfo=SH)
    SlaPolicy.objects.filter(name=P2_PORTAL).update(active=False)
    # No P2 policy left for the portal: the priority's own wall-clock target.
    priority = desk.cast.priority("P2")
    assert promised(desk) == MONDAY_10 + dt.timedelta(minutes=priority.first_response_minutes)


def test_a_filing_reads_no_policy_or_calendar_while_nothing_changed(desk: Desk) -> None:
    promised(desk)
    with CaptureQueriesContext(connection) as queries:
        promised(desk)
    read = [q["sql"] for q in queries.captured_queries if "sla_" in q["sql"]]
    settings_reads = [s for s in read if "sla_slapolicy" in s or "sla_calendarday" in s]
    # The receivers' clock sync runs here too (jobs run inline in tests): it reads clocks,
    # not settings.
    assert settings_reads == []
    assert any("sla_settingsversion" in s for s in read)
