"""Working-time arithmetic at exact boundaries, and its properties (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.sla.working_time import (
    Calendar,
    NoWorkingTime,
    WorkingLine,
    add_working_time,
    from_micros,
    signed_working_time_left,
    to_micros,
    working_time_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
OFFICE = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18)))


def office(tz: str = "Asia/Shanghai", **extra: Any) -> Calendar:
    return Calendar(
        time_zone=tz, spans=dict.fromkeys(range(5), OFFICE), makeup_spans=OFFICE, **extra
    )


# National Day 2026: 1–7 October off, Sunday 20 September and Saturday 10 October worked.
NATIONAL_DAY = office(
    holidays=frozenset(dt.date(2026, 10, d) for d in range(1, 8)),
    makeup_days=frozenset({dt.date(2026, 9, 20), dt.date(2026, 10, 10)}),
)


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, tz: ZoneInfo = SHANGHAI):
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)


def test_time_inside_one_span_is_plain_addition() -> None:
    assert add_working_time(at(2026, 11, 23, 9, 15), 2 * H, office()) == at(2026, 11, 23, 11, 15)


def test_a_deadline_on_the_end_of_the_morning_stays_at_noon() -> None:
    assert add_working_time(at(2026, 11, 23, 9), 3 * H, office()) == at(2026, 11, 23, 12)


def test_the_lunch_break_does_not_count() -> None:
    start = at(2026, 11, 23, 11, 30)
    assert add_working_time(start, H, office()) == at(2026, 11, 23, 14)
    assert working_time_between(start, at(2026, 11, 23, 14), office()) == H


def test_a_ticket_filed_at_night_starts_counting_next_morning() -> None:
    assert add_working_time(at(2026, 11, 23, 22), 30 * M, office()) == at(2026, 11, 24, 9, 30)
    assert working_time_between(
        at(2026, 11, 23, 22), at(2026, 11, 24, 8), office()
    ) == dt.timedelta(0)


def test_friday_evening_plus_four_hours_is_monday_before_lunch_plus_one() -> None:
    # Friday 27 Nov 17:00 → 1 h left Friday, 3 h Monday morning.
    assert add_working_time(at(2026, 11, 27, 17), 4 * H, office()) == at(2026, 11, 30, 12)
    assert add_working_time(at(2026, 11, 27, 17), 4 * H + M, office()) == at(2026, 11, 30, 13, 31)


def test_a_whole_working_day_is_seven_and_a_half_hours() -> None:
    assert working_time_between(at(2026, 11, 23), at(2026, 11, 24), office()) == 7.5 * H


def test_national_day_is_skipped_and_the_make_up_saturday_is_worked() -> None:
    # Wednesday 30 Sep 17:00 + 2 h: 1 h on the 30th, nothing 1–7 Oct, 1 h on Thursday 8 Oct.
    assert add_working_time(at(2026, 9, 30, 17), 2 * H, NATIONAL_DAY) == at(2026, 10, 8, 10)
    # Friday 9 Oct 17:00 + 2 h lands on the make-up Saturday 10 Oct.
    assert add_working_time(at(2026, 10, 9, 17), 2 * H, NATIONAL_DAY) == at(2026, 10, 10, 10)
    # The make-up Sunday before the holiday is worked too.
    assert working_time_between(at(2026, 9, 20), at(2026, 9, 21), NATIONAL_DAY) == 7.5 * H
    # The whole week of the holiday has no working time.
    assert working_time_between(at(2026, 10, 1), at(2026, 10, 8), NATIONAL_DAY) == dt.timedelta(0)


def test_the_same_calendar_without_the_holiday_counts_those_days() -> None:
    assert working_time_between(at(2026, 10, 1), at(2026, 10, 8), office()) == 5 * 7.5 * H


def test_twenty_four_seven_is_plain_arithmetic_across_midnight() -> None:
    always = Calendar(always=True)
    start = at(2026, 11, 23, 23, 50)
    assert add_working_time(start, 15 * M, always) == at(2026, 11, 24, 0, 5)
    assert working_time_between(start, at(2026, 11, 24, 0, 5), always) == 15 * M


def test_a_span_ending_at_midnight_in_another_zone() -> None:
    night = Calendar(
        time_zone="Europe/Berlin", spans=dict.fromkeys(range(7), ((dt.time(20), dt.time(0)),))
    )
    berlin = ZoneInfo("Europe/Berlin")
    start = at(2026, 11, 23, 23, 0, tz=berlin)
    assert add_working_time(start, H, night) == at(2026, 11, 24, 0, tz=berlin)
    assert add_working_time(start, 2 * H, night) == at(2026, 11, 24, 21, tz=berlin)


def test_the_night_new_york_springs_forward_has_one_hour_less() -> None:
    ny = ZoneInfo("America/New_York")
    nights = Calendar(
        time_zone="America/New_York", spans=dict.fromkeys(range(7), ((dt.time(0), dt.time(6)),))
    )
    # 8 March 2026: 02:00 becomes 03:00, so 00:00–06:00 lasts five hours.
    assert working_time_between(at(2026, 3, 8, tz=ny), at(2026, 3, 9, tz=ny), nights) == 5 * H
    assert working_time_between(at(2026, 3, 9, tz=ny), at(2026, 3, 10, tz=ny), nights) == 6 * H
    assert add_working_time(at(2026, 3, 8, 1, tz=ny), 2 * H, nights) == at(2026, 3, 8, 4, tz=ny)


def test_berlin_falls_back_and_the_night_has_one_hour_more() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    nights = Calendar(
        time_zone="Europe/Berlin", spans=dict.fromkeys(range(7), ((dt.time(0), dt.time(6)),))
    )
    # 25 October 2026: 03:00 becomes 02:00 again.
    assert (
        working_time_between(at(2026, 10, 25, tz=berlin), at(2026, 10, 26, tz=berlin), nights)
        == 7 * H
    )


def test_office_hours_in_new_york_are_counted_in_new_york() -> None:
    ny = ZoneInfo("America/New_York")
    cal = office("America/New_York")
    # 09:00 New York = 22:00 Shanghai; Friday 17:00 NY + 2 h → Monday 10:00 NY.
    assert add_working_time(at(2026, 11, 27, 17, tz=ny), 2 * H, cal) == at(2026, 11, 30, 10, tz=ny)


def test_time_left_is_negative_once_overdue() -> None:
    due = at(2026, 11, 23, 14)
    assert signed_working_time_left(at(2026, 11, 23, 11), due, office()) == 1.5 * H
    assert signed_working_time_left(at(2026, 11, 23, 15), due, office()) == -H


def test_a_calendar_without_working_time_never_meets_a_target() -> None:
    with pytest.raises(NoWorkingTime):
        add_working_time(at(2026, 11, 23), M, Calendar())


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_time(dt.datetime(2026, 11, 23, 9), M, office())


instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.UTC),
)
durations = st.integers(min_value=0, max_value=60 * 60 * 24 * 20).map(
    lambda s: dt.timedelta(seconds=s)
)
calendars = st.sampled_from(
    [
        NATIONAL_DAY,
        Calendar(
            time_zone="America/New_York",
            spans=dict.fromkeys(range(7), ((dt.time(0), dt.time(6)), (dt.time(20), dt.time(0)))),
        ),
        office("America/New_York"),
        office("Europe/Berlin"),
        Calendar(always=True),
    ]
)


@settings(max_examples=200, deadline=None)
@given(start=instants, duration=durations, calendar=calendars)
def test_added_working_time_measures_back_the_same(start, duration, calendar) -> None:
    end = add_working_time(start, duration, calendar)
    assert end >= start
    assert working_time_between(start, end, calendar) == duration


@settings(max_examples=200, deadline=None)
@given(start=instants, a=durations, b=durations, calendar=calendars)
def test_more_working_time_never_ends_earlier(start, a, b, calendar) -> None:
    short, long = sorted([a, b])
    assert add_working_time(start, short, calendar) <= add_working_time(start, long, calendar)


@settings(max_examples=200, deadline=None)
@given(a=instants, b=instants, c=instants, calendar=calendars)
def test_working_time_adds_up_over_consecutive_ranges(a, b, c, calendar) -> None:
    a, b, c = sorted([a, b, c])
    whole = working_time_between(a, c, calendar)
    assert whole == working_time_between(a, b, calendar) + working_time_between(b, c, calendar)


@settings(max_examples=300, deadline=None)
@given(starts=st.lists(instants, min_size=1, max_size=8), duration=durations, calendar=calendars)
def test_the_working_line_adds_exactly_like_add_working_time(starts, duration, calendar) -> None:
    # One line serves many clocks in any order (a re-target reads them by id, not by time).
    line = WorkingLine.from_instant(calendar, starts[0])
    for start in starts:
        expected = add_working_time(start, duration, calendar)
        got = line.add(to_micros(start), duration // dt.timedelta(microseconds=1))
        assert from_micros(got) == expected


def test_the_working_line_skips_national_day_like_add_working_time() -> None:
    start = at(2026, 9, 30, 17)
    line = WorkingLine.from_instant(NATIONAL_DAY, start)
    end = from_micros(line.add(to_micros(start), 2 * 3600 * 10**6))
    assert end == add_working_time(start, 2 * H, NATIONAL_DAY)
    assert end == at(2026, 10, 8, 10)


def test_a_working_line_on_a_calendar_without_working_time_refuses() -> None:
    line = WorkingLine(Calendar(), dt.date(2026, 11, 23))
    with pytest.raises(NoWorkingTime):
        line.add(to_micros(at(2026, 11, 23, 9)), 60 * 10**6)
