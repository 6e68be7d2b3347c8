"""Working-time arithmetic on business calendars (R-SL-1). Pure functions, no database.

A calendar is a time zone, working spans per weekday (several a day, e.g. 09:00–12:00 and
13:30–18:00), public holidays and make-up working days (调休, which work like a regular
weekday). Spans are wall-clock times in the calendar's zone; every instant is turned into
UTC before subtracting, so a span that contains a DST change lasts what it really lasts.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

Span = tuple[dt.time, dt.time]

# A calendar with no working time in a whole year can never meet any target.
MAX_SEARCH_DAYS = 366
ZERO = dt.timedelta(0)
MIDNIGHT = dt.time(0)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


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
    # Memo of each local day's working intervals (integer UTC microseconds) and their total:
    # the walks below look at every day between two instants, and re-doing the zone
    # arithmetic each time made a 72-working-hour target cost ~0.5 ms (bench/sla_bench.py).
    # The calendar is immutable, so the memo never goes stale; it lives as long as the
    # calendar object (one sweep, one request, one re-target run).
    _days: dict[dt.date, tuple[tuple[tuple[int, int], ...], int]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    # Running totals of working time by day (``_Ledger``), so that adding or measuring
    # working time is a binary search instead of a walk over every day in between.
    _ledger: list[_Ledger] = field(default_factory=list, compare=False, repr=False, hash=False)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)

    def day_micros(self, day: dt.date) -> tuple[tuple[tuple[int, int], ...], int]:
        """The day's working intervals in UTC microseconds, and their total (memoized)."""
        got = self._days.get(day)
        if got is None:
            intervals = tuple((_micros(b), _micros(e)) for b, e in self.intervals_on(day))
            got = (intervals, sum(e - b for b, e in intervals))
            self._days[day] = got
        return got

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


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def _micros(moment: dt.datetime) -> int:
    """Exact integer microseconds since the epoch (floats would round sub-second parts)."""
    return (moment - EPOCH) // MICROSECOND


def _from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("working-time arithmetic needs aware datetimes")


class _Ledger:
    """Cumulative working microseconds at the start of each local day from ``base``.

    ``cum[i]`` is the working time from ``base`` 00:00 to the start of day ``base + i``;
    ``offset(moment)`` is the working time from ``base`` to ``moment``. Then working time
    between two instants is a subtraction, and the instant at which some working time has
    passed is a binary search over ``cum`` plus a look inside one day. Extended on demand,
    forward in steps and backward by rebuilding.
    """

    STEP_DAYS = 64

    def __init__(self, calendar: Calendar, base: dt.date) -> None:
        self.calendar = calendar
        self.base = base
        self.cum = [0]
        self.idle_tail = 0  # days without working time at the end of the ledger
        # Computing a deadline and then its warning point reads the same start twice.
        self._last: tuple[dt.datetime | None, int] = (None, 0)
        self._extend(self.STEP_DAYS)

    def _extend(self, days: int) -> None:
        cal, cum = self.calendar, self.cum
        day = self.base + dt.timedelta(days=len(cum) - 1)
        one = dt.timedelta(days=1)
        for _ in range(days):
            total = cal.day_micros(day)[1]
            cum.append(cum[-1] + total)
            self.idle_tail = 0 if total else self.idle_tail + 1
            day += one

    def index(self, day: dt.date) -> int:
        i = (day - self.base).days
        while i + 1 >= len(self.cum):
            self._extend(self.STEP_DAYS)
        return i

    def offset(self, moment: dt.datetime, day: dt.date | None = None) -> int:
        last, value = self._last
        if last is not None and moment == last:
            return value
        if day is None:
            day = moment.astimezone(self.calendar.zone).date()
        i = self.index(day)
        m = _micros(moment)
        worked = 0
        for begin, end in self.calendar.day_micros(day)[0]:
            if begin >= m:
                break
            worked += min(end, m) - begin
        value = self.cum[i] + worked
        self._last = (moment, value)
        return value

    def instant(self, target: int, not_before: dt.date) -> dt.datetime:
        """The first instant at which ``offset`` reaches ``target`` (> offset of the start)."""
        cum = self.cum
        while cum[-1] < target:
            if self.idle_tail > MAX_SEARCH_DAYS:
                raise NoWorkingTime("the calendar has no working time")
            self._extend(self.STEP_DAYS)
        # The first day whose end reaches the target: cum[j] < target <= cum[j + 1].
        j = max(bisect_left(cum, target) - 1, self.index(not_before))
        day = self.base + dt.timedelta(days=j)
        left = target - cum[j]
        for begin, end in self.calendar.day_micros(day)[0]:
            if left <= end - begin:
                return _from_micros(begin + left)
            left -= end - begin
        raise AssertionError("ledger and day intervals disagree")  # pragma: no cover


def _ledger(calendar: Calendar, day: dt.date) -> _Ledger:
    if not calendar._ledger:
        calendar._ledger[:] = [_Ledger(calendar, day - dt.timedelta(days=7))]
    elif day < calendar._ledger[0].base:
        # Going back in time: rebuild reaching a year further back, so that work over
        # clocks in any order (a re-target, a page of clocks) rebuilds at most once or twice.
        calendar._ledger[:] = [_Ledger(calendar, day - dt.timedelta(days=366))]
    return calendar._ledger[0]


def add_working_time(start: dt.datetime, duration: dt.timedelta, calendar: Calendar) -> dt.datetime:
    """The instant at which ``duration`` of working time has passed since ``start``.

    1. A 24×7 calendar (or a duration of zero) is plain addition.
    2. Otherwise: the working time from the ledger's base to ``start``, plus ``duration``,
       is the working-time position of the deadline; a binary search over the ledger's
       day totals finds the day that reaches it, and that day's intervals the instant.
    3. The deadline may fall exactly on an interval's end (12:00 stays 12:00, not 13:30):
       the first instant that reaches the position is taken.
    4. A calendar without working time for a whole year raises ``NoWorkingTime``.
    """
    _require_aware(start)
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if calendar.always or duration == ZERO:
        return start + duration
    day = start.astimezone(calendar.zone).date()
    ledger = _ledger(calendar, day)
    target = ledger.offset(start, day) + duration // MICROSECOND
    return ledger.instant(target, day)


def working_time_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Working time in ``[a, b)``; zero when ``b`` is not after ``a``.

    1. A 24×7 calendar is plain subtraction.
    2. Otherwise the difference of the two instants' positions on the ledger.
    """
    _require_aware(a)
    _require_aware(b)
    if b <= a:
        return ZERO
    if calendar.always:
        return b - a
    day = a.astimezone(calendar.zone).date()
    ledger = _ledger(calendar, day)
    return dt.timedelta(microseconds=ledger.offset(b) - ledger.offset(a, day))


def signed_working_time_left(
    now: dt.datetime, due_at: dt.datetime, calendar: Calendar
) -> dt.timedelta:
    """Working time until ``due_at``; negative (overdue) after it."""
    if due_at >= now:
        return working_time_between(now, due_at, calendar)
    return -working_time_between(due_at, now, calendar)


# How far ahead a 24×7 calendar is said to run without a break (the page re-reads sooner).
ALWAYS_RUNS_FOR = dt.timedelta(days=1)


def running_until(now: dt.datetime, calendar: Calendar) -> dt.datetime | None:
    """The end of the working interval ``now`` is in, or None outside working time.

    Lets a page count working time down second by second without knowing the calendar: it
    ticks until this instant and then stands still until the server says more.
    """
    _require_aware(now)
    if calendar.always:
        return now + ALWAYS_RUNS_FOR
    moment = now.astimezone(dt.UTC)
    day = now.astimezone(calendar.zone).date()
    # An interval ending at midnight belongs to the day before: look there too.
    for candidate in (day - dt.timedelta(days=1), day):
        for begin, end in calendar.intervals_on(candidate):
            if begin <= moment < end:
                return end
    return None


class WorkingLine:
    """A calendar's working intervals laid end to end, for computing many deadlines at once.

    What ``add_working_time`` does, on integer UTC microseconds and flat lists: the offset
    of an instant is one binary search over interval starts, the instant at which an offset
    is reached one binary search over the running totals. No datetime, no time-zone lookup
    and no per-day walk per call, so a calendar edit can re-lay every live clock on it
    (``sla.actions.do_retarget_calendar``: 200,000 clocks) in well under a second of
    arithmetic. ``tests/test_working_time.py`` checks it against ``add_working_time``.
    """

    STEP_DAYS = 64

    def __init__(self, calendar: Calendar, first_day: dt.date) -> None:
        self.calendar = calendar
        self._reset(first_day)

    def _reset(self, first_day: dt.date) -> None:
        self.start = _micros(dt.datetime.combine(first_day, MIDNIGHT, tzinfo=self.calendar.zone))
        self.begins: list[int] = []
        self.ends: list[int] = []
        self.cum = [0]  # cum[i]: working time before interval i; cum[i + 1]: after it
        self._next_day = first_day
        self._idle_days = 0

    @classmethod
    def from_instant(cls, calendar: Calendar, moment: dt.datetime) -> WorkingLine:
        # A day early: the instant's local day may start before its UTC day.
        return cls(calendar, moment.astimezone(dt.UTC).date() - dt.timedelta(days=1))

    def _extend(self) -> None:
        if self._idle_days > MAX_SEARCH_DAYS:
            raise NoWorkingTime("the calendar has no working time")
        one = dt.timedelta(days=1)
        day = self._next_day
        for _ in range(self.STEP_DAYS):
            intervals = self.calendar.day_micros(day)[0]
            for begin, end in intervals:
                self.begins.append(begin)
                self.ends.append(end)
                self.cum.append(self.cum[-1] + end - begin)
            self._idle_days = 0 if intervals else self._idle_days + 1
            day += one
        self._next_day = day

    def offset(self, moment: int) -> int:
        """Working microseconds from the line's start to ``moment`` (not before the start)."""
        if moment < self.start:
            # An earlier instant than any before: start again a year further back, so that
            # clocks read in any order rebuild the line once or twice at most.
            self._reset(_from_micros(moment).date() - dt.timedelta(days=366))
        while not self.ends or self.ends[-1] < moment:
            self._extend()
        i = bisect_right(self.begins, moment) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(moment, self.ends[i]) - self.begins[i]

    def instant(self, offset: int) -> int:
        """The first instant at which ``offset`` (> 0) working microseconds have passed."""
        cum = self.cum
        while cum[-1] < offset:
            self._extend()
        j = bisect_left(cum, offset, 1) - 1
        return self.begins[j] + offset - cum[j]

    def add(self, start: int, duration: int) -> int:
        """``add_working_time`` in integer microseconds."""
        if self.calendar.always or duration <= 0:
            return start + max(duration, 0)
        return self.instant(self.offset(start) + duration)


def to_micros(moment: dt.datetime) -> int:
    """An aware instant as integer microseconds since the epoch (for ``WorkingLine``)."""
    _require_aware(moment)
    return _micros(moment)


def from_micros(value: int) -> dt.datetime:
    """Integer microseconds since the epoch as an aware UTC datetime."""
    return _from_micros(value)
