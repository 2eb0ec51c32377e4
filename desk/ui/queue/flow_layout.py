"""A layout that lines its items up like words in a paragraph: one row when there is room,
more rows when the window is narrow (the filter bar on a small or 200 % screen)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._heights: dict[int, int] = {}  # heightForWidth, until the layout is invalidated
        self._hints: list[tuple[int, int, bool]] | None = None  # (width, height, grows) per item, likewise
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        if not 0 <= index < len(self._items):
            return None
        self.invalidate()
        return self._items.pop(index)

    def invalidate(self) -> None:
        """An item was added, taken or changed its size hint (Qt calls this then)."""
        self._heights.clear()
        self._hints = None
        super().invalidate()

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        # Asked many times for the same width while a window is laid out (~20 times at start).
        if width not in self._heights:
            self._heights[width] = self._arrange(QRect(0, 0, width, 0), move=False)
        return self._heights[width]

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """All on one row."""
        hints = self._item_hints()
        width = sum(w for w, _h, _g in hints) + self._spacing * max(0, len(hints) - 1)
        return QSize(width, max((h for _w, h, _g in hints), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """The widest item alone: everything else can go on further rows."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _item_hints(self) -> list[tuple[int, int, bool]]:
        """Each item's size hint and whether it grows sideways. A window's layout asks for
        them ~25 times at start, each a call into Qt: they are kept until Qt invalidates the
        layout (which it does when an item's hint changes)."""
        if self._hints is None:
            horizontal = Qt.Orientation.Horizontal
            self._hints = [(hint.width(), hint.height(), bool(item.expandingDirections() & horizontal))
                           for item in self._items for hint in (item.sizeHint(),)]
        return self._hints

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in ``rect`` (rows stretched to its width); returns the height."""
        rows: list[list[int]] = [[]]  # indexes into self._items
        hints = self._item_hints()
        used = 0
        for index, (wanted, _height, _grows) in enumerate(hints):
            if rows[-1] and used + self._spacing + wanted > rect.width():
                rows.append([])
                used = 0
            used += wanted + (self._spacing if rows[-1] else 0)
            rows[-1].append(index)
        y = rect.y()
        for row in rows:
            if not row:
                continue
            height = max(hints[i][1] for i in row)
            spare = max(0, rect.width() - sum(hints[i][0] for i in row) - self._spacing * (len(row) - 1))
            # The spare width goes to the items that want to grow (a search box), else to all.
            growing = [i for i in row if hints[i][2]] or row
            x = rect.x()
            for i in row:
                width = hints[i][0] + (spare // len(growing) if i in growing else 0)
                if move:
                    self._items[i].setGeometry(QRect(QPoint(x, y), QSize(min(width, rect.width()), height)))
                x += width + self._spacing
            y += height + self._spacing
        return y - rect.y() - self._spacing
