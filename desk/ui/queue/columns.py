"""Which queue columns show. A right-click on the header, or View → Queue columns, hides or
shows any column but the number and the subject; the choice is remembered (QSettings
``queue/hidden_columns``, by column key) and put back before the window shows.

Eleven columns beside the views and the walk-in line leave the subject a narrow strip at
1280 px; a desk that never uses locations or priorities can give that room back to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from desk.core.i18n import _
from desk.ui.queue.model import COLUMNS

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu, QTableView, QWidget

SETTING = "queue/hidden_columns"
ALWAYS_SHOWN = frozenset({"id", "subject"})
KEYS = [key for _title, key, _tip in COLUMNS]


def install(table: QTableView) -> None:
    """A right-click on the header offers the columns."""
    header = table.horizontalHeader()
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda pos: column_menu(table).popup(header.mapToGlobal(pos)))


def column_menu(table: QTableView, parent: QWidget | None = None) -> QMenu:
    """A menu with a check per column that can be hidden; toggling one hides or shows it."""
    from PySide6.QtWidgets import QMenu  # made when first asked for: not part of the start

    menu = QMenu(_("Queue columns"), parent or table)
    menu.setObjectName("queueColumns")
    menu.setToolTipsVisible(True)
    fill(menu, table)
    return menu


def fill(menu: QMenu, table: QTableView) -> None:
    """(Re)fill ``menu`` with the columns as they are now."""
    menu.clear()
    for column, (title, key, _tip) in enumerate(COLUMNS):
        if key in ALWAYS_SHOWN:
            continue
        action = menu.addAction(_(title))
        action.setCheckable(True)
        action.setChecked(not table.isColumnHidden(column))
        action.setToolTip(_("Show or hide the {column} column").format(column=_(title)))
        action.toggled.connect(lambda shown, c=column: show_column(table, c, shown))


def show_column(table: QTableView, column: int, shown: bool) -> None:
    table.setColumnHidden(column, not shown)
    from PySide6.QtCore import QSettings

    QSettings().setValue(SETTING, hidden(table))


def hidden(table: QTableView) -> list[str]:
    return [key for column, key in enumerate(KEYS) if table.isColumnHidden(column)]


def restore(table: QTableView, remembered: object) -> None:
    """Hide the columns a QSettings value names (a list, one string or nothing; unknown keys and
    the columns that always show are ignored, so an old or hand-edited value is harmless)."""
    keys = [remembered] if isinstance(remembered, str) else remembered if isinstance(remembered, list) else []
    for column, key in enumerate(KEYS):
        table.setColumnHidden(column, key in keys and key not in ALWAYS_SHOWN)
