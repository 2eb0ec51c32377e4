"""Read side of the front desk: agents and shifts, the walk-in line, saved views."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desk.core.models import Category, Location, Person, SavedView, Shift, Timestamp, utcnow
from desk.core.queries.queue import OPEN
from desk.core.vocabulary import ACTIVE_SQL, DESK_CHANNELS_SQL, WAITING_AT_DESK_SQL


@dataclass(frozen=True)
class AgentInfo:
    id: int
    name: str
    role: str | None
    on_shift_since: datetime | None


def agents(session: Session) -> list[AgentInfo]:
    """Every active agent, by name, with the start of their open shift (None: not at the
    desk). Deactivated agents are not offered (deactivating one ends their shift)."""
    rows = session.execute(
        select(Person.id, Person.name, Person.role, Shift.started_at)
        .outerjoin(Shift, (Shift.agent_id == Person.id) & Shift.ended_at.is_(None))
        .where(Person.is_agent.is_(True), Person.active.is_(True), Person.merged_into.is_(None))
        .order_by(Person.name, Person.id)
    )
    seen: dict[int, AgentInfo] = {}
    for agent_id, name, role, since in rows:
        if agent_id not in seen or (since and not seen[agent_id].on_shift_since):
            seen[agent_id] = AgentInfo(agent_id, name, role, since)
    return list(seen.values())


@dataclass(frozen=True)
class LineEntry:
    ticket_id: int
    requester: str
    subject: str
    channel: str
    arrived_at: datetime
    service_started_at: datetime | None
    assignee: str | None
    assignee_id: int | None

    @property
    def waiting(self) -> bool:
        return self.service_started_at is None


def walk_in_line(session: Session, *, now: datetime | None = None, served_within: timedelta = timedelta(hours=4),
                 limit: int = 200) -> list[LineEntry]:
    """People waiting at the desk (walk-ins and callers) in arrival order, then those being
    served (service started within ``served_within``, not yet solved), oldest first.

    Two statements, each led by the status index, so a million closed tickets cost nothing."""
    since = int(((now or utcnow()) - served_within).timestamp())
    to_time = Timestamp().process_result_value
    select_ = (
        "SELECT t.id, p.name, t.subject, t.channel, t.arrived_at, t.service_started_at, a.name,"
        " t.assignee_id FROM tickets t JOIN people p ON p.id = t.requester_id"
        " LEFT JOIN people a ON a.id = t.assignee_id"
    )
    waiting = text(select_ + f" WHERE {WAITING_AT_DESK_SQL} ORDER BY t.arrived_at, t.id LIMIT :limit")
    # spelled like the partial index ix_tickets_open_arrived so SQLite uses it; being served is
    # open and waiting on nobody else (ACTIVE_STATUSES)
    served = text(select_ + f" WHERE {DESK_CHANNELS_SQL} AND t.left_at IS NULL AND t.status IN {OPEN}"
                  f" AND t.status IN {ACTIVE_SQL} AND t.service_started_at >= :since"
                  " ORDER BY t.arrived_at, t.id LIMIT :limit")
    rows = [*session.execute(waiting, {"limit": limit}), *session.execute(served, {"since": since, "limit": limit})]
    return [
        LineEntry(r[0], r[1], r[2], r[3], to_time(r[4], None), to_time(r[5], None), r[6], r[7])
        for r in rows[:limit]
    ]


@dataclass(frozen=True)
class SavedViewInfo:
    id: int
    name: str
    filters: dict[str, object]
    owner_id: int | None


def saved_views(session: Session, *, owner_id: int | None = None) -> list[SavedViewInfo]:
    """Shared views and the views of ``owner_id``, by name."""
    query = select(SavedView).order_by(SavedView.name)
    query = query.where(SavedView.owner_id.is_(None) | (SavedView.owner_id == owner_id))
    result = []
    for view in session.scalars(query):
        try:
            filters = json.loads(view.filters)
        except ValueError:
            filters = {}
        result.append(SavedViewInfo(view.id, view.name, filters if isinstance(filters, dict) else {},
                                    view.owner_id))
    return result


def choices(session: Session) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(categories, locations) as (id, name), by name, for the pickers; hidden ones are left out."""
    cats = [(c.id, c.name) for c in session.scalars(
        select(Category).where(Category.hidden.is_(False)).order_by(Category.name))]
    locs = [(loc.id, loc.name) for loc in session.scalars(
        select(Location).where(Location.hidden.is_(False)).order_by(Location.name))]
    return cats, locs


@dataclass(frozen=True)
class DeskEvent:
    """Something worth a desktop notification while the window is not in front."""

    kind: str  # "walk-in", "assigned" or "reply"
    ticket_id: int
    text: str


@dataclass(frozen=True)
class EventMarks:
    """The newest audit row and comment seen; events are what came after."""

    audit_id: int
    comment_id: int


def event_marks(session: Session) -> EventMarks:
    row = session.execute(text(
        "SELECT (SELECT coalesce(max(id), 0) FROM audit_events), (SELECT coalesce(max(id), 0) FROM comments)"
    )).one()
    return EventMarks(int(row[0]), int(row[1]))


def desk_events_since(
    session: Session, marks: EventMarks, *, agent_id: int | None, limit: int = 20
) -> tuple[list[DeskEvent], EventMarks]:
    """Since ``marks``: new walk-ins and calls still waiting, tickets given to ``agent_id`` by
    someone else, and public comments by others on the tickets ``agent_id`` holds. Reads
    only rows newer than the marks (primary-key ranges), so it costs the same on any store."""
    events: list[DeskEvent] = []
    arrivals = session.execute(text(
        "SELECT t.id, p.name, t.subject, t.channel FROM audit_events e JOIN tickets t ON t.id = e.ticket_id"
        " JOIN people p ON p.id = t.requester_id"
        f" WHERE e.id > :audit AND e.action = 'create' AND {DESK_CHANNELS_SQL} AND t.status = 'new'"
        " AND t.assignee_id IS NULL AND t.left_at IS NULL ORDER BY e.id LIMIT :limit"
    ), {"audit": marks.audit_id, "limit": limit})
    for ticket_id, name, subject, channel in arrivals:
        how = "calling" if channel == "phone" else "at the desk"
        events.append(DeskEvent("walk-in", ticket_id, f"{name} is {how}: {subject}"))
    if agent_id is not None:
        assigned = session.execute(text(
            "SELECT DISTINCT t.id, t.subject, coalesce(a.name, e.origin, 'someone') FROM audit_events e"
            " JOIN tickets t ON t.id = e.ticket_id LEFT JOIN people a ON a.id = e.actor_id"
            " WHERE e.id > :audit AND e.field = 'assignee_id' AND e.new = :agent"
            " AND coalesce(e.actor_id, -1) != :agent_id AND t.assignee_id = :agent_id LIMIT :limit"
        ), {"audit": marks.audit_id, "agent": str(agent_id), "agent_id": agent_id, "limit": limit})
        for ticket_id, subject, who in assigned:
            events.append(DeskEvent("assigned", ticket_id, f"{who} gave you #{ticket_id}: {subject}"))
        replies = session.execute(text(
            "SELECT c.ticket_id, t.subject, coalesce(p.name, 'someone') FROM comments c"
            " JOIN tickets t ON t.id = c.ticket_id LEFT JOIN people p ON p.id = c.author_id"
            " WHERE c.id > :comment AND c.is_public AND t.assignee_id = :agent_id"
            " AND coalesce(c.author_id, -1) != :agent_id ORDER BY c.id LIMIT :limit"
        ), {"comment": marks.comment_id, "agent_id": agent_id, "limit": limit})
        for ticket_id, subject, who in replies:
            events.append(DeskEvent("reply", ticket_id, f"{who} replied on #{ticket_id}: {subject}"))
    return events, event_marks(session)
