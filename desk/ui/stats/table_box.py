"""A titled, sortable, read-only table of the stats panel, filled from an ``export.Table``, with
CSV export (the save dialog proposes the table's name and the period)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core import files
from desk.core.i18n import _
from desk.core.stats import export as ex
from desk.ui.errors import report_errors
from desk.ui.stats.saving import ask_save_path, file_stem, say_saved


class TableBox(QWidget):
    """A titled read-only table filled from an ``export.Table``, with CSV export."""

    saved = Signal(str)  # "Saved … to …"

    def __init__(self, title: str, description: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title, self.table, self.period = title, None, ""
        self.setAccessibleName(f"{title} table")
        self.setToolTip(description)
        self.heading = QLabel(title, self)
        self.view = QTableWidget(self)
        self.view.setAccessibleName(title)
        self.view.setToolTip(description)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.setMinimumHeight(200)
        button = QPushButton(_("CSV…"), self)
        button.setAccessibleName(f"Save {title} as CSV")
        button.setToolTip(_('Save the {title} table as CSV').format(title=title))
        button.clicked.connect(self._ask_csv)
        header = QHBoxLayout()
        header.addWidget(self.heading, 1)
        header.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.view)

    def show_table(self, table: ex.Table) -> None:
        self.table = table
        self.heading.setText(table.name)
        self.view.setSortingEnabled(False)
        self.view.clear()
        self.view.setColumnCount(len(table.columns))
        self.view.setRowCount(len(table.rows))
        self.view.setHorizontalHeaderLabels(list(table.columns))
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                item = QTableWidgetItem()
                if isinstance(cell, int | float):
                    item.setData(Qt.ItemDataRole.DisplayRole, cell)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                else:
                    item.setText("–" if cell is None else str(cell))
                self.view.setItem(r, c, item)
        self.view.setSortingEnabled(True)
        self.view.resizeColumnsToContents()

    def _ask_csv(self) -> None:
        if self.table is None:
            return
        path = ask_save_path(self, caption=_('Save {title}').format(title=self.title), stem=file_stem(self.title, self.period),
                             suffix="csv", kind="CSV")
        if path is not None:
            with report_errors(self):
                written = files.write_text(path, ex.table_csv(self.table), what="table")
                self.saved.emit(say_saved(self, written, what=_('the {title} table').format(title=self.title)))
