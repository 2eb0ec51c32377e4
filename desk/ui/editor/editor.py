"""The ticket editor: conversation, reply box, fields, history, drafts, conflicts, canned responses.

* Everything is loaded on the DB worker as one ``TicketView``; nothing touches the store on
  the UI thread.
* What is typed is saved as a draft 0.8 s after the last keystroke and when the tab closes;
  reopening the ticket brings it back. Sending removes the draft in the same transaction.
* Field edits are staged and saved with Send (or Save changes) against the version the user
  started from; if the ticket moved on, the conflict dialog says what changed and lets the
  user keep theirs, take theirs, or merge per field.
* Sync: "Not yet synced to <remote>" under the header while local changes wait in the outbox,
  and a banner per open sync conflict (changed here and on the remote) with Keep mine / Take
  theirs per field, run as ``engine.resolve_conflict`` ops (``sync_banner``).
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core import errors
from desk.core.changes import Changes
from desk.core.ops import drafts, replies
from desk.core.queries.editor import EDITOR_FIELDS, FIELD_LABELS, TicketView, ticket_view
from desk.core.sync import config as sync_config
from desk.core.sync.config import TicketSyncState
from desk.ui.editor.conflict import ConflictDialog
from desk.ui.editor.conversation import ConversationView
from desk.ui.editor.fields import FieldsPanel
from desk.ui.editor.requester import RequesterPicker
from desk.ui.editor.sync_banner import SyncBanner
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import button

DRAFT_DELAY_MS = 800  # well inside the 2 s promise
NOTE_STYLE = "QPlainTextEdit { background: #fff8dc; }"
ID_FIELDS = {"category_id", "location_id", "assignee_id", "requester_id"}


class TicketEditor(QWidget):
    loaded = Signal()  # a view of the ticket was shown
    sent = Signal()  # a reply, note or field change was saved
    draft_saved = Signal()
    sync_state_shown = Signal()  # the sync banner shows the latest state

    def __init__(self, tasks: Tasks, ticket_id: int, current_agent: Callable[[], int | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.requester_picker: RequesterPicker | None = None  # open while the user picks
        self.ticket_id = ticket_id
        self.current_agent = current_agent
        self.view: TicketView | None = None
        self._base_view: TicketView | None = None  # the ticket when the user started editing fields
        self._base_values: dict[str, object] = {}
        self._canned_id: int | None = None
        self._restoring = False
        self._draft_restored = False
        self._draft_saved_text = ""
        self._draft_agent = current_agent()  # whose words the reply box holds
        self._sending = False
        self._quiet_reload = False  # the next version change is the user's own sync resolution
        self.conflict_dialog: ConflictDialog | None = None
        self.canned_picker: QDialog | None = None
        self.setObjectName("ticketEditor")
        self.setAccessibleName(f"Ticket #{ticket_id}")
        self._build()
        self._shortcuts()
        tasks.changes_executed.connect(self._changes_executed)
        agent_changed = getattr(parent, "agent_changed", None)
        if agent_changed is not None:
            agent_changed.connect(self._agent_changed)  # a method: disconnected when the tab goes
        self.reload()

    # -- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = QLabel(f"<h2>#{self.ticket_id}</h2>", self)
        self.header.setAccessibleName("Ticket")
        self.header.setToolTip("Ticket number, subject and how it came in")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = QLabel(self)
        self.banner.setObjectName("changedBanner")
        self.banner.setAccessibleName("Changed elsewhere")
        self.banner.setToolTip("This ticket was changed by someone else while it was open")
        self.banner.setStyleSheet("background:#fdecc8; padding:6px; border-radius:3px;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.sync_banner = SyncBanner(self)
        self.sync_banner.resolve_requested.connect(self.resolve_sync_conflict)

        self.conversation = ConversationView(self)
        self.public = QRadioButton("&Public reply", self)
        self.public.setAccessibleName("Public reply")
        self.public.setToolTip("The requester receives this (Alt+P)")
        self.internal = QRadioButton("&Internal note", self)
        self.internal.setAccessibleName("Internal note")
        self.internal.setToolTip("Only agents see this (Alt+I)")
        self.public.setChecked(True)
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.public)
        self.mode.addButton(self.internal)
        self.mode.buttonToggled.connect(lambda *_: self._mode_changed())
        self.reply = QPlainTextEdit(self)
        self.reply.setObjectName("reply")
        self.reply.setAccessibleName("Reply")
        self.reply.setToolTip("Type the reply or note; Ctrl+Enter sends, Ctrl+Shift+C inserts a canned response")
        self.reply.setTabChangesFocus(True)
        self.reply.textChanged.connect(self._typed)
        self.reply.installEventFilter(self)
        self.canned_button = button("Canned responses…", "Pick a canned response (Ctrl+Shift+C)", self)
        self.canned_button.clicked.connect(self.open_canned_picker)
        self.canned_label = QLabel(self)
        self.canned_label.setAccessibleName("Canned response in use")
        self.canned_label.setToolTip("The canned response this reply came from; its use is counted on send")
        self.draft_label = QLabel(self)
        self.draft_label.setAccessibleName("Draft status")
        self.draft_label.setToolTip("Drafts are kept in the store as you type")
        self.send_button = button("&Send", "Send the reply or note with the field changes (Ctrl+Enter)", self)
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(lambda: self.send())
        self.solve_button = button("Send and mark solved", "Send and set the status to solved (Ctrl+Shift+Enter)",
                                    self)
        self.solve_button.clicked.connect(lambda: self.send(solve=True))

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
        reply_box = QWidget(self)
        reply_layout = QVBoxLayout(reply_box)
        reply_layout.setContentsMargins(0, 0, 0, 0)
        reply_layout.addLayout(modes)
        reply_layout.addWidget(self.reply, 1)
        reply_layout.addLayout(actions)
        talk = QSplitter(Qt.Orientation.Vertical, self)
        talk.addWidget(self.conversation)
        talk.addWidget(reply_box)
        talk.setStretchFactor(0, 3)
        talk.setStretchFactor(1, 1)

        self.history = QTreeWidget(self)
        self.history.setAccessibleName("History")
        self.history.setToolTip("Who changed what, when (from the audit log)")
        self.history.setHeaderLabels(["When", "Who", "What", "Field", "Old", "New"])
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Ticket views")
        self.tabs.setToolTip("Conversation and history")
        self.tabs.addTab(talk, "Conversation")
        self.tabs.addTab(self.history, "History")

        self.fields = FieldsPanel(self)
        self.fields.edited.connect(self._fields_edited)
        self.fields.change_requester.connect(self.pick_requester)
        self.save_button = button("Save changes", "Save the field changes without a reply (Ctrl+S)", self)
        self.save_button.clicked.connect(self.save_fields)
        self.revert_button = button("Revert", "Forget the field changes you have not saved", self)
        self.revert_button.clicked.connect(self.revert_fields)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.fields)
        row = QHBoxLayout()
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        side_layout.addLayout(row)
        side_layout.addStretch(1)

        body = QSplitter(Qt.Orientation.Horizontal, self)
        body.addWidget(self.tabs)
        body.addWidget(side)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        side.setMinimumWidth(300)
        body.setSizes([900, 340])
        dismiss = QToolButton(self)
        dismiss.setText("✕")
        dismiss.setAccessibleName("Dismiss")
        dismiss.setToolTip("Hide this notice")
        dismiss.clicked.connect(self.banner.hide)
        dismiss.clicked.connect(dismiss.hide)
        dismiss.hide()
        self._dismiss = dismiss
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(dismiss)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.sync_banner)
        layout.addLayout(banner_row)
        layout.addWidget(body, 1)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._update_buttons()
        self._follow_screen_with_tab()

    def _follow_screen_with_tab(self) -> None:
        """Tab goes as the screen reads: the sync-conflict buttons and the notice under the
        header, the conversation, the reply, then the fields. Widgets made later (the conflict
        buttons) would otherwise join the end of the window's chain, so this runs again then."""
        chain = [*self.sync_banner.buttons.values(), self._dismiss, self.tabs, self.conversation,
                 self.history, self.public, self.internal, self.reply, self.canned_button, self.send_button,
                 self.solve_button, *self.fields.tab_chain(), self.revert_button, self.save_button]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Ctrl+Return", lambda: self.send()), ("Ctrl+Enter", lambda: self.send()),
            ("Ctrl+Shift+Return", lambda: self.send(solve=True)),
            ("Ctrl+Shift+Enter", lambda: self.send(solve=True)),
            ("Ctrl+Shift+C", self.open_canned_picker), ("Ctrl+S", self.save_fields),
        ):
            QShortcut(QKeySequence(keys), self, activated=slot, context=context)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Ctrl+Enter in the reply box sends even when the shortcut map is not consulted."""
        if watched is self.reply and event.type() == QEvent.Type.KeyPress:
            key: QKeyEvent = event  # type: ignore[assignment]
            mods = key.modifiers()
            if key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
                self.send(solve=bool(mods & Qt.KeyboardModifier.ShiftModifier))
                return True
            if (key.key() == Qt.Key.Key_C and mods & Qt.KeyboardModifier.ControlModifier
                    and mods & Qt.KeyboardModifier.ShiftModifier):
                self.open_canned_picker()
                return True
        return super().eventFilter(watched, event)

    # -- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        ticket_id, agent_id = self.ticket_id, self.current_agent()
        self.tasks.db(lambda s: ticket_view(s, ticket_id=ticket_id, agent_id=agent_id),
                      on_done=self._show, on_error=self._load_failed, owner=self)
        self.load_sync_state()

    def load_sync_state(self) -> None:
        ticket_id = self.ticket_id
        self.tasks.db(lambda s: sync_config.ticket_sync_state(s, ticket_id),
                      on_done=self._show_sync_state, on_error=lambda exc: show_error(self, exc), owner=self)

    def _show_sync_state(self, state: TicketSyncState) -> None:
        self.sync_banner.show_state(state)
        self._follow_screen_with_tab()
        self.sync_state_shown.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self.header.setText(f"<h2>#{self.ticket_id}</h2><p>{_esc(str(exc))}</p>")
        if not isinstance(exc, errors.NotFound):
            show_error(self, exc)

    def _show(self, view: TicketView) -> None:
        old = self.view
        self.view = view
        if old is not None and old.version != view.version and not self._sending and not self._quiet_reload:
            self._say_what_changed(old, view)
        self._quiet_reload = False
        when = view.arrived_at.astimezone(ZoneInfo(view.timezone)).strftime("%a %d %b %Y, %H:%M")
        self.header.setText(f"<h2>#{view.id} {_esc(view.subject)}</h2>"
                            f"<p>{view.channel} · arrived {when} · {view.fields['status']}</p>")
        self.setWindowTitle(f"#{view.id} {view.subject}")  # the main window may show it on the tab
        self.conversation.show_view(view)
        self.fields.set_view(view)
        self._fill_history(view)
        if not self._draft_restored:
            self._draft_restored = True
            if view.draft is not None and not self.reply.toPlainText():
                self._restoring = True
                self.reply.setPlainText(view.draft.body)
                (self.public if view.draft.public else self.internal).setChecked(True)
                self._draft_saved_text = view.draft.body
                self._restoring = False
                self.draft_label.setText("Draft restored.")
        self._update_reply_enabled()
        self._update_buttons()
        self.loaded.emit()

    def _say_what_changed(self, old: TicketView, new: TicketView) -> None:
        lines = [
            f"{FIELD_LABELS[name]}: {old.label(name, old.fields.get(name))} → {new.label(name, new.fields.get(name))}"
            for name in EDITOR_FIELDS if old.fields.get(name) != new.fields.get(name)
        ]
        added = len(new.messages) - len(old.messages)
        if added > 0:
            lines.append(f"{added} new repl{'y' if added == 1 else 'ies'}/note{'s' if added != 1 else ''}")
        if not lines:
            return
        touched = sorted(FIELD_LABELS[name] for name in self.fields.touched if name in FIELD_LABELS)
        keep = f" Your unsaved changes to {', '.join(touched)} are kept." if touched else ""
        self.banner.setText("Changed elsewhere just now — " + "; ".join(_esc(line) for line in lines) + "." + keep)
        self.banner.show()
        self._dismiss.show()

    def _fill_history(self, view: TicketView) -> None:
        zone = ZoneInfo(view.timezone)
        self.history.clear()
        for entry in view.history:
            old, new = entry.old, entry.new
            if entry.field in ID_FIELDS:
                old, new = (_label_id(view, entry.field, value) for value in (old, new))
            QTreeWidgetItem(self.history, [
                entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), entry.actor or "(system)",
                entry.action, FIELD_LABELS.get(entry.field or "", entry.field or ""), old or "", new or "",
            ])
        for column in range(4):
            self.history.resizeColumnToContents(column)

    def _changes_executed(self, changes: Changes, initiator: object) -> None:
        if initiator is self:
            return
        mine = self.ticket_id in changes.ticket_ids
        global_change = not changes.ticket_ids and (changes.tickets or changes.comments or changes.people)
        if mine or global_change:
            self.reload()
        elif changes.tickets or changes.remotes:
            self.load_sync_state()  # e.g. a sync run sent this ticket's changes, or a remote was added

    # -- reply ------------------------------------------------------------------------------------
    def _agent_changed(self, agent_id: object) -> None:
        """Someone else is at the desk: what the previous agent typed is saved as their draft and
        taken out of the box (nobody sends another's words), and the new agent's draft comes back."""
        previous = self._draft_agent
        if previous is not None and previous != agent_id:
            if self.reply.toPlainText() != self._draft_saved_text or self._mode_dirty():
                self.save_draft()
            self._restoring = True
            self.reply.clear()
            self.public.setChecked(True)
            self._restoring = False
            self._draft_saved_text = ""
            self._draft_restored = False  # the next load puts the new agent's draft in
            self.draft_label.setText("The previous agent's reply was kept as their draft.")
            self._draft_agent = agent_id  # type: ignore[assignment]
            self.reload()
        self._draft_agent = agent_id  # type: ignore[assignment]
        self._update_reply_enabled()

    def _update_reply_enabled(self) -> None:
        has_agent = self.current_agent() is not None
        self.reply.setReadOnly(not has_agent)
        self.reply.setPlaceholderText(
            "Type a reply… (Ctrl+Enter sends, Ctrl+Shift+C inserts a canned response)" if has_agent
            else "Choose who is at the desk (toolbar) to reply."
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_agent = self.current_agent() is not None
        has_text = bool(self.reply.toPlainText().strip())
        changed = self.fields.has_changes()
        idle = not self._sending and self.view is not None
        self.send_button.setEnabled(idle and has_agent and (has_text or changed))
        self.solve_button.setEnabled(idle and has_agent)
        self.save_button.setEnabled(idle and changed)
        self.revert_button.setEnabled(changed)
        self.canned_button.setEnabled(has_agent and self.view is not None)

    def _mode_changed(self) -> None:
        self.reply.setStyleSheet(NOTE_STYLE if self.internal.isChecked() else "")
        self.send_button.setText("&Send note" if self.internal.isChecked() else "&Send")
        self.solve_button.setText("Add note and mark solved" if self.internal.isChecked() else "Send and mark solved")
        if not self._restoring:
            self._typed()

    def _typed(self) -> None:
        self._update_buttons()
        if self._restoring:
            return
        self._draft_timer.start()
        self.draft_label.setText("")

    def save_draft(self) -> None:
        """Store what is typed now (the timer calls this; closing the tab too)."""
        self._draft_timer.stop()
        agent = self._draft_agent
        text = self.reply.toPlainText()
        if agent is None or self._sending or (text == self._draft_saved_text and not self._mode_dirty()):
            return
        public = self.public.isChecked()
        ticket_id = self.ticket_id
        self._draft_saved_text = text
        self._draft_public = public

        def saved(_changes: Changes) -> None:
            self.draft_label.setText("Draft saved." if text.strip() else "")
            self.draft_saved.emit()

        self.tasks.op(lambda s: drafts.save_draft(s, ticket_id=ticket_id, agent_id=agent, body=text,
                                                  public=public),
                      initiator=self, on_done=saved, on_error=lambda exc: self._draft_failed(exc), owner=self)

    _draft_public = True

    def _mode_dirty(self) -> bool:
        return self.public.isChecked() != self._draft_public

    def _draft_failed(self, exc: BaseException) -> None:
        self._draft_saved_text = ""
        self.draft_label.setText("Draft NOT saved — " + (exc.message if isinstance(exc, errors.DeskError) else str(exc)))

    def can_close(self) -> bool:
        """Closing never loses typed text: the draft is queued before the tab goes."""
        self.save_draft()
        return True

    # -- fields ---------------------------------------------------------------------------------
    def _fields_edited(self) -> None:
        if self._base_view is None:
            self._base_view = self.view
        for name in self.fields.touched:
            if name not in self._base_values and self._base_view is not None:
                self._base_values[name] = self._base_view.fields.get(name)
        self._update_buttons()

    def _edit_version(self) -> int:
        base = self._base_view or self.view
        assert base is not None
        return base.version

    def revert_fields(self) -> None:
        self.fields.reset()
        self._base_view = None
        self._base_values = {}
        self._update_buttons()

    def pick_requester(self) -> None:
        """Open the requester picker; the person picked is staged like any other field."""
        picker = RequesterPicker(self.tasks, self.fields.value("requester_id"), self)  # type: ignore[arg-type]
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.requester_picker = picker

        def finished(result: int) -> None:
            chosen = picker.chosen()
            if result == QDialog.DialogCode.Accepted and chosen is not None:
                self.fields.choose_requester(chosen)
            self.requester_picker = None

        picker.finished.connect(finished)
        picker.open()

    def save_fields(self) -> None:
        if self.fields.has_changes():
            self._submit(body="", solve=False)

    # -- sending --------------------------------------------------------------------------------
    def send(self, *, solve: bool = False) -> None:
        if self.current_agent() is None or self.view is None or self._sending:
            return
        if not self.reply.toPlainText().strip() and not self.fields.has_changes() and not solve:
            return
        self._submit(body=self.reply.toPlainText(), solve=solve)

    def _submit(self, *, body: str, solve: bool, fields: dict[str, object] | None = None,
                expected_version: int | None = None) -> None:
        agent = self.current_agent()
        if fields is None:
            fields = self.fields.changed_fields()
        if solve:
            fields["status"] = "solved"
        new_category = self.fields.new_category
        if expected_version is None:
            expected_version = self._edit_version()
        public, ticket_id, canned_id = self.public.isChecked(), self.ticket_id, self._canned_id
        self._sending = True
        self._draft_timer.stop()
        self._update_buttons()

        def run(session):  # noqa: ANN001, ANN202 - runs on the DB worker
            return replies.send_reply(
                session, ticket_id=ticket_id, author_id=agent, body=body, public=public,
                expected_version=expected_version, fields=fields, canned_id=canned_id,
                new_category=new_category,
            )

        self.tasks.op(run, initiator=self, on_done=lambda _c: self._sent(body),
                      on_error=lambda exc: self._send_failed(exc, body, solve, fields), owner=self)

    def _sent(self, body: str) -> None:
        self._sending = False
        if body.strip() and self.reply.toPlainText() == body:
            self._restoring = True
            self.reply.clear()
            self._restoring = False
        if body.strip():
            self._draft_saved_text = ""  # the draft went with the reply
            if self.reply.toPlainText():
                self._draft_timer.start()  # typed more while it was sending
        self.draft_label.setText("Sent." if body.strip() else "Saved.")
        self._canned_id = None
        self.canned_label.clear()
        self.fields.touched.clear()
        self.fields._new_category = None
        self._base_view = None
        self._base_values = {}
        self.banner.hide()
        self._dismiss.hide()
        self.sent.emit()
        self.reload()

    def _send_failed(self, exc: BaseException, body: str, solve: bool, fields: dict[str, object]) -> None:
        self._sending = False
        self._update_buttons()
        if not isinstance(exc, errors.ConflictError):
            show_error(self, exc)
            return
        ticket_id, agent = self.ticket_id, self.current_agent()
        self.tasks.db(lambda s: ticket_view(s, ticket_id=ticket_id, agent_id=agent),
                      on_done=lambda fresh: self._resolve_conflict(fresh, body, solve, fields),
                      on_error=lambda e: show_error(self, e), owner=self)

    def _resolve_conflict(self, fresh: TicketView, body: str, solve: bool, mine: dict[str, object]) -> None:
        base = self._base_view or self.view or fresh
        dialog = ConflictDialog(base=base, fresh=fresh, mine=mine, base_values=self._base_values, parent=self)
        self.conflict_dialog = dialog

        def decided(result: int) -> None:
            self.conflict_dialog = None
            if result != QDialog.DialogCode.Accepted:
                return  # back to editing; the next Send asks again
            chosen = dialog.chosen_fields()
            self.view = fresh
            self._base_view = fresh
            self._base_values = {name: fresh.fields.get(name) for name in chosen}
            self.fields.touched = set(chosen) & set(EDITOR_FIELDS)
            self.fields.set_view(fresh)
            for name, value in chosen.items():
                self.fields.set_value(name, value)
            self.conversation.show_view(fresh)
            if not body.strip() and not chosen:
                self._sent("")
                return
            self._submit(body=body, solve=False, fields=dict(chosen), expected_version=fresh.version)

        dialog.finished.connect(decided)
        dialog.open()

    # -- sync conflicts -------------------------------------------------------------------------
    def resolve_sync_conflict(self, conflict_id: int, keep: str) -> None:
        """Keep mine / Take theirs for one field of an open sync conflict (an op on the worker)."""
        from desk.core.sync import engine  # the adapters load only when a conflict is resolved

        actor = self.current_agent()
        self.sync_banner.set_busy(True)

        def done(_changes: Changes) -> None:
            self._quiet_reload = True  # the change is the user's choice, not "changed elsewhere"
            self.reload()

        def failed(exc: BaseException) -> None:
            self.sync_banner.set_busy(False)
            show_error(self, exc)
            self.load_sync_state()

        self.tasks.op(lambda s: engine.resolve_conflict(s, conflict_id=conflict_id, keep=keep, actor_id=actor),
                      initiator=self, on_done=done, on_error=failed, owner=self)

    # -- canned responses -----------------------------------------------------------------------
    def open_canned_picker(self) -> None:
        if self.view is None or self.current_agent() is None:
            return
        from desk.ui.canned.picker import CannedPicker

        picker = CannedPicker(self.tasks, self.ticket_id, self.current_agent(), self,
                              manage=self.open_canned_manager)
        self.canned_picker = picker

        def done(result: int) -> None:
            self.canned_picker = None
            if result == QDialog.DialogCode.Accepted and picker.chosen is not None:
                self.insert_canned(picker.chosen, send=picker.send_now)
            self.reply.setFocus()

        picker.finished.connect(done)
        picker.open()

    def open_canned_manager(self) -> None:
        from desk.ui.canned.manager import CannedManager

        manager = CannedManager(self.tasks, self.current_agent, self)
        manager.open()

    def insert_canned(self, shown: object, *, send: bool = False) -> None:
        """Put a previewed canned response into the reply and stage its field changes."""
        from desk.core.ops.canned import CannedPreview

        assert isinstance(shown, CannedPreview)
        cursor = self.reply.textCursor()
        if self.reply.toPlainText().strip():
            cursor.insertText(("\n" if cursor.positionInBlock() else "") + shown.text)
        else:
            self.reply.setPlainText(shown.text)
        (self.public if shown.public else self.internal).setChecked(True)
        self.fields.stage(dict(shown.fields), new_category=shown.new_category)
        self._canned_id = shown.canned_id
        self.canned_label.setText(f"Canned: {shown.title}")
        self.reply.setFocus()
        if send:
            self.send()


def _label_id(view: TicketView, field: str | None, value: str | None) -> str | None:
    if value is None or field is None:
        return value
    try:
        return view.label(field, int(value))
    except ValueError:
        return value


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
