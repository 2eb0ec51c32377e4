"""The walk-in line: people waiting in arrival order with their wait, then those being served.

"Take next" claims the person who has waited longest (as the agent at the desk); "Start
serving" claims the selected person; "Done" solves; "Left without service" records that they
walked away (stats count it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core.vocabulary import format_age
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import button

if TYPE_CHECKING:
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

    def __init__(self, tasks: Tasks, current_agent: Callable[[], int | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._current_agent = current_agent
        self._entries: list[LineEntry] = []
        self.list = QListWidget(self)
        self.list.setObjectName("walkInLine")
        self.list.setAccessibleName("Walk-in line")
        self.list.setToolTip("People waiting at the desk, longest first, then those being served. "
                             "Enter opens the ticket.")
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._activated)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())

        # Each button's accessible name is its text.
        self.take_next_button = button("Take next", "Claim the person who has waited longest (Ctrl+T)",
                                       self, slot=self.take_next)
        self.serve_button = button("Start serving", "Claim the selected person and start serving them",
                                   self, slot=self.start_serving)
        self.done_button = button("Done", "Mark the selected ticket solved", self, slot=self.done)
        self.left_button = button("Left without service",
                                  "Record that the selected person left before being served", self, slot=self.left)
        title = QLabel("Walk-in &line", self)
        title.setBuddy(self.list)
        self.summary = QLabel("", self)
        self.summary.setAccessibleName("Line summary")
        self.summary.setToolTip("How many are waiting and the longest wait")
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
        self._tasks.op(lambda s: _ticket_ops().take_next(s, agent_id=agent_id), initiator=self,
                       on_done=lambda c: self.taken.emit(c.ticket_ids and next(iter(c.ticket_ids))),
                       on_error=lambda exc: show_error(self, exc), owner=self)

    def start_serving(self) -> None:
        ticket_id, agent_id = self.selected_id(), self._agent()
        if ticket_id is not None and agent_id is not None:
            self._tasks.op(lambda s: _ticket_ops().claim(s, ticket_id=ticket_id, agent_id=agent_id),
                           initiator=self, on_error=lambda exc: show_error(self, exc), owner=self)

    def done(self) -> None:
        ticket_id, agent_id = self.selected_id(), self._agent()
        if ticket_id is not None and agent_id is not None:
            self._tasks.op(lambda s: _ticket_ops().solve(s, ticket_id=ticket_id, actor_id=agent_id),
                           initiator=self, on_error=lambda exc: show_error(self, exc), owner=self)

    def left(self) -> None:
        ticket_id = self.selected_id()
        if ticket_id is not None:
            agent_id = self._current_agent()
            self._tasks.op(lambda s: _ticket_ops().mark_left(s, ticket_id=ticket_id, actor_id=agent_id),
                           initiator=self, on_error=lambda exc: show_error(self, exc), owner=self)

    # -- internals ------------------------------------------------------------------------------
    def _agent(self) -> int | None:
        agent_id = self._current_agent()
        if agent_id is None:
            show_error(self, _no_agent())
        return agent_id

    def _fill(self, entries: list[LineEntry]) -> None:
        selected = self.selected_id()
        self._entries = entries
        now = datetime.now(UTC)
        self.list.clear()
        for entry in entries:
            item = QListWidgetItem(self._text(entry, now))
            item.setData(Qt.ItemDataRole.UserRole, entry.ticket_id)
            state = "waiting" if entry.waiting else f"being served by {entry.assignee or 'someone'}"
            item.setToolTip(f"#{entry.ticket_id} {entry.requester}: {entry.subject} ({entry.channel}, {state})")
            self.list.addItem(item)
            if entry.ticket_id == selected:
                self.list.setCurrentItem(item)
        self._update_summary(now)
        self._update_buttons()
        self.changed.emit()

    def _text(self, entry: LineEntry, now: datetime) -> str:
        if entry.waiting:
            return f"{format_age((now - entry.arrived_at).total_seconds()):>7}  {entry.requester} — {entry.subject}"
        who = (entry.assignee or "someone").split()[0]
        return f"with {who}: {entry.requester} — {entry.subject}"

    def _update_summary(self, now: datetime) -> None:
        waiting = [e for e in self._entries if e.waiting]
        if not waiting:
            self.summary.setText("Nobody is waiting.")
            return
        longest = format_age((now - waiting[0].arrived_at).total_seconds())
        self.summary.setText(f"{len(waiting)} waiting · longest {longest}")

    def _update_buttons(self) -> None:
        entry = next((e for e in self._entries if e.ticket_id == self.selected_id()), None)
        self.take_next_button.setEnabled(self.waiting_count() > 0)
        self.serve_button.setEnabled(entry is not None and entry.waiting)
        self.left_button.setEnabled(entry is not None and entry.waiting)
        self.done_button.setEnabled(entry is not None)

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))


def _no_agent() -> Exception:
    from desk.core.errors import InvalidInput

    return InvalidInput("Pick who you are under “At the desk” first (every action is done as that agent).")
