"""Help: the keyboard-shortcut sheet, the user guide, the data folder and About.

The shortcut sheet is read from the window itself (its QActions and QShortcuts), so it lists the
keys the window really has, never a hand-typed list that drifts. The guide is an HTML file
shipped in ``resources/guide/`` (beside the package, like the default canned responses; the
PyInstaller build copies ``resources/`` whole) and shown offline in a QTextBrowser.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk import __version__
from desk.core.db import SCHEMA_HEAD, Store, current_revision
from desk.core.errors import DeskError
from desk.core.i18n import _, current_language
from desk.ui.errors import show_error
from desk.ui.widgets import named

GUIDE_PATH = Path(__file__).resolve().parent.parent.parent / "resources" / "guide" / "index.html"


def guide_path(language: str | None = None) -> Path:
    """The guide in the window's language (``resources/guide/<lang>/index.html``), else English."""
    translated = GUIDE_PATH.parent / (language or current_language()) / GUIDE_PATH.name
    return translated if translated.is_file() else GUIDE_PATH


@dataclass(frozen=True)
class ShortcutRow:
    keys: str  # portable text, e.g. "Ctrl+N"
    what: str
    where: str


def _keys(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def _menu_path(action: QAction) -> str:
    for owner in action.associatedObjects():
        if isinstance(owner, QMenu):
            return owner.title().replace("&", "")
    return _("Window")


def _where(widget: QWidget | None) -> str:
    while widget is not None:
        name = _(widget.accessibleName()) or widget.windowTitle()  # accessible names are English ids
        if name:
            return name
        widget = widget.parentWidget()
    return _("Window")


def shortcut_rows(window: QWidget) -> list[ShortcutRow]:
    """Every shortcut of ``window``'s actions and shortcut objects (open tabs included), sorted
    by where they work, then by key."""
    rows: dict[tuple[str, str], ShortcutRow] = {}
    for action in window.findChildren(QAction):
        text = action.text().replace("&", "").rstrip("…").strip()
        for sequence in action.shortcuts():
            if not sequence.isEmpty() and text:
                row = ShortcutRow(_keys(sequence), text, _menu_path(action))
                rows.setdefault((row.where, row.keys), row)
    for shortcut in window.findChildren(QShortcut):
        sequence = shortcut.key()
        if sequence.isEmpty():
            continue
        parent = shortcut.parent()
        where = _where(parent if isinstance(parent, QWidget) else None)
        what = shortcut.whatsThis() or _('(a key of {where}; it has no description)').format(where=where)
        row = ShortcutRow(_keys(sequence), what, where)
        rows.setdefault((row.where, row.keys), row)
    return sorted(rows.values(), key=lambda r: (r.where != "File", r.where, r.keys))


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts (Ctrl+/): a searchable table of keys, action and where."""

    def __init__(self, rows: list[ShortcutRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.setObjectName("shortcutsDialog")
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        self.filter = named(QLineEdit(self), _("Filter shortcuts"), _("Type a key or a word to narrow the list"))
        self.filter.setPlaceholderText(_("Filter (e.g. Ctrl or ticket)"))
        self.filter.textChanged.connect(self._apply_filter)
        layout.addWidget(self.filter)
        self.table = named(QTableWidget(len(rows), 3, self), _("Keyboard shortcuts"),
                           _("Every shortcut this window has"))
        self.table.setHorizontalHeaderLabels((_("Keys"), _("Action"), _("Where")))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for index, row in enumerate(rows):
            for column, text in enumerate((row.keys, row.what, row.where)):
                self.table.setItem(index, column, QTableWidgetItem(text))
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        named(buttons.button(QDialogButtonBox.StandardButton.Close), _("Close"), _("Close this list"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def keys(self) -> list[str]:
        return [self.table.item(i, 0).text() for i in range(self.table.rowCount())]

    def _apply_filter(self, text: str) -> None:
        wanted = text.strip().lower()
        for index in range(self.table.rowCount()):
            line = " ".join(self.table.item(index, c).text() for c in range(3)).lower()
            self.table.setRowHidden(index, bool(wanted) and wanted not in line)


class GuideDialog(QDialog):
    """The user guide shipped with Desk, read from disk (no network)."""

    def __init__(self, parent: QWidget | None = None, *, path: Path | None = None) -> None:
        super().__init__(parent)
        path = path or guide_path()
        self.setWindowTitle(_("Desk user guide"))
        self.setObjectName("guideDialog")
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        self.browser = named(QTextBrowser(self), _("User guide"), _("How to use Desk"))
        self.browser.setOpenExternalLinks(False)  # the guide is offline; nothing opens a browser
        if path.is_file():
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
        else:
            self.browser.setPlainText(_('The user guide is missing from this installation ({path}).').format(path=path))
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        named(buttons.button(QDialogButtonBox.StandardButton.Close), _("Close"), _("Close the guide"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def store_revision(conn: sqlite3.Connection) -> str | None:
    """The store's Alembic revision (runs on the DB worker as a ``tasks.sql`` job)."""
    return current_revision(conn)


def about_text(store: Store, revision: str | None) -> str:
    state = _("up to date") if revision == SCHEMA_HEAD else _('this Desk expects {SCHEMA_HEAD}').format(SCHEMA_HEAD=SCHEMA_HEAD)
    return (_('Desk {version__}\nAn offline-first service desk.\n\nStore: {resolve}\nSchema version: {value} ({state})').format(version__=__version__, resolve=store.path.resolve(), value=revision or 'unknown', state=state))


def about_box(parent: QWidget, store: Store, revision: str | None) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, _("About Desk"), about_text(store, revision),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("aboutBox")
    box.setAccessibleName(_("About Desk"))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                | Qt.TextInteractionFlag.TextSelectableByKeyboard)  # the path can be copied
    box.open()
    return box


def open_folder(parent: QWidget, folder: Path, *, what: str) -> bool:
    """Show ``folder`` in the file manager; an error box says where it is when none can."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    show_error(parent, DeskError(_("No file manager could show {folder}. Desk's {what} is there.").format(folder=folder, what=what)))
    return False

