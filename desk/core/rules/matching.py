"""Whether a ticket meets a rule's conditions (``desk.core.rules.definitions`` describes them).

Triggers pass the ``Event`` of the operation (created or changed, which fields went from what
to what, the text of its comments); automations and SLA policies pass none. No Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.core.business_hours import BusinessCalendar
from desk.core.models import Category, Location, Person, Ticket

# audit field -> the field's name in conditions
AUDIT_FIELDS = {"status": "status", "priority": "priority", "channel": "channel", "category_id": "category",
                "location_id": "location", "assignee_id": "assignee", "tags": "tags"}


@dataclass
class Event:
    """What one operation did to one ticket, in the conditions' words."""

    created: bool = False
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # first old, last new
    text: str = ""  # the bodies of comments added

    def merge(self, name: str, old: str | None, new: str | None) -> None:
        first = self.changes.get(name, (old, new))[0]
        self.changes[name] = (first, new)


def _name(session: Session, model: type, ident: str | None) -> str | None:
    if ident in (None, ""):
        return None
    try:
        row = session.get(model, int(ident))
    except ValueError:
        return ident
    if row is None:
        return None
    return row.email if isinstance(row, Person) else row.name  # type: ignore[attr-defined]


def audit_values(session: Session, audit_field: str, old: str | None, new: str | None) -> tuple[str | None, ...]:
    """An audit row's old and new values as conditions name them (names, e-mails)."""
    model = {"category_id": Category, "location_id": Location, "assignee_id": Person}.get(audit_field)
    if model is None:
        return old, new
    return _name(session, model, old), _name(session, model, new)


def ticket_value(ticket: Ticket, name: str) -> Any:
    if name == "category":
        return ticket.category.name if ticket.category else None
    if name == "location":
        return ticket.location.name if ticket.location else None
    if name == "assignee":
        return (ticket.assignee.email or ticket.assignee.name) if ticket.assignee else None
    if name == "requester_kind":
        return ticket.requester.kind if ticket.requester else None
    if name == "tags":
        return [tag.name for tag in ticket.tags]
    return getattr(ticket, name)


def _same(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if b == "none":
        return a is None
    return a == b


def _clock_hours(ticket: Ticket, name: str, *, business: bool, now: datetime, calendar: BusinessCalendar) -> float:
    since = {"hours_since_status": ticket.status_changed_at or ticket.updated_at,
             "hours_since_created": ticket.arrived_at, "hours_since_update": ticket.updated_at}[name]
    seconds = calendar.business_seconds(since, now) if business else (now - since).total_seconds()
    return seconds / 3600


def condition_holds(
    condition: Mapping[str, Any], ticket: Ticket, *, event: Event | None, now: datetime,
    calendar: BusinessCalendar,
) -> bool:
    name, op, value = condition["field"], condition["op"], condition.get("value")
    if name == "tags":
        tags = set(ticket_value(ticket, "tags"))
        wanted = set(value)
        return wanted <= tags if op == "includes" else not (wanted & tags)
    if name in AUDIT_FIELDS.values() or name == "requester_kind":
        current = ticket_value(ticket, name)
        if op == "is":
            return _same(current, value)
        if op == "is_not":
            return not _same(current, value)
        inside = any(_same(current, item) for item in value)
        return inside if op == "in" else not inside
    if name == "text":
        haystack = " ".join((ticket.subject, ticket.description or "", event.text if event else "")).casefold()
        return str(value).casefold() in haystack
    if name == "business_hours":
        return calendar.is_open(now) is bool(value)
    if name == "update":
        return event is not None and (event.created if value == "create" else not event.created)
    if name.startswith("changed:"):
        if event is None:
            return False
        change = event.changes.get(name.removeprefix("changed:"))
        if change is None or _same(change[0], change[1]):
            return False
        if op == "changed_from":
            return _same(change[0], value)
        if op == "changed_to":
            return _same(change[1], value)
        return True
    if name.startswith("hours_since_"):
        hours = _clock_hours(ticket, name, business=bool(condition.get("business")), now=now, calendar=calendar)
        return hours >= float(value) if op == "ge" else hours < float(value)
    return False


def matches(
    definition: Mapping[str, Any], ticket: Ticket, *, event: Event | None, now: datetime,
    calendar: BusinessCalendar,
) -> bool:
    """Every ``all`` condition holds and, if there are ``any`` conditions, one of them does."""
    def holds(condition: Mapping[str, Any]) -> bool:
        return condition_holds(condition, ticket, event=event, now=now, calendar=calendar)

    if not all(holds(condition) for condition in definition.get("all", ())):
        return False
    alternatives = definition.get("any", ())
    return not alternatives or any(holds(condition) for condition in alternatives)
