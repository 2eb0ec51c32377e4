"""Small helpers every screen uses: a control always gets an accessible name and a tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QPushButton, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, tip: str) -> W:
    """Give ``widget`` the name screen readers and tests use, and a tooltip."""
    widget.setAccessibleName(name)
    widget.setToolTip(tip)
    return widget


def button(
    text: str, tip: str, parent: QWidget, *, name: str | None = None,
    slot: Callable[[], object] | None = None,
) -> QPushButton:
    """A push button named after its text (without the mnemonic ``&`` and a trailing ``…``)
    unless ``name`` is given; ``slot`` is called with no arguments when it is clicked."""
    made = named(QPushButton(text, parent), name or text.replace("&", "").rstrip("…"), tip)
    if slot is not None:
        made.clicked.connect(lambda _checked=False: slot())
    return made
