"""Public replies and internal notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Comment, Person, Ticket, utcnow
from desk.core.ops._audit import record
from desk.core.ops.tickets import _apply, load_ticket

MAX_BODY = 20 * 1024 * 1024  # characters; far above any real reply, below SQLite's limits


def insert_comment(
    session: Session, ticket: Ticket, *, author_id: int | None, body: str, public: bool,
    now: datetime, status: str | None, uuid: str | None = None, origin: str | None = None,
    by_agent: bool | None = None,
) -> tuple[Comment, dict[str, object]]:
    """Add the comment inside the caller's transaction and set first-response times.

    Returns the comment and the status change it implies (an agent's first public reply to a
    new ticket opens it) unless the caller sets ``status`` itself.

    A comment pulled from a remote helpdesk passes ``origin`` (the remote's name, recorded in
    the audit row) and, when no local person maps to its author, ``by_agent`` as the remote
    says (staff upstream); otherwise the local author's role decides.
    """
    if len(body) > MAX_BODY:
        raise errors.InvalidInput(
            _('The reply is {count:,} characters; the limit is {MAX_BODY:,}. Attach it as a file instead.').format(count=len(body), MAX_BODY=MAX_BODY)
        )
    author = session.get(Person, author_id) if author_id is not None else None
    comment = Comment(ticket_id=ticket.id, author_id=author_id, body=body, is_public=public,
                      created_at=now)
    if uuid:
        comment.uuid = uuid
    session.add(comment)
    if author is not None or by_agent is None:
        # An agent answering her own ticket (she is the requester) is not responding to anybody:
        # neither a first response nor a reply (docs/metrics.md, "First response").
        by_agent = bool(author and author.is_agent and author.id != ticket.requester_id)
    if public and by_agent and ticket.first_response_at is None:
        ticket.first_response_at = now
        if ticket.service_started_at is None:
            ticket.service_started_at = now
    record(session, ticket_id=ticket.id, actor_id=author_id, at=now,
           action="reply" if public else "note", origin=origin)
    implied: dict[str, object] = {}
    if status is None and by_agent and public and ticket.status == "new":
        implied["status"] = "open"
    return comment, implied


def add_comment(
    session: Session,
    *,
    ticket_id: int,
    author_id: int | None,
    body: str,
    public: bool,
    status: str | None = None,
    uuid: str | None = None,
    now: datetime | None = None,
) -> Changes:
    """Add a public reply (``public=True``) or an internal note, optionally changing status.

    The first public reply by an agent sets ``first_response_at`` (and starts service).
    """
    if not body.strip():
        raise errors.InvalidInput(_("The reply is empty."))
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        comment, fields = insert_comment(session, ticket, author_id=author_id, body=body,
                                         public=public, now=now, status=status, uuid=uuid)
        if status is not None:
            fields["status"] = status
        if fields and _apply(session, ticket, fields, actor_id=author_id, now=now):
            ticket.version += 1
        ticket.updated_at = now
        session.flush()
        author = session.get(Person, author_id) if author_id is not None else None
        if public and author is not None and author.is_agent and author.id != ticket.requester_id:
            from desk.core.mail import outbox  # builds on this package's ops

            outbox.queue_reply(session, ticket=ticket, comment=comment, now=now)
        return Changes(ticket_ids=frozenset({ticket_id}), tickets=True, comments=True,
                       created_id=comment.id)
