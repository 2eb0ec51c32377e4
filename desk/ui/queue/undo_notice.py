"""A notice in the status bar with an Undo button, for an action that is quick to regret
("Left without service"). It goes away by itself after ``SHOWN_MS`` or when another action
replaces it; Undo runs the callback given with the notice."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from desk.core.i18n import _
from desk.ui import plain_text
from desk.ui.widgets import button

SHOWN_MS = 10_000


class UndoNotice(QWidget):
    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.setObjectName("undoNotice")
        self.setAccessibleName("Undo notice")
        self.label = plain_text.plain_label(QLabel("", self))  # names a ticket's subject
        self.label.setAccessibleName("Notice")
        self.undo_button = button(_("&Undo"), _("Take the last action back (Alt+U)"), self, slot=self._undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.undo_button)
        self._undo_action: Callable[[], None] | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SHOWN_MS)
        self.timer.timeout.connect(self.dismiss)
        bar.addWidget(self)
        self.hide()

    def offer(self, text: str, undo: Callable[[], None]) -> None:
        self.label.setText(text)
        self.setToolTip(plain_text.tooltip(text))
        self._undo_action = undo
        self.show()
        self.timer.start()

    def dismiss(self) -> None:
        self.timer.stop()
        self._undo_action = None
        self.hide()

    def _undo(self) -> None:
        action = self._undo_action
        self.dismiss()
        if action is not None:
            action()
