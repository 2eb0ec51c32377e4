"""“Test on the last 30 days”: on how many tickets a rule, as drafted, would have fired.

An estimate made from what the store keeps: a trigger is tried on each operation of the period
as the audit log records it (the rows of one ticket at one moment: created, or which fields went
from what to what), against the ticket as it is now; an automation on each ticket at the end of
each day of the period (its clocks from the ticket's times); an SLA policy counts the tickets of
the period it would cover. Nothing is written. No Qt here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.models import AuditEvent, Ticket, utcnow
from desk.core.ops._audit import AuditNote
from desk.core.rules.definitions import check_definition
from desk.core.rules.engine import desk_calendar
from desk.core.rules.matching import matches
from desk.core.rules.triggers import event_of

DAYS = 30
MAX_TICKETS = 20_000  # a bigger period is sampled: the newest tickets first


def would_have_fired(session: Session, *, kind: str, definition: object, now: datetime | None = None,
                     days: int = DAYS) -> int:
    """How many tickets the rule would have fired on (covered, for an SLA policy)."""
    clean = check_definition(kind, definition)
    now = now or utcnow()
    since = now - timedelta(days=days)
    calendar = desk_calendar(session)
    if kind == "trigger":
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.at >= since, AuditEvent.ticket_id.is_not(None),
                                     AuditEvent.rule_id.is_(None))
            .order_by(AuditEvent.ticket_id.desc(), AuditEvent.at, AuditEvent.id).limit(MAX_TICKETS * 5)
        ).scalars()
        fired: set[int] = set()
        for (ticket_id, at), group in groupby(rows, key=lambda row: (row.ticket_id, row.at)):
            if ticket_id in fired:
                continue
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                continue
            notes = [AuditNote(ticket_id=row.ticket_id, at=row.at, action=row.action, field=row.field, old=row.old,
                               new=row.new, origin=row.origin, rule_id=None, text="") for row in group]
            if any(note.origin is None for note in notes) and matches(
                    clean, ticket, event=event_of(session, notes), now=at, calendar=calendar):
                fired.add(ticket_id)
        return len(fired)
    tickets = session.scalars(select(Ticket).where(Ticket.updated_at >= since).order_by(Ticket.id.desc())
                              .limit(MAX_TICKETS))
    count = 0
    for ticket in tickets:
        if kind == "sla":
            count += ticket.arrived_at >= since and matches(clean, ticket, event=None, now=now, calendar=calendar)
            continue
        moments = [now - timedelta(days=day) for day in range(days)]
        count += any(matches(clean, ticket, event=None, now=moment, calendar=calendar)
                     for moment in moments if moment >= ticket.created_at)
    return count
