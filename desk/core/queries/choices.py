"""The choices an editing form offers: tags, categories, locations, agents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core.models import Category, Location, Person, Tag, Ticket, TicketTag


def tag_names(session: Session, *, limit: int = 2000) -> list[str]:
    """Existing tags, most used first (for the tags completer)."""
    uses = func.count(TicketTag.ticket_id)
    return list(
        session.scalars(
            select(Tag.name).outerjoin(TicketTag, TicketTag.tag_id == Tag.id)
            .group_by(Tag.id).order_by(uses.desc(), Tag.name).limit(limit)
        )
    )


def categories(session: Session, *, include_hidden: bool = False) -> list[tuple[int, str]]:
    """(id, name) by name; hidden ones only with ``include_hidden`` (the Settings list)."""
    query = select(Category.id, Category.name).order_by(Category.name)
    if not include_hidden:
        query = query.where(Category.hidden.is_(False))
    return [(row[0], row[1]) for row in session.execute(query)]


def locations(session: Session, *, include_hidden: bool = False) -> list[tuple[int, str]]:
    query = select(Location.id, Location.name).order_by(Location.name)
    if not include_hidden:
        query = query.where(Location.hidden.is_(False))
    return [(row[0], row[1]) for row in session.execute(query)]


# An agent offered for new work: not deactivated, not a record merged into another.
OFFERED_AGENT = (Person.is_agent.is_(True), Person.active.is_(True), Person.merged_into.is_(None))


def agents(session: Session) -> list[tuple[int, str]]:
    """Active agents (id, name), by name: what assignee pickers offer."""
    query = select(Person.id, Person.name).where(*OFFERED_AGENT).order_by(Person.name)
    return [(row[0], row[1]) for row in session.execute(query)]


def agent_emails(session: Session) -> list[tuple[str, str]]:
    """(name, e-mail) of every active agent with an e-mail, for assigning by e-mail."""
    query = (select(Person.name, Person.email)
             .where(*OFFERED_AGENT, Person.email.is_not(None)).order_by(Person.name))
    return [(row[0], row[1]) for row in session.execute(query)]


@dataclass(frozen=True)
class AgentRow:
    """An agent as the Settings dialog and `desk agent list` show them."""

    id: int
    name: str
    email: str | None
    role: str | None
    active: bool


def agent_rows(session: Session, *, include_inactive: bool = True) -> list[AgentRow]:
    """Every agent (deactivated ones too unless asked not to), by name; merged records are left out."""
    query = (select(Person.id, Person.name, Person.email, Person.role, Person.active)
             .where(Person.is_agent.is_(True), Person.merged_into.is_(None)).order_by(Person.name, Person.id))
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return [AgentRow(row[0], row[1], row[2], row[3], bool(row[4])) for row in session.execute(query)]


@dataclass(frozen=True)
class ChoiceRow:
    """A category or location with what the Settings dialog needs to decide on it."""

    id: int
    name: str
    hidden: bool
    tickets: int


def choice_rows(session: Session, *, kind: str, include_hidden: bool = True) -> list[ChoiceRow]:
    """Categories (``kind="category"``) or locations, by name, with how many tickets have each."""
    model, column = (Category, Ticket.category_id) if kind == "category" else (Location, Ticket.location_id)
    uses = select(column.label("choice_id"), func.count().label("n")).where(column.is_not(None)) \
        .group_by(column).subquery()
    query = (select(model.id, model.name, model.hidden, func.coalesce(uses.c.n, 0))
             .outerjoin(uses, uses.c.choice_id == model.id).order_by(model.name))
    if not include_hidden:
        query = query.where(model.hidden.is_(False))
    return [ChoiceRow(row[0], row[1], bool(row[2]), int(row[3])) for row in session.execute(query)]
