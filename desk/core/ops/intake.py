"""Quick log: "ensure the requester (and the category/location by name), then log the ticket",
as one operation. The window's quick-log form and ``desk log`` both call ``log_request``, so a
new person and their ticket are written in one transaction: both or neither."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.mail import outbox
from desk.core.models import Ticket
from desk.core.ops import people
from desk.core.ops.comments import add_comment
from desk.core.ops.tickets import log_ticket


@dataclass(frozen=True)
class NewRequester:
    """A person typed into the form who may not be in the store yet (matched by e-mail)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    kind: str = "guest"


def log_request(
    session: Session,
    *,
    actor_id: int | None,
    requester: int | NewRequester,
    subject: str,
    channel: str = "walk-in",
    category_id: int | None = None,
    category_name: str | None = None,
    location_id: int | None = None,
    location_name: str | None = None,
    description: str = "",
    priority: str = "normal",
    arrived_at: datetime | None = None,
    tags: Iterable[str] = (),
    now: datetime | None = None,
    confirm: bool = True,
) -> Changes:
    """Log a ticket for ``requester`` (an existing person's id, or a ``NewRequester`` created
    unless their e-mail is known). ``category_name``/``location_name`` are created if new.
    ``created_id`` is the ticket's id. With Desk's own e-mail set up, the person is told "we
    have your request" (queued in this transaction) unless ``confirm`` is False."""
    with unit_of_work(session):
        changes = Changes()
        if isinstance(requester, NewRequester):
            found = people.ensure_requester(session, email=requester.email, name=requester.name,
                                            kind=requester.kind, phone=requester.phone)
            changes, requester = changes | found, found.created_id
        if category_name:
            found = people.ensure_category(session, name=category_name)
            changes, category_id = changes | found, found.created_id
        if location_name:
            found = people.ensure_location(session, name=location_name)
            changes, location_id = changes | found, found.created_id
        logged = log_ticket(
            session, actor_id=actor_id, requester_id=requester, subject=subject, channel=channel,
            category_id=category_id, location_id=location_id, description=description,
            priority=priority, arrived_at=arrived_at, tags=tags, now=now,
        )
        if confirm:
            ticket = session.get(Ticket, logged.created_id)
            assert ticket is not None
            outbox.queue_confirmation(session, ticket=ticket, now=ticket.created_at)
        return dataclasses.replace(changes | logged, created_id=logged.created_id)


def add_to_ticket(
    session: Session,
    *,
    actor_id: int | None,
    ticket_id: int,
    subject: str,
    channel: str = "walk-in",
    description: str = "",
    now: datetime | None = None,
) -> Changes:
    """The quick-log form's "add to that ticket instead": what was typed for a new ticket
    becomes an internal note on the existing one (the same request again), so the duplicate
    is never created. One operation, like ``log_request``."""
    body = f"Asked again ({channel}): {' '.join(subject.split())}"
    if description.strip():
        body += "\n\n" + description.strip()
    return add_comment(session, ticket_id=ticket_id, author_id=actor_id, body=body, public=False, now=now)
