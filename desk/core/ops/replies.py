"""What the ticket editor's Send does: a reply or note plus field changes, in one transaction.

``send_reply`` checks the ticket's version when it changes fields (so nothing someone else
did is silently overwritten), adds the comment, counts the canned response used (if any)
and removes the agent's draft — all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.mail import outbox as mail_outbox
from desk.core.models import CannedResponse, Draft, utcnow
from desk.core.ops import people
from desk.core.ops._audit import record
from desk.core.ops.comments import insert_comment
from desk.core.ops.tickets import EDITABLE_FIELDS, _apply, check_version, load_ticket


def send_reply(
    session: Session,
    *,
    ticket_id: int,
    author_id: int | None,
    body: str,
    public: bool,
    expected_version: int | None = None,
    fields: Mapping[str, object] | None = None,
    canned_id: int | None = None,
    new_category: str | None = None,
    now: datetime | None = None,
) -> Changes:
    """Post ``body`` (may be empty when only ``fields`` change) and apply ``fields``.

    ``expected_version`` is required when ``fields`` is not empty. ``new_category`` names a
    category to set, created if it does not exist yet. ``created_id`` is the new comment's id
    (None when there was no text).
    """
    fields = dict(fields or {})
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise errors.InvalidInput(_('Unknown ticket field(s): {join}.').format(join=', '.join(sorted(unknown))))
    if (fields or new_category) and expected_version is None:
        raise errors.InvalidInput(_("Changing fields needs the version the editor showed."))
    if not body.strip() and not fields and not new_category:
        raise errors.InvalidInput(_("The reply is empty."))
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        category_added = False
        if new_category:
            added = people.ensure_category(session, name=new_category)
            fields["category_id"], category_added = added.created_id, added.choices
        if fields:
            check_version(ticket, expected_version=expected_version or 0, fields=fields)
        comment = None
        if body.strip():
            comment, implied = insert_comment(
                session, ticket, author_id=author_id, body=body, public=public, now=now,
                status=fields.get("status"),  # type: ignore[arg-type]
            )
            for name, value in implied.items():
                fields.setdefault(name, value)
        changed = bool(fields) and _apply(session, ticket, fields, actor_id=author_id, now=now)
        if changed:
            ticket.version += 1
        ticket.updated_at = now
        if canned_id is not None:
            canned = session.get(CannedResponse, canned_id)
            if canned is not None:
                canned.usage_count += 1
                record(session, ticket_id=ticket_id, actor_id=author_id, at=now,
                       action="canned", field="canned_response", new=canned.title)
        if comment is not None and public and _by_agent(session, author_id, ticket.requester_id):
            mail_outbox.queue_reply(session, ticket=ticket, comment=comment, now=now)
        if author_id is not None and comment is not None:
            session.execute(
                delete(Draft).where(Draft.ticket_id == ticket_id, Draft.agent_id == author_id)
            )
        session.flush()
        return Changes(
            ticket_ids=frozenset({ticket_id}), tickets=True, comments=comment is not None,
            canned=canned_id is not None, drafts=author_id is not None and comment is not None,
            choices=category_added,
            created_id=comment.id if comment is not None else None,
        )


def _by_agent(session: Session, author_id: int | None, requester_id: int) -> bool:
    """A reply that goes to the person: an agent's, not the requester's own words."""
    from desk.core.models import Person

    author = session.get(Person, author_id) if author_id is not None else None
    return bool(author and author.is_agent and author.id != requester_id)
