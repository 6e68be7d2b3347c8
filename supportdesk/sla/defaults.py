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
# Channel targets (R-SL-1): a phone call is answered within 60 s, an email within 4 working
# hours. They tighten the first response only; resolution and update cadence stay the
# priority's. Shipped as one policy per (priority, channel) so that, under the matcher's
# "most specific wins" rule (``actions.select_policy``), a phone or email ticket of any
# priority gets its priority's targets with the channel's first response, whichever is
# tighter: P1 by phone answers in 1 minute, P3 by email in 4 working hours, P0 by email
# keeps its 15 minutes round the clock.
CHANNEL_FIRST_RESPONSE_MINUTES = {"phone": 1, "email": 4 * 60}
CHANNEL_NAMES = {"phone": "电话", "email": "邮件"}


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
    calendar_model.objects.create(name=ALWAYS_CALENDAR, time_zone="Asia/Shanghai", is_24x7=True)
    if policy_model.objects.exists():
        return
    fill_priority_policies(calendar_model, policy_model, priority_model)
    fill_channel_policies(calendar_model, policy_model, priority_model)


def _shipped_calendars(calendar_model: Any) -> tuple[Any, Any]:
    office = calendar_model.objects.filter(name=CHINA_CALENDAR).first()
    always = calendar_model.objects.filter(is_24x7=True).order_by("pk").first()
    return office, always


def fill_priority_policies(calendar_model: Any, policy_model: Any, priority_model: Any) -> None:
    """One policy per priority: the guides' P0 15 min / P1 30 min … response targets."""
    office, always = _shipped_calendars(calendar_model)
    for priority in priority_model.objects.order_by("rank"):
        policy_model.objects.create(
            name=f"{priority.code} {priority.name}",
            priority=priority,
            calendar=always if priority.code in ALWAYS_PRIORITIES else office,
            first_response_minutes=priority.first_response_minutes,
            next_update_minutes=NEXT_UPDATE_MINUTES.get(priority.code),
            resolution_minutes=priority.resolution_minutes,
        )


def fill_channel_policies(calendar_model: Any, policy_model: Any, priority_model: Any) -> int:
    """Adds the (priority, channel) policies not there yet (by name); never edits existing ones.

    Each has specificity 2, so it beats the priority-only policy (1) for that channel and
    loses to anything an admin makes more specific (tier, product). Returns how many it added.
    """
    office, always = _shipped_calendars(calendar_model)
    if office is None or always is None:
        return 0
    added = 0
    for priority in priority_model.objects.order_by("rank"):
        base = policy_model.objects.filter(
            priority=priority, channel="", customer_tier="", product__isnull=True
        ).first()
        for channel, minutes in CHANNEL_FIRST_RESPONSE_MINUTES.items():
            name = f"{priority.code} {priority.name} · {CHANNEL_NAMES[channel]}"
            if policy_model.objects.filter(name=name).exists():
                continue
            policy_model.objects.create(
                name=name,
                priority=priority,
                channel=channel,
                calendar_id=base.calendar_id
                if base
                else (always.pk if priority.code in ALWAYS_PRIORITIES else office.pk),
                first_response_minutes=min(
                    minutes,
                    base.first_response_minutes if base else priority.first_response_minutes,
                ),
                next_update_minutes=(
                    base.next_update_minutes if base else NEXT_UPDATE_MINUTES.get(priority.code)
                ),
                resolution_minutes=(
                    base.resolution_minutes if base else priority.resolution_minutes
                ),
            )
            added += 1
    return added


# The guide's emergency steps (001 四.二): confirm the impact with the customer, start the
# contingency plan (isolate, back up), restore quickly (R-SO-2), keep management informed.
CONTINGENCY_STEPS = [
    "与客户确认问题的具体情况和影响范围",
    "隔离受影响的系统",
    "备份相关数据",
    "启用备用方案，优先恢复核心业务",
    "通知管理层并协调所需资源",
]


def fill_contingency_steps(step_model: Any) -> None:
    """Fills the template when it is empty; never touches an admin's list."""
    if step_model.objects.exists():
        return
    step_model.objects.bulk_create(
        step_model(position=i, text=text) for i, text in enumerate(CONTINGENCY_STEPS, start=1)
    )
