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

The code is split by responsibility: ``pull`` (remote to local), ``push`` (outbox to remote) and
``merge`` (the per-field merge, conflict rows and what both directions share). This module keeps
the entry points (``sync``, ``Engine.run``, ``SyncReport``) and re-exports the public names, so
``from desk.core.sync import engine`` keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import SyncPerson, SyncRemote, utcnow
from desk.core.sync.merge import (
    MISSING,
    enqueue,
    local_fields,
    open_conflicts,
    resolve_conflict,
    to_local_values,
)
from desk.core.sync.pull import Pull
from desk.core.sync.push import MAX_RACES, Push
from desk.core.sync.remotes.base import Remote, RemoteError

__all__ = [
    "MAX_RACES",
    "MISSING",
    "Engine",
    "SyncReport",
    "enqueue",
    "local_fields",
    "open_conflicts",
    "resolve_conflict",
    "sync",
    "to_local_values",
]


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
                       people=True, choices=True, remotes=True)


class Engine(Pull, Push):
    """One run against one remote: pull (``Pull``), then push (``Push``), then canned responses."""

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
