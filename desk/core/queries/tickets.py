"""Ticket detail, history and the look-ups the quick-log form needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session, selectinload

from desk.core import errors, korean
from desk.core.i18n import _
from desk.core.models import OPEN_STATUSES, AuditEvent, Person, Ticket, utcnow
from desk.core.queries.search import HANGUL_WORD, subject_words


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    """A ticket with its people, category, location, tags and comments loaded."""
    ticket = session.scalar(
        select(Ticket)
        .where(Ticket.id == ticket_id)
        .options(
            selectinload(Ticket.requester), selectinload(Ticket.assignee),
            selectinload(Ticket.category), selectinload(Ticket.location),
            selectinload(Ticket.tags), selectinload(Ticket.comments),
        )
    )
    if ticket is None:
        raise errors.NotFound(_('There is no ticket #{ticket_id}.').format(ticket_id=ticket_id))
    return ticket


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str | None
    action: str
    field: str | None
    old: str | None
    new: str | None


def history(session: Session, ticket_id: int) -> list[HistoryEntry]:
    """The audit trail of a ticket, oldest first, with actor names."""
    rows = session.execute(
        select(AuditEvent, Person.name)
        .outerjoin(Person, Person.id == AuditEvent.actor_id)
        .where(AuditEvent.ticket_id == ticket_id)
        .order_by(AuditEvent.id)
    )
    return [
        HistoryEntry(event.at, name, event.action, event.field, event.old, event.new)
        for event, name in rows
    ]


def find_people(session: Session, typed: str, *, limit: int = 10, agents_only: bool = False) -> list[Person]:
    """People whose name, e-mail or phone contains what was typed (case-insensitive). Records
    merged into another person are left out (the kept one is found); with ``agents_only``,
    deactivated agents too."""
    typed = typed.strip()
    query = select(Person).where(Person.merged_into.is_(None)).order_by(Person.name).limit(limit)
    if agents_only:
        query = query.where(Person.is_agent.is_(True), Person.active.is_(True))
    if typed:
        pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Person.name.ilike(pattern, escape="\\"),
                Person.email.ilike(pattern, escape="\\"),
                Person.phone.ilike(pattern, escape="\\"),
            )
        )
    return list(session.scalars(query))


def open_tickets_of(session: Session, requester_id: int, *, limit: int = 5) -> list[Ticket]:
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.requester_id == requester_id, Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.arrived_at.desc())
            .limit(limit)
        )
    )


def similar_recent(
    session: Session, subject: str, *, within: timedelta = timedelta(hours=2),
    now: datetime | None = None, limit: int = 5,
) -> list[Ticket]:
    """Tickets logged in the last ``within`` whose subject shares a word that says something
    ("in", "the", Korean particles and function words do not count: ``search.subject_words``),
    most shared words first, then newest. A Korean word is looked up by its syllable pairs in
    the subjects of ``ticket_ko``, so "프린터" finds "프린터를" and "컬러프린터"."""
    meaningful = subject_words(subject)
    if not meaningful:
        return []
    plain = [f'"{word}"' for word in meaningful if not korean.SYLLABLES.search(word)]
    hangul = [phrase for word in meaningful for phrase in korean.query_phrases(word)]
    since = int(((now or utcnow()) - within).timestamp())
    ids: set[int] = set()
    for table, terms in (("ticket_fts", plain), ("ticket_ko", hangul)):
        if terms:
            ids.update(session.scalars(
                text(f"SELECT f.rowid FROM {table} f JOIN tickets t ON t.id = f.rowid"
                     f" WHERE {table} MATCH :match AND t.created_at >= :since ORDER BY f.rowid DESC LIMIT 50"),
                {"match": "subject : (" + " OR ".join(terms) + ")", "since": since}))
    if not ids:
        return []
    found = list(session.scalars(select(Ticket).where(Ticket.id.in_(ids))))
    found.sort(key=lambda ticket: (-_shared_words(meaningful, ticket.subject), -ticket.id))
    return found[:limit]


def _shared_words(words: list[str], subject: str) -> int:
    """How many of ``words`` the subject has (a Korean word of two syllables or more also
    inside a longer word, as the bigram index finds it)."""
    own = set(subject_words(subject))
    folded = korean.nfc(subject).lower()
    return sum(1 for word in words if word in own or (len(word) > 1 and HANGUL_WORD.match(word) and word in folded))
