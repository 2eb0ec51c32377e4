"""Where stats exports go: the save dialog starts in the folder used last (QSettings) with a
name that says the period, and the status bar says where the file was saved."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMainWindow, QWidget

from desk.core.i18n import _

LAST_FOLDER_KEY = "export/last_folder"


def file_stem(title: str, period: str) -> str:
    """``Backlog 2026-11-02 to 2026-12-01``: no characters a file system refuses."""
    name = f"{title} {period}".strip()
    return re.sub(r'[\\/:*?"<>|]+', " ", name).strip()


def last_folder() -> Path:
    saved = QSettings().value(LAST_FOLDER_KEY, "")
    folder = Path(str(saved)) if saved else Path.home()
    return folder if folder.is_dir() else Path.home()


def ask_save_path(parent: QWidget, *, caption: str, stem: str, suffix: str, kind: str) -> Path | None:
    """The path the user chose (None: cancelled); the folder is remembered for the next time."""
    proposed = str(last_folder() / f"{stem}.{suffix}")
    name, _filter = QFileDialog.getSaveFileName(parent, caption, proposed, f"{kind} (*.{suffix})")
    if not name:
        return None
    path = Path(name)
    QSettings().setValue(LAST_FOLDER_KEY, str(path.parent))
    return path


def say_saved(widget: QWidget, path: Path, *, what: str) -> str:
    """"Saved the backlog chart to /home/…/Backlog ….png" in the window's status bar."""
    message = _('Saved {what} to {path}').format(what=what, path=path)
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message, 15000)
    return message
