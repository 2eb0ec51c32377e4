"""Tallying a quick question at the front desk: an arrival for staffing, never a ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Person, utcnow
from desk.core.models_rota import EFFORT_SECONDS, QuickQuestion
from desk.core.ops._audit import record


def tally_quick_question(
    session: Session, *, effort: str = "brief", agent_id: int | None = None,
    location_id: int | None = None, now: datetime | None = None,
) -> Changes:
    """One quick question ("where is room 204?") answered at the desk now."""
    if effort not in EFFORT_SECONDS:
        raise errors.InvalidInput(_("Unknown effort level: {effort}.").format(effort=effort))
    now = now or utcnow()
    with unit_of_work(session):
        if agent_id is not None and session.get(Person, agent_id) is None:
            raise errors.NotFound(_("Person #{id} does not exist.").format(id=agent_id))
        row = QuickQuestion(arrived_at=now, effort=effort, agent_id=agent_id, location_id=location_id)
        session.add(row)
        session.flush()
        record(session, ticket_id=None, actor_id=agent_id, at=now, action="quick-question", new=effort)
        return Changes(quick_questions=True, created_id=row.id)
