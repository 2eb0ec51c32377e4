"""The flow layout of the queue's top row: rows wrap on a narrow window, and the heights it
remembers per width are forgotten whenever an item changes."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget

from desk.ui.queue.flow_layout import FlowLayout


def _laid_out(qtbot):  # noqa: ANN001, ANN202
    parent = QWidget()
    qtbot.addWidget(parent)
    layout = FlowLayout(parent)
    buttons = [QPushButton(f"Button {i}", parent) for i in range(4)]
    for button in buttons:
        layout.addWidget(button)
    return parent, layout, buttons


def _fresh(layout: FlowLayout, width: int) -> int:
    return layout._arrange(QRect(0, 0, width, 0), move=False)


def test_narrow_widths_take_more_rows(qtbot):
    _parent, layout, buttons = _laid_out(qtbot)
    one_row = buttons[0].sizeHint().height()
    assert layout.heightForWidth(5000) == one_row
    assert layout.heightForWidth(buttons[0].sizeHint().width()) > 3 * one_row  # one per row


def test_a_remembered_height_is_forgotten_when_an_item_changes(qtbot):
    _parent, layout, buttons = _laid_out(qtbot)
    wide = sum(button.sizeHint().width() for button in buttons) + 60
    assert layout.heightForWidth(wide) == _fresh(layout, wide)
    buttons[0].setText("A much longer text than the button had " * 3)  # no longer fits one row
    assert layout.heightForWidth(wide) == _fresh(layout, wide) > buttons[1].sizeHint().height()
    taken = layout.takeAt(0)
    assert taken is not None
    assert layout.heightForWidth(wide) == _fresh(layout, wide) == buttons[1].sizeHint().height()
    layout.addWidget(QPushButton("x" * 200, layout.parentWidget()))
    assert layout.heightForWidth(wide) == _fresh(layout, wide)
