"""Business-hours arithmetic against a slow, obvious minute-by-minute walk, across weekends,
holidays, closed days and the 2026 daylight-saving days of America/New_York."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.core.business_hours import BusinessCalendar, add_business_time, business_duration
from desk.core.desk_settings import DeskSettings, public_holidays

NY = "America/New_York"
SPRING = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 02:00 EST becomes 03:00 EDT
FALL = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 02:00 EDT becomes 01:00 EST


def slow_open_minutes(settings_: DeskSettings, start: datetime, end: datetime) -> int:
    """Count each UTC minute in [start, end) whose local wall clock is inside an opening period
    of a day that is no holiday nor closed day: the definition, with no cleverness."""
    zone = ZoneInfo(settings_.timezone)
    closed = set(public_holidays(settings_, range(start.year - 1, end.year + 2)))
    minutes, moment = 0, start
    while moment < end:
        local = moment.astimezone(zone)
        if local.date() not in closed:
            wall = local.time().replace(tzinfo=None)
            if any(opens <= wall < closes for opens, closes in settings_.opening_hours[local.weekday()]):
                minutes += 1
        moment += timedelta(minutes=1)
    return minutes


def slow_add(settings_: DeskSettings, start: datetime, minutes: int) -> datetime:
    moment, counted = start, 0
    zone = ZoneInfo(settings_.timezone)
    closed = set(public_holidays(settings_, range(start.year - 1, start.year + 4)))
    while counted < minutes:
        local = moment.astimezone(zone)
        wall = local.time().replace(tzinfo=None)
        if local.date() not in closed and any(
                opens <= wall < closes for opens, closes in settings_.opening_hours[local.weekday()]):
            counted += 1
        moment += timedelta(minutes=1)
    return moment


periods = st.lists(
    st.tuples(st.integers(0, 23 * 60 + 58), st.integers(1, 6 * 60)), max_size=2,
).map(lambda spans: sorted(
    (time(a // 60, a % 60), time(min(a + n, 23 * 60 + 59) // 60, min(a + n, 23 * 60 + 59) % 60))
    for a, n in spans))


def _no_overlap(day: list[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    kept: list[tuple[time, time]] = []
    for opens, closes in day:
        if closes > opens and (not kept or opens >= kept[-1][1]):
            kept.append((opens, closes))
    return tuple(kept)


weeks = st.lists(periods, min_size=7, max_size=7).map(lambda days: tuple(_no_overlap(d) for d in days))
moments = st.sampled_from([SPRING, FALL, datetime(2026, 12, 24, 12, tzinfo=UTC), datetime(2026, 7, 2, tzinfo=UTC)]) \
    .flatmap(lambda around: st.integers(-3 * 24 * 60, 3 * 24 * 60).map(lambda m: around + timedelta(minutes=m)))


@settings(max_examples=60, deadline=None)
@given(week=weeks, start=moments, length=st.integers(0, 5 * 24 * 60), country=st.sampled_from(["", "US"]),
       closed=st.sets(st.sampled_from([date(2026, 3, 9), date(2026, 11, 2), date(2026, 12, 28)])))
def test_business_duration_is_the_count_of_open_minutes(week, start, length, country, closed):
    desk = DeskSettings(timezone=NY, opening_hours=week, holidays_country=country,
                        closed_days=tuple(sorted(closed)))
    end = start + timedelta(minutes=length)
    assert business_duration(desk, start=start, end=end) == timedelta(minutes=slow_open_minutes(desk, start, end))


def _weekly_minutes(week) -> int:  # noqa: ANN001
    return sum((c.hour * 60 + c.minute) - (o.hour * 60 + o.minute) for day in week for o, c in day)


@settings(max_examples=40, deadline=None)
@given(week=weeks.filter(lambda w: _weekly_minutes(w) >= 30), start=moments, data=st.data(),
       country=st.sampled_from(["", "US"]))
def test_add_business_time_ends_where_the_open_minutes_run_out(week, start, data, country):  # noqa: ANN001
    # Up to three weeks' worth of open time: the walk stays short, holidays and DST still crossed.
    minutes = data.draw(st.integers(0, 3 * _weekly_minutes(week)), label="minutes")
    desk = DeskSettings(timezone=NY, opening_hours=week, holidays_country=country)
    due = add_business_time(desk, start=start, duration=timedelta(minutes=minutes))
    assert due == slow_add(desk, start, minutes)


def test_a_weekend_and_a_holiday_are_skipped_by_hand():
    desk = DeskSettings(timezone=NY, holidays_country="US")  # Mon-Fri 09-18
    friday_five_pm = datetime(2026, 7, 2, 21, tzinfo=UTC)  # Thursday 2 July, 17:00 EDT
    # 1 hour Thursday; Friday 3 July is the observed Independence Day; then the weekend.
    due = add_business_time(desk, start=friday_five_pm, duration=timedelta(hours=2))
    assert due == datetime(2026, 7, 6, 14, tzinfo=UTC)  # Monday 10:00 EDT
    assert business_duration(desk, start=friday_five_pm, end=due) == timedelta(hours=2)


def test_the_spring_forward_night_counts_only_real_hours():
    desk = DeskSettings(timezone=NY, opening_hours=(((time(0), time(23, 59)),),) * 7)
    start, end = datetime(2026, 3, 8, 5, tzinfo=UTC), datetime(2026, 3, 8, 9, tzinfo=UTC)  # 00:00 EST → 05:00 EDT
    assert business_duration(desk, start=start, end=end) == timedelta(hours=4)
    fall_start, fall_end = datetime(2026, 11, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert business_duration(desk, start=fall_start, end=fall_end) == timedelta(hours=4)  # 01:00 happens twice


def test_a_desk_without_opening_hours_says_so():
    desk = DeskSettings(timezone=NY, opening_hours=((),) * 7)
    calendar = BusinessCalendar.from_settings(desk)
    assert calendar.business_seconds(SPRING, SPRING + timedelta(days=30)) == 0
    from desk.core import errors

    with pytest.raises(errors.InvalidInput):
        calendar.add_business_time(SPRING, timedelta(hours=1))


@settings(max_examples=40, deadline=None)
@given(week=weeks.filter(lambda w: _weekly_minutes(w) >= 30), end=moments, data=st.data(),
       country=st.sampled_from(["", "US"]))
def test_latest_start_is_the_edge_of_enough_open_time(week, end, data, country):  # noqa: ANN001
    minutes = data.draw(st.integers(1, 2 * _weekly_minutes(week)), label="minutes")
    desk = DeskSettings(timezone=NY, opening_hours=week, holidays_country=country)
    calendar = BusinessCalendar.from_settings(desk)
    edge = calendar.latest_start(end, timedelta(minutes=minutes))
    assert edge is not None and edge <= end
    assert calendar.business_seconds(edge, end) >= minutes * 60
    assert calendar.business_seconds(edge + timedelta(seconds=1), end) < minutes * 60 or edge == end
