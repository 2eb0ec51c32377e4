"""The three-way per-field merge and the conflict rows it keeps, plus what pull and push share.

Moved out of ``engine.py`` (it had grown past the house limit): ``Merger`` is the base of the
engine's ``Pull`` and ``Push`` halves and holds the lookups both need and ``_merge`` itself;
the module functions turn synced field values into ticket columns and back, queue outbox rows
(``enqueue``) and list or settle kept conflicts (``open_conflicts``, ``resolve_conflict``).
``desk.core.sync.engine`` re-exports the public names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import Category, SyncConflict, SyncOutbox, SyncRemote, SyncStatus, Ticket, utcnow
from desk.core.ops import people
from desk.core.ops.tickets import _apply
from desk.core.sync.remotes.base import SYNCED_FIELDS, Remote, RemoteTicket

if TYPE_CHECKING:
    from desk.core.sync.engine import SyncReport

MISSING = object()


def local_fields(ticket: Ticket) -> dict[str, Any]:
    return {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category.name if ticket.category else None,
        "requester": ticket.requester.email.lower() if ticket.requester and ticket.requester.email else None,
        "assignee": ticket.assignee.email.lower() if ticket.assignee and ticket.assignee.email else None,
    }


def _person(session: Session, email: str | None, name: str | None = None, *, agent: bool = False) -> int | None:
    if not email:
        return None
    person = people.find_person_by_email(session, email)
    if person is not None:
        return person.id
    if agent:
        return people.add_agent(session, name=name or email.split("@")[0], email=email, role="staff").created_id
    return people.ensure_requester(session, email=email, name=name).created_id


def _category_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    found = session.scalar(select(Category).where(Category.name == name))
    return found.id if found else people.ensure_category(session, name=name).created_id


def to_local_values(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Synced field values (names, e-mails) as ticket columns (ids), creating what is missing."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "category":
            out["category_id"] = _category_id(session, value)
        elif name == "requester":
            if value:
                out["requester_id"] = _person(session, value)
        elif name == "assignee":
            out["assignee_id"] = _person(session, value, agent=True)
        else:
            out[name] = value
    return out


class Merger:
    """State and lookups shared by pulling and pushing, and the three-way merge.
    The attributes are set by ``Engine.__init__``."""

    session: Session
    row: SyncRemote
    remote_id: int
    remote: Remote
    report: SyncReport
    _progress: Callable[[str, int, int], None]
    _checkpoint: Callable[[str], None]

    # --- helpers ------------------------------------------------------------------------
    def same(self, name: str, a: Any, b: Any) -> bool:
        if name == "requester" and (a is None or b is None):
            return True  # a walk-in without e-mail: the remote cannot say who it is
        return self.remote.normalize(name, a) == self.remote.normalize(name, b)

    def _warm(self, values: dict[str, Any]) -> None:
        """Look up (outside any transaction) what ``maps`` needs, e.g. the remote's agents."""
        maps = getattr(self.remote, "maps", None)
        if maps is not None:
            for name, value in values.items():
                maps(name, value, lookup=True)

    def _status_by_remote(self, remote_ticket_id: str) -> SyncStatus | None:
        return self.session.scalar(select(SyncStatus).where(
            SyncStatus.remote_id == self.remote_id, SyncStatus.remote_ticket_id == remote_ticket_id))

    def _status_by_ticket(self, ticket_id: int) -> SyncStatus | None:
        return self.session.get(SyncStatus, (self.remote_id, ticket_id))

    def _open_conflicts(self, ticket_id: int) -> dict[str, SyncConflict]:
        rows = self.session.scalars(select(SyncConflict).where(
            SyncConflict.remote_id == self.remote_id, SyncConflict.ticket_id == ticket_id,
            SyncConflict.resolved_at.is_(None)))
        return {row.field: row for row in rows}

    def _outbox_mark(self) -> int:
        return int(self.session.scalar(select(SyncOutbox.id).order_by(SyncOutbox.id.desc()).limit(1)) or 0)

    def _drop_echo(self, mark: int, ticket_id: int) -> None:
        """Outbox rows our own write just produced for this remote are echoes, not local work."""
        self.session.execute(delete(SyncOutbox).where(
            SyncOutbox.id > mark, SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket_id))

    def _person(self, email: str | None, name: str | None = None, *, agent: bool = False) -> int | None:
        return _person(self.session, email, name, agent=agent)

    def _category_id(self, name: str | None) -> int | None:
        return _category_id(self.session, name)

    def _to_local_values(self, values: dict[str, Any]) -> dict[str, Any]:
        return to_local_values(self.session, values)

    # --- three-way merge ----------------------------------------------------------------
    def _merge(self, ticket: Ticket, status: SyncStatus, remote: RemoteTicket, *, now: datetime) -> dict[str, Any]:
        """Apply the remote's side locally and record conflicts; returns what must go up.
        Runs inside the caller's unit of work."""
        base = json.loads(status.base or "{}")
        local = local_fields(ticket)
        open_conflicts = self._open_conflicts(ticket.id)
        to_local: dict[str, Any] = {}
        to_remote: dict[str, Any] = {}
        maps = getattr(self.remote, "maps", None)
        for name in SYNCED_FIELDS:
            mine, theirs = local[name], remote.fields.get(name)
            if maps is not None and not maps(name, mine):
                continue  # e.g. an assignee the remote does not know: neither side is overwritten
            if name in open_conflicts:
                conflict = open_conflicts[name]
                if self.same(name, mine, theirs):  # the two sides came to agree on their own
                    conflict.resolved_at, conflict.resolution = now, "agreed"
                    base[name] = mine
                else:
                    conflict.mine, conflict.theirs = json.dumps(mine), json.dumps(theirs)
                continue
            ancestor = base.get(name, MISSING)
            if self.same(name, mine, theirs):
                base[name] = mine
            elif ancestor is MISSING or self.same(name, ancestor, theirs):
                to_remote[name] = mine
            elif self.same(name, ancestor, mine):
                to_local[name] = theirs
                base[name] = theirs
            else:
                self.session.add(SyncConflict(
                    remote_id=self.remote_id, ticket_id=ticket.id, field=name, base=json.dumps(ancestor),
                    mine=json.dumps(mine), theirs=json.dumps(theirs), created_at=now))
                self.report.conflicts += 1
        if to_local:
            if _apply(self.session, ticket, self._to_local_values(to_local), actor_id=None, now=now,
                      action="sync"):
                ticket.version += 1
                ticket.updated_at = now
            self.report.updated_local += 1
            self.report.ticket_ids.add(ticket.id)
        status.base = json.dumps(base)
        status.remote_version = remote.version
        status.synced_at = now
        return to_remote


def enqueue(remote_id: int, ticket_id: int, now: datetime, kind: str = "update"):  # noqa: ANN201
    """INSERT OR IGNORE of an outbox row (one pending create/update per ticket and remote)."""
    return sqlite_insert(SyncOutbox).values(
        remote_id=remote_id, ticket_id=ticket_id, kind=kind, created_at=now,
    ).prefix_with("OR IGNORE")


def resolve_conflict(session: Session, *, conflict_id: int, keep: str, actor_id: int | None = None) -> Changes:
    """Settle a kept conflict: ``keep='mine'`` sends the local value up on the next sync,
    ``keep='theirs'`` takes the remote's value locally."""
    if keep not in ("mine", "theirs"):
        raise errors.InvalidInput("Keep 'mine' or 'theirs'.")
    now = utcnow()
    with unit_of_work(session):
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise errors.NotFound(f"There is no open sync conflict #{conflict_id}.")
        status = session.get(SyncStatus, (conflict.remote_id, conflict.ticket_id))
        theirs = json.loads(conflict.theirs) if conflict.theirs is not None else None
        if status is not None:
            base = json.loads(status.base or "{}")
            base[conflict.field] = theirs  # remote == base: the next merge takes the local value
            status.base = json.dumps(base)
        ticket = session.get(Ticket, conflict.ticket_id)
        if keep == "theirs" and ticket is not None:
            local = to_local_values(session, {conflict.field: theirs})
            if _apply(session, ticket, local, actor_id=actor_id, now=now, action="sync-resolve"):
                ticket.version += 1
                ticket.updated_at = now
        elif ticket is not None:
            session.execute(enqueue(conflict.remote_id, conflict.ticket_id, now))
        conflict.resolved_at, conflict.resolution = now, keep
        return Changes.for_ticket(conflict.ticket_id)


def open_conflicts(session: Session, ticket_id: int | None = None) -> list[SyncConflict]:
    query = select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id)
    if ticket_id is not None:
        query = query.where(SyncConflict.ticket_id == ticket_id)
    return list(session.scalars(query))

