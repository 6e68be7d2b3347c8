"""Working-time arithmetic on business calendars (R-SL-1). Pure functions, no database.

A calendar is a time zone, working spans per weekday (several a day, e.g. 09:00–12:00 and
13:30–18:00), public holidays and make-up working days (调休, which work like a regular
weekday). Spans are wall-clock times in the calendar's zone; every instant is turned into
UTC before subtracting, so a span that contains a DST change lasts what it really lasts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Span = tuple[dt.time, dt.time]

# A calendar with no working time in a whole year can never meet any target.
MAX_SEARCH_DAYS = 366
ZERO = dt.timedelta(0)
MIDNIGHT = dt.time(0)


class NoWorkingTime(ValueError):
    """The calendar has no working time in the searched range."""


@dataclass(frozen=True)
class Calendar:
    time_zone: str = "Asia/Shanghai"
    # Weekday (0 = Monday) → working spans, start < end (an end of 00:00 is midnight).
    spans: Mapping[int, tuple[Span, ...]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()
    # Make-up working days (调休): worked with ``makeup_spans``.
    makeup_days: frozenset[dt.date] = frozenset()
    makeup_spans: tuple[Span, ...] = ()
    always: bool = False  # 24×7

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        if day in self.makeup_days:
            return self.makeup_spans
        if day in self.holidays:
            return ()
        return self.spans.get(day.weekday(), ())

    def intervals_on(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The day's working intervals as UTC instants, in order."""
        zone = self.zone
        for start, end in sorted(self.spans_on(day)):
            # An end of 00:00 means midnight at the end of the day ("20:00–24:00").
            end_day = day + dt.timedelta(days=1) if end == MIDNIGHT else day
            yield (
                dt.datetime.combine(day, start, tzinfo=zone).astimezone(dt.UTC),
                dt.datetime.combine(end_day, end, tzinfo=zone).astimezone(dt.UTC),
            )


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("working-time arithmetic needs aware datetimes")


def add_working_time(start: dt.datetime, duration: dt.timedelta, calendar: Calendar) -> dt.datetime:
    """The instant at which ``duration`` of working time has passed since ``start``.

    1. A 24×7 calendar (or a duration of zero) is plain addition.
    2. Otherwise walk the calendar's local days from the day of ``start``: for each working
       interval that ends after the cursor, take what is left of it.
    3. The deadline falls inside the interval that covers the rest of the duration; it may
       fall exactly on the interval's end (12:00 stays 12:00, not 13:30).
    4. A calendar without working time for a whole year raises ``NoWorkingTime``.
    """
    _require_aware(start)
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if calendar.always or duration == ZERO:
        return start + duration
    cursor = start.astimezone(dt.UTC)
    remaining = duration
    day = start.astimezone(calendar.zone).date()
    idle_days = 0
    while idle_days <= MAX_SEARCH_DAYS:
        worked = False
        for begin, end in calendar.intervals_on(day):
            worked = True
            if end <= cursor:
                continue
            begin = max(begin, cursor)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            cursor = end
        idle_days = 0 if worked else idle_days + 1
        day += dt.timedelta(days=1)
    raise NoWorkingTime("the calendar has no working time")


def working_time_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Working time in ``[a, b)``; zero when ``b`` is not after ``a``.

    1. A 24×7 calendar is plain subtraction.
    2. Otherwise sum, over the local days from ``a``'s to ``b``'s, the overlap of each
       working interval with ``[a, b)``.
    """
    _require_aware(a)
    _require_aware(b)
    if b <= a:
        return ZERO
    if calendar.always:
        return b - a
    zone = calendar.zone
    day, last = a.astimezone(zone).date(), b.astimezone(zone).date()
    total = ZERO
    while day <= last:
        for begin, end in calendar.intervals_on(day):
            overlap = min(end, b) - max(begin, a)
            if overlap > ZERO:
                total += overlap
        day += dt.timedelta(days=1)
    return total


def signed_working_time_left(
    now: dt.datetime, due_at: dt.datetime, calendar: Calendar
) -> dt.timedelta:
    """Working time until ``due_at``; negative (overdue) after it."""
    if due_at >= now:
        return working_time_between(now, due_at, calendar)
    return -working_time_between(due_at, now, calendar)
