"""Guard against Qt bindings that leak references to None.

PySide6 6.12.0 on Python 3.11 dropped a reference to None on every call of a void C++ method;
after a few thousand calls the interpreter aborted (none_dealloc). That release is excluded in
pyproject.toml; this test fails if an installed binding has the bug again.
"""

import sys

from PySide6.QtWidgets import QWidget


def test_void_and_bool_calls_keep_singletons_alive(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    before = [sys.getrefcount(value) for value in (None, True, False)]
    for _ in range(20_000):  # more than None's whole count on Python 3.11 if the bug were back
        widget.setEnabled(True)
        widget.isEnabled()
        widget.isVisible()
    if sys.version_info < (3, 12):  # from 3.12 these are immortal and their counts meaningless
        after = [sys.getrefcount(value) for value in (None, True, False)]
        assert all(a >= b - 100 for a, b in zip(after, before, strict=True)), (before, after)
