"""Opening the store at start-up, off the UI thread, with progress when there is work to see.

``StoreOpener(path)`` runs ``open_store`` on a worker thread. A store that is already current
opens in milliseconds and shows nothing; an older store (backed up, then upgraded by Alembic)
or a new one reports each step, and a small dialog with a progress bar shows them until the
store is ready. The outcome is ``opened(Store)`` or ``failed(exception)``; ``wait()`` runs an
event loop until then (the start-up path, before any window exists), and the window keeps
painting and answering the desktop meanwhile.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desk.core.db import Store, open_store
from desk.core.i18n import _

log = logging.getLogger(__name__)


class StoreOpener(QObject):
    opened = Signal(object)  # Store
    failed = Signal(object)  # the exception open_store raised
    _progress = Signal(str, int, int)  # internal: from the worker to the UI thread

    def __init__(self, path: Path | str | None, *, parent: QObject | None = None,
                 dialog_parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.store: Store | None = None
        self.error: BaseException | None = None
        self.dialog: QProgressDialog | None = None
        self.steps: list[str] = []  # what was shown, in order (the log and tests read it)
        self._dialog_parent = dialog_parent
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.opened.connect(self._finish)
        self.failed.connect(self._finish)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._open, name="desk-open-store", daemon=True)
        self._thread.start()

    def wait(self) -> Store | None:
        """Run the event loop until the store is open (returns it) or failed (None; see
        ``error``)."""
        if self._thread is None:
            self.start()
        if not self._done.is_set():
            loop = QEventLoop()
            self.opened.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
            self.failed.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
            if not self._done.is_set():  # it may have finished while connecting
                loop.exec()
        assert self._thread is not None
        self._thread.join()
        return self.store

    # -- worker ---------------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            store = open_store(self.path, progress=self._progress.emit)
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread
            self.error = exc
            self._done.set()
            self.failed.emit(exc)
        else:
            self.store = store
            self._done.set()
            self.opened.emit(store)

    # -- UI thread ------------------------------------------------------------------------------
    @Slot(str, int, int)
    def _show_progress(self, what: str, done: int, total: int) -> None:
        if self._done.is_set() and self.dialog is None:
            return  # finished before the first step arrived: nothing to show any more
        self.steps.append(what)
        if self.dialog is None:
            self.dialog = QProgressDialog(self._dialog_parent)
            self.dialog.setObjectName("openingStoreDialog")
            self.dialog.setWindowTitle(_("Desk is preparing the store"))
            self.dialog.setAccessibleName(_("Preparing the store"))
            self.dialog.setToolTip(_("Desk backs up and upgrades an older store before opening it"))
            self.dialog.setCancelButton(None)  # an upgrade half-done is not a state to leave in
            self.dialog.setMinimumDuration(0)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.setRange(0, total)  # 0..0: a busy indicator
        self.dialog.setValue(min(done, total) if total else 0)
        self.dialog.setLabelText(what)
        self.dialog.show()

    @Slot(object)
    def _finish(self, _outcome: object) -> None:
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
