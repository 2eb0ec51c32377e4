"""Every keyboard shortcut the README names, pressed as a person would, does what it says.

The list is read from the README's "Using Desk" section, so a shortcut added there without a
check here fails the first test, and one that stops working fails its own press below.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from desk.core.models import Ticket, utcnow
from desk.core.ops import tickets

README = Path(__file__).resolve().parents[2] / "README.md"
# pressed below, except F9 (tests/ui/test_remotes_dialog.py presses it with and without a remote)
# and F1 (tests/ui/test_help.py presses it and reads the guide) and F8 (tests/ui/test_quick_question.py
# presses it, with Shift and Ctrl, and counts the tallies)
CHECKED = {"Ctrl+N", "Ctrl+T", "Ctrl+K", "Ctrl+Shift+K", "Ctrl+F", "Enter", "Ctrl+1", "Ctrl+2", "F5",
           "Ctrl+Enter", "Ctrl+Shift+C", "F9", "F1", "F8"}
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def readme_shortcuts() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using Desk"):text.index("## The command line")]
    return set(re.findall(r"Ctrl\+(?:Shift\+)?[A-Za-z0-9]+|\bF\d+\b", section)) | (
        {"Enter"} if "**Enter**" in section else set())


def test_every_shortcut_in_the_readme_is_checked_here():
    assert readme_shortcuts() == CHECKED


def test_every_readme_shortcut_is_bound_in_the_window(main_window):
    from PySide6.QtGui import QAction

    main_window.install_sync()  # F9 lives in the Sync menu
    bound = {action.shortcut().toString() for action in main_window.findChildren(QAction)}
    window_keys = CHECKED - {"Ctrl+Enter", "Ctrl+Shift+C", "Enter"}  # the editor's and the table's own
    missing = {key for key in window_keys if QKeySequence(key).toString() not in bound}
    assert not missing, f"README names shortcuts the window does not have: {missing}"


def _log(session, requester_id, subject, minutes_ago=0):  # noqa: ANN001, ANN202
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                              arrived_at=utcnow() - timedelta(minutes=minutes_ago)).created_id


def _assignee(store, ticket_id):  # noqa: ANN001, ANN202
    with store.session() as s:
        return s.get(Ticket, ticket_id).assignee_id


def test_front_desk_shortcuts_pressed_as_keys(main_window, qtbot, store, session, requester_id, agent_id):
    first = _log(session, requester_id, "Projector has no signal", minutes_ago=12)
    second = _log(session, requester_id, "Forgot my password", minutes_ago=3)
    session.rollback()
    panel = main_window.queue_panel
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and {first, second} <= set(panel.model.ids()))
    main_window.at_desk.sign_in(agent_id)
    qtbot.waitUntil(lambda: main_window.current_agent_id() == agent_id)

    qtbot.keyClick(main_window, Qt.Key.Key_2, CTRL)  # Ctrl+2: Stats, built when first shown
    from desk.ui.stats.panel import StatsPanel

    assert main_window.tabs.currentIndex() == 1 and isinstance(main_window.tabs.currentWidget(), StatsPanel)
    qtbot.keyClick(main_window, Qt.Key.Key_1, CTRL)  # Ctrl+1: back to the queue
    assert main_window.tabs.currentIndex() == 0

    qtbot.keyClick(main_window, Qt.Key.Key_F, CTRL)  # Ctrl+F: into the search box
    assert QApplication.focusWidget() is panel.search

    qtbot.keyClick(panel.table, Qt.Key.Key_T, CTRL)  # Ctrl+T: the longest-waiting person is mine
    qtbot.waitUntil(lambda: _assignee(store, first) == agent_id)
    assert _assignee(store, second) is None
    # As a person does: wait until the window shows it (the line selects them, with the focus).
    # Clicking on at once raced Take next's answer, which then took the focus and the selection
    # back to the line, and Ctrl+Shift+K below released the first person instead.
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and panel.line.selected_id() == first)

    _click_row(qtbot, panel, second)  # Take next left the focus in the line: click the row
    qtbot.keyClick(panel.table, Qt.Key.Key_K, CTRL)  # Ctrl+K: claim the selected ticket
    qtbot.waitUntil(lambda: _assignee(store, second) == agent_id)
    qtbot.keyClick(panel.table, Qt.Key.Key_K, CTRL | SHIFT)  # Ctrl+Shift+K: release it
    qtbot.waitUntil(lambda: _assignee(store, second) is None)

    # F5 reloads: a ticket written by another connection shows without waiting for the poll
    main_window.tasks._watch_timer.stop()
    third = _log(session, requester_id, "Mouse missing in lab 2")
    session.rollback()
    qtbot.keyClick(main_window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: third in panel.model.ids())

    qtbot.keyClick(main_window, Qt.Key.Key_N, CTRL)  # Ctrl+N: quick log
    qtbot.waitUntil(lambda: panel._dialog is not None and panel._dialog.isVisible())
    panel._dialog.reject()

    _click_row(qtbot, panel, first)
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter: open the selected ticket
    qtbot.waitUntil(lambda: getattr(main_window.tabs.currentWidget(), "ticket_id", None) == first)


def _click_row(qtbot, panel, ticket_id):  # noqa: ANN001, ANN202
    row = panel.model.row_of(ticket_id)
    rect = panel.table.visualRect(panel.model.index(row, 3))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.selected_id() == ticket_id and panel.table.hasFocus()


def test_editor_shortcuts_pressed_as_keys(main_window, qtbot, store, session, requester_id, agent_id):
    ticket_id = _log(session, requester_id, "Laptop will not charge")
    session.rollback()
    main_window.at_desk.sign_in(agent_id)
    qtbot.waitUntil(lambda: main_window.current_agent_id() == agent_id)
    editor = main_window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and editor.isVisible())

    box = editor.reply
    box.setFocus()
    qtbot.keyClicks(box, "The charger in the cupboard works; swapped it.")
    qtbot.keyClick(box, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter: send
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    with store.session() as s:
        comments = s.get(Ticket, ticket_id).comments
        assert [c.body for c in comments] == ["The charger in the cupboard works; swapped it."]

    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_C, CTRL | SHIFT)  # Ctrl+Shift+C: canned responses
    qtbot.waitUntil(lambda: getattr(editor, "canned_picker", None) is not None
                    and editor.canned_picker.isVisible())
    editor.canned_picker.reject()

