"""The sync engine: plan the whole run, then execute it action by action.

A run first reads the remote's listing (the pull pages since the saved cursor; GET requests
only), takes a snapshot of the status table and the outbox (``snapshot``) and hands both to the
pure planner (``plan``), which says for every pulled ticket and comment and every outbox row what
will happen and why. The mass-change guard reads that plan and refuses a run that would close,
overwrite or unlink (gone upstream) too much of the store (``MassChangeRefused``;
``allow_mass_change=True`` goes ahead).
A dry run stops here and returns the plan: nothing is written, no remote write is sent.

Then the executor runs each pull action in its own transaction through the core operations
(``log_ticket``, ``_apply``, ``insert_comment``, with the remote's name as the audit ``origin``)
and saves a page's cursor once its actions are in; then it plans the push again from the outbox
as the pull left it (its merges queue updates in the same transactions) and sends each row.
Before a network call the row's ``attempts`` is raised and committed, so a run killed between
"the remote accepted" and "Desk recorded it" is recognised next time: creates are found by uuid
(Zendesk ``Idempotency-Key``/``external_id``, RT custom field), comments by text.

Updates are three-way merges per field between ``base`` (what both sides last agreed on), the
local ticket and a fresh copy of the remote ticket, sent conditionally (Zendesk ``safe_update``,
RT ``If-Match``); a lost race fetches again and re-merges. A field changed on both sides to
different values becomes a ``sync_conflicts`` row: neither side is overwritten, the field is
left out of sync until a person resolves it (``resolve_conflict``).

The code is split by responsibility: ``plan`` (the pure planner and the guard), ``snapshot``
(what it reads), ``pull`` and ``push`` (the executor's two halves), ``merge`` (the per-field merge
and conflict rows) and ``report`` (``SyncReport``). This module keeps the entry points (``sync``,
``Engine.run``) and re-exports the public names, so ``from desk.core.sync import engine`` works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.db import unit_of_work
from desk.core.models import SyncCursor, SyncPerson, SyncRemote, utcnow
from desk.core.sync import config, people_sync, snapshot
from desk.core.sync.merge import (
    MISSING,
    enqueue,
    local_fields,
    open_conflicts,
    resolve_conflict,
    to_local_values,
)
from desk.core.sync.plan import Action, MassChangeGuard, Plan
from desk.core.sync.plan import plan as plan_run
from desk.core.sync.pull import Pull
from desk.core.sync.push import MAX_RACES, Push
from desk.core.sync.remotes.base import MassChangeRefused, PullPage, Remote, RemoteError
from desk.core.sync.report import SyncReport

log = logging.getLogger(__name__)

__all__ = [
    "MAX_RACES",
    "MISSING",
    "Engine",
    "MassChangeGuard",
    "MassChangeRefused",
    "Plan",
    "RemoteError",
    "SyncReport",
    "enqueue",
    "local_fields",
    "open_conflicts",
    "resolve_conflict",
    "sync",
    "to_local_values",
]


class Engine(Pull, Push):
    """One run against one remote: plan, guard, then pull (``Pull``), push (``Push``), canned."""

    def __init__(
        self, session: Session, row: SyncRemote, remote: Remote, *,
        progress: Callable[[str, int, int], None] | None = None,
        checkpoint: Callable[[str], None] | None = None,
        dry_run: bool = False, allow_mass_change: bool = False, guard: MassChangeGuard | None = None,
    ) -> None:
        self.session = session
        self.row = row
        self.remote_id = row.id
        self.remote = remote
        self.report = SyncReport(remote=row.name, dry_run=dry_run)
        self.dry_run = dry_run
        self.guard = None if allow_mass_change else (guard or MassChangeGuard())
        self._progress = progress or (lambda _what, _done, _total: None)
        self._checkpoint = checkpoint or (lambda _where: None)
        self._known_people: set[str] = set()
        self._person_links: dict[str, int] = {}  # remote user key -> requester known by name only
        self._cursors_read: dict[str, str | None] = {}  # the adapter's other cursors as loaded

    # --- the remote's user cache ----------------------------------------------------------
    def _load_people(self) -> None:
        """Seed the adapter's user cache (remote user id -> e-mail, staff) from ``sync_people``."""
        if not self.remote.capabilities.user_directory:
            return
        users, user_ids = self.remote.users, self.remote.user_ids  # type: ignore[attr-defined]
        staff = self.remote.staff  # type: ignore[attr-defined]
        for row in self.session.scalars(select(SyncPerson).where(SyncPerson.remote_id == self.remote_id)):
            users[row.remote_user_id] = (row.email, row.name)
            if row.is_agent is not None:
                staff[row.remote_user_id] = row.is_agent
            if row.email:
                user_ids[row.email.lower()] = row.remote_user_id
        self.session.rollback()
        self._known_people = set(users)

    def _save_people(self) -> None:
        if self.dry_run or not self.remote.capabilities.user_directory:
            return
        users = self.remote.users  # type: ignore[attr-defined]
        staff = self.remote.staff  # type: ignore[attr-defined]
        new = {key: value for key, value in users.items() if key not in self._known_people}
        if new:
            with unit_of_work(self.session):
                for key, (email, name) in new.items():
                    self.session.merge(SyncPerson(remote_id=self.remote_id, remote_user_id=key, email=email,
                                                  name=name, is_agent=staff.get(key)))

    def _apply_names(self) -> None:
        """The remote users the adapter was shown so far: remember their names, follow renames
        (``people_sync``). Run after the pull and again after the push (a create's answer)."""
        if self.dry_run or not self.remote.capabilities.people_names:
            return
        seen = self.remote.seen_people  # type: ignore[attr-defined]
        batch, seen[:] = list(seen), []
        links, self._person_links = self._person_links, {}
        people_sync.apply_names(self.session, remote_id=self.remote_id, origin=self.row.name, seen=batch,
                                report=self.report, links=links)

    # --- plan -------------------------------------------------------------------------------
    def listing(self) -> list[PullPage]:
        """Every page the remote has for us since the saved cursor (reads only)."""
        cursor_row = self.session.get(SyncCursor, (self.remote_id, "pull"))
        cursor = cursor_row.value if cursor_row else None
        caps = self.remote.capabilities
        if caps.live_line:  # Zendesk: read the live line by id (its export lags)
            from desk.core.sync.probe import agreed_versions, live_line

            self.remote.watch = live_line(self.session, self.remote_id)  # type: ignore[attr-defined]
            self.remote.versions_of = (  # type: ignore[attr-defined]
                lambda ids: agreed_versions(self.session, self.remote_id, ids))
        if caps.extra_cursors:  # Zendesk: the survey responses' position ("csat"), the users'
            self.remote.cursors = {row.name: row.value for row in self.session.scalars(  # type: ignore[attr-defined]
                select(SyncCursor).where(SyncCursor.remote_id == self.remote_id, SyncCursor.name != "pull"))}
            self._cursors_read = dict(self.remote.cursors)  # type: ignore[attr-defined]
        self.session.rollback()
        return list(self.remote.pull(cursor))

    def make_plan(self, pages: list[PullPage]) -> Plan:
        shot = snapshot.take(self.session, remote_id=self.remote_id, pages=pages)
        return plan_run(pages=pages, snapshot=shot, same=self.same, maps=self._maps())

    # --- execute ----------------------------------------------------------------------------
    def execute_pull(self, pages: list[PullPage], plan: Plan) -> None:
        by_page: dict[int, list[Action]] = {}
        for action in plan.actions:
            if action.page is not None:
                by_page.setdefault(action.page, []).append(action)
        cursor_row = self.session.get(SyncCursor, (self.remote_id, "pull"))
        cursor = cursor_row.value if cursor_row else None
        self.session.rollback()
        for number, page in enumerate(pages):
            applied: set[int] = set()  # a ticket with a conflict and an update is one transaction
            for action in by_page.get(number, []):
                if action.comment is not None:
                    if action.kind != "skip" or action.records:
                        self._apply_comment(action.comment)
                        self._checkpoint("pulled comment")
                elif action.ticket is not None and id(action.ticket) not in applied:
                    applied.add(id(action.ticket))
                    self._apply_ticket(action.ticket)  # also records the version of an unchanged one
                    self._checkpoint("pulled ticket")
            if page.cursor and page.cursor != cursor:
                with unit_of_work(self.session):
                    self.session.merge(SyncCursor(remote_id=self.remote_id, name="pull", value=page.cursor))
                cursor = page.cursor
            self.report.pulled += len(page.tickets)
            self._progress("pull", self.report.pulled, 0)

    def _save_cursors(self) -> None:
        """The adapter's other positions, once what they brought is in (``execute_pull``)."""
        if self.dry_run or not self.remote.capabilities.extra_cursors:
            return
        cursors = self.remote.cursors  # type: ignore[attr-defined]
        if not cursors:
            return
        changed = {name: value for name, value in cursors.items()
                   if value is not None and self._cursors_read.get(name) != value}
        if changed:
            with unit_of_work(self.session):
                for name, value in changed.items():
                    self.session.merge(SyncCursor(remote_id=self.remote_id, name=name, value=value))
            self._cursors_read.update(changed)

    def execute_push(self) -> None:
        push_plan = self.make_plan([])  # the outbox as the pull left it
        self.push([action.outbox_id for action in push_plan.actions if action.outbox_id is not None])

    # --- the whole run ----------------------------------------------------------------------
    def run(self) -> SyncReport:
        before = self.remote.http.requests
        self._load_people()
        try:
            pages = self.listing()
            for page in pages:  # what the adapter left out (sync/validate.py), and where paging stopped
                self.report.skipped.extend(page.skipped)
                self.report.notes.extend(page.notes)
                self.report.notes.extend(_long_subjects(self.row.name, page))
            self.report.plan = self.make_plan(pages)
            if self.dry_run:  # the plan is the answer, with the guard's word on it
                self.report.pulled = sum(len(page.tickets) for page in pages)
                try:
                    if self.guard is not None:
                        self.guard.check(self.report.plan, remote=self.row.name)
                except MassChangeRefused as refused:
                    self.report.refused = refused.message
                return self.report
            if self.guard is not None:
                self.guard.check(self.report.plan, remote=self.row.name)
            self.execute_pull(pages, self.report.plan)
            self._save_cursors()
            self._apply_names()
            self.execute_push()
            self._apply_names()
            if self.remote.capabilities.canned:
                self.pull_canned()
        except errors.DeskError as exc:  # the remote's trouble, or the store's (full, locked...)
            self.session.rollback()
            if not self.dry_run:
                try:
                    self._save_people()
                    config.record_failure(self.session, remote_id=self.remote_id,
                                          message=self.remote.http.scrub(exc.message))
                except errors.DeskError as unrecorded:  # e.g. the store that failed cannot take it
                    self.session.rollback()
                    log.warning("sync %s: could not record the failure (%s): %s", self.row.name, exc.message,
                                unrecorded.message)
            raise
        finally:
            self.report.requests = self.remote.http.requests - before
            if self.remote.capabilities.run_notes:
                notes = self.remote.notes  # type: ignore[attr-defined]
                self.report.notes.extend(note for note in notes if note not in self.report.notes)
        self._save_people()
        with unit_of_work(self.session):
            row = self.session.get(SyncRemote, self.remote_id)
            if row is not None:
                row.last_synced_at = utcnow()
                row.last_error = self.remote.http.scrub("; ".join(self.report.failed + self.report.notes))[:500] or None
        return self.report


def _long_subjects(remote: str, page: PullPage) -> list[str]:
    """Said, not silent: a remote subject longer than Desk keeps is cut here (never upstream)."""
    from desk.core.i18n import _
    from desk.core.ops.tickets import MAX_SUBJECT

    return [_("{remote} ticket {id}: its subject has {length:,} characters; Desk shows the first {limit} "
              "and leaves the remote's whole.").format(remote=remote, id=ticket.remote_id, length=len(subject),
                                                      limit=MAX_SUBJECT)
            for ticket in page.tickets
            if isinstance(subject := ticket.fields.get("subject"), str) and len(" ".join(subject.split())) > MAX_SUBJECT]


def sync(
    session: Session, name: str, *, remote: Remote | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    checkpoint: Callable[[str], None] | None = None, dry_run: bool = False,
    allow_mass_change: bool = False, **http_options: Any,
) -> SyncReport:
    """One sync run of the remote called ``name`` (adapter built from its config and keyring
    secret unless ``remote`` is given). ``dry_run`` plans and changes nothing (the plan is
    ``report.plan``); ``allow_mass_change`` lets a run past the mass-change guard."""
    from desk.core.sync.remotes import build_remote

    row = config.get_remote(session, name)
    session.rollback()
    own = remote is None
    try:
        adapter = remote if remote is not None else build_remote(row, **http_options)
    except errors.DeskError as exc:  # no token, a locked keyring: a failed run like any other
        if not dry_run:  # else the last success's "Last synced" would stand at the next start
            config.record_failure(session, remote_id=row.id, message=exc.message)
        raise
    try:
        return Engine(session, row, adapter, progress=progress, checkpoint=checkpoint, dry_run=dry_run,
                      allow_mass_change=allow_mass_change).run()
    finally:
        if own:
            adapter.close()
