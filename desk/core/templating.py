"""Canned-response placeholders: ``{{ticket.id}}``, ``{{requester.first_name}}``, …

Rendering is one pass over the text: a value that itself looks like a placeholder (a requester
called ``{{agent.name}}``) is inserted as it is, never expanded again. An unknown placeholder
is left in the text untouched and reported; rendering never raises, whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desk.core.i18n import N_

# name -> what it stands for (shown in the canned-response manager as help)
PLACEHOLDERS: dict[str, str] = {
    "ticket.id": N_("the ticket number, e.g. 1234"),
    "ticket.subject": N_("the ticket's subject"),
    "ticket.status": N_("the ticket's status"),
    "ticket.priority": N_("the ticket's priority"),
    "ticket.expected_resolution": N_("how long this kind of request usually takes"),
    "requester.first_name": N_("the requester's first name"),
    "requester.name": N_("the requester's full name"),
    "requester.email": N_("the requester's e-mail address"),
    "agent.first_name": N_("your first name"),
    "agent.name": N_("your full name"),
    "category": N_("the ticket's category"),
    "location": N_("the ticket's location"),
}

# ``{{ name }}``: no braces inside, so ``{{{x}}}`` and stray braces cannot confuse it.
PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class Rendered:
    text: str
    unknown: tuple[str, ...] = ()  # placeholders this Desk does not know, left as typed
    empty: tuple[str, ...] = ()  # known placeholders that had no value for this ticket
    marked: str = ""  # ``text`` with each empty placeholder shown as a gap to fill, e.g. "[location?]"

    @property
    def ok(self) -> bool:
        return not self.unknown


def gap_mark(name: str) -> str:
    """How a placeholder with no value shows in a reply to be filled in by hand: visible, so
    the requester never gets "on the way to ." with a hole nobody noticed."""
    return f"[{name}?]"


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def placeholders_in(template: str) -> tuple[str, ...]:
    """Every placeholder name used in ``template``, in order of first use."""
    return _unique([match.group(1) for match in PLACEHOLDER_RE.finditer(template)])


def unknown_placeholders(template: str) -> tuple[str, ...]:
    return tuple(name for name in placeholders_in(template) if name not in PLACEHOLDERS)


def render(template: str, context: Mapping[str, object]) -> Rendered:
    """Fill the known placeholders from ``context``; None or missing values become ''.

    A value may be a zero-argument callable, called only if the template uses it (for values
    that cost a query, like the expected resolution)."""
    unknown: list[str] = []
    empty: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            unknown.append(name)
            return match.group(0)
        value = context.get(name)
        if callable(value):
            try:
                value = value()
            except Exception:  # a placeholder value must never stop a reply
                value = None
        if value is None or str(value) == "":
            empty.append(name)
            return ""
        return str(value)

    # One pass, two results: the text as it would be sent, and the same with the gaps marked.
    text: list[str] = []
    marked: list[str] = []
    position = 0
    for match in PLACEHOLDER_RE.finditer(template):
        text.append(template[position:match.start()])
        marked.append(template[position:match.start()])
        value = substitute(match)
        text.append(value)
        marked.append(gap_mark(match.group(1)) if value == "" and match.group(1) in PLACEHOLDERS else value)
        position = match.end()
    text.append(template[position:])
    marked.append(template[position:])
    return Rendered(text="".join(text), unknown=_unique(unknown), empty=_unique(empty), marked="".join(marked))


def _first_name(name: str | None) -> str | None:
    if not name:
        return None
    parts = name.split()
    return parts[0] if parts else None


MIN_HISTORY = 5  # fewer solved tickets than this: no estimate


def duration_phrase(seconds: float) -> str:
    """A promise a person can read: "about 3 hours", "about 2 days", "about 3 weeks"."""
    hours = seconds / 3600
    if hours < 1:
        return "less than an hour"
    if hours < 36:
        count = max(1, round(hours))
        return f"about {count} hour{'s' if count != 1 else ''}"
    days = hours / 24
    if days < 14:
        count = round(days)
        return f"about {count} days"
    weeks = round(days / 7)
    return f"about {weeks} weeks"


def estimate_text(session: Session, category_id: int | None) -> str | None:
    """What 8 in 10 recently solved tickets of the category took, in words (None: too few)."""
    from desk.core.queries.expectations import expected_resolution

    _median, p80, n = expected_resolution(session, category_id)
    if p80 is None or n < MIN_HISTORY:
        return None
    return duration_phrase(p80.total_seconds())


def expected_resolution_text(session: Session, ticket: object) -> str | None:
    """The promise written on the ticket, else the estimate for its category."""
    promised = getattr(ticket, "expected_resolution", None)
    if promised:
        return str(promised)
    return estimate_text(session, getattr(ticket, "category_id", None))


def context_for(
    session: Session, *, ticket_id: int, agent_id: int | None, ticket: object = None,
) -> dict[str, object]:
    """The values of every placeholder for one ticket and the agent at the desk (pass
    ``ticket`` if it is already loaded)."""
    from desk.core.models import Person
    from desk.core.queries.tickets import get_ticket

    ticket = ticket if ticket is not None else get_ticket(session, ticket_id)
    agent = session.get(Person, agent_id) if agent_id is not None else None
    requester = ticket.requester
    return {
        "ticket.id": ticket.id,
        "ticket.subject": ticket.subject,
        "ticket.status": ticket.status,
        "ticket.priority": ticket.priority,
        "ticket.expected_resolution": lambda: expected_resolution_text(session, ticket),
        "requester.first_name": _first_name(requester.name if requester else None),
        "requester.name": requester.name if requester else None,
        "requester.email": requester.email if requester else None,
        "agent.first_name": _first_name(agent.name if agent else None),
        "agent.name": agent.name if agent else None,
        "category": ticket.category.name if ticket.category else None,
        "location": ticket.location.name if ticket.location else None,
    }
