"""The calendars and SLA policies a new desk starts with (R-SL-1).

Filled into empty tables by the data migration and by tests whose transactional runs flush
tables; admins edit them afterwards. Mainland China's public holidays and make-up working
days (调休) come from the ``holidays`` library (its ``CN`` class lists the State Council's
schedule as holidays plus ``weekend_workdays``), for the current and the next year only:
that is what the library knows for sure, and an admin adds later years when they are
announced (``supportdesk fill_holidays 2028``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CHINA_CALENDAR = "中国大陆工作日"
ALWAYS_CALENDAR = "7×24"
OFFICE_SPANS = [(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18))]
# P0 runs on the 24×7 calendar (emergency, R-SL-3); the others on working time.
ALWAYS_PRIORITIES = {"P0"}
# While open, a public update is due this often (R-SL-3: P0 progress every 30 minutes).
NEXT_UPDATE_MINUTES = {"P0": 30, "P1": 2 * 60, "P2": 8 * 60, "P3": None}


def china_days(years: list[int]) -> list[tuple[dt.date, str, str]]:
    """(date, kind, name) for mainland China's holidays and make-up working days."""
    from holidays.countries.china import China

    days = China(years=years, language="zh_CN")
    result = [(day, "holiday", str(name)) for day, name in sorted(days.items())]
    result += [
        (day, "workday", "调休上班") for day in sorted(days.weekend_workdays) if day.year in years
    ]
    return sorted(result)


def fill_china_days(calendar: Any, day_model: Any, years: list[int]) -> int:
    """Adds the library's days that the calendar does not have yet; never overwrites edits."""
    known = set(day_model.objects.filter(calendar=calendar).values_list("date", flat=True))
    new = [
        day_model(calendar=calendar, date=day, kind=kind, name=name[:100])
        for day, kind, name in china_days(years)
        if day not in known
    ]
    day_model.objects.bulk_create(new)
    return len(new)


def fill_shipped_sla(
    calendar_model: Any, span_model: Any, day_model: Any, policy_model: Any, priority_model: Any,
    *, today: dt.date | None = None,
) -> None:  # fmt: skip
    """Takes the models as arguments so migrations can pass their historical versions."""
    if calendar_model.objects.exists():
        return
    year = (today or dt.date.today()).year
    office = calendar_model.objects.create(name=CHINA_CALENDAR, time_zone="Asia/Shanghai")
    span_model.objects.bulk_create(
        span_model(calendar=office, weekday=weekday, start=start, end=end)
        for weekday in range(5)
        for start, end in OFFICE_SPANS
    )
    fill_china_days(office, day_model, [year, year + 1])
    always = calendar_model.objects.create(
        name=ALWAYS_CALENDAR, time_zone="Asia/Shanghai", is_24x7=True
    )
    if policy_model.objects.exists():
        return
    for priority in priority_model.objects.order_by("rank"):
        policy_model.objects.create(
            name=f"{priority.code} {priority.name}",
            priority=priority,
            calendar=always if priority.code in ALWAYS_PRIORITIES else office,
            first_response_minutes=priority.first_response_minutes,
            next_update_minutes=NEXT_UPDATE_MINUTES.get(priority.code),
            resolution_minutes=priority.resolution_minutes,
        )
