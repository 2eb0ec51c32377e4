"""Erlang A's "served within t" in closed form (negative binomial tail) against the chain's
uniformisation, the way it was first computed: the same numbers for any staffing and patience."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.core.staffing.erlang_a import _served_within


def served_within_by_uniformisation(agents: int, mu: float, theta: float, ahead_max: int, seconds: float) -> np.ndarray:
    """s_k = P(served within ``seconds`` | k people ahead on arrival), for k = 0 … ahead_max.

    States 0 … ahead_max are "i people ahead", then served and gone. Uniformisation: with Λ the
    largest exit rate, P = I + Q/Λ and u(t) = Σ_m Poisson(m; Λt) P^m 1_served, computed backwards
    as repeated products on a vector (the chain is a ladder, so each product is O(K))."""
    size = ahead_max + 1
    ahead = np.arange(size, dtype=float)
    forward = agents * mu + ahead * theta  # rate of moving one place up (or into service at i = 0)
    give_up = np.full(size, theta)
    rate = forward + give_up
    big = float(rate.max())
    if seconds <= 0:
        return np.zeros(size)
    stay = 1 - rate / big
    step = forward / big
    value = np.zeros(size)  # P^m applied to 1_served, restricted to the transient states
    mean = big * seconds
    total = np.zeros(size)
    # Poisson weights in log space, summed until the remaining mass is negligible
    m_max = int(mean + 12 * math.sqrt(mean) + 30)
    log_weight = -mean
    served = 1.0  # the absorbing "served" state's value is 1 after any number of steps
    for m in range(m_max + 1):
        if m:
            log_weight += math.log(mean) - math.log(m)
        total += math.exp(log_weight) * value
        nxt = stay * value
        nxt[0] += step[0] * served
        nxt[1:] += step[1:] * value[:-1]
        value = nxt
    return np.clip(total, 0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(agents=st.integers(1, 60), handle=st.floats(30, 3600), patience=st.floats(20, 20_000),
       seconds=st.floats(1, 1800), ahead=st.integers(0, 200))
def test_closed_form_matches_uniformisation(agents: int, handle: float, patience: float, seconds: float,
                                            ahead: int) -> None:
    mu, theta = 1 / handle, 1 / patience
    closed = _served_within(agents, mu, theta, ahead, seconds)
    reference = served_within_by_uniformisation(agents, mu, theta, ahead, seconds)
    assert closed == pytest.approx(reference, abs=1e-9)


def test_first_in_line_by_hand() -> None:
    # nobody ahead: served within t when the next of 2 agents frees (rate 2/600) before giving up
    # (1/300) and within t: P = (2/600) / (2/600 + 1/300) × (1 − e^(−(4/600)·120)) = ½ (1 − e^(−0.8))
    value = _served_within(2, 1 / 600, 1 / 300, 0, 120)[0]
    assert value == pytest.approx(0.5 * (1 - math.exp(-0.8)), rel=1e-12)
    assert np.all(np.diff(_served_within(3, 1 / 600, 1 / 900, 50, 300)) <= 0)  # more ahead, less likely


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(1, 400), handle=st.floats(60, 1800), patience=st.floats(30, 20_000),
       near=st.integers(1, 120), level=st.sampled_from([0.5, 0.8, 0.9]))
def test_the_search_from_a_guess_finds_the_bisections_answer(rate: float, handle: float, patience: float,
                                                             near: int, level: float) -> None:
    from desk.core.staffing.erlang_a import agents_needed_a

    figures = {"arrivals_per_hour": rate, "handle_seconds": handle, "patience_seconds": patience,
               "target_level": level, "target_seconds": 300}
    assert agents_needed_a(**figures, near=near) == agents_needed_a(**figures)
