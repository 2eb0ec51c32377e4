"""Small helpers every screen uses: a control always gets an accessible name and a tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPushButton, QWidget

from desk.core.i18n import _

if TYPE_CHECKING:  # made when a question is first asked: its Python type and enums cost ~0.6 ms
    from PySide6.QtWidgets import QMessageBox

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, tip: str) -> W:
    """Give ``widget`` the name screen readers and tests use, and a tooltip."""
    widget.setAccessibleName(name)
    widget.setToolTip(tip)
    return widget


T = TypeVar("T", QAction, QAbstractButton)


def with_text(control: T, text: str) -> T:
    """``control`` with ``text``. Buttons and actions on the first screen are made as
    ``QPushButton(parent)`` and given their text here, not as ``QPushButton(text, parent)``:
    to choose among that constructor's overloads PySide6 builds the QIcon type and its enums
    (for the ``(icon, text, parent)`` one), ~1.5 ms of every start."""
    control.setText(text)
    return control


def button(
    text: str, tip: str, parent: QWidget, *, name: str | None = None,
    slot: Callable[[], object] | None = None,
) -> QPushButton:
    """A push button named after its text (without the mnemonic ``&`` and a trailing ``…``)
    unless ``name`` is given; ``slot`` is called with no arguments when it is clicked."""
    made = named(with_text(QPushButton(parent), text), name or text.replace("&", "").rstrip("…"), tip)
    if slot is not None:
        made.clicked.connect(lambda _checked=False: slot())
    return made


Choice = tuple[str, "QMessageBox.ButtonRole", str]  # text, role, tooltip


def ask(
    parent: QWidget, *, name: str, title: str, text: str, choices: list[Choice],
    answered: Callable[[str], None],
) -> QMessageBox:
    """A window-modal question, opened (not exec'd, so the event loop and tests go on): the
    first choice is the default, the RejectRole one answers Esc; ``answered`` gets the text of
    the button pressed."""
    from PySide6.QtWidgets import QMessageBox

    question = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    question.setObjectName(name)
    made: dict[QAbstractButton, str] = {}
    for label, role, tip in choices:  # labels are N_-marked English: shown translated, answered as given
        choice = question.addButton(_(label), role)
        named(choice, _(label), _(tip))
        made[choice] = label
        if role == QMessageBox.ButtonRole.RejectRole:
            question.setEscapeButton(choice)
    question.setDefaultButton(next(iter(made)))  # type: ignore[arg-type]
    question.finished.connect(lambda _result: answered(made.get(question.clickedButton(), "")))
    question.open()
    return question


class _CompositionGuard(QObject):
    """Swallows Enter while an input method is composing in the watched line edit: with a Korean
    IME the syllable being typed (preedit) is not yet text, and Enter must finish it, never
    submit the form or run the search with half a word."""

    def __init__(self, line: QLineEdit) -> None:
        super().__init__(line)
        self.composing = False
        line.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.InputMethod:
            self.composing = bool(event.preeditString())  # type: ignore[attr-defined]
        elif (event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and self.composing
              and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):  # type: ignore[attr-defined]
            event.accept()
            return True
        elif event.type() == QEvent.Type.FocusOut:
            self.composing = False
        return super().eventFilter(watched, event)


def guard_composition(*lines: QLineEdit) -> None:
    """Enter during IME composition in ``lines`` finishes nothing and submits nothing."""
    for line in lines:
        _CompositionGuard(line)
