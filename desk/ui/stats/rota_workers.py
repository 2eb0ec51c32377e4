"""Rota planner → Workers…: each student worker's weekly availability and maximum hours, edited
in the window (the same store rows as ``desk rota availability``). Saving is one core operation
(``ops.rota.set_worker``); the planner reloads its grid after it."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk.core.changes import Changes
from desk.core.i18n import _
from desk.core.ops.rota import set_worker
from desk.core.staffing.availability import format_day_ranges, parse_day_ranges
from desk.core.staffing.rota_store import WorkerSettings, worker_settings
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import button


class WorkersDialog(QDialog):
    loaded = Signal()  # the fields show the store's settings (tests wait on it)
    saved = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.settings: list[WorkerSettings] = []
        self.setWindowTitle(_("Workers' availability"))
        self.setAccessibleName(_("Workers' availability"))
        self.worker = QComboBox(self)
        self.worker.setAccessibleName(_("Worker"))
        self.worker.setToolTip(_("The agent whose availability and maximum hours are shown"))
        locale = QLocale()
        self.days: list[QLineEdit] = []
        form = QFormLayout()
        form.addRow(_("&Worker:"), self.worker)
        for weekday in range(7):
            day = locale.dayName(weekday + 1, QLocale.FormatType.LongFormat)
            edit = QLineEdit(self)
            edit.setAccessibleName(_("Availability on {day}").format(day=day))
            edit.setToolTip(_("When the worker can work that day, e.g. 09:00-13:00, 14:00-17:00 (empty: not at all)"))
            edit.setPlaceholderText(_("not available"))
            self.days.append(edit)
            form.addRow(f"{day}:", edit)
        self.limited = QCheckBox(_("&Limit the hours per week"), self)
        self.limited.setAccessibleName(_("Limit the hours per week"))
        self.limited.setToolTip(_("A contract or visa limit on the hours a week the rota may give this worker"))
        self.max_hours = QDoubleSpinBox(self)
        self.max_hours.setRange(0, 168)
        self.max_hours.setSingleStep(0.5)
        self.max_hours.setDecimals(1)
        self.max_hours.setSuffix(_(" h"))
        self.max_hours.setAccessibleName(_("Maximum hours per week"))
        self.max_hours.setToolTip(_("The most hours a week the rota may give this worker"))
        limit = QHBoxLayout()
        limit.addWidget(self.limited)
        limit.addWidget(self.max_hours)
        limit.addStretch(1)
        form.addRow(_("Hours:"), limit)
        self.status = QLabel("", self)
        self.status.setAccessibleName(_("Workers status"))
        self.save_button = button(_("&Save"), _("Save this worker's availability and maximum hours"), self,
                                  name=_("Save worker"), slot=self.save)
        close = button(_("&Close"), _("Close the dialog"), self, name=_("Close"), slot=self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.limited.toggled.connect(self.max_hours.setEnabled)
        self.worker.currentIndexChanged.connect(lambda _i: self._show_worker())
        self.reload()

    def reload(self, keep: int | None = None) -> None:
        self.tasks.db(worker_settings, on_done=lambda rows: self._loaded(rows, keep),
                      on_error=lambda exc: show_error(self, exc), owner=self)

    def _loaded(self, rows: list[WorkerSettings], keep: int | None) -> None:
        self.settings = rows
        self.worker.blockSignals(True)
        self.worker.clear()
        for row in rows:
            self.worker.addItem(row.name, row.agent_id)
        if keep is not None and self.worker.findData(keep) >= 0:
            self.worker.setCurrentIndex(self.worker.findData(keep))
        self.worker.blockSignals(False)
        self.save_button.setEnabled(bool(rows))
        if not rows:
            self.status.setText(_("No active agents yet."))
        self._show_worker()
        self.loaded.emit()

    def current(self) -> WorkerSettings | None:
        index = self.worker.currentIndex()
        return self.settings[index] if 0 <= index < len(self.settings) else None

    def _show_worker(self) -> None:
        chosen = self.current()
        for weekday, edit in enumerate(self.days):
            spans = [(s, e) for d, s, e in chosen.availability if d == weekday] if chosen else []
            edit.setText(format_day_ranges(spans))
        limited = chosen is not None and chosen.max_hours is not None
        self.limited.setChecked(limited)
        self.max_hours.setEnabled(limited)
        self.max_hours.setValue(chosen.max_hours if chosen is not None and chosen.max_hours is not None else 20)

    def save(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        texts = [edit.text() for edit in self.days]
        hours = self.max_hours.value() if self.limited.isChecked() else None
        agent = chosen.agent_id

        def work(session) -> Changes:  # noqa: ANN001 - runs on the DB worker
            ranges = [(weekday, s, e) for weekday, text in enumerate(texts) for s, e in parse_day_ranges(text)]
            return set_worker(session, agent_id=agent, ranges=ranges, max_hours=hours)

        def done(_changes: Changes) -> None:
            self.status.setText(_("Saved {name}.").format(name=chosen.name))
            self.saved.emit()
            self.reload(keep=agent)

        self.tasks.op(work, initiator=self, on_done=done, on_error=lambda exc: show_error(self, exc))
