"""Sync, as the ticket editor shows it: "Not yet synced to <remote>" under the header, and a
banner with every open sync conflict (a field changed both here and on the remote helpdesk):
the field, our value and theirs, and "Keep mine" / "Take theirs" per field.

The widget only shows a ``TicketSyncState`` and asks for a resolution through
``resolve_requested``; the editor runs it as an op (nothing is resolved here or silently).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk.core.i18n import N_, _
from desk.core.sync.config import OpenConflict, TicketSyncState
from desk.ui import plain_text, theme

SYNC_FIELD_LABELS = {
    "subject": N_("Subject"), "status": N_("Status"), "priority": N_("Priority"), "category": N_("Category"),
    "requester": N_("Requester"), "assignee": N_("Assignee"),
}


def value_text(value: Any) -> str:
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or _("(empty)")
    return str(value)


class SyncBanner(QWidget):
    resolve_requested = Signal(int, str)  # conflict id, "mine" | "theirs"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncBanner")
        self.setAccessibleName(_("Sync with remote helpdesks"))
        self.setToolTip(_("Whether this ticket's changes reached the remote helpdesks, and conflicts to resolve"))
        self.state: TicketSyncState | None = None
        self.buttons: dict[tuple[int, str], QPushButton] = {}
        self.unsynced = plain_text.plain_label(QLabel(self))
        self.unsynced.setObjectName("unsyncedLabel")
        self.unsynced.setAccessibleName(_("Sync state of this ticket"))
        self.unsynced.setToolTip(_("Changes made here wait in the outbox until the next sync sends them"))
        theme.follow(self.unsynced, lambda: theme.set_colours(self.unsynced, foreground=theme.pick(theme.WARNING_TEXT)))
        self.unsynced.hide()
        self.box = QFrame(self)
        self.box.setObjectName("syncConflictBanner")
        self.box.setAccessibleName(_("Sync conflicts"))
        self.box.setToolTip(_("Fields changed both here and on the remote helpdesk; choose which value stays"))
        self.box.setFrameShape(QFrame.Shape.StyledPanel)
        theme.follow(self.box, lambda: theme.banner(self.box, theme.RED))
        self.box.hide()
        self.title = QLabel(self.box)
        self.title.setWordWrap(True)
        self.title.setAccessibleName(_("Sync conflicts explained"))
        self.title.setToolTip(_("Neither value is overwritten until you choose"))
        self.grid = QGridLayout()
        box_layout = QVBoxLayout(self.box)
        box_layout.addWidget(self.title)
        box_layout.addLayout(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.unsynced)
        layout.addWidget(self.box)
        self.hide()

    def show_state(self, state: TicketSyncState) -> None:
        self.state = state
        if state.unsynced:
            self.unsynced.setText(_("● Not yet synced to ") + ", ".join(state.unsynced))
            self.unsynced.setToolTip(
                _("This ticket has local changes that have not reached ")
                + ", ".join(state.unsynced) + _(" yet; the next sync sends them"))
        self.unsynced.setVisible(bool(state.unsynced))
        self._fill(state.conflicts)
        self.setVisible(bool(state.unsynced or state.conflicts))

    def set_busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not busy)

    def _fill(self, conflicts: tuple[OpenConflict, ...]) -> None:
        current = QApplication.focusWidget()
        focused = current is not None and self.box.isAncestorOf(current)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone at once for users and tests; freed when the loop gets to it
                widget.setParent(None)  # and off the window's Tab chain now
                widget.deleteLater()
        self.buttons = {}
        self.box.setVisible(bool(conflicts))
        if not conflicts:
            return
        remotes = sorted({c.remote for c in conflicts})
        count = len(conflicts)
        self.title.setText(
            _('<b>⚠ Sync conflict{value} with {escape}:</b> {value2} changed both here and on the remote helpdesk. Nothing is overwritten until you choose which value stays.').format(value='s' if count > 1 else '', escape=html.escape(', '.join(remotes)), value2=_('these fields were') if count > 1 else _('this field was')))
        for column, heading in enumerate((_("Field"), _("Mine (here)"), _("Theirs (remote)"))):
            label = QLabel(f"<b>{heading}</b>", self.box)
            self.grid.addWidget(label, 0, column)
        for row, conflict in enumerate(conflicts, start=1):
            name = _(SYNC_FIELD_LABELS.get(conflict.field, conflict.field))
            mine, theirs = value_text(conflict.mine), value_text(conflict.theirs)
            cells = (
                (name, _('{name} (on {remote})').format(name=name, remote=conflict.remote)),
                (mine, _('{name}, mine').format(name=name)),
                (theirs, _('{name}, theirs').format(name=name)),
            )
            for column, (text, accessible) in enumerate(cells):
                label = QLabel(html.escape(text), self.box)
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setAccessibleName(accessible)
                label.setToolTip(plain_text.tooltip(f"{accessible}: {text}"))
                self.grid.addWidget(label, row, column)
            for column, (keep, text, tip) in enumerate((
                ("mine", _("Keep mine"), _('Keep “{mine}” here and send it to {remote} on the next sync').format(mine=mine, remote=conflict.remote)),
                ("theirs", _("Take theirs"), _('Take “{theirs}” from {remote} into this ticket').format(theirs=theirs, remote=conflict.remote)),
            ), start=3):
                button = QPushButton(text, self.box)
                button.setAccessibleName(f"{text}: {name}")
                button.setToolTip(plain_text.tooltip(tip))  # their value, from the remote
                button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                button.clicked.connect(lambda _c=False, i=conflict.id, k=keep: self.resolve_requested.emit(i, k))
                self.grid.addWidget(button, row, column)
                self.buttons[(conflict.id, keep)] = button
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        if focused and self.buttons:
            next(iter(self.buttons.values())).setFocus()  # keyboard users stay in the banner
