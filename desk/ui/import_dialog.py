"""File → Import…: a ticket file brought in on the DB worker, with a progress dialog and Cancel.

The import is one core operation (``desk.core.importing``), so it stays all-or-nothing here too:
Cancel makes the next progress report raise ``ImportCancelled`` inside the operation's
transaction, which rolls everything back; nothing was imported and nothing more is shown than
a line in the status bar ("Cancel shows nothing"). A file with bad rows imports nothing and
lists the rows; a file Desk cannot read is shown by ``desk.ui.errors``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QProgressDialog

from desk.core.changes import Changes
from desk.core.i18n import N_, _
from desk.core.importing import ImportCancelled, ImportReport, import_tickets_file
from desk.ui.errors import show_error

FILTER = N_("Ticket files (*.csv *.tsv *.txt *.json *.ndjson *.jsonl);;All files (*)")
SHOWN_PROBLEMS = 20


def choose_and_import(window: QMainWindow) -> ImportRun | None:
    """Ask for a file, then import it (the File menu's action)."""
    path, _filter = QFileDialog.getOpenFileName(window, _("Import tickets"), "", _(FILTER))
    return ImportRun(window, Path(path)) if path else None


class ImportRun(QObject):
    """One import under way; ``finished`` carries the box shown at the end (None on cancel)."""

    progressed = Signal(int, int)
    finished = Signal(object)

    def __init__(self, window: QMainWindow, path: Path) -> None:
        super().__init__(window)
        self.window, self.path = window, path
        self.report: ImportReport | None = None
        self._cancel = threading.Event()
        self.dialog = QProgressDialog(_('Importing {name}…').format(name=path.name), _("Cancel"), 0, 0, window)
        self.dialog.setObjectName("importProgress")
        self.dialog.setWindowTitle(_("Import"))
        self.dialog.setAccessibleName(_("Import progress"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel.set)
        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.dialog.show()
        agent = window.current_agent_id() if hasattr(window, "current_agent_id") else None
        window.tasks.op(lambda session: self._work(session, agent), initiator=self,  # type: ignore[attr-defined]
                        on_done=self._done, on_error=self._failed, owner=self)

    # -- on the DB worker ------------------------------------------------------------------------
    def _work(self, session: object, agent: int | None) -> Changes:
        self.report = import_tickets_file(session, self.path, actor_id=agent, progress=self._tick)  # type: ignore[arg-type]
        return self.report.changes

    def _tick(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise ImportCancelled(_("The import was cancelled; nothing was imported."))
        self.progressed.emit(done, total)  # queued to the window's thread

    # -- on the window's thread ------------------------------------------------------------------
    def _show_progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _done(self, _changes: Changes) -> None:
        self.dialog.close()
        report = self.report
        assert report is not None
        box = QMessageBox(self.window)
        box.setObjectName("importSummary")
        box.setWindowTitle(_("Import"))
        if report.ok:
            box.setIcon(QMessageBox.Icon.Information)
            box.setText(report.summary())
            if report.not_carried:
                box.setInformativeText(_("Not carried: ") + "; ".join(report.not_carried))
        else:
            box.setIcon(QMessageBox.Icon.Warning)
            box.setText(_('Nothing was imported: {name} has {count} problem(s).').format(name=self.path.name, count=len(report.problems)))
            lines = [f"{report.unit} {where}: {reason}" if where else reason
                     for where, reason in report.problems[:SHOWN_PROBLEMS]]
            if len(report.problems) > SHOWN_PROBLEMS:
                lines.append(_('… and {value} more').format(value=len(report.problems) - SHOWN_PROBLEMS))
            box.setInformativeText("\n".join(lines))
        box.setAccessibleName(box.text())
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
        self.finished.emit(box)

    def _failed(self, exc: BaseException) -> None:
        self.dialog.close()
        if isinstance(exc, ImportCancelled):
            self.window.statusBar().showMessage(exc.message, 8000)
            self.finished.emit(None)
            return
        self.finished.emit(show_error(self.window, exc))
