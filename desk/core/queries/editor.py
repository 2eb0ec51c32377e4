"""Everything the ticket editor shows, read in one go as plain values (no ORM objects cross
to the UI thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from desk.core.i18n import N_
from desk.core.mail.outbox import Delivery, channel, deliveries
from desk.core.models import Person
from desk.core.ops.drafts import DraftText, load_draft
from desk.core.queries import choices
from desk.core.queries.tickets import HistoryEntry, get_ticket, history
from desk.core.settings import desk_timezone
from desk.core.templating import estimate_text


@dataclass(frozen=True)
class Message:
    id: int
    author: str
    author_is_agent: bool
    public: bool
    body: str
    created_at: datetime
    delivery: Delivery | None = None  # what became of a public reply (None: recorded only)


@dataclass(frozen=True)
class TicketView:
    id: int
    version: int
    subject: str
    description: str
    channel: str
    arrived_at: datetime
    created_at: datetime
    requester_id: int
    requester: str
    requester_email: str | None
    requester_kind: str
    fields: dict[str, object]  # the editable values, keyed like update_ticket's fields
    messages: list[Message]
    history: list[HistoryEntry]
    draft: DraftText | None
    categories: list[tuple[int, str]]
    locations: list[tuple[int, str]]
    agents: list[tuple[int, str]]
    tags: list[str]  # every tag in use, most used first (for the completer)
    estimate: str | None  # what history says for the category, e.g. "about 3 days"
    timezone: str = "UTC"
    names: dict[int, str] = field(default_factory=dict)  # person id -> name
    # The person rated the ticket themselves (exit survey, helpdesk): their rating, which no
    # agent may change; the editor shows it and locks the agent-reported field.
    rated_by_person: bool = False
    # How a public reply reaches the person: "email", "remote" (a hosted helpdesk), None (it
    # is only recorded: the editor says "Record reply", never "Send").
    reply_channel: str | None = None
    confirmation: Delivery | None = None  # the "we have your request" e-mail, if one was owed

    def label(self, name: str, value: object) -> str:
        """A field value as the user reads it."""
        if value is None or value == "" or value == []:
            return "(none)" if name != "assignee_id" else "(nobody)"
        if name == "category_id":
            return dict(self.categories).get(value, f"#{value}")  # type: ignore[call-overload]
        if name == "location_id":
            return dict(self.locations).get(value, f"#{value}")  # type: ignore[call-overload]
        if name in ("assignee_id", "requester_id"):
            return self.names.get(value, f"#{value}")  # type: ignore[call-overload]
        if isinstance(value, (list, tuple)):
            return ", ".join(str(item) for item in value)
        return str(value)


FIELD_LABELS = {
    "status": N_("Status"), "priority": N_("Priority"), "category_id": N_("Category"), "location_id": N_("Location"),
    "assignee_id": N_("Assignee"), "tags": N_("Tags"), "satisfaction": N_("Agent-reported rating"),
    "expected_resolution": N_("Expected resolution"), "subject": N_("Subject"), "requester_id": N_("Requester"),
    "canned_response": N_("Canned response"), "description": N_("Description"), "channel": N_("Channel"),
}
EDITOR_FIELDS = ("requester_id", "status", "priority", "category_id", "location_id", "assignee_id", "tags",
                 "satisfaction", "expected_resolution")


def ticket_view(session: Session, *, ticket_id: int, agent_id: int | None) -> TicketView:
    ticket = get_ticket(session, ticket_id)
    agents = choices.agents(session)
    names = dict(agents)
    messages = []
    delivered = deliveries(session, ticket.id)
    for comment in ticket.comments:
        author: Person | None = comment.author
        if author is not None:
            names.setdefault(author.id, author.name)
        messages.append(Message(
            id=comment.id, author=author.name if author else "(unknown)",
            author_is_agent=bool(author and author.is_agent), public=comment.is_public,
            body=comment.body, created_at=comment.created_at, delivery=delivered.get(comment.id),
        ))
    names.setdefault(ticket.requester.id, ticket.requester.name)
    if ticket.assignee is not None:
        names.setdefault(ticket.assignee.id, ticket.assignee.name)
    values: dict[str, object] = {
        "requester_id": ticket.requester_id, "status": ticket.status, "priority": ticket.priority, "category_id": ticket.category_id,
        "location_id": ticket.location_id, "assignee_id": ticket.assignee_id,
        "tags": [tag.name for tag in ticket.tags], "satisfaction": ticket.satisfaction,
        "expected_resolution": ticket.expected_resolution,
    }
    estimate = estimate_text(session, ticket.category_id)
    return TicketView(
        id=ticket.id, version=ticket.version, subject=ticket.subject, description=ticket.description,
        channel=ticket.channel, arrived_at=ticket.arrived_at, created_at=ticket.created_at,
        requester_id=ticket.requester_id, requester=ticket.requester.name,
        requester_email=ticket.requester.email, requester_kind=ticket.requester.kind,
        fields=values, messages=messages, history=history(session, ticket_id),
        draft=load_draft(session, ticket_id=ticket_id, agent_id=agent_id) if agent_id is not None else None,
        categories=choices.categories(session), locations=choices.locations(session), agents=agents,
        tags=choices.tag_names(session), estimate=estimate, timezone=desk_timezone(session).key,
        rated_by_person=ticket.satisfaction is not None and ticket.satisfaction_source == "person",
        names=names, reply_channel=channel(session, requester_email=ticket.requester.email),
        confirmation=delivered.get(None),
    )
