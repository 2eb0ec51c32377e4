"""The exit survey: a person rates the service they just had, on the counter display.

The rating is the person's own (``satisfaction_source = "person"``), credited to the agent who
served them, with the time it was given; a comment is taken only with a low rating. "Anonymous"
means the rating carries no name: the audit row names no actor and lists of comments show neither
name nor ticket number (the ticket keeps the rating, so it counts for the agent who served).
An agent cannot give it for them: ``update_ticket`` refuses to replace a person's rating.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import DONE_STATUSES, SATISFACTION, AuditEvent, Ticket, utcnow
from desk.core.ops._audit import record
from desk.core.ops.tickets import bump_version, load_ticket

MAX_COMMENT = 2000
LOW = "bad"  # the rating that asks for a comment


def serving_agent(session: Session, ticket: Ticket) -> int | None:
    """Who served: the assignee, or whoever pressed Done on an unclaimed ticket."""
    if ticket.assignee_id is not None:
        return ticket.assignee_id
    return session.scalar(
        select(AuditEvent.actor_id)
        .where(AuditEvent.ticket_id == ticket.id, AuditEvent.field == "status", AuditEvent.new == "solved")
        .order_by(AuditEvent.id.desc()).limit(1)
    )


def record_rating(
    session: Session, *, ticket_id: int, rating: str, comment: str = "", anonymous: bool = False,
    now: datetime | None = None,
) -> Changes:
    """The person's rating of ticket ``ticket_id`` (``good`` or ``bad``), once, after Done."""
    if rating not in SATISFACTION:
        raise errors.InvalidInput(_("A rating is good or bad."))
    comment = " ".join(comment.split())[:MAX_COMMENT] if rating == LOW else ""
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        if ticket.status not in DONE_STATUSES or ticket.left_at is not None:
            raise errors.InvalidInput(_("Only a ticket that was served and done can be rated."))
        if ticket.satisfaction_source == "person" and ticket.satisfaction is not None:
            raise errors.InvalidInput(_("This ticket has been rated already."))
        actor = None if anonymous else ticket.requester_id
        for name, value in (("satisfaction", rating), ("satisfaction_comment", comment or None)):
            old = getattr(ticket, name)
            if old != value:
                record(session, ticket_id=ticket_id, actor_id=actor, at=now, action="rate",
                       field=name, old=old, new=value)
        ticket.satisfaction = rating
        ticket.satisfaction_comment = comment or None
        ticket.satisfaction_source = "person"
        ticket.satisfaction_at = now
        ticket.satisfaction_agent_id = serving_agent(session, ticket)
        ticket.satisfaction_anonymous = anonymous
        bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)
