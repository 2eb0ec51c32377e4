"""Requesters, agents, categories and locations."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import AGENT_ROLES, PERSON_KINDS, Category, Location, Person


def _normal_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    email = email.strip()
    if "@" not in email or " " in email:
        raise errors.InvalidInput(f"{email!r} is not an e-mail address.")
    return email.lower()


def find_person_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(func.lower(Person.email) == email.strip().lower()))


def ensure_requester(
    session: Session, *, email: str | None, name: str | None = None, kind: str = "guest",
    phone: str | None = None,
) -> Changes:
    """The person with this e-mail, created if new. ``created_id`` is their id either way."""
    if kind not in PERSON_KINDS:
        raise errors.InvalidInput(f"Kind must be one of {', '.join(PERSON_KINDS)}.")
    email = _normal_email(email)
    with unit_of_work(session):
        person = find_person_by_email(session, email) if email else None
        if person is not None:
            return Changes(created_id=person.id)
        display = (name or "").strip() or (email.split("@")[0] if email else "")
        if not display:
            raise errors.InvalidInput("A new requester needs a name or an e-mail address.")
        person = Person(name=display, email=email, kind=kind, phone=(phone or None))
        session.add(person)
        session.flush()
        return Changes(people=True, created_id=person.id)


def add_agent(
    session: Session, *, name: str, email: str, role: str = "student-worker",
    kind: str = "staff",
) -> Changes:
    if role not in AGENT_ROLES:
        raise errors.InvalidInput(f"Role must be one of {', '.join(AGENT_ROLES)}.")
    email = _normal_email(email)
    with unit_of_work(session):
        person = find_person_by_email(session, email) if email else None
        if person is None:
            person = Person(name=name.strip(), email=email, kind=kind)
            session.add(person)
        person.is_agent = True
        person.role = role
        session.flush()
        return Changes(people=True, choices=True, created_id=person.id)


def _named(session: Session, model: type[Category] | type[Location], name: str) -> Changes:
    name = " ".join(name.split())
    if not name:
        raise errors.InvalidInput("The name is empty.")
    with unit_of_work(session):
        row = session.scalar(select(model).where(func.lower(model.name) == name.lower()))
        if row is None:
            row = model(name=name)
            session.add(row)
            session.flush()
            return Changes(choices=True, created_id=row.id)
        return Changes(created_id=row.id)


def ensure_category(session: Session, *, name: str) -> Changes:
    return _named(session, Category, name)


def ensure_location(session: Session, *, name: str) -> Changes:
    return _named(session, Location, name)
