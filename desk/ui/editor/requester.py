"""Pick a different requester for a ticket (it was logged under the wrong person, or a
colleague came in on someone's behalf): type part of a name, e-mail or phone, Enter picks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import _
from desk.core.queries import tickets as ticket_queries
from desk.ui.queue.quick_log import LOOKUP_DELAY_MS, PersonChoice
from desk.ui.tasks import Tasks
from desk.ui.widgets import named

MATCHES = 20


class RequesterPicker(QDialog):
    def __init__(self, tasks: Tasks, current_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.current_id = current_id
        self.setWindowTitle(_("Change requester"))
        self.setAccessibleName(_("Change requester"))
        self.find = named(QLineEdit(self), _("Find requester"),
                          _("Part of a name, e-mail address or phone number; ↓/↑ move through the matches"))
        self.find.setPlaceholderText(_("Name, e-mail or phone"))
        self.matches = named(QListWidget(self), _("Matches"),
                             _("People matching what you typed; Enter or a double-click picks one"))
        self.hint = QLabel(_("Type to find people."), self)
        self.hint.setAccessibleName(_("Match count"))
        self.hint.setToolTip(_("How many people match"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Use this requester"))
        named(ok, _("Use this requester"), _("Make the highlighted person the ticket's requester"))
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), _("Cancel"), _("Keep the requester as it is"))
        layout = QVBoxLayout(self)
        label = QLabel(_("&Find:"), self)
        label.setBuddy(self.find)
        for widget in (label, self.find, self.matches, self.hint, self.buttons):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self._look_up)
        self.find.textEdited.connect(lambda _text: self._timer.start())
        self.find.installEventFilter(self)
        self.matches.itemActivated.connect(lambda _item: self.accept())
        self.matches.currentRowChanged.connect(lambda _row: self._update_ok())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(460, 360)
        self._update_ok()

    def chosen(self) -> PersonChoice | None:
        item = self.matches.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def accept(self) -> None:
        if self.chosen() is not None:
            super().accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """↓/↑ in the search field move through the matches without leaving it."""
        moves = (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)
        if (watched is self.find and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in moves):
            QApplication.sendEvent(self.matches, QKeyEvent(event.type(), event.key(), event.modifiers()))
            return True
        return super().eventFilter(watched, event)

    def _look_up(self) -> None:
        typed = self.find.text().strip()

        def work(session):  # noqa: ANN001, ANN202
            found = ticket_queries.find_people(session, typed, limit=MATCHES)
            return [PersonChoice(p.id, p.name, p.email, p.phone, p.kind) for p in found]

        self.tasks.db(work, on_done=lambda found: self._show(found, typed), owner=self)

    def _show(self, found: list[PersonChoice], typed: str) -> None:
        if typed != self.find.text().strip():
            return  # the user typed on; a newer look-up is coming
        self.matches.clear()
        for person in found:
            item = QListWidgetItem(person.label + (_("  (current)") if person.id == self.current_id else ""))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.matches.addItem(item)
        if found:
            self.matches.setCurrentRow(0)
        more = _(" (showing the first 20; type more to narrow)") if len(found) >= MATCHES else ""
        self.hint.setText(f"{len(found)} found{more}." if found else _("Nobody matches. Log new people from Quick log."))
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen() is not None)
