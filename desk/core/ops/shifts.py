"""Signing in and out at the desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Person, Shift, utcnow
from desk.core.ops._audit import record


def open_shift(session: Session, agent_id: int) -> Shift | None:
    return session.scalar(
        select(Shift).where(Shift.agent_id == agent_id, Shift.ended_at.is_(None))
    )


def start_shift(session: Session, *, agent_id: int, now: datetime | None = None) -> Changes:
    """Sign an agent in at the desk (a no-op if they already are)."""
    now = now or utcnow()
    with unit_of_work(session):
        agent = session.get(Person, agent_id)
        if agent is None or not agent.is_agent:
            raise errors.NotFound(_('Person #{agent_id} is not an agent.').format(agent_id=agent_id))
        if not agent.active or agent.merged_into is not None:
            raise errors.InvalidInput(_('{name} is deactivated; reactivate them in Settings first.').format(name=agent.name))
        current = open_shift(session, agent_id)
        if current is not None:
            return Changes(shifts=True, created_id=current.id)
        shift = Shift(agent_id=agent_id, started_at=now)
        session.add(shift)
        session.flush()
        record(session, ticket_id=None, actor_id=agent_id, at=now, action="shift-start")
        return Changes(shifts=True, created_id=shift.id)


def end_shift(session: Session, *, agent_id: int, now: datetime | None = None) -> Changes:
    """Sign an agent out (a no-op if they are not signed in)."""
    now = now or utcnow()
    with unit_of_work(session):
        current = open_shift(session, agent_id)
        if current is None:
            return Changes()
        current.ended_at = max(now, current.started_at)
        record(session, ticket_id=None, actor_id=agent_id, at=now, action="shift-end")
        return Changes(shifts=True)
