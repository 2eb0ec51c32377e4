"""Read what the planner needs from the store: the status rows, local tickets, comments and
outbox rows that the pulled pages and the outbox refer to (``plan.Snapshot``). Reads only, in
one read transaction that is ended before returning; nothing here writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core.models import Comment, Person, SyncComment, SyncConflict, SyncOutbox, SyncStatus, Ticket
from desk.core.sync.merge import local_fields
from desk.core.sync.plan import Linked, LocalComment, LocalTicket, OutboxItem, Snapshot
from desk.core.sync.remotes.base import PullPage

CHUNK = 500  # ids per IN (...) list, well inside SQLite's variable limit


def _chunks(values: Iterable[object]) -> Iterator[list[object]]:
    items = sorted(set(values), key=str)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def take(session: Session, *, remote_id: int, pages: Sequence[PullPage]) -> Snapshot:
    """The snapshot for planning ``pages`` and the outbox of ``remote_id``."""
    try:
        return _take(session, remote_id, pages)
    finally:
        session.rollback()  # end the read snapshot; the executor writes in transactions of its own


def _take(session: Session, remote_id: int, pages: Sequence[PullPage]) -> Snapshot:
    remote_ids = {t.remote_id for page in pages for t in page.tickets}
    remote_ids |= {c.ticket_remote_id for page in pages for c in page.comments}
    uuids = {t.uuid for page in pages for t in page.tickets if t.uuid}
    comment_ids = {c.remote_id for page in pages for c in page.comments}
    authors = {c.author_email.lower() for page in pages for c in page.comments if c.author_email}

    outbox = [OutboxItem(outbox_id=row.id, ticket_id=row.ticket_id, kind=row.kind, comment_id=row.comment_id,
                         attempts=row.attempts)
              for row in session.scalars(select(SyncOutbox).where(SyncOutbox.remote_id == remote_id)
                                         .order_by(SyncOutbox.id))]
    outbox_tickets = {item.ticket_id for item in outbox}

    statuses: dict[int, SyncStatus] = {}
    for chunk in _chunks(remote_ids):
        for row in session.scalars(select(SyncStatus).where(
                SyncStatus.remote_id == remote_id, SyncStatus.remote_ticket_id.in_(chunk))):
            statuses[row.ticket_id] = row
    by_uuid_rows: list[Ticket] = []
    for chunk in _chunks(uuids):
        by_uuid_rows.extend(session.scalars(select(Ticket).where(Ticket.uuid.in_(chunk))))
    wanted = outbox_tickets | {ticket.id for ticket in by_uuid_rows}
    for chunk in _chunks(wanted - set(statuses)):
        for row in session.scalars(select(SyncStatus).where(
                SyncStatus.remote_id == remote_id, SyncStatus.ticket_id.in_(chunk))):
            statuses[row.ticket_id] = row

    conflicts: dict[int, set[str]] = {}
    for chunk in _chunks(statuses):
        for row in session.scalars(select(SyncConflict).where(
                SyncConflict.remote_id == remote_id, SyncConflict.ticket_id.in_(chunk),
                SyncConflict.resolved_at.is_(None))):
            conflicts.setdefault(row.ticket_id, set()).add(row.field)

    tickets: dict[int, Ticket] = {}
    for chunk in _chunks(set(statuses) | outbox_tickets):
        for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(chunk))):
            tickets[ticket.id] = ticket
    fields = {ticket_id: local_fields(ticket) for ticket_id, ticket in tickets.items()}

    linked = {
        row.remote_ticket_id: Linked(ticket_id=row.ticket_id, remote_ticket_id=row.remote_ticket_id,
                                     base=json.loads(row.base or "{}"), local=fields[row.ticket_id],
                                     open_conflicts=frozenset(conflicts.get(row.ticket_id, ())),
                                     gone=row.gone is not None)
        for row in statuses.values() if row.ticket_id in fields
    }
    by_uuid = {ticket.uuid: LocalTicket(ticket_id=ticket.id, local=local_fields(ticket),
                                        linked=ticket.id in statuses) for ticket in by_uuid_rows}
    local_tickets = {ticket_id: LocalTicket(ticket_id=ticket_id, local=fields[ticket_id],
                                            linked=ticket_id in statuses)
                     for ticket_id in outbox_tickets if ticket_id in fields}

    known: set[str] = set()
    for chunk in _chunks(comment_ids):
        known.update(session.scalars(select(SyncComment.remote_comment_id).where(
            SyncComment.remote_id == remote_id, SyncComment.remote_comment_id.in_(chunk))))
    local_comment_ids = {item.comment_id for item in outbox if item.comment_id is not None}
    mapped: set[int] = set()
    comments: dict[int, LocalComment] = {}
    for chunk in _chunks(local_comment_ids):
        mapped.update(session.scalars(select(SyncComment.comment_id).where(
            SyncComment.remote_id == remote_id, SyncComment.comment_id.in_(chunk))))
        for comment in session.scalars(select(Comment).where(Comment.id.in_(chunk))):
            comments[comment.id] = LocalComment(comment_id=comment.id, ticket_id=comment.ticket_id,
                                                body=comment.body, public=comment.is_public,
                                                mapped=comment.id in mapped)
    people: dict[str, bool] = {}
    for chunk in _chunks(authors):
        for email, is_agent in session.execute(select(func.lower(Person.email), Person.is_agent).where(
                func.lower(Person.email).in_(chunk))):
            people[email] = bool(is_agent)
    # Links marked gone before are synced no more: counting them would let a remote delete the
    # rest of the store in waves, each under the guard's share of a store that is mostly gone.
    linked_count = int(session.scalar(select(func.count()).select_from(SyncStatus).where(
        SyncStatus.remote_id == remote_id, SyncStatus.gone.is_(None))) or 0)
    return Snapshot(linked=linked, tickets=local_tickets, by_uuid=by_uuid, known_comments=frozenset(known),
                    comments=comments, outbox=tuple(outbox), people=people, linked_count=linked_count)
