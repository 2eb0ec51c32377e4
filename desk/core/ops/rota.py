"""Editing the rota: availability and maximum hours of workers, planned shifts (drafts, publish)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Person, utcnow
from desk.core.models_rota import AgentAvailability, AgentLimit, PlannedShift
from desk.core.ops._audit import record


def _agent(session: Session, agent_id: int) -> Person:
    agent = session.get(Person, agent_id)
    if agent is None or not agent.is_agent:
        raise errors.NotFound(_("Person #{id} is not an agent.").format(id=agent_id))
    return agent


def set_availability(
    session: Session, *, agent_id: int, ranges: Iterable[tuple[int, int, int]],
    actor_id: int | None = None, now: datetime | None = None,
) -> Changes:
    """Replace a worker's weekly availability with ``ranges`` of (weekday, start, end minute)."""
    now = now or utcnow()
    spans = sorted(set(ranges))
    for weekday, start, end in spans:
        if not (0 <= weekday <= 6 and 0 <= start < end <= 1440):
            raise errors.InvalidInput(_("An availability must be a weekday and a start before its end."))
    with unit_of_work(session):
        _agent(session, agent_id)
        session.execute(delete(AgentAvailability).where(AgentAvailability.agent_id == agent_id))
        session.add_all(AgentAvailability(agent_id=agent_id, weekday=d, start_minute=s, end_minute=e)
                        for d, s, e in spans)
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="availability",
               field=str(agent_id), new=";".join(f"{d}:{s}-{e}" for d, s, e in spans))
    return Changes(rota=True)


def set_max_hours(
    session: Session, *, agent_id: int, hours: float | None, actor_id: int | None = None,
    now: datetime | None = None,
) -> Changes:
    """A worker's maximum hours per week (None: no limit)."""
    if hours is not None and not 0 <= hours <= 168:
        raise errors.InvalidInput(_("The maximum hours per week must be between 0 and 168."))
    now = now or utcnow()
    with unit_of_work(session):
        _agent(session, agent_id)
        row = session.get(AgentLimit, agent_id)
        old = row.max_hours_per_week if row else None
        session.merge(AgentLimit(agent_id=agent_id, max_hours_per_week=hours))
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="max-hours",
               field=str(agent_id), old=old, new=hours)
    return Changes(rota=True)


def set_worker(
    session: Session, *, agent_id: int, ranges: Iterable[tuple[int, int, int]], max_hours: float | None,
    actor_id: int | None = None, now: datetime | None = None,
) -> Changes:
    """A worker's weekly availability and maximum hours together, as the planner's Workers dialog
    saves them: one transaction with both audit rows (nothing changes when either is wrong)."""
    now = now or utcnow()
    with unit_of_work(session):  # the two operations join this one unit of work
        set_availability(session, agent_id=agent_id, ranges=ranges, actor_id=actor_id, now=now)
        set_max_hours(session, agent_id=agent_id, hours=max_hours, actor_id=actor_id, now=now)
    return Changes(rota=True)


def replace_plan(
    session: Session, *, start: datetime, end: datetime, shifts: Iterable[tuple[int, datetime, datetime]],
    draft: bool = True, actor_id: int | None = None, now: datetime | None = None,
) -> Changes:
    """Replace the planned shifts starting in [start, end) with ``shifts`` (agent, from, to):
    what "Suggest" and each edit of the grid save, as one undoable step in the audit log."""
    now = now or utcnow()
    rows = sorted(set(shifts))
    for _agent_id, begins, ends in rows:
        if not begins < ends:
            raise errors.InvalidInput(_("A shift must end after it starts."))
        if not start <= begins < end:
            raise errors.InvalidInput(_("A shift lies outside the planned weeks."))
    with unit_of_work(session):
        for agent_id in {row[0] for row in rows}:
            _agent(session, agent_id)
        removed = session.execute(
            delete(PlannedShift).where(PlannedShift.starts_at >= start, PlannedShift.starts_at < end)
        ).rowcount
        session.add_all(PlannedShift(agent_id=a, starts_at=b, ends_at=e, draft=draft) for a, b, e in rows)
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="rota",
               field=f"{start.isoformat()}/{end.isoformat()}", old=removed, new=len(rows))
    return Changes(rota=True)


def publish_plan(
    session: Session, *, start: datetime, end: datetime, actor_id: int | None = None,
    now: datetime | None = None,
) -> Changes:
    """Drafts in [start, end) become the published rota."""
    now = now or utcnow()
    with unit_of_work(session):
        drafts = session.scalars(select(PlannedShift).where(
            PlannedShift.starts_at >= start, PlannedShift.starts_at < end, PlannedShift.draft)).all()
        for row in drafts:
            row.draft = False
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="rota-publish",
               field=f"{start.isoformat()}/{end.isoformat()}", new=len(drafts))
    return Changes(rota=True)
