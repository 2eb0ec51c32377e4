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
from desk.core.models import (
    Category,
    Location,
    SyncConflict,
    SyncOutbox,
    SyncRemote,
    SyncStatus,
    Ticket,
    utcnow,
)
from desk.core.ops import people
from desk.core.ops.tickets import _apply, bump_version
from desk.core.sync.desk_fields import DESK_KEYS, RATING_SOURCES, TIME_KEYS, tags_in, time_in, time_out
from desk.core.sync.desk_fields import normalize as desk_normalize
from desk.core.sync.remotes.base import SYNCED_FIELDS, Remote, RemoteTicket
from desk.core.vocabulary import CHANNELS, PERSON_KINDS, SATISFACTION

if TYPE_CHECKING:
    from desk.core.sync.report import SyncReport

MISSING = object()


def local_fields(ticket: Ticket) -> dict[str, Any]:
    """The ticket's synced fields as wire values (names, e-mails, ``desk_fields`` strings)."""
    requester = ticket.requester
    return {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category.name if ticket.category else None,
        "requester": requester.email.lower() if requester and requester.email else None,
        "assignee": ticket.assignee.email.lower() if ticket.assignee and ticket.assignee.email else None,
        # The desk's own work (desk_fields.DESK_FIELDS), so another PC's line is this one's.
        "channel": ticket.channel,
        "arrived_at": time_out(ticket.arrived_at),
        "service_started_at": time_out(ticket.service_started_at),
        "first_response_at": time_out(ticket.first_response_at),
        "left_at": time_out(ticket.left_at),
        "location": ticket.location.name if ticket.location else None,
        "requester_kind": requester.kind if requester else None,
        "tags": sorted(tag.name for tag in ticket.tags),
        "satisfaction": ticket.satisfaction,
        "satisfaction_comment": ticket.satisfaction_comment,
        # Who rated and when (0012): an agent-reported rating stays one on the other PC.
        "satisfaction_source": ticket.satisfaction_source if ticket.satisfaction is not None else None,
        "satisfaction_at": time_out(ticket.satisfaction_at) if ticket.satisfaction is not None else None,
        "expected_resolution": ticket.expected_resolution,
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


def _location_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    found = session.scalar(select(Location.id).where(Location.name == name))
    return found if found is not None else people.ensure_location(session, name=name).created_id


def to_local_values(session: Session, values: dict[str, Any], *, created: Created | None = None) -> dict[str, Any]:
    """Synced field values (names, e-mails, wire strings) as ticket columns (ids, datetimes),
    creating what is missing (``created`` hears of each person, agent or category added).
    ``requester_kind`` stays as it is: it belongs to the person (``apply_requester_kind``)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "category":
            out["category_id"] = _category_id(session, value, created=created)
        elif name == "requester":
            if value:
                out["requester_id"] = _person(session, value, created=created)
        elif name == "assignee":
            out["assignee_id"] = _person(session, value, agent=True, created=created)
        elif name in TIME_KEYS:
            moment = time_in(value)
            if moment is not None or name != "arrived_at":  # a ticket always has an arrival
                out[name] = moment
        elif name == "location":
            out["location_id"] = _location_id(session, value)
        elif name == "tags":
            out["tags"] = tags_in(value)
        elif name == "channel":
            if value in CHANNELS:
                out["channel"] = value
        elif name == "satisfaction":
            out["satisfaction"] = value if value in SATISFACTION else None
        elif name == "satisfaction_source":
            if value in RATING_SOURCES:
                out[name] = value
        elif name in ("satisfaction_comment", "expected_resolution"):
            out[name] = value or None
        elif name == "requester_kind":
            out[name] = value
        else:
            out[name] = value
    return out


def apply_requester_kind(session: Session, ticket: Ticket, kind: Any, *, actor_id: int | None,
                         now: datetime, action: str, origin: str | None = None) -> None:
    """The requester kind another PC recorded (faculty, staff, student, guest): it is the
    person's, so it is set on the requester (stats group by it) through the people operation
    ``set_person_kind`` (its audit row names ``origin``). A kind Desk does not know is left out."""
    requester = ticket.requester
    if kind in PERSON_KINDS and requester is not None and requester.kind != kind:
        people.set_person_kind(session, person_id=requester.id, kind=kind, actor_id=actor_id, now=now,
                               action=action, origin=origin)


def apply_local(session: Session, ticket: Ticket, values: dict[str, Any], *, actor_id: int | None,
                now: datetime, action: str, origin: str | None = None, created: Created | None = None) -> bool:
    """Set synced values (wire terms) on ``ticket`` through the ticket operation's ``_apply``.
    The desk's times go first so a status change that implies one (solved on the spot starts
    service) sees the other PC's real value, not now."""
    local = to_local_values(session, values, created=created)
    kind = local.pop("requester_kind", MISSING)
    ordered = {k: v for k, v in local.items() if k in TIME_KEYS}
    ordered.update((k, v) for k, v in local.items() if k not in TIME_KEYS)
    changed = _apply(session, ticket, ordered, actor_id=actor_id, now=now, action=action, origin=origin)
    if kind is not MISSING:
        session.flush()
        apply_requester_kind(session, ticket, kind, actor_id=actor_id, now=now, action=action, origin=origin)
    return changed


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
    rated = rating_side(local=local, remote=remote)
    for name in SYNCED_FIELDS:
        if name not in remote:
            continue  # the remote does not carry it (no such custom field): neither side changes
        mine, theirs = local.get(name), remote.get(name)
        if maps is not None and not maps(name, mine):
            continue  # e.g. an assignee the remote does not know: neither side is overwritten
        if rated is not None and name in RATING_KEYS and name not in open_conflicts:
            if same(name, mine, theirs):
                out.agreed[name] = mine
            elif rated == "remote":
                out.to_local[name] = theirs
                out.agreed[name] = theirs
            else:
                out.to_remote[name] = mine
            continue
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


RATING_KEYS = ("satisfaction", "satisfaction_comment", "satisfaction_source", "satisfaction_at")


def rating_side(*, local: Mapping[str, Any], remote: Mapping[str, Any]) -> str | None:
    """Which side's rating stands, whatever the last agreed one: a person's own rating over an
    agent-reported one or none (an agent's word never replaces a person's, and a person's
    rating is never withdrawn by a remote that no longer shows it: it goes back up instead);
    of two persons' ratings, the newer. None: the ordinary three-way merge decides."""
    if "satisfaction" not in remote or "satisfaction_source" not in remote:
        return None  # the remote cannot say who rated: the ordinary merge

    def person(side: Mapping[str, Any]) -> bool:
        return side.get("satisfaction") is not None and side.get("satisfaction_source") == "person"

    mine, theirs = person(local), person(remote)
    if theirs and not mine:
        return "remote"
    if mine and not theirs:
        return "local"
    if mine and theirs and local.get("satisfaction_at") and remote.get("satisfaction_at"):
        at_mine = desk_normalize("satisfaction_at", local["satisfaction_at"])
        at_theirs = desk_normalize("satisfaction_at", remote["satisfaction_at"])
        if at_mine != at_theirs:
            return "remote" if (at_theirs or "") > (at_mine or "") else "local"
    return None


def _subject_key(subject: str) -> str:
    from desk.core.ops.tickets import MAX_SUBJECT

    return " ".join(subject.split())[:MAX_SUBJECT].rstrip()  # as ops.tickets._clean_subject cuts it


def same_value(normalize: Callable[[str, Any], Any]) -> Callable[[str, Any, Any], bool]:
    """Equality after a round trip through the remote (its lossy mappings)."""
    def same(name: str, a: Any, b: Any) -> bool:
        if name == "requester" and (a is None or b is None):
            return True  # a walk-in without e-mail: the remote cannot say who it is
        if name == "subject" and isinstance(a, str) and isinstance(b, str):
            # Desk keeps a remote's over-long subject cut to its limit: the cut copy is the
            # same subject, never a local change to send back upstream.
            return _subject_key(a) == _subject_key(b)
        if name in DESK_KEYS:  # one wire format for both remotes
            return desk_normalize(name, a) == desk_normalize(name, b)
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
    _person_links: dict[str, int]  # remote user key -> a requester known there by name only

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

    def _mark_gone(self, ticket: Ticket, status: SyncStatus, remote: RemoteTicket, *, now: datetime) -> None:
        """Merged, deleted or moved away upstream: the link is marked and stops syncing, the
        ticket keeps its own fields (never the survivor's), and an internal note says why."""
        if status.gone is not None:
            return
        from desk.core.ops.comments import insert_comment  # comments builds on the ticket ops

        status.gone = remote.gone or "deleted"
        status.gone_detail = remote.gone_detail or status.gone
        status.synced_at = now
        mark = self._outbox_mark()
        insert_comment(self.session, ticket, author_id=None, body=_gone_note(self.row.name, status.gone_detail),
                       public=False, now=now, status=None, origin=self.row.name)
        self.session.flush()
        self._drop_echo(mark, ticket.id)  # the note is for this PC: nothing goes up any more
        note = _("Ticket #{id} {detail}: no longer synced.").format(id=ticket.id, detail=status.gone_detail)
        self.report.notes.append(note)
        self.report.ticket_ids.add(ticket.id)

    # --- three-way merge ----------------------------------------------------------------
    def _merge(self, ticket: Ticket, status: SyncStatus, remote: RemoteTicket, *, now: datetime) -> dict[str, Any]:
        """Apply the remote's side locally (through the ticket operation's ``_apply``, the remote
        as the actor) and record conflicts; returns what must go up. Runs inside the caller's
        unit of work."""
        if remote.gone or status.gone:
            self._mark_gone(ticket, status, remote, now=now)
            return {}
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
            if apply_local(self.session, ticket, merged.to_local, actor_id=None, now=now, action="sync",
                           origin=self.row.name, created=self.report.added):
                bump_version(ticket, now)
            self.report.updated_local += 1
            self.report.ticket_ids.add(ticket.id)
        status.base = json.dumps(base)
        status.remote_version = remote.version
        status.synced_at = now
        return merged.to_remote


def _gone_note(remote: str, detail: str) -> str:
    return _("No longer synced with {remote}: {detail}. This ticket stays as it is here; what was not "
             "sent before is kept on this PC only.").format(remote=remote, detail=detail)


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
            if apply_local(session, ticket, {conflict.field: theirs}, actor_id=actor_id, now=now,
                           action="sync-resolve"):
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

