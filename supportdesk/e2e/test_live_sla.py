"""Live SLA on an open ticket page (issue 3, items 3 and 4), in a real browser.

An engineer keeps a P0 ticket open: its first-response clock counts down second by second
in the page (JavaScript from our own static files), and a warning the worker's sweep fires
meanwhile (here the sweep runs in the test process at a controlled "now") arrives in the
same page without a reload. The clock is a P0's so it runs on the 24×7 calendar and ticks
whenever the test runs; the sweep's "now" is the 75 % point of that clock.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from supportdesk.e2e.session import signed_in
from supportdesk.notifications.models import Notification
from supportdesk.sla.choices import ClockKind
from supportdesk.sla.defaults import fill_contingency_steps, fill_shipped_sla
from supportdesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    ContingencyStep,
    SlaPolicy,
    TicketClock,
    WorkingSpan,
)
from supportdesk.sla.tasks import fire_due_clocks
from supportdesk.tests_support import make_cast
from supportdesk.tickets.models import Priority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clock_counts_down_and_a_warning_arrives_live(browser: Browser, live_server) -> None:
    cast = make_cast()
    # Transactional tests flush the migrations' rows: put the shipped calendars back.
    fill_shipped_sla(BusinessCalendar, WorkingSpan, CalendarDay, SlaPolicy, Priority)
    fill_contingency_steps(ContingencyStep)
    ticket = cast.ticket(priority=cast.priority("P0"), team=cast.l1_team, assignee=cast.l1)
    clock = TicketClock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)

    context, page = signed_in(browser, live_server.url, cast.l1.username)
    page.goto(reverse("workspace:ticket", args=[ticket.number]))

    # 1. The clock counts down: h:mm:ss, and the text changes while we watch.
    left = page.get_by_test_id("sla-left-first_response")
    expect(left).to_have_text(re.compile(r"\d+:\d{2}:\d{2}"))
    first = left.inner_text()
    expect(left).not_to_have_text(first)

    # 2. The sweep reaches the 75 % point and warns; the page shows it without a reload.
    page.evaluate("window.__sameDocument = true")
    warn_at = clock.started_at + dt.timedelta(seconds=clock.target_seconds * 75 // 100)
    assert fire_due_clocks(now=warn_at) >= 1
    assert Notification.objects.filter(recipient=cast.l1, ticket=ticket).exists()
    toast = page.get_by_test_id("live-notification")
    expect(toast.first).to_contain_text(ticket.number)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    context.close()
