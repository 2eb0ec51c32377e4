"""Staffing per interval from the store: arrivals (walk-ins, calls and quick questions), handle
time, patience from the walk-aways, the rota's planned agents and the signed-in actual.

The history period gives the demand (mean per weekday × slot); the planned weeks give
"scheduled". docs/metrics.md ("Patience", "Staffing per interval") defines each number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.models_rota import EFFORT_SECONDS
from desk.core.settings import desk_timezone, get_setting
from desk.core.staffing import ServiceTarget
from desk.core.staffing.intervals import IntervalTable, check_interval, interval_table
from desk.core.staffing.patience import PatienceEstimate, patience_from_facts
from desk.core.stats.days import period_facts
from desk.core.stats.zones import ZoneSegments

SHRINKAGE_KEY = "staffing.shrinkage"
DEFAULT_HANDLE_SECONDS = 600.0
MIN_HANDLE_SAMPLES = 5
WEEK = 7 * 86400


def shrinkage_setting(session: Session) -> float:
    """The desk's shrinkage (share of scheduled time away from the desk), 0 when not set."""
    value = get_setting(session, SHRINKAGE_KEY)
    try:
        share = float(value) if value is not None else 0.0
    except ValueError:
        return 0.0
    return share if 0 <= share < 1 else 0.0


@dataclass(frozen=True)
class Demand:
    interval_minutes: int
    arrivals_per_hour: np.ndarray  # 7 × slots
    handle_seconds: float
    handle_observed: bool
    patience: PatienceEstimate
    quick_questions: int
    handle_samples: np.ndarray  # the tickets' one-visit handle times (seconds); empty when too few


def _slots(zone: ZoneSegments, epochs: np.ndarray, interval_minutes: int) -> np.ndarray:
    """Weekday × slot index (weekday · slots + slot) of each epoch, in the desk's time zone."""
    local = zone.local_seconds(np.asarray(epochs, dtype=np.int64))
    per_day = 1440 // interval_minutes
    weekday = (local // 86400 + 3) % 7
    slot = (local % 86400) // (interval_minutes * 60)
    return weekday * per_day + slot


def _occurrences(zone: ZoneSegments, start: int, end: int, interval_minutes: int) -> np.ndarray:
    starts = np.arange(start, end, interval_minutes * 60, dtype=np.int64)
    per_day = 1440 // interval_minutes
    return np.bincount(_slots(zone, starts, interval_minutes), minlength=7 * per_day).reshape(7, per_day)


def demand(session: Session, *, start: int, end: int, interval_minutes: int = 30,
           handle_seconds: float | None = None) -> Demand:
    """Mean arrivals per hour in each weekday × slot over [start, end), with handle and patience."""
    check_interval(interval_minutes)
    zone = ZoneSegments.for_period(desk_timezone(session), start, end)
    every, _, _ = period_facts(session, start, end)
    desk = every.at_desk
    per_day = 1440 // interval_minutes
    counts = np.bincount(_slots(zone, every.arrived[desk], interval_minutes), minlength=7 * per_day)
    quick = session.execute(text("SELECT arrived_at, effort FROM quick_questions"
                                 " WHERE arrived_at >= :start AND arrived_at < :end"),
                            {"start": start, "end": end}).all()
    quick_at = np.array([row[0] for row in quick], dtype=np.int64)
    counts = counts + np.bincount(_slots(zone, quick_at, interval_minutes), minlength=7 * per_day)
    occurrences = _occurrences(zone, start, end, interval_minutes)
    rate = np.where(occurrences > 0, counts.reshape(7, per_day) / np.maximum(occurrences, 1), 0.0)
    rate = rate * 60 / interval_minutes
    handles = every.handle[desk & (every.handle >= 0)]
    observed = len(handles) >= MIN_HANDLE_SAMPLES
    ticket_handle = float(handles.mean()) if observed else DEFAULT_HANDLE_SECONDS
    if handle_seconds is None:
        # quick questions are arrivals too, with the short handle their effort level stands for
        tickets = int(desk.sum())
        effort = sum(EFFORT_SECONDS[row[1]] for row in quick)
        handle_seconds = (tickets * ticket_handle + effort) / max(tickets + len(quick), 1) or ticket_handle
    else:
        observed = False
    # the patience from the facts already read, exactly as the Stats panel estimates it
    return Demand(interval_minutes, rate, max(handle_seconds, 1.0), observed, patience_from_facts(every), len(quick),
                  handles.astype(float) if observed else np.zeros(0))


def planned_agents(session: Session, *, week_start: int, weeks: int = 1, interval_minutes: int = 30,
                   table: str = "planned_shifts") -> np.ndarray:
    """Mean agents per weekday × slot in the weeks from ``week_start`` (a local Monday midnight):
    from the rota (``planned_shifts``) or, with ``table="shifts"``, from who signed in."""
    check_interval(interval_minutes)
    end = week_start + weeks * WEEK
    if table == "planned_shifts":
        sql = ("SELECT starts_at, ends_at FROM planned_shifts WHERE starts_at < :end AND ends_at > :start")
    else:
        sql = ("SELECT started_at, coalesce(ended_at, :end) FROM shifts"
               " WHERE started_at < :end AND coalesce(ended_at, :end) > :start")
    rows = session.execute(text(sql), {"start": week_start, "end": end}).all()
    step = interval_minutes * 60
    count = weeks * WEEK // step
    delta = np.zeros(count + 1)
    for begins, ends in rows:
        # an agent counts in a slot for the share of it they are there
        first, last = max(begins, week_start) - week_start, min(ends, end) - week_start
        position = np.arange(first // step, -(-last // step))
        overlap = np.minimum((position + 1) * step, last) - np.maximum(position * step, first)
        np.add.at(delta, position, overlap / step)
    zone = ZoneSegments.for_period(desk_timezone(session), week_start, end)
    slots = _slots(zone, week_start + step * np.arange(count, dtype=np.int64), interval_minutes)
    per_day = 1440 // interval_minutes
    total = np.bincount(slots, weights=delta[:count], minlength=7 * per_day)
    return (total / weeks).reshape(7, per_day)


def interval_report(
    session: Session, *, history_start: int, history_end: int, week_start: int, weeks: int = 1,
    interval_minutes: int = 30, target: ServiceTarget | None = None, shrinkage: float | None = None,
    handle_seconds: float | None = None,
) -> tuple[Demand, IntervalTable]:
    """Required (Erlang C and A, with shrinkage) from the history, scheduled from the rota."""
    wanted = demand(session, start=history_start, end=history_end, interval_minutes=interval_minutes,
                    handle_seconds=handle_seconds)
    scheduled = np.floor(planned_agents(session, week_start=week_start, weeks=weeks,
                                        interval_minutes=interval_minutes) + 1e-9)
    table = interval_table(
        arrivals_per_hour=wanted.arrivals_per_hour, scheduled=scheduled, interval_minutes=interval_minutes,
        handle_seconds=wanted.handle_seconds, patience_seconds=wanted.patience.mean_seconds,
        target=target or ServiceTarget(), shrinkage=shrinkage_setting(session) if shrinkage is None else shrinkage,
    )
    return wanted, table
