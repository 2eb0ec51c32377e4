"""The one place that turns an exception into what the user sees.

* ``DeskError`` (locked store, disk full, conflict, bad input, ...): a friendly message box
  with the error's own message, which says what to do.
* ``Cancelled`` (the user backed out): nothing.
* Anything else is a bug: a crash dialog with the traceback behind "Show Details..." and a
  "Copy details" button, so it can be pasted into a bug report.

Boxes are opened window-modal and non-blocking (``open()``), so callers never stall and tests
can find and close them.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from typing import TYPE_CHECKING

from desk import __version__
from desk.core.errors import DeskError, FileError, StoreError
from desk.core.i18n import _

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

# QMessageBox is imported when a box is first shown: making its Python type (and its enums)
# is ~1 ms of a cold start that has nothing to report.


class Cancelled(Exception):  # noqa: N818 - it is not an error
    """Raised to abandon an action quietly (the user pressed Cancel)."""


def crash_details(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return (f"Desk {__version__}, Python {sys.version.split()[0]}\n\n" + "".join(lines)).strip()


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """Show ``exc`` to the user the right way; returns the box (None when nothing is shown)."""
    if isinstance(exc, Cancelled | CancelledError):
        return None
    if isinstance(exc, DeskError):
        log.warning("shown to the user: %s: %s", type(exc).__name__, exc.message)
    else:
        log.error("a bug reached the window", exc_info=(type(exc), exc, exc.__traceback__))
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    box = QMessageBox(parent)
    box.setObjectName("errorBox")
    if isinstance(exc, DeskError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Desk cannot use the store" if isinstance(exc, StoreError)
                           else _("Desk could not write the file") if isinstance(exc, FileError) else _("Desk"))
        box.setTextFormat(Qt.TextFormat.PlainText)  # may quote a remote's or a file's words
        box.setText(exc.message)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
    else:
        details = crash_details(exc)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(_("Desk ran into a bug"))
        box.setText(_("Something went wrong inside Desk. Your data is safe; the action did not finish."))
        box.setInformativeText(
            _("Please report it with the details below (Copy details puts them on the clipboard).")
        )
        box.setDetailedText(details)
        copy = box.addButton(_("Copy details"), QMessageBox.ButtonRole.ActionRole)
        copy.setToolTip(_("Copy the technical details to the clipboard for a bug report"))
        copy.setAccessibleName(_("Copy details"))
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
        box.addButton(QMessageBox.StandardButton.Close)
    box.setAccessibleName(box.windowTitle())
    box.open()
    return box


@contextmanager
def report_errors(parent: QWidget | None) -> Iterator[None]:
    """Around an action run on the UI thread (an export): a ``DeskError`` it raises is shown
    as its message box instead of escaping to the crash dialog; bugs still escape."""
    try:
        yield
    except DeskError as exc:
        show_error(parent, exc)
