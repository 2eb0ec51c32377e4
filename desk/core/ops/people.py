"""Requesters, agents, categories and locations: who the desk serves and who serves it.

Each function is one user action: one transaction, its audit rows (``ticket_id`` empty for a
change to a person; one row per changed field), and the ``Changes`` screens refresh by.
Agents are deactivated, never deleted: history keeps their name and the metrics keep counting
their replies as an agent's (``people.active``, migration 0008). A requester record merged into
another stays as a signpost (``merged_into``) because the append-only audit log may name it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import (
    AGENT_ROLES,
    PERSON_KINDS,
    CannedResponse,
    Category,
    Comment,
    Draft,
    Location,
    Person,
    SavedView,
    Shift,
    Ticket,
    utcnow,
)
from desk.core.ops._audit import record
from desk.core.ops.tickets import bump_version

MAX_NAME = 200
MERGE_CHAIN_LIMIT = 20  # merged_into chains are short; a longer one is a loop, not a person


def _normal_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    email = email.strip()
    if "@" not in email or " " in email:
        raise errors.InvalidInput(_('{email!r} is not an e-mail address.').format(email=email))
    return email.lower()


def _clean_name(name: str, what: str = "The name") -> str:
    name = " ".join(name.split())
    if not name:
        raise errors.InvalidInput(_('{what} is empty.').format(what=what))
    if len(name) > MAX_NAME:
        raise errors.InvalidInput(_('{what} is longer than {MAX_NAME} characters.').format(what=what, MAX_NAME=MAX_NAME))
    return name


def _check_role(role: str) -> None:
    if role not in AGENT_ROLES:
        raise errors.InvalidInput(_('Role must be one of {join}.').format(join=', '.join(AGENT_ROLES)))


def _check_kind(kind: str) -> None:
    if kind not in PERSON_KINDS:
        raise errors.InvalidInput(_('Kind must be one of {join}.').format(join=', '.join(PERSON_KINDS)))


def resolve_merged(session: Session, person: Person | None) -> Person | None:
    """The person a merged record now stands for (itself when it was never merged)."""
    for _step in range(MERGE_CHAIN_LIMIT):
        if person is None or person.merged_into is None:
            return person
        person = session.get(Person, person.merged_into)
    return person


def find_person_by_email(session: Session, email: str) -> Person | None:
    """The person with this e-mail; a merged record leads to the person it was merged into."""
    found = session.scalar(select(Person).where(func.lower(Person.email) == email.strip().lower()))
    return resolve_merged(session, found)


def _load_person(session: Session, person_id: int, what: str = "person") -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise errors.NotFound(_('There is no {what} #{person_id}.').format(what=what, person_id=person_id))
    return person


def _load_agent(session: Session, agent_id: int) -> Person:
    agent = session.get(Person, agent_id)
    if agent is None or not agent.is_agent:
        raise errors.NotFound(_('There is no agent #{agent_id}.').format(agent_id=agent_id))
    return agent


def _check_email_free(session: Session, email: str, *, person_id: int | None) -> None:
    holder = session.scalar(select(Person).where(func.lower(Person.email) == email))
    if holder is not None and holder.id != person_id and holder.merged_into is not None:
        raise errors.InvalidInput(
            _('{email} is an old address of person #{merged_into} (a record merged into theirs).').format(email=email, merged_into=holder.merged_into)
        )
    if holder is not None and holder.id != person_id:
        what = "the agent" if holder.is_agent else "the requester"
        raise errors.InvalidInput(
            _('{email} already belongs to {what} {name} (#{id}). Use another address, or merge the two records.').format(email=email, what=what, name=holder.name, id=holder.id)
        )


def _set_fields(
    session: Session, person: Person, values: dict[str, object], *, actor_id: int | None,
    action: str, now: datetime, origin: str | None = None,
) -> bool:
    """Apply the given fields, one audit row per field that really changed (``origin``: the
    remote a pulled change came from)."""
    changed = False
    for field, new in values.items():
        old = getattr(person, field)
        if old == new:
            continue
        setattr(person, field, new)
        record(session, ticket_id=None, actor_id=actor_id, at=now, action=action,
               field=f"person#{person.id}.{field}", old=old, new=new, origin=origin)
        changed = True
    return changed


def ensure_requester(
    session: Session, *, email: str | None, name: str | None = None, kind: str = "guest",
    phone: str | None = None,
) -> Changes:
    """The person with this e-mail, created if new. ``created_id`` is their id either way."""
    _check_kind(kind)
    email = _normal_email(email)
    with unit_of_work(session):
        person = find_person_by_email(session, email) if email else None
        if person is not None:
            return Changes(created_id=person.id)
        display = (name or "").strip() or (email.split("@")[0] if email else "")
        if not display:
            raise errors.InvalidInput(_("A new requester needs a name or an e-mail address."))
        person = Person(name=display, email=email, kind=kind, phone=(phone or None))
        session.add(person)
        session.flush()
        return Changes(people=True, created_id=person.id)


def add_agent(
    session: Session, *, name: str, email: str, role: str = "student-worker",
    kind: str = "staff", actor_id: int | None = None, now: datetime | None = None,
) -> Changes:
    """A new agent; a requester with the same e-mail becomes the agent (their tickets stay
    theirs). Refuses an e-mail another agent already has."""
    _check_role(role)
    _check_kind(kind)
    name = _clean_name(name, "The agent's name")
    email = _normal_email(email)
    now = now or utcnow()
    with unit_of_work(session):
        person = find_person_by_email(session, email) if email else None
        if person is not None and person.is_agent:
            state = "" if person.active else " (deactivated: reactivate them instead)"
            raise errors.InvalidInput(_('{email} already belongs to the agent {name}{state}.').format(email=email, name=person.name, state=state))
        if person is None:
            person = Person(name=name, email=email, kind=kind)
            session.add(person)
        person.is_agent = True
        person.role = role
        person.active = True
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="add-agent",
               field=f"person#{person.id}.role", new=role)
        return Changes(people=True, choices=True, created_id=person.id)


def edit_agent(
    session: Session, *, actor_id: int | None, agent_id: int, name: str | None = None,
    email: str | None = None, role: str | None = None, now: datetime | None = None,
) -> Changes:
    """Change an agent's name, e-mail or role (None leaves a field as it is)."""
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = _clean_name(name, "The agent's name")
    if email is not None:
        normal = _normal_email(email)
        if normal is None:
            raise errors.InvalidInput(_("An agent needs an e-mail address (they sign in by it)."))
        values["email"] = normal
    if role is not None:
        _check_role(role)
        values["role"] = role
    now = now or utcnow()
    with unit_of_work(session):
        agent = _load_agent(session, agent_id)
        if "email" in values:
            _check_email_free(session, str(values["email"]), person_id=agent.id)
        changed = _set_fields(session, agent, values, actor_id=actor_id, action="edit-agent", now=now)
        return Changes(people=True, choices=True) if changed else Changes()


def active_agent_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Person)
        .where(Person.is_agent.is_(True), Person.active.is_(True), Person.merged_into.is_(None))
    ) or 0


def deactivate_agent(
    session: Session, *, actor_id: int | None, agent_id: int, active: bool = False,
    now: datetime | None = None,
) -> Changes:
    """Deactivate an agent who left (``active=True`` brings them back). They keep their name in
    history and their replies in the metrics, but are offered nowhere; an open shift ends now.
    The last active agent cannot be deactivated: nobody could sign in any more."""
    now = now or utcnow()
    with unit_of_work(session):
        agent = _load_agent(session, agent_id)
        if agent.merged_into is not None:
            raise errors.InvalidInput(_('{name} was merged into another person; edit that one.').format(name=agent.name))
        if agent.active == active:
            return Changes()
        if not active and active_agent_count(session) <= 1:
            raise errors.InvalidInput(
                _('{name} is the only active agent; add another agent first, or nobody could sign in.').format(name=agent.name)
            )
        shifts = False
        if not active:
            for shift in session.scalars(select(Shift).where(Shift.agent_id == agent.id,
                                                             Shift.ended_at.is_(None))):
                shift.ended_at = max(now, shift.started_at)
                record(session, ticket_id=None, actor_id=actor_id, at=now, action="shift-end",
                       field=f"person#{agent.id}.shift")
                shifts = True
        _set_fields(session, agent, {"active": active}, actor_id=actor_id,
                    action="reactivate-agent" if active else "deactivate-agent", now=now)
        return Changes(people=True, choices=True, shifts=shifts)


def edit_person(
    session: Session, *, actor_id: int | None, person_id: int, name: str | None = None,
    email: str | None = None, phone: str | None = None, kind: str | None = None,
    now: datetime | None = None,
) -> Changes:
    """Correct a person's name, e-mail, phone or kind (None leaves a field; "" clears the
    e-mail or phone). The search index follows by the schema's triggers."""
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = _clean_name(name)
    if email is not None:
        values["email"] = _normal_email(email)
    if phone is not None:
        values["phone"] = " ".join(phone.split()) or None
    if kind is not None:
        _check_kind(kind)
    now = now or utcnow()
    with unit_of_work(session):
        person = _load_person(session, person_id)
        if person.merged_into is not None:
            raise errors.InvalidInput(_('{name} was merged into person #{merged_into}; edit that one.').format(name=person.name, merged_into=person.merged_into))
        if values.get("email"):
            _check_email_free(session, str(values["email"]), person_id=person.id)
        elif "email" in values and person.is_agent:
            raise errors.InvalidInput(_("An agent needs an e-mail address (they sign in by it)."))
        changed = _set_fields(session, person, values, actor_id=actor_id, action="edit-person", now=now)
        if kind is not None:
            changed = bool(set_person_kind(session, person_id=person.id, kind=kind, actor_id=actor_id,
                                           now=now).people) or changed
        if not changed:
            return Changes()
        # Queue rows and ticket headers show the requester's name.
        return Changes(people=True, tickets=True, choices=person.is_agent)


def set_person_kind(
    session: Session, *, person_id: int, kind: str, actor_id: int | None, now: datetime | None = None,
    action: str = "edit-person", origin: str | None = None,
) -> Changes:
    """Set a person's kind (faculty, staff, student, guest): one audit row when it changes,
    nothing written when it is already that. ``edit_person`` sets a kind through it, and so
    does the sync for the kind another Desk PC recorded for a ticket's requester (``action``
    "sync", ``origin`` the remote's name). A person's kind is not a ticket field: no ticket's
    version moves."""
    _check_kind(kind)
    now = now or utcnow()
    with unit_of_work(session):
        person = _load_person(session, person_id)
        if not _set_fields(session, person, {"kind": kind}, actor_id=actor_id, action=action, now=now,
                           origin=origin):
            return Changes()
        return Changes(people=True, tickets=True)  # queue filters and stats group by the kind


def rename_from_remote(
    session: Session, *, person_id: int, name: str, origin: str, now: datetime | None = None,
) -> Changes:
    """A person renamed on the team's helpdesk (``origin``: the remote's name) is renamed here:
    one audit row naming the remote as the actor. The sync calls it only when the remote name
    changed since it was last seen there and the local name is still that old one
    (``desk.core.sync.people_sync``), so a name edited here is never overwritten by it."""
    clean = _clean_name(name)
    now = now or utcnow()
    with unit_of_work(session):
        person = resolve_merged(session, _load_person(session, person_id))
        assert person is not None
        if person.name == clean:
            return Changes()
        old = person.name
        person.name = clean
        record(session, ticket_id=None, actor_id=None, at=now, action="rename-from-remote",
               field=f"person#{person.id}.name", old=old, new=clean, origin=origin)
        # Queue rows, ticket headers and (for an agent) the pickers show the name.
        return Changes(people=True, tickets=True, choices=person.is_agent)


def merge_people(
    session: Session, *, actor_id: int | None, keep_id: int, merge_id: int,
    now: datetime | None = None,
) -> Changes:
    """Two records of the same person become one: ``merge_id``'s tickets (as requester,
    assignee or logger), comments, shifts, drafts, canned responses and views move to
    ``keep_id``; ``merge_id`` stays as a signpost (``merged_into``), so its e-mail still finds
    the kept person. The kept record keeps its own name, e-mail and role, and takes the merged
    phone only when it has none (an e-mail is unique, so it stays with the signpost).

    Two agents may be merged (one person with two addresses): the kept one stays an agent, and
    becomes one if only the merged record was. Moved tickets get one audit row per changed field
    and a new version (so a sync pushes the new requester)."""
    if keep_id == merge_id:
        raise errors.InvalidInput(_("A person cannot be merged with herself; choose two different records."))
    now = now or utcnow()
    with unit_of_work(session):
        keep = _load_person(session, keep_id)
        gone = _load_person(session, merge_id)
        for person in (keep, gone):
            if person.merged_into is not None:
                raise errors.InvalidInput(
                    _('{name} (#{id}) was already merged into person #{merged_into}.').format(name=person.name, id=person.id, merged_into=person.merged_into)
                )
        ticket_ids = _move_tickets(session, keep=keep, gone=gone, actor_id=actor_id, now=now)
        session.execute(update(Comment).where(Comment.author_id == gone.id).values(author_id=keep.id))
        _move_drafts(session, keep=keep, gone=gone)
        session.execute(update(Shift).where(Shift.agent_id == gone.id).values(agent_id=keep.id))
        session.execute(update(CannedResponse).where(CannedResponse.owner_id == gone.id)
                        .values(owner_id=keep.id))
        session.execute(update(SavedView).where(SavedView.owner_id == gone.id).values(owner_id=keep.id))
        if gone.is_agent and not keep.is_agent:
            _set_fields(session, keep, {"is_agent": True, "role": gone.role, "active": gone.active},
                        actor_id=actor_id, action="merge-people", now=now)
        elif gone.is_agent and gone.active and not keep.active:
            _set_fields(session, keep, {"active": True}, actor_id=actor_id, action="merge-people", now=now)
        if not keep.phone and gone.phone:
            _set_fields(session, keep, {"phone": gone.phone}, actor_id=actor_id, action="merge-people", now=now)
        gone.merged_into = keep.id
        gone.active = False
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="merge-people",
               field=f"person#{gone.id}.merged_into", old=f"{gone.name} <{gone.email or ''}>",
               new=f"#{keep.id} {keep.name}")
        session.flush()
        return Changes(ticket_ids=frozenset(ticket_ids), tickets=True, comments=True, people=True,
                       choices=True, shifts=True, drafts=True, canned=True, settings=True)


def _move_tickets(session: Session, *, keep: Person, gone: Person, actor_id: int | None,
                  now: datetime) -> set[int]:
    moved: set[int] = set()
    for column, field in ((Ticket.requester_id, "requester_id"), (Ticket.assignee_id, "assignee_id"),
                          (Ticket.logged_by_id, "logged_by_id")):
        for ticket in session.scalars(select(Ticket).where(column == gone.id)):
            setattr(ticket, field, keep.id)
            record(session, ticket_id=ticket.id, actor_id=actor_id, at=now, action="merge-people",
                   field=field.removesuffix("_id"), old=gone.name, new=keep.name)
            if ticket.id not in moved:
                bump_version(ticket, now)
            moved.add(ticket.id)
    session.flush()
    return moved


def _move_drafts(session: Session, *, keep: Person, gone: Person) -> None:
    """Drafts are one per ticket and agent: where both have one, the texts are joined so that
    nothing typed is lost."""
    for draft in list(session.scalars(select(Draft).where(Draft.agent_id == gone.id))):
        mine = session.get(Draft, (draft.ticket_id, keep.id))
        if mine is None:
            session.execute(update(Draft).where(Draft.ticket_id == draft.ticket_id,
                                                Draft.agent_id == gone.id).values(agent_id=keep.id))
            continue
        if draft.body.strip() and draft.body.strip() != mine.body.strip():
            mine.body = f"{mine.body.rstrip()}\n\n{draft.body.strip()}"
            mine.updated_at = max(mine.updated_at, draft.updated_at)
        session.execute(delete(Draft).where(Draft.ticket_id == draft.ticket_id, Draft.agent_id == gone.id))


def _named(session: Session, model: type[Category] | type[Location], name: str) -> Changes:
    name = " ".join(name.split())
    if not name:
        raise errors.InvalidInput(_("The name is empty."))
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
