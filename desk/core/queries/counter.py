"""What the counter display shows: the line with positions and wait ranges, who is being served
by whom, whether the desk is open, and the tickets just done (for the exit survey).

Names are shown as the desk chose (``counter_names``: "Kim L.", "Kim" or none), since the
screen faces a room. No Qt here; the UI formats times with QLocale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desk.core.desk_settings import DeskSettings, load_desk_settings, public_holidays
from desk.core.models import Shift, utcnow
from desk.core.queries.frontdesk import walk_in_line
from desk.core.queries.wait_estimate import WaitRange, estimate_wait, service_sample
from desk.core.settings import desk_timezone

SERVING_SHOWN = 3  # "now serving" lines at most: the latest calls
SURVEY_WINDOW = timedelta(minutes=10)  # a Done older than this is not asked about any more


def shown_name(name: str, *, style: str) -> str:
    """``Kim Lee Park`` as the counter shows it: "Kim P." (first-initial), "Kim" (first), or ""."""
    parts = name.split()
    if style == "none" or not parts:
        return ""
    if style == "first" or len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0].upper()}."


@dataclass(frozen=True)
class Waiting:
    position: int
    ticket_id: int
    name: str  # as the desk chose to show it ("" = ticket number only)
    arrived_at: datetime
    estimate: WaitRange | None


@dataclass(frozen=True)
class Serving:
    ticket_id: int
    name: str
    agent: str  # the agent's first name
    started_at: datetime


@dataclass(frozen=True)
class Opening:
    is_open: bool
    next_open: datetime | None  # the next opening (UTC), when closed and one is known
    hours: tuple[tuple[tuple[str, str], ...], ...]  # per weekday, Monday first: (opens, closes)
    phone: str
    desk_name: str
    timezone: str = "UTC"  # the desk's (IANA): opening times are shown in it


@dataclass(frozen=True)
class CounterBoard:
    opening: Opening
    waiting: list[Waiting]
    serving: list[Serving]
    servers: int  # agents at the desk (on shift), at least 1 for the estimate
    name_style: str


def _closed_days(settings: DeskSettings, years: set[int]) -> set[date]:
    return set(public_holidays(settings, years)) if settings.holidays_country or settings.closed_days else set()


def opening(settings: DeskSettings, *, now: datetime) -> Opening:
    """Open now (the local day is not a holiday or closed day and a period contains the time),
    and when the desk opens next (within two weeks)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    closed = _closed_days(settings, {local.year, local.year + 1})
    hours = tuple(tuple((f"{o:%H:%M}", f"{c:%H:%M}") for o, c in day) for day in settings.opening_hours)
    is_open = local.date() not in closed and any(
        opens <= local.time().replace(tzinfo=None) < closes for opens, closes in settings.opening_hours[local.weekday()])
    next_open = None
    if not is_open:
        for days in range(15):
            day = local.date() + timedelta(days=days)
            if day in closed:
                continue
            for opens, _closes in settings.opening_hours[day.weekday()]:
                start = datetime.combine(day, opens, tzinfo=zone)
                if start > local:
                    next_open = start
                    break
            if next_open is not None:
                break
    return Opening(is_open, next_open.astimezone(UTC) if next_open else None, hours, settings.phone,
                   settings.desk_name, settings.timezone)


def counter_board(session: Session, *, now: datetime | None = None) -> CounterBoard:
    now = now or utcnow()
    settings = load_desk_settings(session)
    style = settings.counter_names
    line = walk_in_line(session, now=now)
    servers = max(1, len(set(session.scalars(select(Shift.agent_id).where(Shift.ended_at.is_(None))))))
    waiting_entries = [entry for entry in line if entry.waiting]
    sample, basis = service_sample(session, now=now, zone=desk_timezone(session)) if waiting_entries else ([], "")
    waiting = [
        Waiting(position, entry.ticket_id, shown_name(entry.requester, style=style), entry.arrived_at,
                estimate_wait(position=position, service_times=sample, servers=servers, basis=basis))
        for position, entry in enumerate(waiting_entries, 1)
    ]
    being_served = sorted((entry for entry in line if not entry.waiting and entry.assignee),
                          key=lambda entry: entry.service_started_at or now, reverse=True)
    serving = [Serving(entry.ticket_id, shown_name(entry.requester, style=style), shown_name(entry.assignee or "", style="first"),
                       entry.service_started_at or now) for entry in being_served[:SERVING_SHOWN]]
    return CounterBoard(opening(settings, now=now), waiting, serving, servers, style)


@dataclass(frozen=True)
class DoneTicket:
    """A walk-in just done: the exit survey may ask this person."""

    ticket_id: int
    name: str
    agent: str
    audit_id: int


def last_audit_id(session: Session) -> int:
    return int(session.scalar(text("SELECT coalesce(max(id), 0) FROM audit_events")) or 0)


def done_since(session: Session, *, audit_id: int, now: datetime | None = None) -> list[DoneTicket]:
    """Walk-ins solved after audit row ``audit_id`` (within ``SURVEY_WINDOW``), served (not
    walk-aways), not yet rated by the person, oldest first (a caller is not at the screen to
    answer). Reads only newer audit rows."""
    now = now or utcnow()
    settings = load_desk_settings(session)
    rows = session.execute(text(
        "SELECT e.id, t.id, p.name, coalesce(a.name, s.name, '') FROM audit_events e"
        " JOIN tickets t ON t.id = e.ticket_id JOIN people p ON p.id = t.requester_id"
        " LEFT JOIN people a ON a.id = t.assignee_id LEFT JOIN people s ON s.id = e.actor_id"
        " WHERE e.id > :audit AND e.field = 'status' AND e.new = 'solved' AND t.channel = 'walk-in'"
        " AND t.status = 'solved' AND t.left_at IS NULL AND e.at >= :since"
        " AND NOT (coalesce(t.satisfaction_source, '') = 'person' AND t.satisfaction IS NOT NULL)"
        " ORDER BY e.id"
    ), {"audit": audit_id, "since": int((now - SURVEY_WINDOW).timestamp())})
    seen: dict[int, DoneTicket] = {}
    for event_id, ticket_id, name, agent in rows:
        seen[ticket_id] = DoneTicket(ticket_id, shown_name(name, style=settings.counter_names),
                                     shown_name(agent, style="first"), event_id)
    return sorted(seen.values(), key=lambda done: done.audit_id)
