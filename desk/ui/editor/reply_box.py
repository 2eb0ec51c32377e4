"""The reply box: public reply or internal note, the text, the canned response in use, Send.

What is typed is saved as the agent's draft 0.8 s after the last keystroke and when the tab
closes; reopening the ticket brings it back. Sending removes the draft in the same transaction.
What is saved and whose words these are is kept in the ``EditSession``'s ``DraftState``; this
widget shows the words and runs the draft op.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk.core import errors
from desk.core.changes import Changes
from desk.core.edit_session import Controls, EditSession
from desk.core.i18n import _
from desk.core.ops import drafts
from desk.core.queries.editor import TicketView
from desk.ui import theme
from desk.ui.tasks import Tasks
from desk.ui.widgets import button

DRAFT_DELAY_MS = 800  # well inside the 2 s promise


class ReplyBox(QWidget):
    send_requested = Signal(bool)  # solve
    canned_requested = Signal()
    changed = Signal()  # the text or the mode changed
    draft_saved = Signal()

    def __init__(self, *, tasks: Tasks, session: EditSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.session = session
        self._restoring = False  # the box is filled by the program, not typed
        self.channel: str | None = None  # how a public reply reaches the person (see show_channel)
        self.public = QRadioButton(_("&Public reply"), self)
        self.public.setAccessibleName("Public reply")
        self.public.setToolTip(_("The requester receives this (Alt+P)"))
        self.internal = QRadioButton(_("&Internal note"), self)
        self.internal.setAccessibleName("Internal note")
        self.internal.setToolTip(_("Only agents see this (Alt+I)"))
        self.public.setChecked(True)
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.public)
        self.mode.addButton(self.internal)
        self.mode.buttonToggled.connect(lambda *_: self._mode_changed())
        self.reply = QPlainTextEdit(self)
        self.reply.setObjectName("reply")
        self.reply.setAccessibleName(_("Reply"))
        self.reply.setToolTip(_("Type the reply or note; Ctrl+Enter sends, Ctrl+Shift+C inserts a canned response"))
        self.reply.setTabChangesFocus(True)
        self.reply.textChanged.connect(self._typed)
        self.reply.installEventFilter(self)
        theme.follow(self.reply, self._note_colour)
        self.canned_button = button(_("Canned responses…"), _("Pick a canned response (Ctrl+Shift+C)"), self)
        self.canned_button.clicked.connect(self.canned_requested)
        self.canned_label = QLabel(self)
        self.canned_label.setAccessibleName(_("Canned response in use"))
        self.canned_label.setToolTip(_("The canned response this reply came from; its use is counted on send"))
        self.draft_label = QLabel(self)
        self.draft_label.setAccessibleName(_("Draft status"))
        self.draft_label.setToolTip(_("Drafts are kept in the store as you type"))
        self.send_button = button(_("&Send"), _("Send the reply or note with the field changes (Ctrl+Enter)"), self)
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(lambda: self.send_requested.emit(False))
        self.solve_button = button(_("Send and mark solved"), _("Send and set the status to solved (Ctrl+Shift+Enter)"),
                                   self)
        self.solve_button.clicked.connect(lambda: self.send_requested.emit(True))

        modes = QHBoxLayout()
        modes.addWidget(self.public)
        modes.addWidget(self.internal)
        modes.addStretch(1)
        modes.addWidget(self.canned_label)
        modes.addWidget(self.canned_button)
        actions = QHBoxLayout()
        actions.addWidget(self.draft_label, 1)
        actions.addWidget(self.solve_button)
        actions.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(modes)
        layout.addWidget(self.reply, 1)
        layout.addLayout(actions)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)

    def tab_chain(self) -> list[QWidget]:
        return [self.public, self.internal, self.reply, self.canned_button, self.send_button, self.solve_button]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Ctrl+Enter in the reply box sends even when the shortcut map is not consulted."""
        if watched is self.reply and event.type() == QEvent.Type.KeyPress:
            key: QKeyEvent = event  # type: ignore[assignment]
            mods = key.modifiers()
            if key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
                self.send_requested.emit(bool(mods & Qt.KeyboardModifier.ShiftModifier))
                return True
            if (key.key() == Qt.Key.Key_C and mods & Qt.KeyboardModifier.ControlModifier
                    and mods & Qt.KeyboardModifier.ShiftModifier):
                self.canned_requested.emit()
                return True
        return super().eventFilter(watched, event)

    # -- showing --------------------------------------------------------------------------------
    def text(self) -> str:
        return self.reply.toPlainText()

    def is_public(self) -> bool:
        return self.public.isChecked()

    def show_agent_present(self, has_agent: bool) -> None:
        self.reply.setReadOnly(not has_agent)
        self.reply.setPlaceholderText(
            _("Type a reply… (Ctrl+Enter sends, Ctrl+Shift+C inserts a canned response)") if has_agent
            else _("Choose who is at the desk (toolbar) to reply.")
        )

    def show_controls(self, controls: Controls) -> None:
        self.send_button.setEnabled(controls.send)
        self.solve_button.setEnabled(controls.solve)
        self.canned_button.setEnabled(controls.canned)

    def _fill(self, text: str, *, public: bool) -> None:
        self._restoring = True
        self.reply.setPlainText(text)
        (self.public if public else self.internal).setChecked(True)
        self._restoring = False

    def show_channel(self, channel: str | None) -> None:
        """How a public reply reaches the person ("email", "remote", or None: nobody is told)."""
        self.channel = channel
        self._label_buttons()

    def _label_buttons(self) -> None:
        note = self.internal.isChecked()
        recorded = not note and self.channel is None
        if note:
            send, solve = "&Send note", "Add note and mark solved"
        elif recorded:
            send, solve = _("&Record reply"), _("Record reply and mark solved")
        else:
            send, solve = "&Send", "Send and mark solved"
        self.send_button.setText(send)
        self.send_button.setAccessibleName(send.replace("&", ""))
        self.solve_button.setText(solve)
        self.solve_button.setAccessibleName(solve)
        if recorded:
            self.send_button.setToolTip(_("Keep the reply on the ticket; no e-mail or helpdesk reaches this person, "
                                          "so tell them yourself (Ctrl+Enter)"))
        else:
            self.send_button.setToolTip("Send the reply or note with the field changes (Ctrl+Enter)")

    def _mode_changed(self) -> None:
        self._note_colour()
        self._label_buttons()
        if not self._restoring:
            self._typed()

    def _note_colour(self) -> None:
        """A note is typed on the note colour of the conversation (from the palette), a reply on
        the plain base colour."""
        self.reply.setPalette(QPalette())  # back to the application's palette
        if self.internal.isChecked():
            theme.set_colours(self.reply, base=theme.bubbles()["note"].background)

    def _typed(self) -> None:
        self.changed.emit()
        if self._restoring:
            return
        self._draft_timer.start()
        self.draft_label.setText("")

    # -- drafts ---------------------------------------------------------------------------------
    def restore_draft(self, view: TicketView) -> None:
        """On the first load, the agent's draft comes back (never over words already typed)."""
        draft = self.session.draft.to_restore(view, box_text=self.text())
        if draft is not None:
            self._fill(draft.body, public=draft.public)
            self.draft_label.setText(_("Draft restored."))

    def save_draft(self) -> None:
        """Store what is typed now (the timer calls this; closing the tab too)."""
        self._draft_timer.stop()
        state, text, public = self.session.draft, self.text(), self.is_public()
        agent, ticket_id = state.agent_id, self.session.ticket_id
        if agent is None or self.session.sending or not state.needs_saving(text=text, public=public):
            return
        state.saving(text=text, public=public)

        def saved(_changes: Changes) -> None:
            self.draft_label.setText(_("Draft saved.") if text.strip() else "")
            self.draft_saved.emit()

        def failed(exc: BaseException) -> None:
            state.save_failed()
            self.draft_label.setText(_("Draft NOT saved — ") + (exc.message if isinstance(exc, errors.DeskError)
                                                             else str(exc)))

        self.tasks.op(lambda s: drafts.save_draft(s, ticket_id=ticket_id, agent_id=agent, body=text, public=public),
                      initiator=self, on_done=saved, on_error=failed, owner=self)

    def switch_agent(self, agent_id: int | None) -> bool:
        """Someone else is at the desk: what the previous agent typed is saved as their draft and
        taken out of the box (nobody sends another's words). True when the box was emptied, so
        the next load can put the new agent's draft in."""
        previous = self.session.draft.agent_id
        if previous is not None and previous != agent_id:
            self.save_draft()
        if not self.session.draft.switch_agent(agent_id):
            return False
        self._fill("", public=True)
        self.draft_label.setText(_("The previous agent's reply was kept as their draft."))
        return True

    # -- sending --------------------------------------------------------------------------------
    def sending(self) -> None:
        self._draft_timer.stop()  # the send removes the draft; a save now would bring it back

    def _outcome(self, body: str, *, public: bool) -> str:
        """What became of it, honestly: "Sent." only when something carries it to the person."""
        if not body.strip():
            return "Saved."
        if not public:
            return _("Note saved.")
        if self.channel == "email":
            return _("Reply saved; the e-mail is queued.")
        if self.channel == "remote":
            return _("Reply saved; it goes to the helpdesk with the next sync.")
        return _("Reply recorded; not sent (no e-mail or helpdesk reaches this person).")

    def sent(self, body: str, *, public: bool = True) -> None:
        """The reply went (or, with no body, the field changes were saved)."""
        if body.strip() and self.text() == body:
            self._restoring = True
            self.reply.clear()
            self._restoring = False
        if body.strip() and self.text():
            self._draft_timer.start()  # typed more while it was sending
        self.draft_label.setText(self._outcome(body, public=public))
        self.canned_label.clear()

    def insert_canned(self, *, text: str, public: bool, title: str, select: str | None = None) -> None:
        """Put a canned response's text in: after what is typed, or in an empty box; ``select``
        (a gap to fill in) is then selected, so typing replaces it."""
        cursor = self.reply.textCursor()
        start = 0
        if self.text().strip():
            cursor.insertText("\n" if cursor.positionInBlock() else "")
            start = cursor.position()
            cursor.insertText(text)
        else:
            self.reply.setPlainText(text)
        (self.public if public else self.internal).setChecked(True)
        self.canned_label.setText(_('Canned: {title}').format(title=title))
        if select:
            found = self.reply.document().find(select, start)
            if not found.isNull():
                self.reply.setTextCursor(found)
        self.reply.setFocus()
