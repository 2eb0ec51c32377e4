"""The censored patience estimator, shrinkage and the per-interval table."""

from __future__ import annotations

import numpy as np
import pytest

from desk.core import errors
from desk.core.staffing import ServiceTarget
from desk.core.staffing.intervals import interval_table, with_shrinkage
from desk.core.staffing.patience import MIN_WALKAWAYS, estimate_patience


def test_patience_counts_served_waits_as_censored() -> None:
    # 5 walk-aways after 60 s each, 10 served after 30 s: θ̂ = 5 / (300 + 300) → mean 120 s
    estimate = estimate_patience(walkaway_waits=np.full(5, 60.0), served_waits=np.full(10, 30.0))
    assert estimate.mean_seconds == pytest.approx(120.0)
    assert (estimate.walkaways, estimate.served) == (5, 10)


def test_patience_recovers_a_known_mean_from_censored_samples() -> None:
    rng = np.random.default_rng(7)
    patience = rng.exponential(400, 20_000)
    offered = rng.exponential(150, 20_000)  # the wait each would have had
    left = patience < offered
    estimate = estimate_patience(walkaway_waits=patience[left], served_waits=offered[~left])
    assert estimate.mean_seconds == pytest.approx(400, rel=0.05)
    naive = float(patience[left].mean())
    assert naive < 200  # the walk-aways alone would say people are far less patient


def test_patience_is_unknown_with_too_few_walk_aways() -> None:
    estimate = estimate_patience(walkaway_waits=np.full(MIN_WALKAWAYS - 1, 60.0),
                                 served_waits=np.full(100, 30.0))
    assert estimate.mean_seconds is None


@pytest.mark.parametrize(("required", "shrinkage", "scheduled"), [(0, 0.3, 0), (7, 0.0, 7), (7, 0.3, 10),
                                                                   (10, 0.3, 15), (3, 0.5, 6)])
def test_shrinkage_rounds_up(required: int, shrinkage: float, scheduled: int) -> None:
    assert with_shrinkage(required, shrinkage) == scheduled


def test_shrinkage_must_leave_someone_at_the_desk() -> None:
    with pytest.raises(errors.InvalidInput):
        with_shrinkage(3, 1.0)


def test_interval_table_required_scheduled_and_difference() -> None:
    rates = np.zeros((7, 48))
    rates[0, 20] = 200  # Monday 10:00–10:30, the classic 10-erlang example
    scheduled = np.zeros((7, 48), dtype=np.int64)
    scheduled[0, 20] = 16
    table = interval_table(arrivals_per_hour=rates, scheduled=scheduled, interval_minutes=30,
                           handle_seconds=180, patience_seconds=300, target=ServiceTarget(0.8, 20),
                           shrinkage=0.2)
    assert table.required_c[0, 20] == 14
    assert table.required_a[0, 20] == 13
    assert table.required_shrunk[0, 20] == 17  # ⌈13 / 0.8⌉
    assert table.difference[0, 20] == -1
    assert 0 < table.walk_away_share[0, 20] < 0.05
    assert table.required[1].sum() == 0 and table.difference[1].sum() == 0
