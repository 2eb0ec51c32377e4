"""Helpers for the Korean tests: switch the process to Korean (and back), and list the texts of a
widget tree that a person reads, so a test can say which of them were left in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from desk.core import i18n

# Words that stay as they are in Korean text: product and format names, key names, units of
# statistics, and example values people type (e-mail addresses, URLs).
KEEP = re.compile(
    r"Desk|Zendesk|Request Tracker|RT|CSV|PNG|HTML|XLSX|JSON|TSV|NDJSON|SQLite|OAuth|API|HTTPS?|UTC|IANA|Excel|SLA|IMAP|SMTP|STARTTLS|PDF|"
    r"Ctrl|Shift|Alt|Enter|Esc|Tab|Del|Backspace|PgUp|PgDown|Home|End|Up|Down|F\d+|p\d\d|FRT|Wi-Fi|eduroam|"
    r"`[^`]*`|\([A-Z]{2}\)|\b[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+|YYYY-MM-DD|English|Korean|Erlang|av|n|AM|PM|PC|GET|Return|(?:/[a-z0-9_]+){2,}|"
    r"\S+@\S+|https?://\S+|\{\{[^}]*\}\}|\b[a-z]+\.[a-z_.]+\b|[\w-]+\.sqlite3"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@contextmanager
def korean() -> Iterator[None]:
    """Desk in Korean for the duration (catalog, Qt's own texts, QLocale), then back to English."""
    from desk.ui.language import apply_to_qt

    app = QApplication.instance() or QApplication([])  # pytest-qt's qapp reuses it
    i18n.set_language("ko")
    apply_to_qt(app, "ko")
    try:
        yield
    finally:
        i18n.set_language("en")
        apply_to_qt(app, "en")


def english_left(text: str) -> bool:
    """Whether ``text`` still has English words once names that stay as they are are removed."""
    plain = re.sub(r"<[^>]+>|&[a-z]+;", " ", text).replace("&", "")
    return bool(LATIN_WORD.search(KEEP.sub(" ", plain)))


def _item_view_texts(view: QAbstractItemView) -> Iterator[str]:
    """Header texts, and the display text of the first rows (the desk's own words in them)."""
    model = view.model()
    if model is None:
        return
    from PySide6.QtCore import QModelIndex

    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model (QListWidget's) keeps columnCount private: one column
        columns = 1
    for row in range(min(model.rowCount(QModelIndex()), 20)):
        for column in range(columns):
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    yield value
    for column in range(columns):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.headerData(column, Qt.Orientation.Horizontal, role)
            if isinstance(value, str):
                yield value


def texts_of(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a person can read in ``root``'s tree: labels, buttons,
    placeholders, group and tab titles, combo items, actions and menus, table headers, spin-box
    suffixes, tooltips and window titles."""
    found: list[tuple[str, str]] = []

    def add(widget: QWidget, what: str, text: object) -> None:
        if isinstance(text, str) and text.strip():
            found.append((f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r} {what}", text))

    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isWindow():
            add(widget, "window title", widget.windowTitle())
        add(widget, "tooltip", widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton):
            add(widget, "text", widget.text())
        if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
            add(widget, "placeholder", widget.placeholderText())
        if isinstance(widget, QGroupBox):
            add(widget, "title", widget.title())
        if isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget, "tab", widget.tabText(index))
                add(widget, "tab tooltip", widget.tabToolTip(index))
        if isinstance(widget, QComboBox):
            for index in range(widget.count()):
                add(widget, "item", widget.itemText(index))
        if isinstance(widget, QAbstractSpinBox):
            add(widget, "special value", widget.specialValueText())
            add(widget, "suffix", getattr(widget, "suffix", lambda: "")())
        if isinstance(widget, QAbstractItemView):
            for text in _item_view_texts(widget):
                add(widget, "header", text)
        if isinstance(widget, QMenu):
            add(widget, "menu title", widget.title())
        for action in widget.actions():
            if not action.isSeparator():
                add(widget, f"action {action.objectName()!r}", action.text())
                if action.toolTip() != action.text().replace("&", ""):
                    add(widget, f"action {action.objectName()!r} tooltip", action.toolTip())
    return found


def untranslated(root: QWidget) -> list[str]:
    return sorted({f"{where}: {text!r}" for where, text in texts_of(root) if english_left(text)})
