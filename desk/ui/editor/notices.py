"""The notice under the editor's header when the ticket changed elsewhere while it was open.

It says what changed (from ``EditSession.show``) and that the user's unsaved field changes are
kept; the user can dismiss it, and a send that went through takes it away.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desk.core.edit_session import ChangedElsewhere
from desk.core.i18n import _
from desk.ui import plain_text, theme


def notice_text(changed: ChangedElsewhere) -> str:
    """The notice as rich text (values are escaped: they are the users' own words)."""
    keep = _(' Your unsaved changes to {join} are kept.').format(join=', '.join(changed.kept)) if changed.kept else ""
    return (_("Changed elsewhere just now — ") + "; ".join(html.escape(line, quote=False) for line in changed.lines)
            + "." + keep)


class ChangedNotice(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = plain_text.plain_label(QLabel(self))  # may name who changed it
        self.label.setObjectName("changedBanner")
        self.label.setAccessibleName(_("Changed elsewhere"))
        self.label.setToolTip(_("This ticket was changed by someone else while it was open"))
        theme.follow(self.label, lambda: theme.banner(self.label, theme.AMBER))
        self.label.setMargin(6)
        self.label.setWordWrap(True)
        self.dismiss = QToolButton(self)
        self.dismiss.setText("✕")
        self.dismiss.setAccessibleName(_("Dismiss"))
        self.dismiss.setToolTip(_("Hide this notice"))
        self.dismiss.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss)
        self.hide()

    def say(self, changed: ChangedElsewhere) -> None:
        self.label.setText(notice_text(changed))
        self.show()
