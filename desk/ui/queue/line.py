"""The walk-in line: people waiting in arrival order with their wait, then those being served.

"Take next" claims the person who has waited longest (as the agent at the desk) and selects
them, so Enter opens their ticket; "Start serving" claims the selected person; "Done" solves,
with an optional note; "Left without service" records that they walked away (stats count it;
``left_marked`` lets the panel offer an Undo). Calls and walk-ins each carry a mark."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import _
from desk.core.vocabulary import counted, format_age, word
from desk.ui import plain_text
from desk.ui.errors import show_error
from desk.ui.queue.claiming import claim_confirmed
from desk.ui.tasks import Tasks
from desk.ui.widgets import button

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog  # the Done dialog's type is made when it first opens

    from desk.core.changes import Changes
    from desk.core.queries.frontdesk import LineEntry


def _ticket_ops() -> ModuleType:
    """The ticket operations, imported on first use (on the DB worker): the window paints its
    first queue page before the ORM loads."""
    from desk.core.ops import tickets

    return tickets


def _walk_in_line(session):  # noqa: ANN001, ANN202
    from desk.core.queries.frontdesk import walk_in_line

    return walk_in_line(session)


class WalkInLine(QWidget):
    open_requested = Signal(int)
    changed = Signal()
    taken = Signal(int)  # take next claimed this ticket
    left_marked = Signal(int)  # "Left without service" was recorded for this ticket
    solved = Signal(int)  # "Done" solved this ticket

    def __init__(self, tasks: Tasks, current_agent: Callable[[], int | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._current_agent = current_agent
        self._entries: list[LineEntry] = []
        self._select_next: int | None = None  # select this ticket when the line next fills
        self._focus_at_take: QWidget | None = None  # where the focus was when Take next was pressed
        self._done_dialog: QDialog | None = None
        self.list = QListWidget(self)
        self.list.setObjectName("walkInLine")
        self.list.setAccessibleName(_("Walk-in line"))
        self.list.setToolTip(_("People waiting at the desk, longest first, then those being served. "
                             "Enter opens the ticket."))
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._activated)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        # A mouse click makes the row current before it selects it: the buttons follow the
        # selection too, or a clicked person would leave them disabled.
        self.list.itemSelectionChanged.connect(self._update_buttons)

        # Each button's accessible name is its text.
        self.take_next_button = button(_("Take next"), _("Claim the person who has waited longest (Ctrl+T)"),
                                       self, slot=self.take_next)
        self.serve_button = button(_("Start serving"), _("Claim the selected person and start serving them"),
                                   self, slot=self.start_serving)
        self.done_button = button(_("Done"), _("Mark the selected ticket solved, with an optional note (Ctrl+D)"),
                                  self, slot=self.done)
        self.left_button = button(_("Left without service"),
                                  _("Record that the selected person left before being served"), self, slot=self.left)
        title = QLabel(_("Walk-in &line"), self)
        title.setBuddy(self.list)
        self.summary = QLabel("", self)
        self.summary.setAccessibleName(_("Line summary"))
        self.summary.setToolTip(_("How many are waiting and the longest wait"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        grid = QGridLayout()
        grid.addWidget(self.take_next_button, 0, 0, 1, 2)
        grid.addWidget(self.serve_button, 1, 0)
        grid.addWidget(self.done_button, 1, 1)
        grid.addWidget(self.left_button, 2, 0, 1, 2)
        layout.addLayout(grid)
        QTimer.singleShot(0, self, self.reload)  # after the queue's first page (startup order)

    # -- public ---------------------------------------------------------------------------------
    def entries(self) -> list[LineEntry]:
        return list(self._entries)

    def waiting_count(self) -> int:
        return sum(1 for e in self._entries if e.waiting)

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None or not item.isSelected() else item.data(Qt.ItemDataRole.UserRole)

    def has_focus_selection(self) -> bool:
        return self.list.hasFocus() and self.selected_id() is not None

    def reload(self) -> None:
        self._tasks.db(_walk_in_line, on_done=self._fill, discardable=True)

    def tick(self) -> None:
        now = datetime.now(UTC)
        for row, entry in enumerate(self._entries):
            item = self.list.item(row)
            if item is not None:
                item.setText(self._text(entry, now))
        self._update_summary(now)

    def take_next(self) -> None:
        agent_id = self._agent()
        if agent_id is None:
            return
        self._focus_at_take = QApplication.focusWidget()  # see _took
        def confirmed_or_none(ticket_id: int | None) -> None:
            if ticket_id is None:  # nobody waiting: the operation says so
                self._tasks.op(lambda s: _ticket_ops().take_next(s, agent_id=agent_id), initiator=self,
                               on_done=self._took, on_error=lambda exc: show_error(self, exc), owner=self)
                return
            # The helpdesk is asked first: another PC may have taken this person a moment ago.
            claim_confirmed(self._tasks, ticket_id=ticket_id, agent_id=agent_id, initiator=self,
                            on_done=self._took, on_error=lambda exc: show_error(self, exc), owner=self)

        self._tasks.db(lambda s: _ticket_ops().oldest_waiting_id(s), on_done=confirmed_or_none,
                       on_error=lambda exc: show_error(self, exc), owner=self)

    def select(self, ticket_id: int) -> None:
        """Select ``ticket_id`` in the line now if it is there, and again after the next fill."""
        self._select_next = ticket_id
        self._select_now(ticket_id)

    def start_serving(self) -> None:
        ticket_id, agent_id = self.selected_id(), self._agent()
        if ticket_id is not None and agent_id is not None:
            self._tasks.op(lambda s: _ticket_ops().claim(s, ticket_id=ticket_id, agent_id=agent_id),
                           initiator=self, on_error=lambda exc: show_error(self, exc), owner=self)

    def done(self, ticket_id: int | None = None, *, what: str = "") -> QDialog | None:
        """Ask for an optional note, then solve ``ticket_id`` (default: the selected person)."""
        ticket_id = ticket_id if ticket_id is not None else self.selected_id()
        if ticket_id is None or self._agent() is None:
            return None
        from desk.ui.queue.done_dialog import DoneDialog

        entry = next((e for e in self._entries if e.ticket_id == ticket_id), None)
        if entry is not None:
            what = f"#{ticket_id} {entry.requester} — {entry.subject}"
        dialog = DoneDialog(ticket_id=ticket_id, what=what, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(self._solve)
        self._done_dialog = dialog
        dialog.open()
        return dialog

    def left(self, ticket_id: int | None = None) -> None:
        ticket_id = ticket_id if ticket_id is not None else self.selected_id()
        if ticket_id is not None:
            agent_id = self._current_agent()
            self._tasks.op(lambda s: _ticket_ops().mark_left(s, ticket_id=ticket_id, actor_id=agent_id),
                           initiator=self, on_done=lambda _c: self.left_marked.emit(ticket_id),
                           on_error=lambda exc: show_error(self, exc), owner=self)

    def undo_left(self, ticket_id: int) -> None:
        agent_id = self._current_agent()
        self.select(ticket_id)
        self._tasks.op(lambda s: _ticket_ops().undo_left(s, ticket_id=ticket_id, actor_id=agent_id),
                       initiator=self, on_error=lambda exc: show_error(self, exc), owner=self)

    # -- internals ------------------------------------------------------------------------------
    def _agent(self) -> int | None:
        agent_id = self._current_agent()
        if agent_id is None:
            show_error(self, _no_agent())
        return agent_id

    def _solve(self, ticket_id: int, note: str) -> None:
        agent_id = self._agent()
        if agent_id is not None:
            self._tasks.op(lambda s: _ticket_ops().solve(s, ticket_id=ticket_id, actor_id=agent_id, note=note),
                           initiator=self, on_done=lambda _c: self.solved.emit(ticket_id),
                           on_error=lambda exc: show_error(self, exc), owner=self)

    def _took(self, changes: Changes) -> None:
        ticket_id = next(iter(changes.ticket_ids), None)
        if ticket_id is not None:
            self.select(ticket_id)
            # Enter now opens their ticket, unless the person has moved on while the helpdesk
            # confirmed the claim: taking the focus back then made their next key (Ctrl+Shift+K,
            # Ctrl+D) act on this person instead of the one they had clicked.
            if QApplication.focusWidget() is self._focus_at_take:
                self.list.setFocus(Qt.FocusReason.OtherFocusReason)
            self.taken.emit(ticket_id)

    def _select_now(self, ticket_id: int) -> bool:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == ticket_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def _fill(self, entries: list[LineEntry]) -> None:
        selected = self._select_next if self._select_next is not None else self.selected_id()
        self._entries = entries
        now = datetime.now(UTC)
        self.list.clear()
        for entry in entries:
            item = QListWidgetItem(self._text(entry, now))
            item.setData(Qt.ItemDataRole.UserRole, entry.ticket_id)
            state = _("waiting") if entry.waiting else (_("being served by {name}").format(name=entry.assignee) if entry.assignee
                                                           else _("being served by someone"))
            how = _("phone call") if entry.channel == "phone" else word("walk-in")
            item.setToolTip(plain_text.tooltip(f"#{entry.ticket_id} {entry.requester}: {entry.subject} ({how}, {state})"))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{how}: {item.text()}")
            self.list.addItem(item)
            if entry.ticket_id == selected:
                self.list.setCurrentItem(item)
                if selected == self._select_next:
                    self._select_next = None
        self._update_summary(now)
        self._update_buttons()
        self.changed.emit()

    def _text(self, entry: LineEntry, now: datetime) -> str:
        mark = CHANNEL_MARKS.get(entry.channel, "")
        if entry.waiting:
            age = format_age((now - entry.arrived_at).total_seconds())
            return f"{age:>7} {mark} {entry.requester} — {entry.subject}"
        who = (entry.assignee or _("someone")).split()[0]
        return _('{mark} with {who}: {requester} — {subject}').format(mark=mark, who=who, requester=entry.requester, subject=entry.subject)

    def _update_summary(self, now: datetime) -> None:
        waiting = [e for e in self._entries if e.waiting]
        if not waiting:
            self.summary.setText(_("Nobody is waiting."))
            return
        longest = format_age((now - waiting[0].arrived_at).total_seconds())
        self.summary.setText(_('{counted} waiting · longest {longest}').format(counted=counted(len(waiting), 'person', 'people'), longest=longest))

    def _update_buttons(self) -> None:
        entry = next((e for e in self._entries if e.ticket_id == self.selected_id()), None)
        self.take_next_button.setEnabled(self.waiting_count() > 0)
        self.serve_button.setEnabled(entry is not None and entry.waiting)
        self.left_button.setEnabled(entry is not None and entry.waiting)
        self.done_button.setEnabled(entry is not None)

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))


# Each line says how the person reached the desk: on the phone (☎) or in person (♟, a
# standing figure). Both glyphs are in DejaVu Sans, the fallback font everywhere Qt runs.
CHANNEL_MARKS = {"phone": "☎", "walk-in": "♟"}


def _no_agent() -> Exception:
    from desk.core.errors import InvalidInput

    return InvalidInput(_("Pick who you are under “At the desk” first (every action is done as that agent)."))
