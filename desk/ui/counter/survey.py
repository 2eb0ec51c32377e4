"""The exit survey page of the counter display: "How did we do?" after Done.

Two big faces, nothing pre-selected; a comment is asked only after the sad face; "Leave my name
off" makes the rating anonymous. Touch or mouse only (the display has no keyboard in front of
the person; the comment is optional and can be typed on an on-screen keyboard where there is
one). Untouched, the page goes away quietly after ``TIMEOUT_MS``; nothing is stored then.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import _
from desk.core.queries.counter import DoneTicket
from desk.ui.widgets import named

TIMEOUT_MS = 45_000  # untouched: the person has gone
THANKS_MS = 3_000
MAX_COMMENT = 2000


def face_pixmap(*, happy: bool, size: int) -> QPixmap:
    """A drawn smiling or frowning face (no emoji font needed: many desktops have none)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#10243e"), size / 24))
    painter.setBrush(QColor("#ffd75e" if happy else "#9fb4d0"))
    margin = size / 16
    painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    painter.setBrush(QColor("#10243e"))
    for x in (0.36, 0.64):
        painter.drawEllipse(QRectF(size * x - size / 20, size * 0.36, size / 10, size / 10))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor("#10243e"), size / 16, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    mouth = QRectF(size * 0.3, size * (0.42 if happy else 0.62), size * 0.4, size * 0.3)
    painter.drawArc(mouth, (200 if happy else 20) * 16, 140 * 16)
    painter.end()
    return pixmap


class SurveyPage(QWidget):
    """Emits ``rated(ticket_id, rating, comment, anonymous)`` or ``finished()`` (timed out or
    thanked); the display stores the rating and moves on."""

    rated = Signal(int, str, str, bool)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counterSurvey")
        self.ticket: DoneTicket | None = None  # being asked (None once answered)
        self.busy = False  # asking or thanking: the display leaves the page alone
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.question = named(QLabel(self), "Survey question", _("The question the person is asked"))
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.question.setWordWrap(True)
        self.question.setProperty("role", "headline")
        layout.addWidget(self.question)
        faces = QHBoxLayout()
        faces.addStretch(1)
        self.good = self._face(True, _("Good"), _("It went well"), "good")
        self.bad = self._face(False, _("Bad"), _("It did not go well"), "bad")
        faces.addWidget(self.good)
        faces.addSpacing(60)
        faces.addWidget(self.bad)
        faces.addStretch(1)
        layout.addLayout(faces)
        self.anonymous = named(QCheckBox(_("Leave my name off"), self), "Anonymous",
                               _("Rate without your name (the rating still counts for who served you)"))
        layout.addWidget(self.anonymous, 0, Qt.AlignmentFlag.AlignCenter)
        self.comment_prompt = named(QLabel(_("Sorry to hear that. What went wrong? (optional)"), self),
                                    "Comment prompt", _("Asked only after a low rating"))
        self.comment_prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.comment = named(QPlainTextEdit(self), "Comment", _("What went wrong (optional)"))
        self.comment.setMaximumHeight(160)
        self.comment.textChanged.connect(self._restart_timer)
        self.send = named(QPushButton(_("Send"), self), "Send rating", _("Send your rating"))
        self.send.clicked.connect(lambda _checked=False: self._send("bad"))
        for widget in (self.comment_prompt, self.comment, self.send):
            layout.addWidget(widget)
        self.thanks = named(QLabel(_("Thank you!"), self), "Thank you", _("Shown after a rating"))
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks.setProperty("role", "headline")
        layout.addWidget(self.thanks)
        layout.addStretch(1)

    def _face(self, happy: bool, word: str, tip: str, rating: str) -> QPushButton:
        made = named(QPushButton(word, self), word, tip)
        made.setIcon(QIcon(face_pixmap(happy=happy, size=128)))
        made.setIconSize(QSize(96, 96))
        made.setCheckable(False)  # nothing is ever shown as chosen before the person chooses
        made.setMinimumSize(300, 160)
        made.clicked.connect(lambda _checked=False: self._chosen(rating))
        return made

    def ask(self, ticket: DoneTicket) -> None:
        """Ask the person of ``ticket``: a fresh page, nothing chosen."""
        self.ticket = ticket
        self.busy = True
        who = ticket.name
        self.question.setText(_("How did we do, {name}?").format(name=who) if who else _("How did we do?"))
        self.anonymous.setChecked(False)
        self.comment.clear()
        for widget in (self.question, self.good, self.bad, self.anonymous):
            widget.setVisible(True)
        for widget in (self.comment_prompt, self.comment, self.send, self.thanks):
            widget.setVisible(False)
        self._timer.start(TIMEOUT_MS)

    def _restart_timer(self) -> None:
        if self.ticket is not None and self._timer.isActive():
            self._timer.start(TIMEOUT_MS)

    def _chosen(self, rating: str) -> None:
        if self.ticket is None:
            return
        if rating == "good":
            self._send("good")
            return
        for widget in (self.good, self.bad):
            widget.setVisible(False)
        for widget in (self.comment_prompt, self.comment, self.send):
            widget.setVisible(True)
        self._timer.start(TIMEOUT_MS)

    def _send(self, rating: str) -> None:
        if self.ticket is None:
            return
        ticket, self.ticket = self.ticket, None
        comment = self.comment.toPlainText().strip()[:MAX_COMMENT] if rating == "bad" else ""
        self.rated.emit(ticket.ticket_id, rating, comment, self.anonymous.isChecked())
        for widget in (self.question, self.good, self.bad, self.anonymous, self.comment_prompt,
                       self.comment, self.send):
            widget.setVisible(False)
        self.thanks.setVisible(True)
        self._timer.start(THANKS_MS)

    def _timed_out(self) -> None:
        if self.ticket is not None and self.comment.isVisible():
            self._send("bad")  # the sad face was pressed: that rating stands, with what was typed
            return
        self.ticket = None
        self.busy = False
        self.finished.emit()
