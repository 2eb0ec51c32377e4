"""The main window's first size: what fits the screen it opens on, title bar and borders
included (a 1280×800 laptop, also at 200 %), up to the size Desk is laid out for."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

PREFERRED = QSize(1280, 800)
# The window manager's title bar and borders, until it says (frameGeometry after the show).
FRAME_GUESS = QSize(16, 40)


def default_size(available: QRect, *, frame: QSize = FRAME_GUESS) -> QSize:
    """The window's size (without its frame) for a screen whose free area is ``available``."""
    return QSize(min(PREFERRED.width(), available.width() - frame.width()),
                 min(PREFERRED.height(), available.height() - frame.height()))


def fit_on_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so that its frame (title bar included) lies on its screen."""
    screen = window.screen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    if available.contains(frame):
        return
    extra = QSize(frame.width() - window.width(), frame.height() - window.height())
    window.resize(window.size().boundedTo(default_size(available, frame=extra)))
    frame = window.frameGeometry()
    left = min(max(frame.left(), available.left()), max(available.left(), available.right() + 1 - frame.width()))
    top = min(max(frame.top(), available.top()), max(available.top(), available.bottom() + 1 - frame.height()))
    window.move(left, top)
