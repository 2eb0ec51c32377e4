"""Small helpers every screen uses: a control always gets an accessible name and a tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

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


Choice = tuple[str, QMessageBox.ButtonRole, str]  # text, role, tooltip


def ask(
    parent: QWidget, *, name: str, title: str, text: str, choices: list[Choice],
    answered: Callable[[str], None],
) -> QMessageBox:
    """A window-modal question, opened (not exec'd, so the event loop and tests go on): the
    first choice is the default, the RejectRole one answers Esc; ``answered`` gets the text of
    the button pressed."""
    question = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    question.setObjectName(name)
    made: dict[QAbstractButton, str] = {}
    for label, role, tip in choices:
        choice = question.addButton(label, role)
        named(choice, label, tip)
        made[choice] = label
        if role == QMessageBox.ButtonRole.RejectRole:
            question.setEscapeButton(choice)
    question.setDefaultButton(next(iter(made)))  # type: ignore[arg-type]
    question.finished.connect(lambda _result: answered(made.get(question.clickedButton(), "")))
    question.open()
    return question
