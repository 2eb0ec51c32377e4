"""The Sync menu and status: "Sync now" in the background with progress, "last synced" time,
an offline indicator, how many tickets are not yet synced and how many sync conflicts are open
(refreshed after each run and on ``changes_executed``), automatic sync (on start, two seconds
after each local change and every 30 s by default; configurable, or off), and Settings → Remotes.

``install(main_window)`` adds the actions to ``main_window.menu("Sync")`` and the indicator to
the status bar. A run is ``desk.core.sync.run.sync_all`` on a thread of its own with its own
Session (each of its transactions is short; the store's busy timeout covers the overlap with
the DB worker); progress and the result come back through queued signals, and screens refresh
through ``changes_executed``. "Last synced" is shown only when every remote synced: a remote
that failed is named in the status bar with the reason.

Closing the window cancels a run at its next checkpoint (between two actions, each its own
transaction, so nothing is lost) and does not wait for it: the thread is not the window's, so
a request that hangs cannot freeze the close (``app.run`` gives it a few seconds to stop cleanly
before the store is closed; the next run carries on where it stopped).
"""

from __future__ import annotations

import threading
from datetime import datetime

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QProgressBar, QWidget

from desk.core.changes import Changes
from desk.core.db import Store
from desk.core.i18n import N_, _, ngettext
from desk.core.sync import config, probe
from desk.core.sync.run import SyncRun, sync_all
from desk.ui import plain_text, theme
from desk.ui.errors import show_error
from desk.ui.settings.remotes import RemotesDialog
from desk.ui.tasks import EXTERNAL, Tasks

# Seconds between background syncs; 0 = only when asked. With a remote, Desk also syncs on start
# and CHANGE_DELAY_MS after each local change, so a claim on one PC shows on the others within
# seconds (issue 14: the PCs of one desk share their line through the helpdesk).
# Between runs a one-request probe (``desk.core.sync.probe``) looks every PROBE_MS for another
# PC's change, so a claim shows here in seconds although a full sync runs only every 30 s.
INTERVALS = (0, 30, 120, 300, 900)
DEFAULT_INTERVAL = probe.DEFAULT_INTERVAL_S
CHANGE_DELAY_MS = probe.CHANGE_DELAY_S * 1000  # a burst of edits goes up as one run
PROBE_MS = probe.PROBE_S * 1000
NOT_SYNCED = N_("Not synced yet")
NO_REMOTE = N_("Local only")


def failed_style() -> str:
    """Red from the palette's light/dark pair (readable on the status bar in both themes)."""
    return _('color: {error_css}; font-weight: bold;').format(error_css=theme.error_css())


MESSAGE_CHARS = 90  # of a failure's message in the status bar; the tooltip has all of it
SYNC_TIP = N_("Send local changes and fetch remote ones now")
NO_REMOTE_MESSAGE = N_("Nothing to sync: no remote helpdesk is set up. Desk works on its own; add Zendesk or "
                       "Request Tracker under Sync → Remotes… to share tickets.")
NO_REMOTE_TIP = N_("Add a remote helpdesk under Sync → Remotes to sync")


class _Bridge(QObject):
    """Carries a run's progress and result from its thread to the window (queued signals).
    It has no parent: the run's thread keeps it alive even after the window is gone."""

    progress = Signal(str, int, int)
    ended = Signal(object)  # the SyncRun, or the exception of a bug


def failure_text(run: SyncRun) -> str:
    """``Sync failed: zd2 — <its message>`` (the first failure; the tooltip lists them all)."""
    first = run.failures[0]
    message = first.message if len(first.message) <= MESSAGE_CHARS else first.message[:MESSAGE_CHARS - 1] + "…"
    more = _(' (and {value} more)').format(value=len(run.failures) - 1) if len(run.failures) > 1 else ""
    return _('Sync failed: {remote} — {message}{more}').format(remote=first.remote, message=message, more=more)


def failure_tip(run: SyncRun, when: datetime) -> str:
    lines = [_('Sync at {astimezone:%H:%M} did not reach every remote:').format(astimezone=when.astimezone())]
    lines += [f"• {failure.remote}: {failure.message}" for failure in run.failures]
    synced = [report.remote for report in run.reports]
    if synced:
        lines.append(_('Synced: {join}.').format(join=', '.join(synced)))
    lines.append(_("Local changes wait in the outbox; Sync now tries again."))
    return "\n".join(lines)


class SyncStatus(QWidget):
    """Status-bar part: progress while syncing, last synced time, offline mark."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(_("Sync progress"))
        self.progress.setToolTip(_("Sync in progress"))
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.label = QLabel(_(NOT_SYNCED), self)
        self.label.setAccessibleName(_("Sync status"))
        self.label.setToolTip(_("When Desk last synced with the remote helpdesks"))
        self.offline = QLabel(_("● Offline"), self)
        self.offline.setAccessibleName(_("Offline indicator"))
        self.offline.setToolTip(_("Desk could not reach a remote helpdesk; local work waits in the outbox"))
        self.offline.setStyleSheet(failed_style())
        self.offline.hide()
        layout.addWidget(self.progress)
        layout.addWidget(self.offline)
        self.counts = QLabel(self)
        self.counts.setObjectName("syncCounts")
        self.counts.setAccessibleName(_("Sync backlog"))
        self.counts.setToolTip(_("Tickets with local changes not yet synced, and sync conflicts to resolve"))
        self.counts.hide()
        layout.addWidget(self.label)
        layout.addWidget(self.counts)

    def show_counts(self, counts: config.SyncCounts) -> None:
        """``3 not synced · 1 conflict`` (hidden while no remote is configured)."""
        self.counts.setVisible(counts.remotes > 0)
        # Working alone (no remote helpdesk configured) is normal: say so, not "not synced".
        if counts.remotes == 0 and self.label.text() == _(NOT_SYNCED):
            self.label.setText(_(NO_REMOTE))
            self.label.setToolTip(_("Desk works on its own; add Zendesk or RT under Sync → Remotes to sync"))
        elif counts.remotes > 0 and self.label.text() == _(NO_REMOTE):
            self.label.setText(_(NOT_SYNCED))
            self.label.setToolTip(_("When Desk last synced with the remote helpdesks"))
        self.counts.setText(_('· {unsynced} not synced · {conflicts} conflict{value}').format(unsynced=counts.unsynced, conflicts=counts.conflicts, value='' if counts.conflicts == 1 else 's'))
        self.counts.setStyleSheet(failed_style() if counts.conflicts else "")
        self.counts.setToolTip(
            _('{unsynced} ticket{value} with local changes not yet synced; {conflicts} field{value2} changed both here and on a remote, waiting for you in the ticket editor').format(unsynced=counts.unsynced, value='' if counts.unsynced == 1 else 's', conflicts=counts.conflicts, value2='' if counts.conflicts == 1 else 's'))


class SyncController(QObject):
    # A list of reports when every remote synced; otherwise the SyncRun (its failures, or
    # cancelled), or the exception of a bug. ``last_run`` keeps the latest SyncRun.
    finished = Signal(object)

    def __init__(self, window: QMainWindow, tasks: Tasks, store: Store) -> None:
        super().__init__(window)
        self.window = window
        self.tasks = tasks
        self.store = store
        self.running = False
        self.closed = False
        self.http_options: dict[str, object] = {}  # e.g. tests pass a sleep that does not wait
        self.last_synced: datetime | None = None
        self.last_run: SyncRun | None = None
        self.remote_count: int | None = None  # unknown until the first count
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self.status = SyncStatus(window)
        window.statusBar().addPermanentWidget(self.status)
        self.bridge = _Bridge()
        self.bridge.progress.connect(self._progress)
        self.bridge.ended.connect(self._ended)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._scheduled)
        # A local change goes up (and the others' come down) a moment later, not minutes later.
        self.soon = QTimer(self, singleShot=True, interval=CHANGE_DELAY_MS)
        self.soon.timeout.connect(self._scheduled)
        self.again = False  # a change arrived during a run: one more run when it ends
        self.prober = QTimer(self, interval=PROBE_MS)
        self.prober.timeout.connect(self._probe)
        self.probing = False
        self.started = False  # the sync on start has been asked for
        menu = window.menu("Sync") if hasattr(window, "menu") else window.menuBar().addMenu("&Sync")
        self.sync_action = QAction(_("&Sync now"), self)
        self.sync_action.setShortcut(QKeySequence("F9"))
        self.sync_action.setToolTip(_(SYNC_TIP))
        self.sync_action.setStatusTip(self.sync_action.toolTip())
        self.sync_action.triggered.connect(lambda _c=False: self.sync_now())
        menu.addAction(self.sync_action)
        every = menu.addMenu(_("Sync &every"))
        every.setToolTip(_("Sync automatically: on start, after each change here, and every so often"))
        self.interval_actions: dict[int, QAction] = {}
        saved = int(QSettings().value("sync/interval_seconds", DEFAULT_INTERVAL) or 0)
        for seconds in INTERVALS:
            action = QAction(_interval_label(seconds), self)
            action.setCheckable(True)
            action.setToolTip(_("Sync on start, a moment after each change here, and on this schedule")
                              if seconds else _("Sync only with Sync now"))
            action.triggered.connect(lambda _c=False, s=seconds: self.set_interval(s))
            every.addAction(action)
            self.interval_actions[seconds] = action
        remotes = QAction(_("&Remotes…"), self)
        remotes.setToolTip(_("Add, change or remove remote helpdesks"))
        remotes.setStatusTip(remotes.toolTip())
        remotes.triggered.connect(lambda _c=False: self.show_remotes())
        menu.addSeparator()
        menu.addAction(remotes)
        self.remotes_action = remotes
        self.interval = 0
        self.set_interval(saved if saved in INTERVALS else DEFAULT_INTERVAL)
        self.tasks.db(_last_state, on_done=self._show_last_state, owner=self)
        self.refresh_counts()
        tasks.changes_executed.connect(self._changes_executed)

    def refresh_counts(self) -> None:
        """Count remotes, unsynced tickets and open conflicts on the DB worker, then show them."""
        self.tasks.db(config.sync_counts, on_done=self._counts_loaded, owner=self)

    def _counts_loaded(self, counts: config.SyncCounts) -> None:
        self.remote_count = counts.remotes
        self.status.show_counts(counts)
        self._update_action()
        if not self.started and counts.remotes and self.interval:
            self.started = True  # sync on start: the other PCs' line is here before the first claim
            self.sync_now()

    def _update_action(self) -> None:
        """Sync now is offered while no run is under way; with no remote it says so when
        pressed (F9 doing nothing visible looked broken)."""
        has_remote = self.remote_count != 0
        self.sync_action.setEnabled(not self.running and not self.closed)
        self.sync_action.setToolTip(_(SYNC_TIP if has_remote else NO_REMOTE_TIP))
        self.sync_action.setStatusTip(self.sync_action.toolTip())

    def _changes_executed(self, changes: Changes, initiator: object) -> None:
        if changes.tickets or changes.comments or changes.remotes or changes.ticket_ids:
            self.refresh_counts()
        # Work done in this window (not a sync's own writes, nor another process seen by the
        # store watch: a sync run commits from its own session, so that would loop).
        local_work = initiator not in ("sync", EXTERNAL) and (changes.tickets or changes.comments or changes.ticket_ids)
        if local_work:
            self._sync_soon()

    def _sync_soon(self) -> None:
        """With automatic sync on and a remote: sync a moment from now (the timer restarts with
        each change of a burst), or once more after the run under way."""
        if not (self.interval and self.remote_count) or self.closed:
            return
        if self.running:
            self.again = True
        else:
            self.soon.start()

    def set_interval(self, seconds: int) -> None:
        for value, action in self.interval_actions.items():
            action.setChecked(value == seconds)
        QSettings().setValue("sync/interval_seconds", seconds)
        self.interval = seconds
        if seconds:
            self.timer.start(seconds * 1000)
            self.prober.start()
        else:
            self.timer.stop()
            self.soon.stop()
            self.prober.stop()

    def show_remotes(self) -> RemotesDialog:
        # Adding or removing a remote is an op: its Changes(remotes=True) reach every screen
        # (these counts, the Sync now state, editor banners) through ``changes_executed``.
        dialog = RemotesDialog(self.tasks, self.window)
        # A token set or removed, or an agent's account matched, is not an op (the keyring is
        # not the store): the dialog says so with ``changed``.
        dialog.changed.connect(self._remotes_changed)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _remotes_changed(self) -> None:
        """A remote, its token or its people changed: recount, and with automatic sync on, sync
        in a moment (a token just set ends the "No token is stored" of the last run)."""
        self.refresh_counts()
        self._sync_soon()

    def _scheduled(self) -> None:
        """The timer's sync: quiet when there is nothing to sync with (the user did not ask)."""
        if self.remote_count != 0:
            self.sync_now()

    def _probe(self) -> None:
        """Every few seconds, one small request: has another PC changed something? Then sync."""
        if self.running or self.probing or self.closed or not self.remote_count:
            return
        self.probing = True
        store = self.store

        def answered(news: object) -> None:
            self.probing = False
            if news and not self.closed:
                self.sync_now()

        def failed(_exc: BaseException) -> None:
            self.probing = False  # the regular sync shows what is wrong

        self.tasks.net(lambda: probe.has_news(store), on_done=answered, on_error=failed, owner=self)

    def say_no_remote(self) -> None:
        """Sync now with nothing to sync with: say so where the eye goes, and how to add one."""
        self.status.label.setText(_(NO_REMOTE))
        self.window.statusBar().showMessage(_(NO_REMOTE_MESSAGE), 10000)

    # -- a run ----------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.running or self.closed:
            return
        if self.remote_count == 0:
            # The count may be older than a remote added by another process a moment ago
            # (`desk remote add` while the window is open): count again before saying "none".
            self.tasks.db(config.sync_counts, on_done=self._sync_if_any_remote, owner=self)
            return
        self._start_run()

    def _sync_if_any_remote(self, counts: config.SyncCounts) -> None:
        self._counts_loaded(counts)
        if counts.remotes == 0:
            self.say_no_remote()
        elif not (self.running or self.closed):
            self._start_run()

    def _start_run(self) -> None:
        self.running = True
        self._update_action()
        self.status.progress.setRange(0, 0)
        self.status.progress.show()
        self.status.label.setText(_("Syncing…"))
        self.status.label.setStyleSheet("")
        bridge, store, options = self.bridge, self.store, dict(self.http_options)
        cancel = self._cancel = threading.Event()

        def progress(what: str, done: int, total: int) -> None:
            if not cancel.is_set():
                bridge.progress.emit(what, done, total)

        def work() -> None:
            try:
                result: object = sync_all(store, progress=progress, cancel=cancel, **options)
            except BaseException as exc:  # noqa: BLE001 - a bug: shown by the window
                result = exc
            bridge.ended.emit(result)

        self._thread = threading.Thread(target=work, name="desk-sync", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """The window is closing: no new run; a run under way stops at its next checkpoint."""
        self.closed = True
        self.timer.stop()
        self.soon.stop()
        self.prober.stop()
        self._update_action()
        if self._cancel is not None:
            self._cancel.set()

    def wait_stopped(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a run's thread to end; True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _progress(self, what: str, done: int, total: int) -> None:
        if total:
            self.status.progress.setRange(0, total)
            self.status.progress.setValue(done)
        self.status.label.setText(_('Syncing: {what} {done}').format(what=what, done=done) + (f"/{total}" if total else ""))

    def _show_last(self, when: datetime | None) -> None:
        self.last_synced = when
        self.status.label.setStyleSheet("")
        if when is None:
            self.status.label.setText(_(NOT_SYNCED))
            self.status.label.setToolTip(_("When Desk last synced with the remote helpdesks"))
        else:
            local = when.astimezone()
            self.status.label.setText(_('Last synced {local:%H:%M}').format(local=local))
            self.status.label.setToolTip(_('Every remote helpdesk synced at {local:%Y-%m-%d %H:%M:%S}').format(local=local))

    def _show_last_state(self, state: tuple[datetime | None, list[tuple[str, str]]]) -> None:
        """At start: the last runs as the store remembers them (a problem is not hidden)."""
        when, problems = state
        if self.running or self.last_run is not None:
            return  # a run started meanwhile says more
        self._show_last(when)
        if problems:
            name, problem = problems[0]
            short = problem if len(problem) <= MESSAGE_CHARS else problem[:MESSAGE_CHARS - 1] + "…"
            self.status.label.setText(_('Last sync had a problem: {name} — {short}').format(name=name, short=short))
            self.status.label.setToolTip("\n".join(f"• {n}: {p}" for n, p in problems))
            self.status.label.setStyleSheet(failed_style())

    def _ended(self, result: object) -> None:
        if self.closed:
            return  # the window is gone; the run's work is in the store
        self.running = False
        self._update_action()
        self.status.progress.hide()
        if not isinstance(result, SyncRun):
            show_error(self.window, result)  # type: ignore[arg-type]
            self.refresh_counts()
            self.finished.emit(result)
            return
        self.last_run = result
        self._show_run(result)
        self.tasks.changes_executed.emit(result.changes(), "sync")  # refreshes the counts too
        self.finished.emit(result.reports if result.ok else result)
        if self.again:
            self.again = False
            self.soon.start()

    def _show_run(self, run: SyncRun) -> None:
        offline = [failure for failure in run.failures if failure.offline]
        self.status.offline.setVisible(bool(offline))
        if offline:
            self.status.offline.setToolTip(plain_text.tooltip("\n".join(f"{f.remote}: {f.message}" for f in offline)))
        if run.failures:
            self.status.label.setText(failure_text(run))
            self.status.label.setToolTip(plain_text.tooltip(failure_tip(run, run.finished_at or run.started_at)))
            self.status.label.setStyleSheet(failed_style())
        elif run.cancelled:
            self.status.label.setText(_("Sync stopped"))
            self.status.label.setToolTip(_("The run was stopped; the next sync carries on"))
        elif not run.reports:
            self.status.label.setText(_(NO_REMOTE))  # nothing configured: nothing was synced
        else:
            self._show_last(run.finished_at)
            if run.not_sent:  # open conflicts are counted next to this, from the store
                self.status.label.setText(self.status.label.text() + f" · {len(run.not_sent)} not sent")
            said = [line for report in run.reports for line in (*report.notes, *report.skipped)]
            if said:  # items left out, a paging loop stopped: said, with the reasons in the tooltip
                skipped = sum(len(report.skipped) for report in run.reports)
                self.status.label.setText(self.status.label.text() + " · " + (
                    ngettext("{count} item skipped", "{count} items skipped", skipped).format(count=skipped)
                    if skipped else _("see the notes")))
                self.status.label.setToolTip(plain_text.tooltip("\n".join(said[:20])))  # remote words: text


def _interval_label(seconds: int) -> str:
    if seconds == 0:
        return _("Only when asked")
    if seconds < 60:
        return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    minutes = seconds // 60
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def _last_state(session: object) -> tuple[datetime | None, list[tuple[str, str]]]:
    """When every remote last synced (the earliest remote's time; None while one never has),
    and (remote, problem) for each remote whose last run ended with a problem."""
    rows = config.list_remotes(session)  # type: ignore[arg-type]
    times = [row.last_synced_at for row in rows]
    when = min(times) if times and all(times) else None  # type: ignore[type-var]
    return when, [(row.name, row.last_error) for row in rows if row.last_error]


def install(window: QMainWindow) -> SyncController:
    """Add the Sync menu actions and status to a ``MainWindow``."""
    existing = getattr(window, "sync_controller", None)
    if existing is not None:  # the main window installs it once its queue is painted
        return existing
    controller = SyncController(window, window.tasks, window.store)  # type: ignore[attr-defined]
    window.sync_controller = controller  # type: ignore[attr-defined]
    return controller
