"""Suggesting a rota: shifts per worker that meet the required agents per interval at the least
hours, as an integer program solved by CBC (bundled with PuLP).

Model (one week; every week of a plan repeats the weekly requirement):

* candidate shifts: for each worker, weekday and availability range, every start and length in
  whole intervals from the minimum to the maximum shift length that fits inside the range;
* x_s ∈ {0, 1} takes candidate s; short_{d,i} ≥ 0 is the shortfall of interval i on day d;
* coverage: Σ x_s over shifts covering (d, i) + short_{d,i} ≥ required_{d,i};
* each worker at most one shift a day, and Σ hours ≤ their maximum hours per week;
* minimise Σ hours + SHORT_PENALTY · Σ short: a shortfall costs more than any number of hours,
  so the target is met wherever the workers' availability allows, then at the least hours.

Coverage alone has the consecutive-ones property (shifts are intervals), so the LP relaxation is
nearly integral and CBC closes the gap quickly; the result carries CBC's status and the gap to
the LP bound. No Qt here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from desk.core import errors
from desk.core.i18n import _

SHORT_PENALTY = 1000.0  # hours one interval's missing agent costs in the objective
DEFAULT_MIN_SHIFT_MINUTES = 120
DEFAULT_MAX_SHIFT_MINUTES = 480
TIME_LIMIT_SECONDS = 4


@dataclass(frozen=True)
class Worker:
    agent_id: int
    name: str
    availability: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute)
    max_hours: float | None = None  # per week; None = no limit


@dataclass(frozen=True, order=True)
class ShiftSlot:
    """A shift in the week: weekday (0 = Monday) and local minutes from midnight."""

    agent_id: int
    weekday: int
    start_minute: int
    end_minute: int

    @property
    def hours(self) -> float:
        return (self.end_minute - self.start_minute) / 60


@dataclass(frozen=True)
class RotaSuggestion:
    shifts: tuple[ShiftSlot, ...]
    hours: float
    shortfall: int  # agent-intervals still missing (workers' availability did not allow more)
    status: str  # "optimal", or "time limit" with the best rota found
    # the LP relaxation's least hours at no more shortfall: no rota meeting as much of the
    # target has fewer hours, so hours − this is the most the suggestion can be from the optimum
    lower_bound_hours: float
    coverage: np.ndarray = field(repr=False)  # 7 × slots, agents planned


@dataclass(frozen=True)
class RotaRules:
    interval_minutes: int = 30
    min_shift_minutes: int = DEFAULT_MIN_SHIFT_MINUTES
    max_shift_minutes: int = DEFAULT_MAX_SHIFT_MINUTES

    def __post_init__(self) -> None:
        if self.interval_minutes not in (30, 60):
            raise errors.InvalidInput(_("The interval must be 30 or 60 minutes."))
        if not 0 < self.min_shift_minutes <= self.max_shift_minutes <= 1440:
            raise errors.InvalidInput(_("The minimum shift must be positive and no longer than the maximum."))


def candidates(worker: Worker, rules: RotaRules) -> list[ShiftSlot]:
    """Every shift the worker could take: inside one availability range, whole intervals, from
    the minimum to the maximum length, starting on an interval boundary."""
    step = rules.interval_minutes
    shortest = math.ceil(rules.min_shift_minutes / step)
    longest = rules.max_shift_minutes // step
    found = set()
    for weekday, start, end in worker.availability:
        first = math.ceil(start / step)
        last = end // step  # the range holds intervals first … last − 1
        for begin in range(first, last):
            for length in range(shortest, longest + 1):
                if begin + length > last:
                    break
                found.add(ShiftSlot(worker.agent_id, weekday, begin * step, (begin + length) * step))
    return sorted(found)


def coverage(shifts: Sequence[ShiftSlot], interval_minutes: int) -> np.ndarray:
    """Agents on shift per weekday × interval (a shift covers the intervals it spans entirely)."""
    per_day = 1440 // interval_minutes
    grid = np.zeros((7, per_day), dtype=np.int64)
    for shift in shifts:
        grid[shift.weekday, shift.start_minute // interval_minutes: shift.end_minute // interval_minutes] += 1
    return grid


def suggest_rota(
    *, required: np.ndarray, workers: Sequence[Worker], rules: RotaRules | None = None,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> RotaSuggestion:
    """The rota of least hours meeting ``required`` (7 × intervals a day) as far as the workers'
    availability and maximum hours allow."""
    import pulp

    rules = rules or RotaRules()
    per_day = 1440 // rules.interval_minutes
    required = np.asarray(required, dtype=np.int64)
    if required.shape != (7, per_day):
        raise errors.InvalidInput(_("The requirement must have 7 days of intervals."))
    step = rules.interval_minutes
    shortest = math.ceil(rules.min_shift_minutes / step) * step

    def useful(shift: ShiftSlot) -> bool:
        # A shift longer than the minimum whose first or last interval needs nobody is beaten by
        # the same shift one interval shorter; a shift covering no need is never worth its hours.
        needs = required[shift.weekday, shift.start_minute // step: shift.end_minute // step] > 0
        if not needs.any():
            return False
        return bool(needs[0] and needs[-1]) or shift.end_minute - shift.start_minute == shortest

    options = [(worker, shift) for worker in workers for shift in candidates(worker, rules) if useful(shift)]
    if not options:
        chosen: list[ShiftSlot] = []
        status, bound = "optimal", 0.0
    else:
        model, take = _model(options, required, workers, step, integer=True, max_short=None)
        found = (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        model.solve(_cbc(time_limit))
        if model.sol_status not in found:
            # no rota within the time limit (a loaded machine): the program always has one (the
            # shortfall variables make it feasible), so let CBC run until it has it
            model.solve(_cbc(None))
        if model.sol_status not in found:
            raise errors.InvalidInput(_("No rota could be found for these workers."))
        chosen = [options[k][1] for k in range(len(options)) if (take[k].value() or 0) > 0.5]
        status = "optimal" if model.sol_status == pulp.LpSolutionOptimal else "time limit"
        missing = int(np.maximum(required - coverage(chosen, step), 0).sum())
        # the least hours of any fractional rota leaving no more agent-intervals short: no rota
        # meeting at least as much of the target can have fewer hours
        relaxed, _take = _model(options, required, workers, step, integer=False, max_short=missing)
        relaxed.solve(_cbc(None))
        bound = float(pulp.value(relaxed.objective) or 0.0)
    grid = coverage(chosen, step)
    missing = int(np.maximum(required - grid, 0).sum())
    hours = sum(shift.hours for shift in chosen)
    return RotaSuggestion(tuple(sorted(chosen)), hours, missing, status, bound, grid)


def _model(
    options: list[tuple[Worker, ShiftSlot]], required: np.ndarray, workers: Sequence[Worker], step: int, *,
    integer: bool, max_short: int | None,
) -> tuple[object, list]:
    """The integer program (module docstring), or with ``integer=False`` and ``max_short`` its
    relaxation minimising hours at a total shortfall of at most ``max_short``."""
    import pulp

    model = pulp.LpProblem("rota", pulp.LpMinimize)
    kind = pulp.LpBinary if integer else pulp.LpContinuous
    take = [model.add_variable(f"x{index}", lowBound=0, upBound=1, cat=kind) for index in range(len(options))]
    per_day = required.shape[1]
    wanted = [(d, i) for d in range(7) for i in range(per_day) if required[d, i] > 0]
    short = {cell: model.add_variable(f"s{cell[0]}_{cell[1]}", lowBound=0) for cell in wanted}
    covering: dict[tuple[int, int], list[int]] = {cell: [] for cell in wanted}
    per_worker_day: dict[tuple[int, int], list[int]] = {}
    per_worker: dict[int, list[int]] = {}
    for index, (worker, shift) in enumerate(options):
        for i in range(shift.start_minute // step, shift.end_minute // step):
            if (shift.weekday, i) in covering:
                covering[shift.weekday, i].append(index)
        per_worker_day.setdefault((worker.agent_id, shift.weekday), []).append(index)
        per_worker.setdefault(worker.agent_id, []).append(index)
    hours = pulp.lpSum(options[k][1].hours * take[k] for k in range(len(options)))
    if max_short is None:
        model += hours + SHORT_PENALTY * pulp.lpSum(short.values())
    else:
        model += hours
        model += pulp.lpSum(short.values()) <= max_short
    for cell, indexes in covering.items():
        model += pulp.lpSum(take[k] for k in indexes) + short[cell] >= int(required[cell])
    for indexes in per_worker_day.values():
        model += pulp.lpSum(take[k] for k in indexes) <= 1
    limits = {worker.agent_id: worker.max_hours for worker in workers}
    for agent_id, indexes in per_worker.items():
        if limits[agent_id] is not None:
            model += pulp.lpSum(options[k][1].hours * take[k] for k in indexes) <= float(limits[agent_id])
    return model, take


def _cbc(time_limit: float | None) -> object:
    """The CBC binary bundled with PuLP 3.3 (its PULP_CBC_CMD wrapper warns of PuLP 4, which
    needs Python 3.12; COIN_CMD on the same binary is the supported way)."""
    import pulp

    # processor time, not wall time: other programs on a busy machine must not cut the search short
    return pulp.COIN_CMD(path=pulp.PULP_CBC_CMD.pulp_cbc_path, msg=False, timeLimit=time_limit, threads=1,
                         timeMode="cpu")
