"""Start-up work that waits until the queue's first rows are on screen, not merely loaded.

A zero timer started when the first page arrives runs *before* that page is painted: Qt posts
the repaint (``UpdateRequest``) at low priority, after timers and queued calls. The window's
deferred start-up work then ran first and competed with the first paint for the interpreter:
the ORM jobs on the DB worker import SQLAlchemy and hold the GIL in 5 ms slices, which the
paint (2,000 ``data()`` calls into Python) waits on. ``FirstPaintWatcher`` watches the table's
viewport and runs ``then`` on the event-loop turn after the first paint that shows the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractScrollArea


MAX_WAIT_MS = 3000  # a window that is never painted (minimised at start) still finishes starting


class FirstPaintWatcher(QObject):
    def __init__(self, view: QAbstractScrollArea, rows_ready: Callable[[], bool],
                 then: Callable[[], None], *, max_wait_ms: int = MAX_WAIT_MS) -> None:
        super().__init__(view)
        self._rows_ready = rows_ready
        self._then = then
        self._done = False
        QTimer.singleShot(max_wait_ms, self, self._finish)
        # Found by its Qt name: ``view.viewport()`` makes PySide6 build the Python types of ~70
        # widget classes (and their enums, ~5 ms) to pick a type for the QWidget it returns.
        # (Direct children only: the headers are scroll areas too, with viewports of the same name.)
        self._viewport = view.findChild(QWidget, "qt_scrollarea_viewport",
                                        Qt.FindChildOption.FindDirectChildrenOnly) or view.viewport()
        self._viewport.installEventFilter(self)

    def expect(self) -> None:
        """The rows are in: make sure a paint follows (an empty first page repaints nothing)."""
        self._viewport.update()

    def now(self) -> None:
        """Run ``then`` now (on the next turn): no paint is coming (hidden window, failed load)."""
        QTimer.singleShot(0, self, self._finish)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not self._done and event.type() == QEvent.Type.Paint and self._rows_ready():
            QTimer.singleShot(0, self, self._finish)  # queued behind this paint
        return False

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        self._viewport.removeEventFilter(self)
        self._then()
