"""The Queue tab: views list, search, filters, the queue table and the walk-in line.

The parts are their own modules (``saved_views``, ``filters``, ``table``, ``line``,
``status_line``); the panel puts them together, turns what is picked and typed into the queue
model's filter, and runs the ticket buttons as one core op each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QSplitter, QStatusBar, QVBoxLayout, QWidget

from desk.core.i18n import _
from desk.core.queries import queue
from desk.core.queries.queue import QueueFilter
from desk.ui.errors import show_error
from desk.ui.queue.filters import FilterBar
from desk.ui.queue.flow_layout import FlowLayout
from desk.ui.queue.line import WalkInLine
from desk.ui.queue.model import COL_ID, QueueModel
from desk.ui.queue.saved_views import SavedViews
from desk.ui.queue.status_line import StatusLine
from desk.ui.queue.table import queue_table
from desk.ui.queue.undo_notice import UndoNotice
from desk.ui.tasks import EXTERNAL, Tasks
from desk.ui.widgets import button, guard_composition

if TYPE_CHECKING:
    from desk.core.changes import Changes
    from desk.core.queries.frontdesk import SavedViewInfo
    from desk.ui.queue.at_desk import AtDeskSwitcher

# The core's ops and ORM queries (and so SQLAlchemy) are imported where they are used, after
# the queue's first page is painted: the first page itself is read with plain sqlite3.

SEARCH_DELAY_MS = 150
TICK_MS = 1000


class QueuePanel(QWidget):
    open_requested = Signal(int)

    def __init__(self, tasks: Tasks, current_agent: Callable[[], int | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.current_agent = current_agent
        self._status: QStatusBar | None = None
        self._status_label: StatusLine | None = None
        self.undo_notice: UndoNotice | None = None
        self._open_single_hit = False  # Enter in the search box: open the result if it is the only one
        self._select_first_hit = False  # Down from the search box: select the first result
        self._day_start: datetime | None = None
        self.model = QueueModel(tasks, self)

        # Views list
        self.saved_views = SavedViews(tasks=tasks, current_agent=current_agent,
                                      current_filters=self.current_filters, parent=self)
        self.views = self.saved_views.list
        self.save_view_button, self.delete_view_button = self.saved_views.save_button, self.saved_views.delete_button
        self.saved_views.picked.connect(self._view_picked)

        # Search and filters
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setAccessibleName(_("Search tickets"))
        self.search.setToolTip(_("Search subject, details, comments and requester (Ctrl+F). "
                               "Type words; anything is safe to type."))
        self.search.setPlaceholderText(_("Search tickets (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_entered)
        self.search.installEventFilter(self)  # Down moves into the results
        guard_composition(self.search)  # Enter while a Korean syllable is composed does not search
        self.filters = FilterBar(tasks, self)
        self.filters.changed.connect(lambda extra: self.model.update_filter(extra=extra))

        # Table
        self.table = queue_table(self.model, self)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The context is set apart: PySide6 drops a ``context=`` passed with a slot, and the
            # shortcut then took Enter from the whole window (the search box, the line).
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis(_("Open the selected ticket (in the queue)"))  # the shortcut sheet's words
            shortcut.activated.connect(self.open_selected)
        self.model.modelReset.connect(self._lay_out_rows)  # after the view's own reset slot
        self.model.loaded.connect(self._restore_selection)
        self.model.loaded.connect(self._open_if_single_hit)
        self.model.loaded.connect(self._select_first_if_loaded)
        self.model.load_failed.connect(lambda exc: show_error(self, exc))
        self._selected_id: int | None = None
        self._sort_before_search: tuple[int, Qt.SortOrder] | None = None
        self.table.selectionModel().currentRowChanged.connect(self._remember_selection)

        # Ticket buttons
        self.claim_button = button(_("Claim"), _("Take the selected ticket as yours (Ctrl+K)"), self, name=_("Claim"), slot=self.claim_selected)
        self.release_button = button(_("Release"), _("Give the selected ticket back to the queue "
                                      "(Ctrl+Shift+K)"), self, name=_("Release"), slot=self.release_selected)
        self.new_button = button(_("New ticket…"), _("Log a walk-in, call or request (Ctrl+N)"), self, name=_("New ticket"), slot=self.quick_log)
        self.open_button = button(_("Open"), _("Open the selected ticket (Enter)"), self, name=_("Open ticket"), slot=self.open_selected)

        # Walk-in line
        self.line = WalkInLine(tasks, current_agent, self)
        self.line.open_requested.connect(self.open_requested)
        self.line.taken.connect(self._taken)
        self.line.left_marked.connect(self._left_marked)
        self.line.solved.connect(lambda ticket_id: self._message(_('Ticket #{ticket_id} is done (solved).').format(ticket_id=ticket_id)))

        # Layout
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        top_row = QWidget(centre)
        top = FlowLayout(top_row)  # the buttons go under the search box on a narrow window
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("x" * 24))
        top.addWidget(self.search)
        top.addWidget(self.new_button)
        top.addWidget(self.open_button)
        top.addWidget(self.claim_button)
        top.addWidget(self.release_button)
        centre_layout.addWidget(top_row)
        centre_layout.addWidget(self.filters)
        centre_layout.addWidget(self.table, 1)
        splitter = QSplitter(self)
        splitter.addWidget(self.saved_views)
        splitter.addWidget(centre)
        splitter.addWidget(self.line)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([125, 925, 230])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self.setTabOrder(self.search, self.table)

        # Live
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.model.tick)
        self._tick.timeout.connect(self.line.tick)
        self._tick.start()
        tasks.changes_executed.connect(self._on_changes)
        self._dialog = None
        self.views.setCurrentRow(0)  # the first DB job: the queue paints first
        QTimer.singleShot(0, self, self._load_saved_views)
        QTimer.singleShot(0, self, self._load_day_start)

    # -- actions --------------------------------------------------------------------------------
    def quick_log(self):  # noqa: ANN201
        from desk.ui.queue.quick_log import QuickLogDialog

        if self._dialog is not None and self._dialog.isVisible():
            self._dialog.raise_()
            self._dialog.activateWindow()
            return self._dialog
        dialog = QuickLogDialog(self.tasks, self.current_agent, self)
        dialog.open_requested.connect(self.open_requested)
        dialog.logged.connect(self._just_logged)
        dialog.added_to.connect(self._added_to)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "_dialog", None))
        self._dialog = dialog
        dialog.open()
        return dialog

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self) -> None:
        self.model.mark_stale()
        self.line.reload()
        self._load_saved_views()

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.ticket_id(index.row())

    def select_ticket(self, ticket_id: int) -> bool:
        row = self.model.row_of(ticket_id)
        if row is None:
            return False
        from PySide6.QtCore import QItemSelectionModel  # not needed for the first paint

        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def open_selected(self) -> None:
        ticket_id = self.selected_id() or self.line.selected_id()
        if ticket_id is not None:
            self.open_requested.emit(ticket_id)

    def _need_agent(self) -> int | None:
        agent_id = self.current_agent()
        if agent_id is None:
            self._message(_("Pick who you are under “At the desk” first."))
        return agent_id

    def _target(self) -> int | None:
        if self.line.has_focus_selection():
            return self.line.selected_id()
        return self.selected_id() or self.line.selected_id()

    def claim_selected(self) -> None:
        ticket_id, agent_id = self._target(), self._need_agent()
        if ticket_id is not None and agent_id is not None:
            from desk.ui.queue.claiming import claim_confirmed

            claim_confirmed(self.tasks, ticket_id=ticket_id, agent_id=agent_id, initiator=self, on_done=None,
                            on_error=lambda exc: show_error(self, exc), owner=self)

    def release_selected(self) -> None:
        ticket_id, agent_id = self._target(), self._need_agent()
        if ticket_id is not None and agent_id is not None:
            from desk.core.ops import tickets as ticket_ops

            self.tasks.op(lambda s: ticket_ops.release(s, ticket_id=ticket_id, actor_id=agent_id),
                          initiator=self, on_error=lambda exc: show_error(self, exc), owner=self)

    def solve_selected(self) -> None:
        """Done (Ctrl+D): the line's dialog asks for an optional note, then solves."""
        ticket_id = self._target()
        if ticket_id is not None:
            row = self.model.cached_row(ticket_id)
            self.line.done(ticket_id, what=f"#{ticket_id} {row.requester} — {row.subject}" if row else "")

    def left_selected(self) -> None:
        ticket_id = self._target()
        if ticket_id is not None:
            self.line.left(ticket_id)

    def take_next(self) -> None:
        self.line.take_next()

    def stop(self) -> None:
        self._tick.stop()
        self._search_timer.stop()

    def agent_changed(self, _agent_id: object) -> None:
        if self.model.queue_filter.agent_id != self.current_agent():
            self.model.update_filter(agent_id=self.current_agent())
        self._load_saved_views()
        self._update_status()

    def install_status_bar(self, bar: QStatusBar, switcher: AtDeskSwitcher | None = None) -> None:
        self._status = bar
        self._status_label = StatusLine(model=self.model, line=self.line, switcher=switcher, bar=bar)
        self.undo_notice = UndoNotice(bar)

    # -- saved views ----------------------------------------------------------------------------
    def current_filters(self) -> dict[str, object]:
        flt = self.model.queue_filter
        return {"view": flt.view, "search": flt.search, **{k: v for k, v in flt.extra.items() if v is not None}}

    def save_current_view(self, name: str | None = None) -> None:
        self.saved_views.save_current(name)

    def delete_selected_view(self) -> None:
        self.saved_views.delete_selected()

    def _load_saved_views(self, select: str | None = None) -> None:
        self.saved_views.reload(select)

    # -- internals ------------------------------------------------------------------------------
    def _view_picked(self, view: str, info: SavedViewInfo | None) -> None:
        extra: dict[str, object] = {}
        search = self.search.text()
        if info is not None:
            extra = {k: v for k, v in info.filters.items() if k in queue.FILTERS}
            search = str(info.filters.get("search", ""))
            self.filters.set_values(extra)
            self.search.blockSignals(True)
            self.search.setText(search)
            self.search.blockSignals(False)
        else:
            extra = self.filters.values()
        self.model.set_filter(QueueFilter(view=view, search=search, agent_id=self.current_agent(),
                                          day_start=self._day_start, extra=extra))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and not event.modifiers()):  # type: ignore[attr-defined]
            self._into_results()
            return True
        return super().eventFilter(watched, event)

    def _into_results(self) -> None:
        """Down from the search box: the results get the focus, the first one selected (now,
        or when the search just started has answered)."""
        self._apply_search()
        self.table.setFocus(Qt.FocusReason.TabFocusReason)
        self._select_first_hit = True
        self._select_first_if_loaded()

    def _select_first_if_loaded(self) -> None:
        if not self._select_first_hit or not self.model.ready():
            return
        self._select_first_hit = False
        if self.selected_id() is None and self.model.rowCount() > 0:
            from PySide6.QtCore import QItemSelectionModel  # not needed for the first paint

            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _search_entered(self) -> None:
        """Enter in the search box searches now, and opens the result if it is the only one."""
        self._open_single_hit = True
        self._apply_search()
        self._open_if_single_hit()  # now if nothing is loading, else when the results arrive

    def _open_if_single_hit(self) -> None:
        if not self._open_single_hit or not self.model.ready():
            return
        self._open_single_hit = False
        if (self.model.queue_filter.search.strip() and self.model.rowCount() == 1
                and not self.model.has_more()):
            self._open_row(0)

    def _taken(self, ticket_id: int) -> None:
        """Take next claimed ``ticket_id``: it becomes the selection everywhere, so Enter opens
        that person's ticket and nobody else's."""
        self._selected_id = ticket_id
        if not self.select_ticket(ticket_id):
            self.table.clearSelection()
        self._message(_('You took #{ticket_id}. Press Enter to open it.').format(ticket_id=ticket_id))

    def _left_marked(self, ticket_id: int) -> None:
        text = _('#{ticket_id} recorded as left without service.').format(ticket_id=ticket_id)
        if self.undo_notice is None:
            self._message(text)
            return
        self.undo_notice.offer(text, lambda: self.line.undo_left(ticket_id))

    def _apply_search(self) -> None:
        """Search results come newest first (the full-text index answers that fastest); the
        order the user had comes back when the search is cleared."""
        self._search_timer.stop()
        text = self.search.text()
        before = self.model.queue_filter.search
        if text == before:
            return
        if text.strip() and not before.strip():
            self._sort_before_search = self.model.sort_column()
            self._show_sort(COL_ID, Qt.SortOrder.DescendingOrder)
        elif not text.strip() and before.strip() and self._sort_before_search is not None:
            self._show_sort(*self._sort_before_search)
            self._sort_before_search = None
        self.model.update_filter(search=text)

    def _show_sort(self, column: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)
        self.model.set_sort(column, order)

    def _load_day_start(self) -> None:
        def work(session):  # noqa: ANN001, ANN202
            from desk.core.settings import desk_timezone, start_of_local_day

            return start_of_local_day(datetime.now(UTC), desk_timezone(session))

        def done(day_start: datetime) -> None:
            self._day_start = day_start
            flt = self.model.queue_filter
            if flt.view == "solved-today" and flt.day_start != day_start:
                self.model.update_filter(day_start=day_start)

        self.tasks.db(work, on_done=done, on_error=lambda _exc: None, owner=self, discardable=True)

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        if changes.tickets or changes.people or initiator == EXTERNAL:
            self.model.mark_stale(changes.ticket_ids or None)
            self.line.reload()
        if changes.settings:
            self._load_day_start()
            if initiator == EXTERNAL:
                self._load_saved_views()
        if changes.shifts:
            self._update_status()

    def _lay_out_rows(self) -> None:
        """Lay the new rows out now, not on a timer after the next paint: one repaint per
        result instead of two."""
        self.table.doItemsLayout()

    def _remember_selection(self, current, _previous) -> None:  # noqa: ANN001
        if current.isValid():
            self._selected_id = self.model.ticket_id(current.row())

    def _restore_selection(self) -> None:
        if self._selected_id is not None:
            self.select_ticket(self._selected_id)
        self._update_status()

    def _just_logged(self, ticket_id: int) -> None:
        self._selected_id = ticket_id
        self._message(_('Logged ticket #{ticket_id}.').format(ticket_id=ticket_id))

    def _added_to(self, ticket_id: int) -> None:
        self._selected_id = ticket_id
        self.select_ticket(ticket_id)
        self._message(_('Added to ticket #{ticket_id} as a note; no new ticket.').format(ticket_id=ticket_id))

    def _open_row(self, row: int) -> None:
        ticket_id = self.model.ticket_id(row)
        if ticket_id is not None:
            self.open_requested.emit(ticket_id)

    def _message(self, text: str) -> None:
        if self._status is not None:
            self._status.showMessage(text, 5000)

    def _update_status(self) -> None:
        if self._status_label is not None:
            self._status_label.refresh()
