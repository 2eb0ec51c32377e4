"""The queue table's set-up: one line per ticket, fixed row heights, columns that keep their widths.

Every choice here is about speed on a large store: no row is measured, and nothing makes the
table lay itself out twice for one result.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desk.core.i18n import _
from desk.ui.queue import columns
from desk.ui.queue.model import COL_AGE, COL_DUE, COLUMNS, QueueModel, due_text

# Pixels per column (Due included): narrow enough that the subject, which takes what is left,
# still shows its first words beside the views and the walk-in line at 1280 px.
WIDTHS = (48, 74, 110, 240, 100, 58, 58, 58, 92, 84, 84)
STRETCHED = 3  # the subject takes what is left


def _due_width(table: QTableView) -> int:
    """Room for a long breach in the language shown ("28 d 10 h late", "28일 10시간 지연"), bold
    as breached times are drawn."""
    from datetime import UTC, datetime, timedelta

    from PySide6.QtGui import QFont, QFontMetrics

    now = datetime.now(UTC)
    bold = QFont(table.font())
    bold.setBold(True)
    return QFontMetrics(bold).horizontalAdvance(due_text(now - timedelta(days=28, hours=10), now)) + 14


def queue_table(model: QueueModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setObjectName("queue")
    table.setAccessibleName(_("Queue"))
    table.setToolTip(_("The queue. Enter opens a ticket; click a header to sort, right-click it to "
                       "choose the columns."))
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    # The indicator first: enabling sorting then asks the model for the order it already
    # has (no reload). The one start-up load is the view the panel picks.
    table.horizontalHeader().setSortIndicator(COL_AGE, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    table.sortByColumn(COL_AGE, Qt.SortOrder.AscendingOrder)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # every row one line: none measured
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setTabKeyNavigation(False)
    # Always there: columns keep their widths when a search leaves a few rows or none (a
    # scroll bar coming or going resizes the stretched column and repaints the table twice).
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    for column, width in enumerate(WIDTHS[: len(COLUMNS)]):
        table.setColumnWidth(column, width)
    table.setColumnWidth(COL_DUE, max(WIDTHS[COL_DUE], _due_width(table)))
    header.setSectionResizeMode(STRETCHED, QHeaderView.ResizeMode.Stretch)
    columns.install(table)
    return table
