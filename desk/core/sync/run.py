"""Syncing every remote in one go: the one function the window and `desk sync` both call.

``sync_all(store_or_session, names=None, ...)`` runs ``engine.sync`` for each remote in turn and
returns a ``SyncRun``: a report per remote that synced and a ``RemoteFailure`` per remote that
did not. One remote's failure never hides behind another's success: callers look at
``run.failures`` (the window shows them in the status bar instead of "Last synced", the CLI
exits non-zero naming the remote).

A run can be cancelled from another thread (``cancel``, a ``threading.Event``): the engine's
checkpoints come between actions, each action being its own transaction, so stopping there
loses nothing and the next run carries on where this one stopped. Runs log what they did per
remote to ``desk.sync`` at info level; error messages of the core never hold a secret.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import session_of
from desk.core.models import utcnow
from desk.core.sync import config

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desk.core.db import Store
    from desk.core.sync.engine import SyncReport

log = logging.getLogger("desk.sync")
# Where the program has set up no logging (e.g. `desk sync` before the log file is configured),
# Python's last-resort handler would print the warnings next to the CLI's own messages.
log.addHandler(logging.NullHandler())

# What a remote that failed part-way may have changed: its pulls before the failure were each
# committed, but the engine raised before it could report them.
PARTIAL_RUN_CHANGES = Changes(tickets=True, comments=True, people=True, choices=True, remotes=True)


class SyncCancelled(Exception):  # noqa: N818 - it is not an error: someone asked to stop
    """Raised at an engine checkpoint once the run's ``cancel`` event is set."""


@dataclass(frozen=True)
class RemoteFailure:
    """One remote that did not sync. ``message`` is the core's own words (never a secret)."""

    remote: str
    message: str
    error: errors.DeskError = field(compare=False, repr=False)

    @property
    def offline(self) -> bool:
        """The remote could not be reached (local work waits in the outbox)."""
        from desk.core.sync.remotes.base import RemoteUnavailable

        return isinstance(self.error, RemoteUnavailable)


@dataclass
class SyncRun:
    """What one ``sync_all`` did: per-remote reports and per-remote failures."""

    reports: list[SyncReport] = field(default_factory=list)
    failures: list[RemoteFailure] = field(default_factory=list)
    cancelled: bool = False  # stopped at a checkpoint; the remotes after it were not tried
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """Every remote asked for synced (items a remote refused are in ``not_sent``)."""
        return not self.failures and not self.cancelled

    @property
    def not_sent(self) -> list[tuple[str, str]]:
        """(remote, problem) for each outbox item a remote refused; they stay in the outbox."""
        return [(report.remote, problem) for report in self.reports for problem in report.failed]

    def changes(self) -> Changes:
        """The union of the reports' Changes (and what a failed or cancelled remote may have
        changed before it stopped), for one refresh of every screen."""
        merged = Changes()
        for report in self.reports:
            merged = merged | report.changes()
        if self.failures or self.cancelled:
            merged = merged | PARTIAL_RUN_CHANGES
        return merged


def sync_all(
    store_or_session: Store | Session, *, names: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    checkpoint: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
    **options: Any,
) -> SyncRun:
    """Sync the remotes called ``names`` (every configured remote by default), one after the
    other; ``options`` go to ``engine.sync`` (HTTP options, and the engine's own flags).

    An environment error of one remote (offline, refused sign-in, missing token, unknown name)
    is recorded in ``run.failures`` and the next remote is tried. A bug is raised. When
    ``cancel`` is set the run stops at the next checkpoint with ``run.cancelled``.
    """
    from desk.core.sync import engine

    run = SyncRun()

    def check(where: str) -> None:
        if cancel is not None and cancel.is_set():
            raise SyncCancelled(where)
        if checkpoint is not None:
            checkpoint(where)

    with session_of(store_or_session) as session:
        if names is None:
            names = [row.name for row in config.list_remotes(session)]
        session.rollback()  # no read snapshot held across the network calls
        for name in names:
            try:
                check("next remote")
            except SyncCancelled:
                run.cancelled = True
                break
            started = time.monotonic()
            try:
                report = engine.sync(session, name, progress=progress, checkpoint=check, **options)
            except SyncCancelled as exc:
                session.rollback()
                run.cancelled = True
                log.info("sync %s: cancelled at %s after %.1f s; the next run carries on", name, exc,
                         time.monotonic() - started)
                break
            except errors.DeskError as exc:
                session.rollback()
                run.failures.append(RemoteFailure(remote=name, message=exc.message, error=exc))
                log.warning("sync %s failed after %.1f s (%s): %s", name, time.monotonic() - started,
                            type(exc).__name__, exc.message)
                continue
            run.reports.append(report)
            _log_report(report, seconds=time.monotonic() - started)
    run.finished_at = utcnow()
    log.info("sync run: %d synced, %d failed%s", len(run.reports), len(run.failures),
             ", cancelled" if run.cancelled else "")
    return run


def _log_report(report: SyncReport, *, seconds: float) -> None:
    log.info("sync %s: pulled %d (new %d, changed %d, replies %d); pushed new %d, changed %d, "
             "replies %d; conflicts %d; %d not sent; %d requests in %.1f s",
             report.remote, report.pulled, report.created_local, report.updated_local, report.comments_in,
             report.created_remote, report.updated_remote, report.comments_out, report.conflicts,
             len(report.failed), report.requests, seconds)
    for problem in report.failed:
        log.warning("sync %s: not sent: %s", report.remote, problem)
    for line in [*report.notes, *report.skipped]:
        log.warning("sync %s: %s", report.remote, line)
