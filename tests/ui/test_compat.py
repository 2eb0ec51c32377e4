import sys

from PySide6.QtWidgets import QWidget

from desk.ui import compat


def test_void_calls_cannot_exhaust_none(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    compat.protect_none()
    before = sys.getrefcount(None)
    for _ in range(20_000):  # more than None's whole count on Python 3.11 without the fix
        widget.setEnabled(True)
    assert sys.getrefcount(None) > 1_000_000 or sys.version_info >= (3, 12)
    assert before - sys.getrefcount(None) <= 20_000
