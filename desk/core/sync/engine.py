"""The sync engine: pull remote changes, push the outbox, keep conflicts.

A run first pulls: for each page the remote gives, each ticket and each comment is applied in
its own transaction, and the page's cursor is saved once the page is in. Then it pushes: each
outbox row (written by triggers in the same transaction as the local change) is one action.
Before a network call the row's ``attempts`` is raised and committed, so a run killed between
"the remote accepted" and "Desk recorded it" is recognised next time: creates are found by uuid
(Zendesk ``Idempotency-Key``/``external_id``, RT custom field), comments by text.

Updates are three-way merges per field between ``base`` (what both sides last agreed on), the
local ticket and a fresh copy of the remote ticket, sent conditionally (Zendesk ``safe_update``,
RT ``If-Match``); a lost race fetches again and re-merges. A field changed on both sides to
different values becomes a ``sync_conflicts`` row: neither side is overwritten, the field is
left out of sync until a person resolves it (``resolve_conflict``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import (
    CannedResponse,
    Category,
    Comment,
    SyncComment,
    SyncConflict,
    SyncCursor,
    SyncOutbox,
    SyncPerson,
    SyncRemote,
    SyncStatus,
    Ticket,
    utcnow,
)
from desk.core.ops import people
from desk.core.ops._audit import record
from desk.core.ops.tickets import _apply, log_ticket
from desk.core.sync.remotes.base import (
    SYNCED_FIELDS,
    Remote,
    RemoteAuthError,
    RemoteComment,
    RemoteConflict,
    RemoteError,
    RemoteTicket,
    RemoteUnavailable,
)

MISSING = object()
MAX_RACES = 3


@dataclass
class SyncReport:
    remote: str
    pulled: int = 0
    created_local: int = 0
    updated_local: int = 0
    comments_in: int = 0
    created_remote: int = 0
    updated_remote: int = 0
    comments_out: int = 0
    conflicts: int = 0
    requests: int = 0
    failed: list[str] = field(default_factory=list)
    ticket_ids: set[int] = field(default_factory=set)

    def changes(self) -> Changes:
        return Changes(ticket_ids=frozenset(self.ticket_ids), tickets=True, comments=True,
                       people=True, settings=True)


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


class Engine:
    def __init__(
        self, session: Session, row: SyncRemote, remote: Remote, *,
        progress: Callable[[str, int, int], None] | None = None,
        checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.row = row
        self.remote_id = row.id
        self.remote = remote
        self.report = SyncReport(remote=row.name)
        self._progress = progress or (lambda _what, _done, _total: None)
        self._checkpoint = checkpoint or (lambda _where: None)

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

    # --- pull ---------------------------------------------------------------------------
    def pull(self) -> None:
        cursor_row = self.session.get(SyncCursor, (self.remote_id, "pull"))
        cursor = cursor_row.value if cursor_row else None
        self.session.rollback()
        for page in self.remote.pull(cursor):
            for remote_ticket in page.tickets:
                self._apply_ticket(remote_ticket)
                self._checkpoint("pulled ticket")
            for comment in page.comments:
                self._apply_comment(comment)
                self._checkpoint("pulled comment")
            if page.cursor and page.cursor != cursor:
                with unit_of_work(self.session):
                    self.session.merge(SyncCursor(remote_id=self.remote_id, name="pull", value=page.cursor))
                cursor = page.cursor
            self.report.pulled += len(page.tickets)
            self._progress("pull", self.report.pulled, 0)

    def _apply_ticket(self, remote_ticket: RemoteTicket) -> None:
        now = utcnow()
        with unit_of_work(self.session):
            mark = self._outbox_mark()
            status = self._status_by_remote(remote_ticket.remote_id)
            if status is not None:
                ticket = self.session.get(Ticket, status.ticket_id)
                if ticket is None:
                    return
                to_remote = self._merge(ticket, status, remote_ticket, now=now)
            else:
                ticket = None
                if remote_ticket.uuid:
                    ticket = self.session.scalar(select(Ticket).where(Ticket.uuid == remote_ticket.uuid))
                if ticket is not None and self._status_by_ticket(ticket.id) is None:
                    # Our create went through but its answer was lost: link, don't duplicate.
                    status = SyncStatus(remote_id=self.remote_id, ticket_id=ticket.id,
                                        remote_ticket_id=remote_ticket.remote_id,
                                        base=json.dumps(remote_ticket.fields), synced_at=now)
                    self.session.add(status)
                    self.session.execute(delete(SyncOutbox).where(
                        SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket.id,
                        SyncOutbox.kind == "create"))
                    to_remote = self._merge(ticket, status, remote_ticket, now=now)
                else:
                    if ticket is not None:  # the uuid is taken by another linked ticket: a copy upstream
                        remote_ticket.uuid = None
                    ticket = self._create_local(remote_ticket, now=now)
                    status = SyncStatus(remote_id=self.remote_id, ticket_id=ticket.id,
                                        remote_ticket_id=remote_ticket.remote_id, synced_at=now)
                    self.session.add(status)
                    to_remote = self._merge(ticket, status, remote_ticket, now=now)
            self.session.flush()
            self._drop_echo(mark, ticket.id)
            if to_remote:
                self.session.execute(enqueue(self.remote_id, ticket.id, now))

    def _create_local(self, remote_ticket: RemoteTicket, *, now: datetime) -> Ticket:
        values = remote_ticket.fields
        requester_id = self._person(values.get("requester"), remote_ticket.requester_name)
        if requester_id is None:
            requester_id = people.ensure_requester(
                self.session, email=None, name=remote_ticket.requester_name or "Unknown requester").created_id
        created = remote_ticket.created_at if remote_ticket.created_at and remote_ticket.created_at <= now else now
        changes = log_ticket(
            self.session, actor_id=None, requester_id=requester_id, subject=values.get("subject") or "(no subject)",
            channel="web", category_id=self._category_id(values.get("category")),
            description=remote_ticket.description or "", priority=values.get("priority") or "normal",
            arrived_at=created, uuid=remote_ticket.uuid or None, now=now,
        )
        ticket = self.session.get(Ticket, changes.created_id)
        assert ticket is not None
        rest = {"status": values.get("status") or "new", "assignee_id": self._person(values.get("assignee"), agent=True)}
        _apply(self.session, ticket, rest, actor_id=None, now=now, action="sync")
        self.report.created_local += 1
        self.report.ticket_ids.add(ticket.id)
        return ticket

    def _apply_comment(self, comment: RemoteComment) -> None:
        with unit_of_work(self.session):
            if self.session.get(SyncComment, (self.remote_id, comment.remote_id)) is not None:
                return
            status = self._status_by_remote(comment.ticket_remote_id)
            ticket = self.session.get(Ticket, status.ticket_id) if status else None
            if ticket is None:
                return
            if comment.is_description:
                if not ticket.description and comment.body:
                    ticket.description = comment.body
                self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id))
                return
            # A reply we sent whose answer was lost: the in-flight outbox row claims it.
            for row in self.session.scalars(select(SyncOutbox).where(
                    SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket.id,
                    SyncOutbox.kind == "comment", SyncOutbox.attempts > 0).order_by(SyncOutbox.id)):
                local = self.session.get(Comment, row.comment_id)
                if local is not None and local.body == comment.body and local.is_public == comment.public:
                    self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id,
                                                 comment_id=local.id))
                    self.session.delete(row)
                    return
            mark = self._outbox_mark()
            author = people.find_person_by_email(self.session, comment.author_email) if comment.author_email else None
            now = utcnow()
            local = Comment(ticket_id=ticket.id, author_id=author.id if author else None, body=comment.body,
                            is_public=comment.public, created_at=min(comment.created_at or now, now))
            self.session.add(local)
            self.session.flush()
            record(self.session, ticket_id=ticket.id, actor_id=local.author_id, at=now,
                   action="reply" if comment.public else "note", field="sync", new=self.row.name)
            self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id,
                                         comment_id=local.id))
            self.session.execute(delete(SyncOutbox).where(
                SyncOutbox.id > mark, SyncOutbox.remote_id == self.remote_id, SyncOutbox.comment_id == local.id))
            self.report.comments_in += 1
            self.report.ticket_ids.add(ticket.id)

    # --- push ---------------------------------------------------------------------------
    def push(self) -> None:
        ids = list(self.session.scalars(select(SyncOutbox.id).where(
            SyncOutbox.remote_id == self.remote_id).order_by(SyncOutbox.id)))
        self.session.rollback()
        for done, outbox_id in enumerate(ids, 1):
            row = self.session.get(SyncOutbox, outbox_id)
            if row is None:
                self.session.rollback()
                continue
            kind, ticket_id, attempts = row.kind, row.ticket_id, row.attempts
            try:
                if kind == "create":
                    self._push_create(outbox_id, ticket_id, attempts)
                elif kind == "update":
                    self._push_update(outbox_id, ticket_id)
                else:
                    self._push_comment(outbox_id, ticket_id, row.comment_id, attempts)
            except (RemoteUnavailable, RemoteAuthError):
                self.session.rollback()
                raise
            except RemoteError as exc:
                self.session.rollback()
                with unit_of_work(self.session):
                    failed = self.session.get(SyncOutbox, outbox_id)
                    if failed is not None:
                        failed.last_error = exc.message[:500]
                self.report.failed.append(f"ticket #{ticket_id}: {exc.message}")
            self._checkpoint(f"pushed {kind}")
            self._progress("push", done, len(ids))

    def _started(self, outbox_id: int) -> None:
        with unit_of_work(self.session):
            row = self.session.get(SyncOutbox, outbox_id)
            if row is not None:
                row.attempts += 1

    def _finish(self, outbox_id: int) -> None:
        row = self.session.get(SyncOutbox, outbox_id)
        if row is not None:
            self.session.delete(row)

    def _push_create(self, outbox_id: int, ticket_id: int, attempts: int) -> None:
        ticket = self.session.get(Ticket, ticket_id)
        if ticket is None or self._status_by_ticket(ticket_id) is not None:
            with unit_of_work(self.session):
                self._finish(outbox_id)
            return
        sent = local_fields(ticket)
        uuid, description = ticket.uuid, ticket.description
        requester_name = ticket.requester.name if ticket.requester else None
        self.session.rollback()
        self._warm(sent)
        self._started(outbox_id)
        found = self.remote.find_by_uuid(uuid) if attempts > 0 else None
        self._checkpoint("create: looked up")
        if found is None:
            found = self.remote.create(uuid=uuid, fields=sent, description=description,
                                       requester_name=requester_name)
            self.report.created_remote += 1
        self._checkpoint("create: sent")
        now = utcnow()
        with unit_of_work(self.session):
            ticket = self.session.get(Ticket, ticket_id)
            if ticket is None:
                return
            mark = self._outbox_mark()
            status = SyncStatus(remote_id=self.remote_id, ticket_id=ticket_id, remote_ticket_id=found.remote_id,
                                base=json.dumps(sent), synced_at=now)
            self.session.add(status)
            to_remote = self._merge(ticket, status, found, now=now)
            self.session.flush()
            self._drop_echo(mark, ticket_id)
            self._finish(outbox_id)
            if to_remote:
                self.session.execute(enqueue(self.remote_id, ticket_id, now))

    def _push_update(self, outbox_id: int, ticket_id: int) -> None:
        for _race in range(MAX_RACES):
            ticket = self.session.get(Ticket, ticket_id)
            status = self._status_by_ticket(ticket_id)
            if ticket is None or status is None:
                # Not on the remote yet: a pending create will send it; else it predates the remote.
                with unit_of_work(self.session):
                    self._finish(outbox_id)
                    if ticket is not None and status is None:
                        self.session.execute(enqueue(self.remote_id, ticket_id, utcnow(), "create"))
                return
            base = json.loads(status.base or "{}")
            local = local_fields(ticket)
            conflicts = self._open_conflicts(ticket_id)
            diff = [n for n in SYNCED_FIELDS
                    if n not in conflicts and (n not in base or not self.same(n, local[n], base[n]))]
            if not diff:
                with unit_of_work(self.session):
                    self._finish(outbox_id)
                return
            remote_ticket_id = status.remote_ticket_id
            self.session.rollback()
            self._warm(local)
            fresh = self.remote.get(remote_ticket_id)
            now = utcnow()
            with unit_of_work(self.session):
                ticket = self.session.get(Ticket, ticket_id)
                status = self._status_by_ticket(ticket_id)
                if ticket is None or status is None:
                    return
                mark = self._outbox_mark()
                to_remote = self._merge(ticket, status, fresh, now=now)
                self.session.flush()
                self._drop_echo(mark, ticket_id)
                if not to_remote:
                    self._finish(outbox_id)
                    return
            self._checkpoint("update: merged")
            try:
                updated = self.remote.update(remote_ticket_id, version=fresh.version, changes=to_remote)
            except RemoteConflict:
                continue  # someone changed it between our read and our write: read again
            self._checkpoint("update: sent")
            with unit_of_work(self.session):
                ticket = self.session.get(Ticket, ticket_id)
                status = self._status_by_ticket(ticket_id)
                if ticket is None or status is None:
                    return
                base = json.loads(status.base or "{}")
                base.update(to_remote)
                status.base = json.dumps(base)
                mark = self._outbox_mark()
                again = self._merge(ticket, status, updated, now=utcnow())
                self.session.flush()
                self._drop_echo(mark, ticket_id)
                if not again:
                    self._finish(outbox_id)
            self.report.updated_remote += 1
            if not again:
                return
        raise RemoteConflict(f"Ticket #{ticket_id} kept changing on {self.row.name}; it will be retried.")

    def _push_comment(self, outbox_id: int, ticket_id: int, comment_id: int | None, attempts: int) -> None:
        comment = self.session.get(Comment, comment_id) if comment_id else None
        status = self._status_by_ticket(ticket_id)
        mapped = comment_id is not None and self.session.scalar(select(SyncComment).where(
            SyncComment.remote_id == self.remote_id, SyncComment.comment_id == comment_id)) is not None
        if comment is None or mapped:
            with unit_of_work(self.session):
                self._finish(outbox_id)
            return
        if status is None:
            pending_create = self.session.scalar(select(SyncOutbox.id).where(
                SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket_id,
                SyncOutbox.kind.in_(("create", "update"))))
            self.session.rollback()
            if pending_create is None:
                with unit_of_work(self.session):
                    self.session.execute(enqueue(self.remote_id, ticket_id, utcnow(), "create"))
            raise RemoteConflict(f"Ticket #{ticket_id} is not on {self.row.name} yet; its reply waits.")
        remote_ticket_id, body, public = status.remote_ticket_id, comment.body, comment.is_public
        self.session.rollback()
        self._started(outbox_id)
        remote_comment_id = None
        if attempts > 0:  # sent before, answer lost? look for it instead of sending twice
            taken = set(self.session.scalars(select(SyncComment.remote_comment_id).where(
                SyncComment.remote_id == self.remote_id)))
            self.session.rollback()
            for candidate in self.remote.comments_of(remote_ticket_id):
                if (not candidate.is_description and candidate.body == body and candidate.public == public
                        and candidate.remote_id not in taken):
                    remote_comment_id = candidate.remote_id
                    break
        if remote_comment_id is None:
            remote_comment_id = self.remote.add_comment(remote_ticket_id, body=body, public=public)
            self.report.comments_out += 1
        self._checkpoint("comment: sent")
        with unit_of_work(self.session):
            self.session.merge(SyncComment(remote_id=self.remote_id, remote_comment_id=remote_comment_id,
                                           comment_id=comment_id))
            self._finish(outbox_id)

    # --- canned responses ---------------------------------------------------------------
    def pull_canned(self) -> None:
        items = self.remote.canned()
        if not items:
            return
        with unit_of_work(self.session):
            for item in items:
                title = f"{item.title} ({self.row.name})"  # never clobbers a local response
                row = self.session.scalar(select(CannedResponse).where(
                    CannedResponse.title == title, CannedResponse.owner_id.is_(None)))
                if row is None:
                    row = CannedResponse(title=title, created_at=utcnow())
                    self.session.add(row)
                row.body, row.actions, row.updated_at = item.body, json.dumps(item.actions), utcnow()

    # --- the whole run ------------------------------------------------------------------
    def _load_people(self) -> None:
        """Seed the adapter's user cache (remote user id -> e-mail) from ``sync_people``."""
        cache = getattr(self.remote, "users", None)
        if cache is None:
            return
        for row in self.session.scalars(select(SyncPerson).where(SyncPerson.remote_id == self.remote_id)):
            cache[row.remote_user_id] = (row.email, row.name)
            if row.email:
                self.remote.user_ids[row.email.lower()] = row.remote_user_id  # type: ignore[attr-defined]
        self.session.rollback()
        self._known_people = set(cache)

    def _save_people(self) -> None:
        cache = getattr(self.remote, "users", None)
        if not cache:
            return
        new = {key: value for key, value in cache.items() if key not in getattr(self, "_known_people", set())}
        if new:
            with unit_of_work(self.session):
                for key, (email, name) in new.items():
                    self.session.merge(SyncPerson(remote_id=self.remote_id, remote_user_id=key, email=email,
                                                  name=name))

    def run(self) -> SyncReport:
        http = getattr(self.remote, "http", None)
        before = http.requests if http is not None else 0
        self._load_people()
        try:
            self.pull()
            self.push()
            self.pull_canned()
        except RemoteError as exc:
            self.session.rollback()
            self._save_people()
            with unit_of_work(self.session):
                row = self.session.get(SyncRemote, self.remote_id)
                if row is not None:
                    row.last_error = exc.message[:500]
            raise
        finally:
            if http is not None:
                self.report.requests = http.requests - before
        self._save_people()
        with unit_of_work(self.session):
            row = self.session.get(SyncRemote, self.remote_id)
            if row is not None:
                row.last_synced_at = utcnow()
                row.last_error = "; ".join(self.report.failed)[:500] or None
        return self.report


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


def sync(
    session: Session, name: str, *, remote: Remote | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    checkpoint: Callable[[str], None] | None = None, **http_options: Any,
) -> SyncReport:
    """One sync run of the remote called ``name`` (adapter built from its config and keyring
    secret unless ``remote`` is given)."""
    from desk.core.sync.config import get_remote
    from desk.core.sync.remotes import build_remote

    row = get_remote(session, name)
    session.rollback()
    own = remote is None
    adapter = remote if remote is not None else build_remote(row, **http_options)
    try:
        return Engine(session, row, adapter, progress=progress, checkpoint=checkpoint).run()
    finally:
        if own:
            adapter.close()
