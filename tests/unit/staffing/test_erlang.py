"""Erlang C against published tables, Erlang A against an independent high-precision computation
and against Erlang C in the limit of infinite patience."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.core.staffing import ServiceTarget, agents_needed, erlang_c, service_level
from desk.core.staffing.erlang_a import agents_needed_a, erlang_a


# The classic worked example of the Erlang C tables: 100 calls in 30 minutes, 180 s handle time
# (A = 10 erlangs), 80% answered in 20 s. Published P(wait): 11 → 68.21%, 12 → 44.94%,
# 13 → 28.53%, 14 → 17.41%; 14 agents is the first to meet 80% in 20 s.
@pytest.mark.parametrize(("agents", "published"), [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741)])
def test_erlang_c_matches_the_published_table(agents: int, published: float) -> None:
    assert erlang_c(agents, 10.0) == pytest.approx(published, abs=5e-5)


def test_erlang_c_classic_example_needs_fourteen_agents() -> None:
    assert agents_needed(200, 180, ServiceTarget(0.8, 20)) == 14
    assert service_level(13, 10.0, 180, 20) < 0.8 <= service_level(14, 10.0, 180, 20)


def test_erlang_c_exact_small_case() -> None:
    # A = 2 erlangs, N = 3: C = (8/6 · 3) / (1 + 2 + 2 + 4) = 4/9 exactly
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)


def _erlang_a_decimal(agents: int, lam: Decimal, mu: Decimal, theta: Decimal, t: Decimal,
                      states: int = 90) -> tuple[Decimal, Decimal, Decimal]:
    """Independent computation at 200 digits: π by the product formula, and the served-within-t
    share in closed form — with k people ahead, the arrival reaches service after k + 1 stages of
    rates r_i = Nμ + (i + 1)θ (service or someone ahead leaving, or the arrival giving up), each
    passed "forward" with probability (Nμ + iθ) / r_i, the time a hypoexponential sum."""
    getcontext().prec = 200
    weights = [Decimal(1)]
    for j in range(1, states):
        death = j * mu if j <= agents else agents * mu + (j - agents) * theta
        weights.append(weights[-1] * lam / death)
    total = sum(weights)
    pi = [w / total for w in weights]
    wait = sum(pi[agents:])
    queue = sum((j - agents) * p for j, p in enumerate(pi) if j > agents)
    abandon = theta * queue / lam
    level = sum(pi[:agents])
    for k in range(states - agents):
        rates = [agents * mu + (i + 1) * theta for i in range(k + 1)]
        forward = Decimal(1)
        for i in range(k + 1):
            forward *= (agents * mu + i * theta) / rates[i]
        cdf = Decimal(1)
        for i, r_i in enumerate(rates):
            coefficient = Decimal(1)
            for j, r_j in enumerate(rates):
                if j != i:
                    coefficient *= r_j / (r_j - r_i)
            cdf -= coefficient * (-r_i * t).exp()
        level += pi[agents + k] * forward * cdf
    return wait, abandon, level


@pytest.mark.parametrize("agents", [1, 2, 3, 4, 6])
def test_erlang_a_matches_an_independent_high_precision_computation(agents: int) -> None:
    # 12 arrivals an hour, 10 min handle (A = 2 erlangs), 5 min mean patience, 2 min target
    wait, abandon, level = _erlang_a_decimal(agents, Decimal(1) / 300, Decimal(1) / 600,
                                             Decimal(1) / 300, Decimal(120))
    figures = erlang_a(agents=agents, arrivals_per_hour=12, handle_seconds=600, patience_seconds=300,
                       target_seconds=120)
    assert figures.wait_probability == pytest.approx(float(wait), abs=1e-9)
    assert figures.abandonment == pytest.approx(float(abandon), abs=1e-9)
    assert figures.service_level == pytest.approx(float(level), abs=1e-7)


def test_erlang_a_overloaded_desk_stays_finite() -> None:
    # one agent, three times the traffic they can take: most people walk away, none wait forever
    figures = erlang_a(agents=1, arrivals_per_hour=18, handle_seconds=600, patience_seconds=120,
                       target_seconds=300)
    assert 0.6 < figures.abandonment < 1
    # flow balance: those served (1 − walk-away share) are what the busy agent gets through
    assert figures.occupancy * 1 * 3600 / 600 == pytest.approx(18 * (1 - figures.abandonment), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(traffic=st.floats(0.2, 20), handle=st.floats(60, 1200), extra=st.integers(1, 6),
       target=st.integers(0, 600))
def test_erlang_a_tends_to_erlang_c_as_patience_grows(traffic: float, handle: float, extra: int,
                                                      target: int) -> None:
    # at least half an erlang of headroom: as N − A → 0 the Erlang C queue grows without bound, and
    # no finite patience leaves it unchanged (nor does a truncated chain hold it)
    agents = math.ceil(traffic + 0.5) + extra - 1
    figures = erlang_a(agents=agents, arrivals_per_hour=traffic * 3600 / handle, handle_seconds=handle,
                       patience_seconds=1e12, target_seconds=target)
    assert figures.wait_probability == pytest.approx(erlang_c(agents, traffic), abs=1e-6)
    assert figures.service_level == pytest.approx(service_level(agents, traffic, handle, target), abs=1e-6)
    assert figures.abandonment < 1e-6


@settings(max_examples=30, deadline=None)
@given(rate=st.floats(1, 120), handle=st.floats(60, 900), patience=st.floats(30, 3600))
def test_walk_aways_fall_and_service_rises_with_each_agent(rate: float, handle: float,
                                                           patience: float) -> None:
    levels = [erlang_a(agents=n, arrivals_per_hour=rate, handle_seconds=handle, patience_seconds=patience,
                       target_seconds=120) for n in range(1, 12)]
    for fewer, more in zip(levels, levels[1:], strict=False):
        assert more.abandonment <= fewer.abandonment + 1e-12
        assert more.service_level >= fewer.service_level - 1e-12


def test_agents_needed_a_is_the_smallest_meeting_the_target() -> None:
    needed = agents_needed_a(arrivals_per_hour=200, handle_seconds=180, patience_seconds=300,
                             target_level=0.8, target_seconds=20)
    level = [erlang_a(agents=n, arrivals_per_hour=200, handle_seconds=180, patience_seconds=300,
                      target_seconds=20).service_level for n in (needed - 1, needed)]
    assert level[0] < 0.8 <= level[1]
    assert agents_needed_a(arrivals_per_hour=0, handle_seconds=180, patience_seconds=300,
                           target_level=0.8, target_seconds=20) == 0
