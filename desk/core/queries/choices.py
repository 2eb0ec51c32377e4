"""The choices an editing form offers: tags, categories, locations, agents."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core.models import Category, Location, Person, Tag, TicketTag


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
