"""Read side of the front desk: agents and shifts, the walk-in line, saved views."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desk.core.models import Category, Location, Person, SavedView, Shift, Timestamp, utcnow
from desk.core.queries.queue import OPEN
from desk.core.vocabulary import DESK_CHANNELS_SQL


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
        f" WHERE {DESK_CHANNELS_SQL} AND t.left_at IS NULL AND "
    )
    waiting = text(select_ + "t.status = 'new' AND t.assignee_id IS NULL AND t.service_started_at IS NULL"
                   " ORDER BY t.arrived_at, t.id LIMIT :limit")
    # spelled like the partial index ix_tickets_open_arrived so SQLite uses it
    served = text(select_ + f"t.status IN {OPEN} AND t.status IN ('new','open') AND t.service_started_at >= :since"
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
