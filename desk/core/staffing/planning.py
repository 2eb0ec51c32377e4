"""From the desk's history to a suggested rota for the coming week(s) (read only: the caller
saves the draft with ``ops.rota.replace_plan``, one user action)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from desk.core.settings import desk_timezone
from desk.core.staffing import ServiceTarget
from desk.core.staffing.intervals import IntervalTable
from desk.core.staffing.rota import RotaSuggestion, suggest_rota
from desk.core.staffing.rota_store import local_moment, monday_of, rota_rules, shift_times, workers
from desk.core.stats.staffing_intervals import Demand, interval_report

HISTORY_WEEKS = 8  # the demand is the mean of the eight weeks before the plan


@dataclass(frozen=True)
class PlanWeeks:
    monday: date
    weeks: int
    start: datetime  # aware UTC: local Monday midnight
    end: datetime


def plan_weeks(session: Session, *, first_day: date, weeks: int = 1) -> PlanWeeks:
    zone = desk_timezone(session)
    monday = monday_of(first_day)
    return PlanWeeks(monday, weeks, local_moment(monday, 0, zone),
                     local_moment(monday + timedelta(weeks=weeks), 0, zone))


def requirement(
    session: Session, *, weeks: PlanWeeks, interval_minutes: int = 30, target: ServiceTarget | None = None,
    history_weeks: int = HISTORY_WEEKS,
) -> tuple[Demand, IntervalTable]:
    """Required agents per interval (with shrinkage) from the weeks before, scheduled from the plan."""
    zone = desk_timezone(session)
    history_end = int(weeks.start.timestamp())
    history_start = int(local_moment(weeks.monday - timedelta(weeks=history_weeks), 0, zone).timestamp())
    return interval_report(session, history_start=history_start, history_end=history_end,
                           week_start=int(weeks.start.timestamp()), weeks=weeks.weeks,
                           interval_minutes=interval_minutes, target=target)


def suggest_for(
    session: Session, *, weeks: PlanWeeks, table: IntervalTable,
) -> tuple[RotaSuggestion, list[tuple[int, datetime, datetime]]]:
    """The least-hours rota meeting ``table.required_shrunk``, repeated for each planned week."""
    zone = desk_timezone(session)
    suggestion = suggest_rota(required=table.required_shrunk, workers=workers(session),
                              rules=rota_rules(session, interval_minutes=table.interval_minutes))
    shifts = []
    for week in range(weeks.weeks):
        monday = weeks.monday + timedelta(weeks=week)
        for shift in suggestion.shifts:
            begins, ends = shift_times(shift, monday, zone)
            shifts.append((shift.agent_id, begins, ends))
    return suggestion, shifts
