"""Calendars and policies as an administrator sets them up; the shipped defaults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from supportdesk.sla.choices import DayKind
from supportdesk.sla.defaults import ALWAYS_CALENDAR, CHINA_CALENDAR
from supportdesk.sla.models import BusinessCalendar, SlaPolicy
from supportdesk.sla.tests.conftest import Desk
from supportdesk.tests_support import PASSWORD

pytestmark = pytest.mark.django_db


def admin_client(desk: Desk) -> Client:
    desk.cast.admin.language = "en"  # the assertions read the English messages
    desk.cast.admin.save()
    client = Client()
    assert client.login(username=desk.cast.admin.username, password=PASSWORD)
    return client


def calendar_form(spans: list[tuple[int, str, str]], **extra: str) -> dict[str, str]:
    data = {
        "name": "上海办公室",
        "time_zone": "Asia/Shanghai",
        "spans-TOTAL_FORMS": str(len(spans)),
        "spans-INITIAL_FORMS": "0",
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
        **extra,
    }
    for i, (weekday, start, end) in enumerate(spans):
        data |= {
            f"spans-{i}-weekday": str(weekday),
            f"spans-{i}-start": start,
            f"spans-{i}-end": end,
        }
    return data


def test_the_shipped_calendar_knows_national_day_and_its_make_up_days(desk: Desk) -> None:
    china = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    days = dict(china.days.values_list("date", "kind"))
    assert days[dt.date(2026, 10, 1)] == DayKind.HOLIDAY
    assert days[dt.date(2026, 10, 7)] == DayKind.HOLIDAY
    assert days[dt.date(2026, 9, 20)] == DayKind.WORKDAY  # Sunday worked (调休)
    assert days[dt.date(2026, 10, 10)] == DayKind.WORKDAY  # Saturday worked
    assert {d.year for d in days} == {2026, 2027}
    assert china.spans.count() == 10
    assert BusinessCalendar.objects.get(name=ALWAYS_CALENDAR).is_24x7


def test_shipped_policies_follow_the_priority_scheme(desk: Desk) -> None:
    p0 = SlaPolicy.objects.get(priority__code="P0", channel="")
    assert (p0.first_response_minutes, p0.calendar.is_24x7) == (15, True)
    p2 = SlaPolicy.objects.get(priority__code="P2", channel="")
    assert (p2.first_response_minutes, p2.calendar.name) == (4 * 60, CHINA_CALENDAR)


def test_an_admin_creates_a_calendar_with_a_lunch_break(desk: Desk) -> None:
    spans = [(0, "09:00", "12:00"), (0, "13:30", "18:00")]
    response = admin_client(desk).post(
        reverse("admin:sla_businesscalendar_add"), calendar_form(spans)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert BusinessCalendar.objects.get(name="上海办公室").spans.count() == 2


def test_overlapping_spans_are_refused_with_a_clear_message(desk: Desk) -> None:
    spans = [(0, "09:00", "12:00"), (0, "11:30", "18:00")]
    response = admin_client(desk).post(
        reverse("admin:sla_businesscalendar_add"), calendar_form(spans)
    )
    assert response.status_code == 200
    assert "09:00–12:00 and 11:30–18:00 overlap" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="上海办公室").exists()


def test_a_calendar_without_working_time_is_refused(desk: Desk) -> None:
    response = admin_client(desk).post(reverse("admin:sla_businesscalendar_add"), calendar_form([]))
    assert response.status_code == 200
    assert "no working time" in response.content.decode()
    # …unless it is 24×7.
    response = admin_client(desk).post(
        reverse("admin:sla_businesscalendar_add"), calendar_form([], is_24x7="on")
    )
    assert response.status_code == 302


def test_a_policy_on_a_calendar_without_working_time_is_refused(desk: Desk) -> None:
    empty = BusinessCalendar.objects.create(name="空日历")
    response = admin_client(desk).post(
        reverse("admin:sla_slapolicy_add"),
        {
            "name": "永远无法达成",
            "calendar": str(empty.pk),
            "first_response_minutes": "30",
            "resolution_minutes": "60",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "no target could ever be met" in response.content.decode()


def test_a_target_of_zero_minutes_is_refused(desk: Desk) -> None:
    response = admin_client(desk).post(
        reverse("admin:sla_slapolicy_add"),
        {
            "name": "零分钟",
            "calendar": str(BusinessCalendar.objects.get(is_24x7=True).pk),
            "first_response_minutes": "0",
            "resolution_minutes": "60",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "can never be met" in response.content.decode()


def test_customers_and_engineers_do_not_reach_the_sla_admin(desk: Desk, client: Client) -> None:
    client.login(username=desk.cast.l1.username, password=PASSWORD)
    response = client.get(reverse("admin:sla_slapolicy_changelist"))
    assert response.status_code == 302


def test_a_new_holiday_moves_the_deadlines_of_running_clocks(
    desk: Desk, django_capture_on_commit_callbacks
) -> None:
    from zoneinfo import ZoneInfo

    from supportdesk.sla.choices import ClockKind
    from supportdesk.sla.models import TicketClock

    sh = ZoneInfo("Asia/Shanghai")
    friday_17 = dt.datetime(2026, 11, 27, 17, 0, tzinfo=sh)
    with desk.at(friday_17):
        ticket = desk.cast.ticket(priority=desk.cast.priority("P2"))
    first = TicketClock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    assert first.due_at == dt.datetime(2026, 11, 30, 12, 0, tzinfo=sh)  # Monday noon
    china = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    data = calendar_form(
        [(w, s.strftime("%H:%M"), e.strftime("%H:%M")) for w in range(5)
         for s, e in ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18)))],
        name=CHINA_CALENDAR,
    )  # fmt: skip
    spans = list(china.spans.order_by("weekday", "start"))
    data["spans-INITIAL_FORMS"] = str(len(spans))
    for i, span in enumerate(spans):
        data[f"spans-{i}-id"] = str(span.pk)
        data[f"spans-{i}-calendar"] = str(china.pk)
    days = list(china.days.all())
    data["days-TOTAL_FORMS"] = str(len(days) + 1)
    data["days-INITIAL_FORMS"] = str(len(days))
    for i, day in enumerate(days):
        data |= {
            f"days-{i}-id": str(day.pk), f"days-{i}-calendar": str(china.pk),
            f"days-{i}-date": day.date.isoformat(), f"days-{i}-kind": day.kind,
            f"days-{i}-name": day.name,
        }  # fmt: skip
    n = len(days)
    data |= {
        f"days-{n}-date": "2026-11-30",
        f"days-{n}-kind": DayKind.HOLIDAY,
        f"days-{n}-name": "公司年会",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(desk).post(
            reverse("admin:sla_businesscalendar_change", args=[china.pk]), data
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert first.due_at == dt.datetime(2026, 12, 1, 12, 0, tzinfo=sh)  # Tuesday noon


def test_an_admin_adds_a_later_year_from_the_command_line(desk: Desk) -> None:
    from io import StringIO

    from django.core.management import call_command

    china = BusinessCalendar.objects.get(name=CHINA_CALENDAR)
    china.days.filter(date=dt.date(2026, 10, 1)).update(name="国庆节（公司）")
    out = StringIO()
    call_command("fill_holidays", "2026", "2028", stdout=out)
    assert china.days.filter(date__year=2028).exists()
    assert china.days.get(date=dt.date(2026, 10, 1)).name == "国庆节（公司）"  # edit kept
    assert "added" in out.getvalue()
