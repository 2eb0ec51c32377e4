"""Drafts: the reply an agent is typing on a ticket, saved as they type.

One draft per ticket and agent. Saving an empty draft removes it. Sending a reply removes it in
the same transaction (``ops.replies.send_reply``), so a typed reply is either a draft or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Draft, Ticket, utcnow
from desk.core.ops.comments import MAX_BODY


@dataclass(frozen=True)
class DraftText:
    body: str
    public: bool
    updated_at: datetime


def save_draft(
    session: Session, *, ticket_id: int, agent_id: int, body: str, public: bool = True,
    now: datetime | None = None,
) -> Changes:
    """Keep what the agent typed (replacing their earlier draft); blank text deletes it."""
    if len(body) > MAX_BODY:
        raise errors.InvalidInput(
            _('The draft is {count:,} characters; the limit is {MAX_BODY:,}.').format(count=len(body), MAX_BODY=MAX_BODY)
        )
    now = now or utcnow()
    with unit_of_work(session):
        if not body.strip():
            session.execute(
                delete(Draft).where(Draft.ticket_id == ticket_id, Draft.agent_id == agent_id)
            )
            return Changes(drafts=True)
        if session.get(Ticket, ticket_id) is None:
            raise errors.NotFound(_('There is no ticket #{ticket_id}.').format(ticket_id=ticket_id))
        draft = session.get(Draft, (ticket_id, agent_id))
        if draft is None:
            session.add(Draft(ticket_id=ticket_id, agent_id=agent_id, body=body, is_public=public,
                              updated_at=now))
        else:
            draft.body = body
            draft.is_public = public
            draft.updated_at = now
        return Changes(drafts=True)


def load_draft(session: Session, *, ticket_id: int, agent_id: int) -> DraftText | None:
    row = session.execute(
        select(Draft.body, Draft.is_public, Draft.updated_at)
        .where(Draft.ticket_id == ticket_id, Draft.agent_id == agent_id)
    ).first()
    if row is None:
        return None
    return DraftText(body=row.body, public=bool(row.is_public), updated_at=row.updated_at)


def delete_draft(session: Session, *, ticket_id: int, agent_id: int) -> Changes:
    with unit_of_work(session):
        session.execute(delete(Draft).where(Draft.ticket_id == ticket_id, Draft.agent_id == agent_id))
    return Changes(drafts=True)


def drafts_of(session: Session, *, agent_id: int) -> list[int]:
    """Ids of the tickets the agent has an unsent draft on, most recent first."""
    return list(
        session.scalars(
            select(Draft.ticket_id).where(Draft.agent_id == agent_id).order_by(Draft.updated_at.desc())
        )
    )
