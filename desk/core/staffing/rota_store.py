"""The rota in the store: workers with their availability and limits, planned shifts as rows with
names, weeks in the desk's time zone, and exports (CSV, one iCalendar per agent)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.models import Person
from desk.core.models_rota import AgentAvailability, AgentLimit, PlannedShift
from desk.core.settings import get_setting
from desk.core.staffing.rota import (
    DEFAULT_MAX_SHIFT_MINUTES,
    DEFAULT_MIN_SHIFT_MINUTES,
    RotaRules,
    ShiftSlot,
    Worker,
)

MIN_SHIFT_KEY = "rota.min_shift_minutes"
MAX_SHIFT_KEY = "rota.max_shift_minutes"


def rota_rules(session: Session, *, interval_minutes: int = 30) -> RotaRules:
    def minutes(key: str, default: int) -> int:
        try:
            return int(get_setting(session, key) or default)
        except ValueError:
            return default

    return RotaRules(interval_minutes, minutes(MIN_SHIFT_KEY, DEFAULT_MIN_SHIFT_MINUTES),
                     minutes(MAX_SHIFT_KEY, DEFAULT_MAX_SHIFT_MINUTES))


def workers(session: Session) -> list[Worker]:
    """Active agents with an availability, in name order (agents without one are not planned)."""
    ranges: dict[int, list[tuple[int, int, int]]] = {}
    for row in session.scalars(select(AgentAvailability)):
        ranges.setdefault(row.agent_id, []).append((row.weekday, row.start_minute, row.end_minute))
    limits = {row.agent_id: row.max_hours_per_week for row in session.scalars(select(AgentLimit))}
    agents = session.scalars(select(Person).where(
        Person.is_agent, Person.active, Person.merged_into.is_(None), Person.id.in_(list(ranges)))
        .order_by(Person.name)).all()
    return [Worker(agent.id, agent.name, tuple(sorted(ranges[agent.id])), limits.get(agent.id))
            for agent in agents]


@dataclass(frozen=True)
class WorkerSettings:
    """An agent as the Workers dialog edits them (any active agent, with or without availability)."""

    agent_id: int
    name: str
    availability: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute)
    max_hours: float | None


def worker_settings(session: Session) -> list[WorkerSettings]:
    """Every active agent in name order, with their availability and maximum hours."""
    ranges: dict[int, list[tuple[int, int, int]]] = {}
    for row in session.scalars(select(AgentAvailability)):
        ranges.setdefault(row.agent_id, []).append((row.weekday, row.start_minute, row.end_minute))
    limits = {row.agent_id: row.max_hours_per_week for row in session.scalars(select(AgentLimit))}
    agents = session.scalars(select(Person).where(Person.is_agent, Person.active, Person.merged_into.is_(None))
                             .order_by(Person.name)).all()
    return [WorkerSettings(agent.id, agent.name, tuple(sorted(ranges.get(agent.id, []))), limits.get(agent.id))
            for agent in agents]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_moment(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``minute`` past local midnight on ``day`` (24:00 is the next midnight)."""
    return datetime.combine(day + timedelta(days=minute // 1440), time(minute % 1440 // 60, minute % 60),
                            zone)


def shift_times(shift: ShiftSlot, monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = monday + timedelta(days=shift.weekday)
    return local_moment(day, shift.start_minute, zone), local_moment(day, shift.end_minute, zone)


@dataclass(frozen=True)
class PlannedRow:
    id: int
    agent_id: int
    name: str
    starts_at: datetime  # aware, desk time zone
    ends_at: datetime
    draft: bool


def planned_rows(session: Session, *, start: datetime, end: datetime, zone: ZoneInfo) -> list[PlannedRow]:
    rows = session.execute(
        select(PlannedShift, Person.name).join(Person, Person.id == PlannedShift.agent_id)
        .where(PlannedShift.starts_at >= start, PlannedShift.starts_at < end)
        .order_by(PlannedShift.starts_at, Person.name)).all()
    return [PlannedRow(shift.id, shift.agent_id, name, shift.starts_at.astimezone(zone),
                       shift.ends_at.astimezone(zone), shift.draft) for shift, name in rows]


def rota_csv(rows: list[PlannedRow]) -> str:
    """One line per shift: agent, date, start, end, hours, draft (local times, ISO dates)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["agent", "date", "start", "end", "hours", "draft"])
    for row in rows:
        hours = (row.ends_at - row.starts_at).total_seconds() / 3600
        writer.writerow([row.name, row.starts_at.date().isoformat(), row.starts_at.strftime("%H:%M"),
                         row.ends_at.strftime("%H:%M"), f"{hours:g}", "yes" if row.draft else "no"])
    return out.getvalue()


def rota_icalendars(rows: list[PlannedRow], *, desk_name: str, summary: str) -> dict[int, bytes]:
    """One iCalendar (RFC 5545) per agent: agent id → the .ics bytes, each shift a VEVENT in UTC
    with a stable UID (the planned shift's id), so a re-export updates instead of duplicating."""
    from icalendar import Calendar, Event

    calendars: dict[int, Calendar] = {}
    for row in rows:
        calendar = calendars.get(row.agent_id)
        if calendar is None:
            calendar = Calendar()
            calendar.add("prodid", "-//Desk//rota//EN")
            calendar.add("version", "2.0")
            calendar.add("x-wr-calname", f"{desk_name}: {row.name}")
            calendars[row.agent_id] = calendar
        event = Event()
        event.add("uid", f"planned-shift-{row.id}@desk")
        event.add("summary", summary)
        event.add("dtstart", row.starts_at.astimezone(ZoneInfo("UTC")))
        event.add("dtend", row.ends_at.astimezone(ZoneInfo("UTC")))
        event.add("dtstamp", row.starts_at.astimezone(ZoneInfo("UTC")))
        if row.draft:
            event.add("status", "TENTATIVE")
        calendar.add_component(event)
    return {agent_id: calendar.to_ical() for agent_id, calendar in calendars.items()}
