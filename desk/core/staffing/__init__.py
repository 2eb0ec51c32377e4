"""Staffing from Erlang C: how many agents each weekday × hour needs to meet a service target.

The desk is an M/M/N queue: walk-ins and calls arrive at rate λ (per hour, observed), an agent
spends on average AHT seconds with each, so the offered traffic is A = λ·AHT/3600 erlangs.
Erlang C gives the probability that an arrival has to wait with N agents, and the service level
SL(N) = 1 − C(N, A)·exp(−(N − A)·t / AHT) is the share served within t seconds. The agents
needed are the smallest N > A with SL(N) ≥ the target. No Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from desk.core import errors
from desk.core.i18n import _

MAX_AGENTS = 500


@dataclass(frozen=True)
class ServiceTarget:
    """``level`` of walk-ins and calls served within ``seconds`` (default 80% in 5 minutes)."""

    level: float = 0.8
    seconds: int = 300

    def __post_init__(self) -> None:
        if not 0 < self.level < 1:
            raise errors.InvalidInput(_("The service level target must be between 0% and 100%."))
        if self.seconds < 0:
            raise errors.InvalidInput(_("The answer-within time cannot be negative."))

    @property
    def within_text(self) -> str:
        """The target as given: "within 30 s", "within 2.5 min", "within 5 min" (never cut to
        whole minutes; a time that is no whole half-minute stays in seconds)."""
        return _("within {duration}").format(duration=duration_as_given(self.seconds))


def duration_as_given(seconds: int) -> str:
    if seconds < 60 or seconds % 30:
        return _("{seconds} s").format(seconds=seconds)
    return _("{minutes:g} min").format(minutes=seconds / 60)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability (Erlang B), by the numerically stable recursion."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that an arrival waits (Erlang C); 1.0 when the queue is unstable (N ≤ A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(agents: int, traffic: float, handle_seconds: float, target_seconds: float) -> float:
    """Share of arrivals served within ``target_seconds`` with ``agents`` agents."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waits = erlang_c(agents, traffic)
    return 1.0 - waits * math.exp(-(agents - traffic) * target_seconds / handle_seconds)


def agents_needed(arrivals_per_hour: float, handle_seconds: float, target: ServiceTarget) -> int:
    """Smallest number of agents meeting ``target`` (0 when nobody arrives; at most MAX_AGENTS)."""
    if arrivals_per_hour <= 0:
        return 0
    if handle_seconds <= 0:
        raise errors.InvalidInput(_("The handle time must be positive."))
    traffic = arrivals_per_hour * handle_seconds / 3600
    agents = max(1, math.floor(traffic) + 1)
    while service_level(agents, traffic, handle_seconds, target.seconds) < target.level:
        if agents >= MAX_AGENTS:
            return MAX_AGENTS
        agents += 1
    return agents


@dataclass(frozen=True)
class StaffingPlan:
    """7 × 24 grids (Monday first, local hours) for one period."""

    target: ServiceTarget
    handle_seconds: float
    handle_observed: bool  # False: too few one-visit tickets, a default was used
    arrivals_per_hour: np.ndarray  # mean walk-ins + calls arriving in that hour
    needed: np.ndarray  # agents needed (int)
    on_shift: np.ndarray  # mean agents actually signed in during that hour
    level_on_shift: np.ndarray  # service level the agents on shift would give (Erlang C)
    # Erlang A beside C (``with_walk_aways``); None while the patience is unknown (too few walk-aways)
    patience_seconds: float | None = None
    needed_a: np.ndarray | None = None  # agents needed when people walk away (int)
    walk_away_at_a: np.ndarray | None = None  # predicted walk-away share staffed at needed_a
    walk_away_at_c: np.ndarray | None = None  # ... staffed at Erlang C's needed
    walk_away_on_shift: np.ndarray | None = None  # ... with the agents who were on shift


def plan(
    arrivals: np.ndarray, occurrences: np.ndarray, on_shift_hours: np.ndarray, *,
    handle_seconds: float, handle_observed: bool, target: ServiceTarget, patience_seconds: float | None = None,
) -> StaffingPlan:
    """From arrival counts and agent-hours per weekday × hour and how often each occurred (with
    Erlang A beside C when ``patience_seconds`` is known)."""
    safe = np.maximum(occurrences, 1)
    rate = np.where(occurrences > 0, arrivals / safe, 0.0)
    on_shift = np.where(occurrences > 0, on_shift_hours / safe, 0.0)
    needed = np.zeros((7, 24), dtype=np.int64)
    level = np.ones((7, 24))
    for day in range(7):
        for hour in range(24):
            lam = float(rate[day, hour])
            needed[day, hour] = agents_needed(lam, handle_seconds, target)
            traffic = lam * handle_seconds / 3600
            level[day, hour] = service_level(int(math.floor(on_shift[day, hour] + 1e-9)), traffic,
                                             handle_seconds, target.seconds)
    plain = StaffingPlan(target, handle_seconds, handle_observed, rate, needed, on_shift, level)
    return plain if patience_seconds is None else with_walk_aways(plain, patience_seconds=patience_seconds)


def with_walk_aways(plan: StaffingPlan, *, patience_seconds: float) -> StaffingPlan:
    """``plan`` with Erlang A beside Erlang C: agents needed when waiting people walk away after
    a mean ``patience_seconds``, and the share predicted to walk away at A's level, at C's level
    and with the agents on shift. Pure arithmetic on the plan's 7 × 24 rates (no store read)."""
    from dataclasses import replace

    from desk.core.staffing.erlang_a import abandonment_share
    from desk.core.staffing.intervals import required_agents

    needed_a = np.zeros((7, 24), dtype=np.int64)
    at_a, at_c, on_shift = np.zeros((7, 24)), np.zeros((7, 24)), np.zeros((7, 24))
    for day in range(7):
        for hour in range(24):
            lam = float(plan.arrivals_per_hour[day, hour])
            if lam <= 0:
                continue
            needed_a[day, hour] = required_agents(arrivals_per_hour=lam, handle_seconds=plan.handle_seconds,
                                                  patience_seconds=patience_seconds, target=plan.target)
            for grid, agents in ((at_a, int(needed_a[day, hour])), (at_c, int(plan.needed[day, hour])),
                                 (on_shift, int(math.floor(plan.on_shift[day, hour] + 1e-9)))):
                grid[day, hour] = abandonment_share(agents=agents, arrivals_per_hour=lam,
                                                    handle_seconds=plan.handle_seconds,
                                                    patience_seconds=patience_seconds)
    return replace(plan, patience_seconds=patience_seconds, needed_a=needed_a, walk_away_at_a=at_a,
                   walk_away_at_c=at_c, walk_away_on_shift=on_shift)
