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


def categories(session: Session) -> list[tuple[int, str]]:
    return [(row[0], row[1]) for row in session.execute(select(Category.id, Category.name).order_by(Category.name))]


def locations(session: Session) -> list[tuple[int, str]]:
    return [(row[0], row[1]) for row in session.execute(select(Location.id, Location.name).order_by(Location.name))]


def agents(session: Session) -> list[tuple[int, str]]:
    query = select(Person.id, Person.name).where(Person.is_agent.is_(True)).order_by(Person.name)
    return [(row[0], row[1]) for row in session.execute(query)]


def agent_emails(session: Session) -> list[tuple[str, str]]:
    """(name, e-mail) of every agent with an e-mail, for assigning by e-mail."""
    query = (select(Person.name, Person.email)
             .where(Person.is_agent.is_(True), Person.email.is_not(None)).order_by(Person.name))
    return [(row[0], row[1]) for row in session.execute(query)]
