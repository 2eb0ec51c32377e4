"""The Sync menu and status: "Sync now" in the background with progress, "last synced" time,
an offline indicator, how many tickets are not yet synced and how many sync conflicts are open
(refreshed after each run and on ``changes_executed``), optional sync every N minutes, and
Settings → Remotes.

``install(main_window)`` adds the actions to ``main_window.menu("Sync")`` and the indicator to
the status bar. A sync run uses its own Session on the network pool (each of its transactions is
short; the store's busy timeout covers the overlap with the DB worker) and reports progress
back through a queued signal; screens refresh through ``changes_executed``.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QProgressBar, QWidget

from desk.core.changes import Changes
from desk.core.db import Store
from desk.core.errors import DeskError
from desk.core.sync import config, engine
from desk.core.sync.remotes.base import RemoteUnavailable
from desk.ui.errors import show_error
from desk.ui.settings.remotes import RemotesDialog
from desk.ui.tasks import Tasks

INTERVALS = (0, 5, 15, 60)  # minutes; 0 = only when asked
NOT_SYNCED = "Not synced yet"
NO_REMOTE = "Local only"


class _Bridge(QObject):
    progress = Signal(str, int, int)


def sync_all(store: Store, progress: object = None, **http_options: object) -> list[engine.SyncReport]:
    """Sync every remote; raises the first environment error after trying them all."""
    reports: list[engine.SyncReport] = []
    first_error: Exception | None = None
    with store.session() as session:
        names = [row.name for row in config.list_remotes(session)]
        session.rollback()
        for name in names:
            try:
                reports.append(engine.sync(session, name, progress=progress,  # type: ignore[arg-type]
                                           **http_options))
            except DeskError as exc:
                first_error = first_error or exc
    if first_error is not None and not reports:
        raise first_error
    return reports


class SyncStatus(QWidget):
    """Status-bar part: progress while syncing, last synced time, offline mark."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Sync progress")
        self.progress.setToolTip("Sync in progress")
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.label = QLabel(NOT_SYNCED, self)
        self.label.setAccessibleName("Sync status")
        self.label.setToolTip("When Desk last synced with the remote helpdesks")
        self.offline = QLabel("● Offline", self)
        self.offline.setAccessibleName("Offline indicator")
        self.offline.setToolTip("Desk could not reach a remote helpdesk; local work waits in the outbox")
        self.offline.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.offline.hide()
        layout.addWidget(self.progress)
        layout.addWidget(self.offline)
        self.counts = QLabel(self)
        self.counts.setObjectName("syncCounts")
        self.counts.setAccessibleName("Sync backlog")
        self.counts.setToolTip("Tickets with local changes not yet synced, and sync conflicts to resolve")
        self.counts.hide()
        layout.addWidget(self.label)
        layout.addWidget(self.counts)

    def show_counts(self, counts: config.SyncCounts) -> None:
        """``3 not synced · 1 conflict`` (hidden while no remote is configured)."""
        self.counts.setVisible(counts.remotes > 0)
        # Working alone (no remote helpdesk configured) is normal: say so, not "not synced".
        if counts.remotes == 0 and self.label.text() == NOT_SYNCED:
            self.label.setText(NO_REMOTE)
            self.label.setToolTip("Desk works on its own; add Zendesk or RT under Sync → Remotes to sync")
        elif counts.remotes > 0 and self.label.text() == NO_REMOTE:
            self.label.setText(NOT_SYNCED)
            self.label.setToolTip("When Desk last synced with the remote helpdesks")
        self.counts.setText(f"· {counts.unsynced} not synced · "
                            f"{counts.conflicts} conflict{'' if counts.conflicts == 1 else 's'}")
        self.counts.setStyleSheet("color: #b3261e; font-weight: bold;" if counts.conflicts else "")
        self.counts.setToolTip(
            f"{counts.unsynced} ticket{'' if counts.unsynced == 1 else 's'} with local changes not yet "
            f"synced; {counts.conflicts} field{'' if counts.conflicts == 1 else 's'} changed both here and "
            "on a remote, waiting for you in the ticket editor")


class SyncController(QObject):
    finished = Signal(object)  # list of reports, or the exception

    def __init__(self, window: QMainWindow, tasks: Tasks, store: Store) -> None:
        super().__init__(window)
        self.window = window
        self.tasks = tasks
        self.store = store
        self.running = False
        self.http_options: dict[str, object] = {}  # e.g. tests pass a sleep that does not wait
        self.last_synced: datetime | None = None
        self.status = SyncStatus(window)
        window.statusBar().addPermanentWidget(self.status)
        self.bridge = _Bridge(self)
        self.bridge.progress.connect(self._progress)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        menu = window.menu("Sync") if hasattr(window, "menu") else window.menuBar().addMenu("&Sync")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence("F9"))
        self.sync_action.setToolTip("Send local changes and fetch remote ones now")
        self.sync_action.setStatusTip(self.sync_action.toolTip())
        self.sync_action.triggered.connect(lambda _c=False: self.sync_now())
        menu.addAction(self.sync_action)
        every = menu.addMenu("Sync &every")
        every.setToolTip("Sync automatically in the background")
        self.interval_actions: dict[int, QAction] = {}
        saved = int(QSettings().value("sync/interval_minutes", 0) or 0)
        for minutes in INTERVALS:
            action = QAction("Only when asked" if minutes == 0 else f"{minutes} minutes", self)
            action.setCheckable(True)
            action.setToolTip("Sync automatically every so often" if minutes else "Sync only with Sync now")
            action.triggered.connect(lambda _c=False, m=minutes: self.set_interval(m))
            every.addAction(action)
            self.interval_actions[minutes] = action
        remotes = QAction("&Remotes…", self)
        remotes.setToolTip("Add, change or remove remote helpdesks")
        remotes.setStatusTip(remotes.toolTip())
        remotes.triggered.connect(lambda _c=False: self.show_remotes())
        menu.addSeparator()
        menu.addAction(remotes)
        self.remotes_action = remotes
        self.set_interval(saved if saved in INTERVALS else 0)
        self.tasks.db(lambda s: max((r.last_synced_at for r in config.list_remotes(s) if r.last_synced_at),
                                    default=None), on_done=self._show_last, owner=self)
        self.refresh_counts()
        tasks.changes_executed.connect(self._changes_executed)

    def refresh_counts(self) -> None:
        """Count unsynced tickets and open conflicts on the DB worker, then show them."""
        self.tasks.db(config.sync_counts, on_done=self.status.show_counts, owner=self)

    def _changes_executed(self, changes: Changes, _initiator: object) -> None:
        if changes.tickets or changes.comments or changes.remotes or changes.ticket_ids:
            self.refresh_counts()

    def set_interval(self, minutes: int) -> None:
        for value, action in self.interval_actions.items():
            action.setChecked(value == minutes)
        QSettings().setValue("sync/interval_minutes", minutes)
        if minutes:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def show_remotes(self) -> RemotesDialog:
        dialog = RemotesDialog(self.tasks, self.window)
        dialog.open()
        self.dialog = dialog
        return dialog

    def sync_now(self) -> None:
        if self.running:
            return
        self.running = True
        self.sync_action.setEnabled(False)
        self.status.progress.setRange(0, 0)
        self.status.progress.show()
        self.status.label.setText("Syncing…")
        bridge = self.bridge
        options = dict(self.http_options)
        self.tasks.net(lambda: sync_all(self.store, progress=bridge.progress.emit, **options),
                       on_done=self._done, on_error=self._failed, owner=self)

    def _progress(self, what: str, done: int, total: int) -> None:
        if total:
            self.status.progress.setRange(0, total)
            self.status.progress.setValue(done)
        self.status.label.setText(f"Syncing: {what} {done}" + (f"/{total}" if total else ""))

    def _show_last(self, when: datetime | None) -> None:
        self.last_synced = when
        if when is None:
            self.status.label.setText(NOT_SYNCED)
        else:
            local = when.astimezone()
            self.status.label.setText(f"Last synced {local:%H:%M}")
            self.status.label.setToolTip(f"Last synced {local:%Y-%m-%d %H:%M:%S}")

    def _finish(self) -> None:
        self.running = False
        self.sync_action.setEnabled(True)
        self.status.progress.hide()

    def _done(self, reports: list[engine.SyncReport]) -> None:
        self._finish()
        self.status.offline.hide()
        from desk.core.models import utcnow

        self._show_last(utcnow() if reports else self.last_synced)
        problems = [p for r in reports for p in r.failed]
        if problems:  # open conflicts are counted next to this, from the store
            self.status.label.setText(self.status.label.text() + f" · {len(problems)} not sent")
        if reports:
            changes = reports[0].changes()
            for report in reports[1:]:
                changes = changes | report.changes()
            self.tasks.changes_executed.emit(changes, "sync")  # refreshes the counts too
        else:
            self.refresh_counts()
        self.finished.emit(reports)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, RemoteUnavailable):
            self.status.offline.show()
            self.status.offline.setToolTip(str(exc))
            self._show_last(self.last_synced)
        else:
            show_error(self.window, exc)
        self.refresh_counts()
        self.finished.emit(exc)


def install(window: QMainWindow) -> SyncController:
    """Add the Sync menu actions and status to a ``MainWindow``."""
    existing = getattr(window, "sync_controller", None)
    if existing is not None:  # the main window installs it once its queue is painted
        return existing
    controller = SyncController(window, window.tasks, window.store)  # type: ignore[attr-defined]
    window.sync_controller = controller  # type: ignore[attr-defined]
    return controller
