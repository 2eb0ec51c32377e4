"""Erlang C against published reference values; local-time bucketing across DST."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.core import errors, staffing
from desk.core.stats.zones import ZoneSegments, date_of, local_midnight


def test_erlang_c_textbook_value() -> None:
    # c = 3 servers, a = 2 erlangs: (8/6 · 3) / (1 + 2 + 2 + 4) = 4/9 (e.g. Wolfram's ErlangC[3, 2]).
    assert staffing.erlang_c(3, 2.0) == pytest.approx(4 / 9)


def test_erlang_c_call_centre_helper_example() -> None:
    # The classic worked example (callcentrehelper.com, "Erlang C formula – made simple"):
    # 100 calls per 30 min, AHT 180 s, 80% answered within 20 s -> 10 erlangs;
    # 11 agents: P(wait) 68.21%; 13 agents: SL 79.6%; 14 agents: SL 88.8% -> 14 agents needed.
    traffic = 200 * 180 / 3600
    assert traffic == pytest.approx(10)
    assert staffing.erlang_c(11, traffic) == pytest.approx(0.6821, abs=5e-5)
    assert staffing.service_level(13, traffic, 180, 20) == pytest.approx(0.7956, abs=5e-4)
    assert staffing.service_level(14, traffic, 180, 20) == pytest.approx(0.8884, abs=5e-4)
    assert staffing.agents_needed(200, 180, staffing.ServiceTarget(level=0.8, seconds=20)) == 14


@given(st.integers(1, 60), st.floats(0.01, 59.0))
def test_erlang_c_matches_the_closed_form(agents: int, traffic: float) -> None:
    if agents <= traffic:
        assert staffing.erlang_c(agents, traffic) == 1.0
        return
    terms = sum(traffic**k / math.factorial(k) for k in range(agents))
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    assert staffing.erlang_c(agents, traffic) == pytest.approx(top / (terms + top), rel=1e-9)


@given(st.floats(0.1, 120), st.floats(30, 3600), st.floats(0.5, 0.99), st.integers(0, 900))
def test_agents_needed_is_the_smallest_that_meets_the_target(rate, handle, level, seconds) -> None:
    target = staffing.ServiceTarget(level=level, seconds=seconds)
    n = staffing.agents_needed(rate, handle, target)
    traffic = rate * handle / 3600
    assert staffing.service_level(n, traffic, handle, seconds) >= level
    assert n == 1 or staffing.service_level(n - 1, traffic, handle, seconds) < level


def test_no_arrivals_need_nobody_and_bad_targets_are_refused() -> None:
    assert staffing.agents_needed(0, 300, staffing.ServiceTarget()) == 0
    with pytest.raises(errors.InvalidInput):
        staffing.ServiceTarget(level=1.5)


def _epoch(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def test_zone_segments_find_both_dst_switches() -> None:
    ny = ZoneInfo("America/New_York")
    start, end = local_midnight(date(2026, 1, 1), ny), local_midnight(date(2027, 1, 1), ny)
    zone = ZoneSegments.for_period(ny, start, end)
    assert zone.starts[1:].tolist() == [_epoch(2026, 3, 8, 7), _epoch(2026, 11, 1, 6)]
    assert zone.offsets.tolist() == [-5 * 3600, -4 * 3600, -5 * 3600]
    epochs = np.array([_epoch(2026, 3, 8, 6, 59, 59), _epoch(2026, 3, 8, 7), _epoch(2026, 11, 1, 5, 30),
                       _epoch(2026, 11, 1, 6, 30)])
    weekday, hour = zone.weekday_hour(epochs)
    assert hour.tolist() == [1, 3, 1, 1]  # 01:59:59 EST, 03:00 EDT, 01:30 EDT, 01:30 EST again
    assert weekday.tolist() == [6, 6, 6, 6]  # both switches are on Sundays
    assert [str(date_of(d)) for d in zone.local_days(epochs)] == ["2026-03-08"] * 2 + ["2026-11-01"] * 2


@given(st.integers(_epoch(2025, 1, 1), _epoch(2028, 1, 1)),
       st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]))
def test_local_bucketing_agrees_with_zoneinfo(epoch: int, name: str) -> None:
    tz = ZoneInfo(name)
    zone = ZoneSegments.for_period(tz, _epoch(2025, 1, 1), _epoch(2028, 1, 1))
    local = datetime.fromtimestamp(epoch, UTC).astimezone(tz)
    weekday, hour = zone.weekday_hour(np.array([epoch]))
    assert (int(weekday[0]), int(hour[0])) == (local.weekday(), local.hour)
    assert date_of(int(zone.local_days(np.array([epoch]))[0])) == local.date()


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10**9)), min_size=1, max_size=60))
def test_grouped_percentiles_match_numpy_per_group(pairs: list[tuple[int, int]]) -> None:
    from desk.core.stats.distributions import grouped_percentiles

    groups = np.array([g for g, _v in pairs], dtype=np.int64)
    values = np.array([v for _g, v in pairs], dtype=np.int64)
    result = grouped_percentiles(groups, values, (0.5, 0.9))
    assert set(result) == set(groups.tolist())
    for group, (median, p90) in result.items():
        mine = values[groups == group]
        assert median == pytest.approx(float(np.percentile(mine, 50)))
        assert p90 == pytest.approx(float(np.percentile(mine, 90)))


@given(st.lists(st.integers(0, 2**62), max_size=80) | st.lists(st.integers(0, 40), max_size=80)
       | st.lists(st.integers(-5, 2**20), max_size=80))
def test_stable_order_is_a_stable_argsort(values: list[int]) -> None:
    """By 16-bit digits (one to four passes), ties in their order; negatives by argsort."""
    from desk.core.stats.distributions import stable_order

    array = np.array(values, dtype=np.int64)
    assert stable_order(array).tolist() == np.argsort(array, kind="stable").tolist()


@given(st.lists(st.tuples(st.integers(0, 3 * 10**8), st.booleans()), max_size=60))
def test_by_value_keeps_the_chosen_tickets_in_order_of_value(rows: list[tuple[int, bool]]) -> None:
    from desk.core.stats.distributions import ByValue

    values = np.array([v for v, _chosen in rows], dtype=np.int64)
    mask = np.array([chosen for _v, chosen in rows], dtype=bool)
    ordered = ByValue.of(values, mask)
    expected = sorted((v, i) for i, (v, chosen) in enumerate(rows) if chosen)
    assert ordered.index.tolist() == [i for _v, i in expected]
    assert ordered.values.tolist() == [v for v, _i in expected]
