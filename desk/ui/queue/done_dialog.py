""""Done" at the desk: a moment to say what was done before the ticket is solved.

The note is optional and internal; Enter solves (with or without it), Esc changes nothing. So
Ctrl+D then Enter is as quick as the old one-press Done, and a note costs only the typing."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from desk.core.i18n import _
from desk.ui.widgets import named


class DoneDialog(QDialog):
    confirmed = Signal(int, str)  # ticket id, note ("" for none)

    def __init__(self, *, ticket_id: int, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ticket_id = ticket_id
        self.setObjectName("doneDialog")
        self.setWindowTitle(_('Done with #{ticket_id}').format(ticket_id=ticket_id))
        self.setAccessibleName(_("Done"))
        heading = QLabel(what or _('Ticket #{ticket_id}').format(ticket_id=ticket_id), self)
        heading.setWordWrap(True)
        self.note = named(QLineEdit(self), _("Note"),
                          _("What was done, for whoever looks at this ticket later (optional; kept as "
                          "an internal note, never sent)"))
        self.note.setPlaceholderText(_("What was done (optional internal note)"))
        self.buttons = QDialogButtonBox(self)
        self.done_button = named(self.buttons.addButton(_("Done"), QDialogButtonBox.ButtonRole.AcceptRole),
                                 _("Done"), _("Mark the ticket solved (Enter)"))
        self.done_button.setDefault(True)
        cancel = named(self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel), _("Cancel"),
                       _("Leave the ticket as it is (Esc)"))
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self.note.setFocus()

    def accept(self) -> None:
        self.confirmed.emit(self.ticket_id, self.note.text().strip())
        super().accept()
