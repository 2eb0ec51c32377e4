"""F8 tallies a quick question (Shift+F8 short, Ctrl+F8 long): an arrival, not a ticket."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desk.core.models import Ticket
from desk.core.models_rota import QuickQuestion


def test_one_key_tallies_a_quick_question_with_its_effort(main_window, qtbot, store) -> None:  # noqa: ANN001
    main_window.activateWindow()
    main_window.queue_panel.table.setFocus()
    qtbot.keyClick(main_window.queue_panel.table, Qt.Key.Key_F8)
    qtbot.keyClick(main_window.queue_panel.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(main_window.queue_panel.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier)

    def efforts() -> list[str]:
        with store.session() as s:
            return list(s.scalars(select(QuickQuestion.effort).order_by(QuickQuestion.id)))

    qtbot.waitUntil(lambda: efforts() == ["brief", "short", "long"])
    qtbot.waitUntil(lambda: "Quick question tallied (long)" in main_window.statusBar().currentMessage())
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0
