"""Staffing per interval of the week (30 or 60 min): required by Erlang C and Erlang A, with
shrinkage, scheduled (the rota) and the difference. Pure arithmetic on arrays; the store is read
by ``desk.core.stats.staffing_intervals``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from desk.core import errors
from desk.core.i18n import _
from desk.core.staffing import ServiceTarget, agents_needed
from desk.core.staffing.erlang_a import agents_needed_a, erlang_a

INTERVALS = (30, 60)


def check_interval(minutes: int) -> None:
    if minutes not in INTERVALS:
        raise errors.InvalidInput(_("The interval must be 30 or 60 minutes."))


def check_shrinkage(shrinkage: float) -> None:
    if not 0 <= shrinkage < 1:
        raise errors.InvalidInput(_("Shrinkage must be at least 0% and below 100%."))


def with_shrinkage(required: int, shrinkage: float) -> int:
    """Agents to schedule so that ``required`` are at the desk when a share is on breaks or
    back-office work: ⌈required / (1 − shrinkage)⌉."""
    check_shrinkage(shrinkage)
    return math.ceil(required / (1 - shrinkage) - 1e-9)


@lru_cache(maxsize=65_536)
def _required(rate: float, handle: float, patience: float | None, level: float, seconds: int) -> int:
    if patience is None:
        return agents_needed(rate, handle, ServiceTarget(level, seconds))
    # Erlang C's answer (cached too) is where the search for Erlang A's starts
    return agents_needed_a(arrivals_per_hour=rate, handle_seconds=handle, patience_seconds=patience,
                           target_level=level, target_seconds=seconds,
                           near=_required(rate, handle, None, level, seconds))


def required_agents(
    *, arrivals_per_hour: float, handle_seconds: float, patience_seconds: float | None,
    target: ServiceTarget,
) -> int:
    """Erlang A when a patience is known, else Erlang C (rates rounded to 0.01/h for the cache)."""
    return _required(round(arrivals_per_hour, 2), round(handle_seconds, 1),
                     None if patience_seconds is None else round(patience_seconds, 1),
                     target.level, target.seconds)


@dataclass(frozen=True)
class IntervalTable:
    """Weekday (Monday first) × slot of the day grids."""

    interval_minutes: int
    target: ServiceTarget
    handle_seconds: float
    patience_seconds: float | None
    shrinkage: float
    arrivals_per_hour: np.ndarray  # mean rate in the slot (tickets + quick questions)
    required_c: np.ndarray  # Erlang C
    required_a: np.ndarray  # Erlang A (= required_c when patience is unknown)
    walk_away_share: np.ndarray  # Erlang A's predicted walk-away share at required_a
    required: np.ndarray  # the model in use (A when patience is known), before shrinkage
    required_shrunk: np.ndarray  # with shrinkage: what the rota must schedule
    scheduled: np.ndarray  # planned agents in the slot

    @property
    def difference(self) -> np.ndarray:
        """Scheduled − required with shrinkage: negative where the rota is short."""
        return self.scheduled - self.required_shrunk

    @property
    def slots_per_day(self) -> int:
        return 1440 // self.interval_minutes


def interval_table(
    *, arrivals_per_hour: np.ndarray, scheduled: np.ndarray, interval_minutes: int,
    handle_seconds: float, patience_seconds: float | None, target: ServiceTarget, shrinkage: float,
) -> IntervalTable:
    check_interval(interval_minutes)
    check_shrinkage(shrinkage)
    shape = arrivals_per_hour.shape
    req_c = np.zeros(shape, dtype=np.int64)
    req_a = np.zeros(shape, dtype=np.int64)
    walk = np.zeros(shape)
    for index in np.ndindex(shape):
        rate = float(arrivals_per_hour[index])
        req_c[index] = required_agents(arrivals_per_hour=rate, handle_seconds=handle_seconds,
                                       patience_seconds=None, target=target)
        if patience_seconds is None:
            req_a[index] = req_c[index]
            continue
        req_a[index] = required_agents(arrivals_per_hour=rate, handle_seconds=handle_seconds,
                                       patience_seconds=patience_seconds, target=target)
        if rate > 0:
            walk[index] = erlang_a(agents=int(req_a[index]), arrivals_per_hour=rate,
                                   handle_seconds=handle_seconds, patience_seconds=patience_seconds,
                                   target_seconds=target.seconds).abandonment
    required = req_a if patience_seconds is not None else req_c
    shrunk = np.vectorize(lambda n: with_shrinkage(int(n), shrinkage), otypes=[np.int64])(required)
    return IntervalTable(interval_minutes, target, handle_seconds, patience_seconds, shrinkage,
                         arrivals_per_hour, req_c, req_a, walk, required, shrunk,
                         np.asarray(scheduled, dtype=np.int64))


def walk_away_by_level(
    *, arrivals_per_hour: float, handle_seconds: float, patience_seconds: float, target_seconds: int,
    agents: range,
) -> list[tuple[int, float, float]]:
    """(agents, predicted walk-away share, service level) for each staffing level in ``agents``."""
    rows = []
    for n in agents:
        figures = erlang_a(agents=n, arrivals_per_hour=arrivals_per_hour, handle_seconds=handle_seconds,
                           patience_seconds=patience_seconds, target_seconds=target_seconds)
        rows.append((n, figures.abandonment, figures.service_level))
    return rows
