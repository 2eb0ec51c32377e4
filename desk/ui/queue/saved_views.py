"""The Queue tab's views list: the built-in views, then the saved ones (★) below them.

A saved view is a name for a view with its filters and search, the agent's own or the desk's.
Picking an item says which view and, for a saved one, its filters (``picked``); the panel
applies them. Saving and deleting are one core op each (``ops.views``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desk.core.i18n import _
from desk.core.queries import queue
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import button

if TYPE_CHECKING:
    from desk.core.queries.frontdesk import SavedViewInfo

# Like the panel, this is on the path to the first painted queue: the core's ops and ORM
# queries (and so SQLAlchemy) are imported where they are used.

SAVED_INFO = Qt.ItemDataRole.UserRole + 1  # the SavedViewInfo behind a saved view's item


def saved_info(item: QListWidgetItem | None) -> SavedViewInfo | None:
    """The saved view behind an item of the views list (None for a built-in view)."""
    return item.data(SAVED_INFO) if item is not None else None


class SavedViews(QWidget):
    picked = Signal(str, object)  # the view's name, and its SavedViewInfo (None for a built-in view)

    def __init__(self, *, tasks: Tasks, current_agent: Callable[[], int | None],
                 current_filters: Callable[[], dict[str, object]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.current_agent = current_agent
        self.current_filters = current_filters  # what "Save view…" keeps
        self.list = QListWidget(self)
        self.list.setObjectName("views")
        self.list.setAccessibleName(_("Views"))
        self.list.setToolTip(_("Queue views; saved views are below the line"))
        for name, label in queue.view_labels().items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(_('Show: {label}').format(label=label))
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._picked)
        self.list.itemActivated.connect(lambda item: self._picked(item, None))
        self.save_button = button(_("Save view…"), _("Save the current view, filters and search under a name"), self,
                                  name=_("Save view"), slot=self.save_current)
        self.delete_button = button(_("Delete view"), _("Delete the selected saved view"), self, name=_("Delete view"),
                                    slot=self.delete_selected)
        self.delete_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(_("Vie&ws"), self)
        title.setBuddy(self.list)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)

    def _picked(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        info = saved_info(item)
        self.delete_button.setEnabled(info is not None)
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole), info)

    def save_current(self, name: str | None = None) -> None:
        if name is None:
            from PySide6.QtWidgets import QInputDialog  # not needed for the first paint

            name, ok = QInputDialog.getText(self, _("Save view"), _("Name of the view:"))
            if not ok:
                return
        from desk.core.ops import views as view_ops

        filters, owner = self.current_filters(), self.current_agent()
        self.tasks.op(lambda s: view_ops.save_view(s, name=name, filters=filters, owner_id=owner),
                      initiator=self, on_done=lambda _c: self.reload(select=name),
                      on_error=lambda exc: show_error(self, exc), owner=self)

    def delete_selected(self) -> None:
        from desk.core.ops import views as view_ops

        info = saved_info(self.list.currentItem())
        if info is not None:
            self.tasks.op(lambda s: view_ops.delete_view(s, view_id=info.id), initiator=self,
                          on_done=lambda _c: self.reload(), on_error=lambda exc: show_error(self, exc), owner=self)

    def reload(self, select: str | None = None) -> None:
        """Read the saved views again; ``select`` names one to pick once it is listed."""
        owner = self.current_agent()

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.queries.frontdesk import saved_views

            return saved_views(session, owner_id=owner)

        self.tasks.db(work, on_done=lambda found: self._fill(found, select), owner=self, discardable=True)

    def _fill(self, found: list[SavedViewInfo], select: str | None) -> None:
        builtin = len(queue.VIEWS)
        views = self.list
        current = views.currentItem()
        current_name = current.text() if current else None
        views.blockSignals(True)
        while views.count() > builtin:
            views.takeItem(builtin)
        for info in found:
            item = QListWidgetItem(f"★ {info.name}")
            item.setData(Qt.ItemDataRole.UserRole, info.filters.get("view", "all-open"))
            item.setData(SAVED_INFO, info)
            item.setToolTip(_('Saved view: {name}').format(name=info.name))
            views.addItem(item)
        target = f"★ {select}" if select else current_name
        matches = views.findItems(target or "", Qt.MatchFlag.MatchExactly)
        if matches:
            views.setCurrentItem(matches[0])
        views.blockSignals(False)
        if select and matches:
            self._picked(matches[0], None)
