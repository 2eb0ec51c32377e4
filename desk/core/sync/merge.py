"""The three-way per-field merge and the conflict rows it keeps, plus what pull and push share.

Moved out of ``engine.py`` (it had grown past the house limit): ``Merger`` is the base of the
engine's ``Pull`` and ``Push`` halves and holds the lookups both need and ``_merge`` itself;
the module functions turn synced field values into ticket columns and back, queue outbox rows
(``enqueue``) and list or settle kept conflicts (``open_conflicts``, ``resolve_conflict``).
``desk.core.sync.engine`` re-exports the public names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Category, SyncConflict, SyncOutbox, SyncRemote, SyncStatus, Ticket, utcnow
from desk.core.ops import people
from desk.core.ops.tickets import _apply, bump_version
from desk.core.sync.remotes.base import SYNCED_FIELDS, Remote, RemoteTicket

if TYPE_CHECKING:
    from desk.core.sync.report import SyncReport

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


Created = Callable[[str], None]  # told "person", "agent" or "category" when one is added


def _person(session: Session, email: str | None, name: str | None = None, *, agent: bool = False,
            created: Created | None = None) -> int | None:
    if not email:
        return None
    person = people.find_person_by_email(session, email)
    if person is not None:
        return person.id
    if created is not None:
        created("agent" if agent else "person")
    if agent:
        return people.add_agent(session, name=name or email.split("@")[0], email=email, role="staff").created_id
    return people.ensure_requester(session, email=email, name=name).created_id


def _category_id(session: Session, name: str | None, *, created: Created | None = None) -> int | None:
    if not name:
        return None
    found = session.scalar(select(Category).where(Category.name == name))
    if found is not None:
        return found.id
    if created is not None:
        created("category")
    return people.ensure_category(session, name=name).created_id


def to_local_values(session: Session, values: dict[str, Any], *, created: Created | None = None) -> dict[str, Any]:
    """Synced field values (names, e-mails) as ticket columns (ids), creating what is missing
    (``created`` hears of each person, agent or category added)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "category":
            out["category_id"] = _category_id(session, value, created=created)
        elif name == "requester":
            if value:
                out["requester_id"] = _person(session, value, created=created)
        elif name == "assignee":
            out["assignee_id"] = _person(session, value, agent=True, created=created)
        else:
            out[name] = value
    return out


@dataclass
class FieldMerge:
    """The outcome of a three-way merge of one ticket's synced fields (no side effects)."""

    to_local: dict[str, Any] = dc_field(default_factory=dict)  # remote's value wins here
    to_remote: dict[str, Any] = dc_field(default_factory=dict)  # local value goes up
    conflicts: dict[str, tuple[Any, Any, Any]] = dc_field(default_factory=dict)  # new: (base, mine, theirs)
    agreed: dict[str, Any] = dc_field(default_factory=dict)  # both sides equal now: the new base
    settled: set[str] = dc_field(default_factory=set)  # kept conflicts whose sides came to agree
    still_open: dict[str, tuple[Any, Any]] = dc_field(default_factory=dict)  # kept: (mine, theirs)


def merge_fields(
    *, base: Mapping[str, Any], local: Mapping[str, Any], remote: Mapping[str, Any],
    open_conflicts: Collection[str], same: Callable[[str, Any, Any], bool],
    maps: Callable[[str, Any], bool] | None = None,
) -> FieldMerge:
    """Per field: equal on both sides -> agreed; only the remote moved -> ``to_local``; only the
    local side moved (or never agreed) -> ``to_remote``; both moved apart -> a conflict. A field
    with a kept conflict stays out until a person settles it or the sides agree. Pure: the
    planner and the executor's ``_merge`` share it, so a plan says what the run will do."""
    out = FieldMerge()
    for name in SYNCED_FIELDS:
        mine, theirs = local.get(name), remote.get(name)
        if maps is not None and not maps(name, mine):
            continue  # e.g. an assignee the remote does not know: neither side is overwritten
        if name in open_conflicts:
            if same(name, mine, theirs):
                out.settled.add(name)
                out.agreed[name] = mine
            else:
                out.still_open[name] = (mine, theirs)
            continue
        ancestor = base.get(name, MISSING)
        if same(name, mine, theirs):
            out.agreed[name] = mine
        elif ancestor is MISSING or same(name, ancestor, theirs):
            out.to_remote[name] = mine
        elif same(name, ancestor, mine):
            out.to_local[name] = theirs
            out.agreed[name] = theirs
        else:
            out.conflicts[name] = (ancestor, mine, theirs)
    return out


def same_value(normalize: Callable[[str, Any], Any]) -> Callable[[str, Any, Any], bool]:
    """Equality after a round trip through the remote (its lossy mappings)."""
    def same(name: str, a: Any, b: Any) -> bool:
        if name == "requester" and (a is None or b is None):
            return True  # a walk-in without e-mail: the remote cannot say who it is
        return normalize(name, a) == normalize(name, b)
    return same


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
        return same_value(self.remote.normalize)(name, a, b)

    def _maps(self) -> Callable[[str, Any], bool] | None:
        """The adapter's "does the remote know this value" check (cache only), if it has one."""
        if not self.remote.capabilities.assignee_lookup:
            return None
        maps = self.remote.maps  # type: ignore[attr-defined]
        return lambda name, value: bool(maps(name, value))

    def _warm(self, values: dict[str, Any]) -> None:
        """Look up (outside any transaction) what ``maps`` needs, e.g. the remote's agents."""
        if self.remote.capabilities.assignee_lookup:
            for name, value in values.items():
                self.remote.maps(name, value, lookup=True)  # type: ignore[attr-defined]

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
        return _person(self.session, email, name, agent=agent, created=self.report.added)

    def _category_id(self, name: str | None) -> int | None:
        return _category_id(self.session, name, created=self.report.added)

    def _to_local_values(self, values: dict[str, Any]) -> dict[str, Any]:
        return to_local_values(self.session, values, created=self.report.added)

    # --- three-way merge ----------------------------------------------------------------
    def _merge(self, ticket: Ticket, status: SyncStatus, remote: RemoteTicket, *, now: datetime) -> dict[str, Any]:
        """Apply the remote's side locally (through the ticket operation's ``_apply``, the remote
        as the actor) and record conflicts; returns what must go up. Runs inside the caller's
        unit of work."""
        base = json.loads(status.base or "{}")
        kept = self._open_conflicts(ticket.id)
        merged = merge_fields(base=base, local=local_fields(ticket), remote=remote.fields,
                              open_conflicts=set(kept), same=self.same, maps=self._maps())
        base.update(merged.agreed)
        for name in merged.settled:
            kept[name].resolved_at, kept[name].resolution = now, "agreed"
        for name, (mine, theirs) in merged.still_open.items():
            kept[name].mine, kept[name].theirs = json.dumps(mine), json.dumps(theirs)
        for name, (ancestor, mine, theirs) in merged.conflicts.items():
            self.session.add(SyncConflict(
                remote_id=self.remote_id, ticket_id=ticket.id, field=name, base=json.dumps(ancestor),
                mine=json.dumps(mine), theirs=json.dumps(theirs), created_at=now))
            self.report.conflicts += 1
            self.report.ticket_ids.add(ticket.id)
        if merged.to_local:
            if _apply(self.session, ticket, self._to_local_values(merged.to_local), actor_id=None, now=now,
                      action="sync", origin=self.row.name):
                bump_version(ticket, now)
            self.report.updated_local += 1
            self.report.ticket_ids.add(ticket.id)
        status.base = json.dumps(base)
        status.remote_version = remote.version
        status.synced_at = now
        return merged.to_remote


def enqueue(remote_id: int, ticket_id: int, now: datetime, kind: str = "update"):  # noqa: ANN201
    """INSERT OR IGNORE of an outbox row (one pending create/update per ticket and remote)."""
    return sqlite_insert(SyncOutbox).values(
        remote_id=remote_id, ticket_id=ticket_id, kind=kind, created_at=now,
    ).prefix_with("OR IGNORE")


def resolve_conflict(session: Session, *, conflict_id: int, keep: str, actor_id: int | None = None) -> Changes:
    """Settle a kept conflict: ``keep='mine'`` sends the local value up on the next sync,
    ``keep='theirs'`` takes the remote's value locally."""
    if keep not in ("mine", "theirs"):
        raise errors.InvalidInput(_("Keep 'mine' or 'theirs'."))
    now = utcnow()
    with unit_of_work(session):
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise errors.NotFound(_('There is no open sync conflict #{conflict_id}.').format(conflict_id=conflict_id))
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
                bump_version(ticket, now)
        elif ticket is not None:
            session.execute(enqueue(conflict.remote_id, conflict.ticket_id, now))
        conflict.resolved_at, conflict.resolution = now, keep
        return Changes.for_ticket(conflict.ticket_id)


def open_conflicts(session: Session, ticket_id: int | None = None) -> list[SyncConflict]:
    query = select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id)
    if ticket_id is not None:
        query = query.where(SyncConflict.ticket_id == ticket_id)
    return list(session.scalars(query))

