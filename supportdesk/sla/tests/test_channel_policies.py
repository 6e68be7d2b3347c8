"""Channel targets shipped with the desk (R-SL-1): phone 60 s, email 4 working hours.

Which policy wins for a (priority, channel) pair, and that the guides' priority targets
(P0 15 min round the clock, P1 30 min, P2 4 working hours, P3 24 working hours) still
apply to tickets from the other channels.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supportdesk.crm.choices import CustomerTier
from supportdesk.sla.actions import select_policy
from supportdesk.sla.choices import ClockKind
from supportdesk.sla.defaults import fill_channel_policies
from supportdesk.sla.models import BusinessCalendar, SlaPolicy, TicketClock
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tickets.choices import Channel
from supportdesk.tickets.models import Priority, Ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
SATURDAY_NIGHT = dt.datetime(2026, 11, 28, 23, 0, tzinfo=SH)


def file_ticket(desk: Desk, code: str, channel: str, at: dt.datetime = MONDAY_10) -> Ticket:
    with desk.at(at):
        return desk.cast.ticket(priority=desk.cast.priority(code), channel=channel)


def due(ticket: Ticket, kind: str = ClockKind.FIRST_RESPONSE) -> dt.datetime:
    return TicketClock.objects.get(ticket=ticket, kind=kind).due_at


@pytest.mark.parametrize(
    ("code", "channel", "policy", "first_due", "resolution_due"),
    [
        # A phone call is answered within 60 s whatever the priority; the rest is P1's.
        ("P1", Channel.PHONE, "P1 高 · 电话", MONDAY_10 + dt.timedelta(minutes=1),
         dt.datetime(2026, 11, 24, 10, 30, tzinfo=SH)),
        # P2 by email: 4 working hours either way (10:00–12:00, 13:30–15:30).
        ("P2", Channel.EMAIL, "P2 中 · 邮件", dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH),
         None),
        # P3 by email: the email's 4 working hours beat P3's 24 working hours.
        ("P3", Channel.EMAIL, "P3 低 · 邮件", dt.datetime(2026, 11, 23, 15, 30, tzinfo=SH),
         None),
        # P3 from the portal: the guides' 一般 24 working hours (7.5-hour days: Thursday).
        ("P3", Channel.PORTAL, "P3 低", dt.datetime(2026, 11, 26, 11, 30, tzinfo=SH), None),
        # P1 from the portal: 30 minutes.
        ("P1", Channel.PORTAL, "P1 高", MONDAY_10 + dt.timedelta(minutes=30), None),
    ],
)  # fmt: skip
def test_which_policy_wins_for_priority_and_channel(
    desk: Desk,
    code: str,
    channel: str,
    policy: str,
    first_due: dt.datetime,
    resolution_due: dt.datetime | None,
) -> None:
    ticket = file_ticket(desk, code, channel)
    assert select_policy(ticket).name == policy  # type: ignore[union-attr]
    assert due(ticket) == first_due
    if resolution_due is not None:
        assert due(ticket, ClockKind.RESOLUTION) == resolution_due


def test_a_p0_email_keeps_15_minutes_round_the_clock(desk: Desk) -> None:
    ticket = file_ticket(desk, "P0", Channel.EMAIL, at=SATURDAY_NIGHT)
    assert due(ticket) == SATURDAY_NIGHT + dt.timedelta(minutes=15)


def test_a_phone_call_on_saturday_night_is_due_in_the_first_working_minute(desk: Desk) -> None:
    ticket = file_ticket(desk, "P2", Channel.PHONE, at=SATURDAY_NIGHT)
    # Office calendar: the next working minute is Monday 09:00.
    assert due(ticket) == dt.datetime(2026, 11, 30, 9, 1, tzinfo=SH)


def test_an_admins_more_specific_policy_beats_the_shipped_channel_one(desk: Desk) -> None:
    desk.cast.org.tier = CustomerTier.VIP
    desk.cast.org.save()
    SlaPolicy.objects.create(
        name="VIP 电话", priority=desk.cast.priority("P1"), channel=Channel.PHONE,
        customer_tier=CustomerTier.VIP, calendar=BusinessCalendar.objects.get(is_24x7=True),
        first_response_minutes=1, resolution_minutes=120,
    )  # fmt: skip
    ticket = file_ticket(desk, "P1", Channel.PHONE)
    assert select_policy(ticket).name == "VIP 电话"  # type: ignore[union-attr]
    assert due(ticket, ClockKind.RESOLUTION) == MONDAY_10 + dt.timedelta(hours=2)


def test_filling_the_channel_policies_again_adds_nothing_and_keeps_admin_edits(
    desk: Desk,
) -> None:
    phone = SlaPolicy.objects.get(name="P1 高 · 电话")
    phone.first_response_minutes = 2
    phone.save()
    assert fill_channel_policies(BusinessCalendar, SlaPolicy, Priority) == 0
    phone.refresh_from_db()
    assert phone.first_response_minutes == 2
    assert SlaPolicy.objects.filter(channel=Channel.PHONE).count() == Priority.objects.count()
