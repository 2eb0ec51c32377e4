"""Renamed remote users: a local person's name follows a rename on the helpdesk, and a name
edited here is never silently overwritten by it.

Adapters note every remote user they are shown during a run with the name the remote gives
them (``RemotePerson`` in ``seen_people``: Zendesk users sideloaded with the ticket export or
looked up by id, RT requesters and owners with their RealName in the ticket listing, RT users
whose RealName changed since the last pull, a requester Desk just created upstream). No request
is made for this alone. ``sync_people`` keeps, per remote user, the name last seen there and the
local person it stands for (``person_id``, migration 0016). For each user seen:

* first seen: the name is remembered; the local person is renamed only if their name is a
  stand-in Desk made from the e-mail (the address or its part before the @), not a name anyone
  typed;
* the remote name is the one last seen: nothing (a name edited here stays);
* the remote name changed: the person is renamed here through ``ops.people.rename_from_remote``
  (audited, the remote as origin) when their name here is still the one last seen upstream; if
  it was edited here too, the local name is kept and the run's notes say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Person, SyncPerson
from desk.core.ops import people
from desk.core.sync.remotes.base import RemotePerson
from desk.core.sync.report import SyncReport


def _local(session: Session, row: SyncPerson | None, seen: RemotePerson) -> Person | None:
    person = session.get(Person, row.person_id) if row is not None and row.person_id is not None else None
    if person is None and seen.email:
        person = people.find_person_by_email(session, seen.email)
    return people.resolve_merged(session, person)


def _stand_in(person: Person, email: str | None) -> bool:
    """A name Desk made up from the e-mail (``ensure_requester``/``add_agent`` without a name)."""
    if not email:
        return False
    name = person.name.strip().lower()
    return name in (email.lower(), email.lower().split("@")[0])


def latest(seen: Iterable[RemotePerson]) -> dict[str, RemotePerson]:
    """The last sighting of each remote user (a later answer is the newer name)."""
    out: dict[str, RemotePerson] = {}
    for person in seen:
        if person.key and person.name and person.name.strip():
            out[person.key] = person
    return out


def apply_names(session: Session, *, remote_id: int, origin: str, seen: Iterable[RemotePerson],
                report: SyncReport, links: Mapping[str, int] | None = None) -> None:
    """Remember the names ``seen`` and apply remote renames (see the module docstring).
    ``links``: remote user key -> local person id for requesters known by name only. Reads
    first; a transaction only for a user whose row or name must change."""
    sightings = latest(seen)
    links = dict(links or {})
    keys = set(sightings) | set(links)
    if not keys:
        return
    rows = {row.remote_user_id: row for row in session.scalars(select(SyncPerson).where(
        SyncPerson.remote_id == remote_id, SyncPerson.remote_user_id.in_(keys)))}
    wanted = {key for key in keys if _needs_write(rows.get(key), sightings.get(key), links.get(key))}
    session.rollback()
    for key in sorted(wanted):
        with unit_of_work(session):
            _apply_one(session, remote_id=remote_id, origin=origin, key=key, seen=sightings.get(key),
                       link=links.get(key), report=report)


def _needs_write(row: SyncPerson | None, seen: RemotePerson | None, link: int | None) -> bool:
    if row is None:
        return True
    if link is not None and row.person_id is None:
        return True
    if seen is None:
        return False
    return row.name != seen.name or row.person_id is None or (bool(seen.email) and row.email != seen.email)


def _apply_one(session: Session, *, remote_id: int, origin: str, key: str, seen: RemotePerson | None,
               link: int | None, report: SyncReport) -> None:
    row = session.get(SyncPerson, (remote_id, key))
    if row is None:
        row = SyncPerson(remote_id=remote_id, remote_user_id=key, email=seen.email if seen else None,
                         name=None)
        session.add(row)
    if link is not None and row.person_id is None:
        row.person_id = link
    if seen is None:
        return
    person = _local(session, row, seen)
    if person is not None:
        row.person_id = person.id
    if seen.email:
        row.email = seen.email
    last, row.name = row.name, seen.name
    session.flush()
    if person is None or person.name == seen.name:
        return
    if last is None:  # first seen: only a stand-in made from the e-mail gives way
        if _stand_in(person, seen.email):
            _rename(session, person, seen.name, origin=origin, report=report)
        return
    if last == seen.name:
        return  # unchanged upstream: a name edited here stays
    if person.name == last:
        _rename(session, person, seen.name, origin=origin, report=report)
    else:
        report.notes.append(_("{remote} renamed {old} to {new}; the name here, {local}, was edited on this "
                              "PC and is kept.").format(remote=origin, old=last, new=seen.name, local=person.name))


def _rename(session: Session, person: Person, name: str, *, origin: str, report: SyncReport) -> None:
    try:
        changes = people.rename_from_remote(session, person_id=person.id, name=name, origin=origin)
    except errors.InvalidInput as refused:  # e.g. longer than a name may be here: said, not applied
        report.skipped.append(_("{remote} user {name!r}: not renamed here: {why}").format(
            remote=origin, name=name[:80], why=refused.message))
        return
    if changes.people:
        report.people_renamed += 1
