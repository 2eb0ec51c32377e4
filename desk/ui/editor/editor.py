"""The ticket editor: conversation, reply box, fields, history, notices, conflicts, canned responses.

* Everything is loaded on the DB worker as one ``TicketView``; nothing touches the store on
  the UI thread.
* What the editor is in the middle of (staged fields, the version they started from, what Send
  will send, the draft) is a plain ``EditSession`` (``desk.core.edit_session``); the widgets
  here show it and call it.
* The reply box (``reply_box``) keeps what is typed as the agent's draft as they type.
* Field edits are staged and saved with Send (or Save changes) against the version the user
  started from; if the ticket moved on, the conflict dialog says what changed and lets the
  user keep theirs, take theirs, or merge per field.
* Sync: "Not yet synced to <remote>" under the header while local changes wait in the outbox,
  and a banner per open sync conflict (changed here and on the remote) with Keep mine / Take
  theirs per field, run as ``engine.resolve_conflict`` ops (``sync_banner``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.core import errors
from desk.core.changes import Changes
from desk.core.edit_session import EditSession, Submission
from desk.core.i18n import N_, _
from desk.core.ops import replies
from desk.core.queries.editor import TicketView, ticket_view
from desk.core.sync import config as sync_config
from desk.core.sync.config import TicketSyncState
from desk.core.vocabulary import word
from desk.ui.editor.conflict import ConflictDialog
from desk.ui.editor.conversation import ConversationView
from desk.ui.editor.fields import FieldsPanel
from desk.ui.editor.history import HistoryView
from desk.ui.editor.notices import ChangedNotice
from desk.ui.editor.reply_box import ReplyBox
from desk.ui.editor.requester import RequesterPicker
from desk.ui.editor.sync_banner import SyncBanner
from desk.ui.errors import show_error
from desk.ui.language import show_moment
from desk.ui.tasks import Tasks
from desk.ui.widgets import ask, button


def _clocks(session, ticket_id: int):  # noqa: ANN001, ANN202 - on the DB worker
    from desk.core.rules.sla import ticket_clocks

    return ticket_clocks(session, ticket_id=ticket_id)


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
        self.session = EditSession(ticket_id=ticket_id, agent_id=current_agent())
        self.conflict_dialog: ConflictDialog | None = None
        self.canned_picker: QDialog | None = None
        self.gap_question: QMessageBox | None = None
        self.setObjectName("ticketEditor")
        self.setAccessibleName(f"Ticket #{ticket_id}")
        self._build()
        self._shortcuts()
        tasks.changes_executed.connect(self._changes_executed)
        agent_changed = getattr(parent, "agent_changed", None)
        if agent_changed is not None:
            agent_changed.connect(self._agent_changed)  # a method: disconnected when the tab goes
        self.reload()

    @property
    def view(self) -> TicketView | None:
        """The ticket as last shown."""
        return self.session.view

    # -- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = QLabel(f"<h2>#{self.ticket_id}</h2>", self)
        self.header.setAccessibleName(_("Ticket"))
        self.header.setToolTip(_("Ticket number, subject and how it came in"))
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = ChangedNotice(self)
        self.banner, self._dismiss = self.notice.label, self.notice.dismiss
        self.sync_banner = SyncBanner(self)
        self.sync_banner.resolve_requested.connect(self.resolve_sync_conflict)

        self.conversation = ConversationView(self)
        self.reply_box = ReplyBox(tasks=self.tasks, session=self.session, parent=self)
        box = self.reply_box
        self.public, self.internal, self.reply = box.public, box.internal, box.reply
        self.send_button, self.solve_button, self.canned_button = box.send_button, box.solve_button, box.canned_button
        box.send_requested.connect(lambda solve: self.send(solve=solve))
        box.canned_requested.connect(self.open_canned_picker)
        box.changed.connect(self._update_buttons)
        box.draft_saved.connect(self.draft_saved)
        talk = QSplitter(Qt.Orientation.Vertical, self)
        talk.addWidget(self.conversation)
        talk.addWidget(box)
        talk.setStretchFactor(0, 3)
        talk.setStretchFactor(1, 1)

        self.history = HistoryView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(_("Ticket views"))
        self.tabs.setToolTip(_("Conversation and history"))
        self.tabs.addTab(talk, _("Conversation"))
        self.tabs.addTab(self.history, _("History"))

        self.fields = FieldsPanel(self.session, self)
        self.fields.edited.connect(self._update_buttons)
        self.fields.change_requester.connect(self.pick_requester)
        self.save_button = button(_("Save changes"), _("Save the field changes without a reply (Ctrl+S)"), self)
        self.save_button.clicked.connect(self.save_fields)
        self.revert_button = button(_("Revert"), _("Forget the field changes you have not saved"), self)
        self.revert_button.clicked.connect(self.revert_fields)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.fields)
        from desk.ui.editor.sla_clocks import SlaClocks

        self.sla_clocks = SlaClocks(side)
        side_layout.addWidget(self.sla_clocks)
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.sync_banner)
        layout.addWidget(self.notice)
        layout.addWidget(body, 1)
        self._update_buttons()
        self._follow_screen_with_tab()

    def _follow_screen_with_tab(self) -> None:
        """Tab goes as the screen reads: the sync-conflict buttons and the notice under the
        header, the conversation, the reply, then the fields. Widgets made later (the conflict
        buttons) would otherwise join the end of the window's chain, so this runs again then."""
        chain = [*self.sync_banner.buttons.values(), self._dismiss, self.tabs, self.conversation,
                 self.history, *self.reply_box.tab_chain(), *self.fields.tab_chain(), self.revert_button,
                 self.save_button]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot, what in (
            ("Ctrl+Return", lambda: self.send(), _("Send the reply or note")),
            ("Ctrl+Enter", lambda: self.send(), _("Send the reply or note")),
            ("Ctrl+Shift+Return", lambda: self.send(solve=True), _("Send and mark solved")),
            ("Ctrl+Shift+Enter", lambda: self.send(solve=True), _("Send and mark solved")),
            ("Ctrl+Shift+C", self.open_canned_picker, _("Canned responses")),
            ("Ctrl+S", self.save_fields, _("Save the field changes")),
        ):
            # The context is set apart: PySide6 drops a ``context=`` passed together with a slot.
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.setWhatsThis(what)  # the shortcut sheet's words
            shortcut.activated.connect(slot)

    # -- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        ticket_id, agent_id = self.ticket_id, self.current_agent()
        self.tasks.db(lambda s: ticket_view(s, ticket_id=ticket_id, agent_id=agent_id),
                      on_done=self._show, on_error=self._load_failed, owner=self)
        self.load_sync_state()
        self.tasks.db(lambda s: _clocks(s, ticket_id), on_done=self.sla_clocks.show_clocks, owner=self,
                      discardable=True)

    def load_sync_state(self) -> None:
        ticket_id = self.ticket_id
        self.tasks.db(lambda s: sync_config.ticket_sync_state(s, ticket_id),
                      on_done=self._show_sync_state, on_error=lambda exc: show_error(self, exc), owner=self)

    def _show_sync_state(self, state: TicketSyncState) -> None:
        self.sync_banner.show_state(state)
        self._follow_screen_with_tab()
        self.sync_state_shown.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self.header.setText(f"<h2>#{self.ticket_id}</h2><p>{html.escape(str(exc), quote=False)}</p>")
        if not isinstance(exc, errors.NotFound):
            show_error(self, exc)

    def _show(self, view: TicketView) -> None:
        changed_elsewhere = self.session.show(view)
        if changed_elsewhere is not None:
            self.notice.say(changed_elsewhere)
        self._render(view)
        self.reply_box.restore_draft(view)
        self._update_reply_enabled()
        self.loaded.emit()

    def _render(self, view: TicketView) -> None:
        when = show_moment(view.arrived_at.astimezone(ZoneInfo(view.timezone)))
        self.header.setText(_('<h2>#{id} {escape}</h2><p>{channel} · arrived {when} · {value}</p>').format(id=view.id, escape=html.escape(view.subject, quote=False), channel=word(view.channel), when=when, value=word(str(view.fields['status']))))
        self.setWindowTitle(f"#{view.id} {view.subject}")  # the main window may show it on the tab
        self.conversation.show_view(view)
        self.reply_box.show_channel(view.reply_channel)
        self.fields.set_view(view)
        self.history.show_view(view)

    def _changes_executed(self, changes: Changes, initiator: object) -> None:
        if initiator is self or initiator is self.reply_box:  # its own reply, fields or draft
            return
        mine = self.ticket_id in changes.ticket_ids
        global_change = not changes.ticket_ids and (changes.tickets or changes.comments or changes.people)
        # A category, location or agent added elsewhere (a reply on another ticket can make a
        # category): this ticket's pick lists must offer it too.
        if mine or global_change or changes.choices:
            self.reload()
        elif changes.tickets or changes.remotes:
            self.load_sync_state()  # e.g. a sync run sent this ticket's changes, or a remote was added

    # -- who is at the desk ---------------------------------------------------------------------
    def _agent_changed(self, agent_id: object) -> None:
        if self.reply_box.switch_agent(agent_id):  # type: ignore[arg-type]
            self.reload()  # brings the new agent's draft
        self._update_reply_enabled()

    def _update_reply_enabled(self) -> None:
        self.reply_box.show_agent_present(self.current_agent() is not None)
        self._update_buttons()

    def _update_buttons(self) -> None:
        controls = self.session.controls(has_agent=self.current_agent() is not None,
                                         has_text=bool(self.reply_box.text().strip()))
        self.reply_box.show_controls(controls)
        self.save_button.setEnabled(controls.save)
        self.revert_button.setEnabled(controls.revert)

    def can_close(self) -> bool:
        """Closing never loses typed text: the draft is queued before the tab goes."""
        self.reply_box.save_draft()
        return True

    # -- fields ---------------------------------------------------------------------------------
    def revert_fields(self) -> None:
        self.fields.reset()
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
        if self.session.has_changes():
            self._submit(body="", solve=False)

    # -- sending --------------------------------------------------------------------------------
    def send(self, *, solve: bool = False, gaps_checked: bool = False) -> None:
        text = self.reply_box.text()
        if not self.session.can_send(has_agent=self.current_agent() is not None, text=text, solve=solve):
            return
        unfilled = [] if gaps_checked else self.session.unfilled_gaps(text)
        if unfilled:
            self._ask_about_gaps(unfilled, solve=solve)
            return
        self._submit(body=text, solve=solve)

    def _ask_about_gaps(self, unfilled: list[str], *, solve: bool) -> None:
        """A canned response's gap is still in the reply: the requester would read "[location?]"."""
        def answered(choice: str) -> None:
            self.gap_question = None
            if choice == "Send anyway":
                self.send(solve=solve, gaps_checked=True)
                return
            found = self.reply.document().find(unfilled[0])
            if not found.isNull():
                self.reply.setTextCursor(found)
            self.reply.setFocus()

        self.gap_question = ask(
            self, name="unfilledGapQuestion", title=_("Fill in the gap first?"),
            text=_('The reply still has {join} where a value is missing.').format(join=', '.join(unfilled)),
            choices=[(N_("Go back and fill in"), QMessageBox.ButtonRole.RejectRole, _("Select the gap to type the value")),
                     (N_("Send anyway"), QMessageBox.ButtonRole.DestructiveRole, _("Send the reply with the gap as it is"))],
            answered=answered)

    def _submit(self, *, body: str, solve: bool, fields: dict[str, object] | None = None) -> None:
        agent = self.current_agent()
        sub: Submission = self.session.submission(body=body, public=self.reply_box.is_public(), solve=solve,
                                                  fields=fields)
        self.session.sending = True
        self.reply_box.sending()
        self._update_buttons()
        self.tasks.op(lambda s: replies.send_reply(
                          s, ticket_id=sub.ticket_id, author_id=agent, body=sub.body, public=sub.public,
                          expected_version=sub.expected_version, fields=sub.fields, canned_id=sub.canned_id,
                          new_category=sub.new_category),
                      initiator=self, on_done=lambda _c: self._sent(body, public=sub.public),
                      on_error=lambda exc: self._send_failed(exc, body, sub.fields), owner=self)

    def _sent(self, body: str, *, public: bool = True) -> None:
        self.session.sent(body)
        self.reply_box.sent(body, public=public)
        self.notice.hide()
        self.sent.emit()
        self.reload()

    def _send_failed(self, exc: BaseException, body: str, fields: dict[str, object]) -> None:
        self.session.sending = False
        self._update_buttons()
        if not isinstance(exc, errors.ConflictError):
            show_error(self, exc)
            return
        ticket_id, agent = self.ticket_id, self.current_agent()
        self.tasks.db(lambda s: ticket_view(s, ticket_id=ticket_id, agent_id=agent),
                      on_done=lambda fresh: self._resolve_conflict(fresh, body, fields),
                      on_error=lambda e: show_error(self, e), owner=self)

    def _resolve_conflict(self, fresh: TicketView, body: str, mine: dict[str, object]) -> None:
        dialog = ConflictDialog(base=self.session.conflict_base(fresh), fresh=fresh, mine=mine,
                                base_values=self.session.base_values, parent=self)
        self.conflict_dialog = dialog

        def decided(result: int) -> None:
            self.conflict_dialog = None
            if result != QDialog.DialogCode.Accepted:
                return  # back to editing; the next Send asks again
            chosen = dialog.chosen_fields()
            self.session.adopt(fresh, chosen)
            self.fields.set_view(fresh)
            for name, value in chosen.items():
                self.fields.set_value(name, value)
            self.conversation.show_view(fresh)
            if not body.strip() and not chosen:
                self._sent("")
                return
            self._submit(body=body, solve=False, fields=dict(chosen))

        dialog.finished.connect(decided)
        dialog.open()

    # -- sync conflicts -------------------------------------------------------------------------
    def resolve_sync_conflict(self, conflict_id: int, keep: str) -> None:
        """Keep mine / Take theirs for one field of an open sync conflict (an op on the worker)."""
        from desk.core.sync import engine  # the adapters load only when a conflict is resolved

        actor = self.current_agent()
        self.sync_banner.set_busy(True)

        def done(_changes: Changes) -> None:
            self.session.expect_own_change()  # the user's choice, not "changed elsewhere"
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
                self.insert_canned(picker.chosen, send=picker.send_now, fill_in=picker.fill_in)
            self.reply.setFocus()

        picker.finished.connect(done)
        picker.open()

    def open_canned_manager(self) -> None:
        from desk.ui.canned.manager import CannedManager

        manager = CannedManager(self.tasks, self.current_agent, self)
        manager.open()

    def insert_canned(self, shown: object, *, send: bool = False, fill_in: bool = False) -> None:
        """Put a previewed canned response into the reply and stage its field changes; with
        ``fill_in`` its gaps (placeholders with no value) go in marked, the first one selected,
        and nothing is sent."""
        from desk.core.ops.canned import CannedPreview
        from desk.core.templating import gap_mark

        assert isinstance(shown, CannedPreview)
        self.reply_box.insert_canned(text=shown.marked if fill_in else shown.text, public=shown.public,
                                     title=shown.title,
                                     select=gap_mark(shown.empty[0]) if fill_in and shown.empty else None)
        self.fields.stage(dict(shown.fields), new_category=shown.new_category)
        self.session.canned_id = shown.canned_id
        if fill_in:
            self.session.gaps = tuple(dict.fromkeys((*self.session.gaps, *(gap_mark(n) for n in shown.empty))))
        if send and not fill_in:
            self.send()
