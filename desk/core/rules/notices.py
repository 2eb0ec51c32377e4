"""What the window tells the desk about rules: "notify the desk" messages and SLA targets about to
be breached. Reads and one small write (marking messages seen). No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import DeskNotice, Ticket, utcnow
from desk.core.vocabulary import OPEN_STATUSES

WARN_BEFORE = timedelta(minutes=15)  # an SLA target due within this long is announced


@dataclass(frozen=True)
class Notice:
    id: int
    ticket_id: int | None
    text: str


@dataclass(frozen=True)
class DueSoon:
    ticket_id: int
    subject: str
    due_at: datetime
    target: str


def latest_notice_id(session: Session) -> int:
    return int(session.scalar(select(func.max(DeskNotice.id))) or 0)


def unseen_notices(session: Session, *, after_id: int = 0, limit: int = 20) -> list[Notice]:
    rows = session.execute(select(DeskNotice.id, DeskNotice.ticket_id, DeskNotice.text)
                           .where(DeskNotice.seen_at.is_(None), DeskNotice.id > after_id)
                           .order_by(DeskNotice.id).limit(limit)).all()
    return [Notice(*row) for row in rows]


def mark_seen(session: Session, *, up_to_id: int, now: datetime | None = None) -> Changes:
    with unit_of_work(session):
        session.execute(update(DeskNotice).where(DeskNotice.id <= up_to_id, DeskNotice.seen_at.is_(None))
                        .values(seen_at=now or utcnow()))
    return Changes()


def due_soon(session: Session, *, now: datetime | None = None, within: timedelta = WARN_BEFORE) -> list[DueSoon]:
    """Open tickets whose next SLA target falls due within ``within`` from now (not yet breached);
    read from the index on ``tickets.sla_due_at``."""
    now = now or utcnow()
    rows = session.execute(select(Ticket.id, Ticket.subject, Ticket.sla_due_at, Ticket.sla_due_target)
                           .where(Ticket.sla_due_at > now, Ticket.sla_due_at <= now + within,
                                  Ticket.status.in_(OPEN_STATUSES))
                           .order_by(Ticket.sla_due_at).limit(50)).all()
    return [DueSoon(*row) for row in rows]
