"""The flow layout of the queue's top row: rows wrap on a narrow window, and the heights and
item size hints it remembers are forgotten whenever an item changes."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
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
    """The height worked out from the items' size hints now, by hand (nothing remembered)."""
    spacing = 6
    rows: list[list[QSize]] = [[]]
    used = 0
    for index in range(layout.count()):
        hint = layout.itemAt(index).sizeHint()
        if rows[-1] and used + spacing + hint.width() > width:
            rows.append([])
            used = 0
        used += hint.width() + (spacing if rows[-1] else 0)
        rows[-1].append(hint)
    return sum(max(hint.height() for hint in row) for row in rows) + spacing * (len(rows) - 1)


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


def test_remembered_size_hints_follow_a_text_change_and_a_hidden_item(qtbot):
    parent, layout, buttons = _laid_out(qtbot)
    parent.show()
    qtbot.waitExposed(parent)
    before = layout.sizeHint().width()
    old_width = buttons[0].sizeHint().width()
    buttons[0].setText("A much longer text than the button had")
    new_width = buttons[0].sizeHint().width()
    assert layout.sizeHint().width() == before - old_width + new_width > before
    exact = layout.sizeHint().width()  # one row, no spare width to share out
    layout.setGeometry(QRect(0, 0, exact, 100))
    assert buttons[1].x() == new_width + 6
    buttons[0].hide()  # takes no room now: its width is shared out and the next button moves left
    layout.setGeometry(QRect(0, 0, exact, 100))
    assert buttons[1].x() == new_width // 4 + 6
    assert layout.heightForWidth(exact) == _fresh(layout, exact)
