"""The quick log suggests category and location from the subject as it is typed, never over a
person's own choice, and stays silent without enough history."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from desk.core.db import unit_of_work
from desk.core.models import Category, Ticket, utcnow


def _history(session, requester_id: int) -> tuple[int, int]:  # noqa: ANN001
    now = utcnow()
    with unit_of_work(session):
        printing, network = Category(name="Printing"), Category(name="Network")
        session.add_all([printing, network])
        session.flush()
        subjects = {printing.id: ["Printer toner empty", "프린터 용지 걸림", "Printer offline again", "toner streaks"],
                    network.id: ["Wifi eduroam drops", "와이파이 연결 안됨", "VPN disconnects", "eduroam password"]}
        for i in range(120):
            for category_id, lines in subjects.items():
                arrived = now - timedelta(days=3, minutes=i)
                session.add(Ticket(subject=lines[i % len(lines)], requester_id=requester_id,
                                   category_id=category_id, arrived_at=arrived, created_at=arrived,
                                   solved_at=arrived + timedelta(hours=2), status="solved"))
    return printing.id, network.id


def _ime_type(widget, text: str) -> None:  # noqa: ANN001
    """Korean arrives as an input method commits it (QTest can only press ASCII keys)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_category_is_suggested_as_the_subject_is_typed(main_window, qtbot, session, requester_id) -> None:  # noqa: ANN001
    printing, network = _history(session, requester_id)
    dialog = main_window.queue_panel.quick_log()
    qtbot.waitUntil(lambda: dialog.hints.holder.models is not None and dialog.category.count() > 2, timeout=10000)
    _ime_type(dialog.subject, "프린터가 또")
    qtbot.waitUntil(lambda: dialog.category.currentData() == printing)
    assert dialog.hints.label.isVisible()
    assert "Printing" in dialog.hints.label.text() and "%" in dialog.hints.label.text()
    # more words change the suggestion while nobody has chosen
    dialog.subject.clear()
    qtbot.keyClicks(dialog.subject, "eduroam wifi")
    qtbot.waitUntil(lambda: dialog.category.currentData() == network)
    # unknown words: silent, and the filled-in suggestion is taken back
    dialog.subject.clear()
    qtbot.keyClicks(dialog.subject, "zzzz qqqq")
    qtbot.waitUntil(lambda: dialog.category.currentData() is None)
    assert not dialog.hints.label.isVisible()
    dialog.reject()


def test_a_choice_made_by_a_person_is_never_overridden(main_window, qtbot, session, requester_id) -> None:  # noqa: ANN001
    printing, network = _history(session, requester_id)
    dialog = main_window.queue_panel.quick_log()
    qtbot.waitUntil(lambda: dialog.hints.holder.models is not None and dialog.category.count() > 2, timeout=10000)
    dialog.category.setFocus()
    qtbot.keyClick(dialog.category, Qt.Key.Key_N)  # keyboard pick: "Network" (activated by the person)
    qtbot.waitUntil(lambda: dialog.category.currentData() == network)
    qtbot.keyClicks(dialog.subject, "Printer toner empty")
    assert dialog.category.currentData() == network
    dialog.reject()


def test_silent_without_enough_history(main_window, qtbot) -> None:  # noqa: ANN001
    dialog = main_window.queue_panel.quick_log()
    qtbot.waitUntil(lambda: dialog.hints.holder.models is not None, timeout=10000)
    qtbot.keyClicks(dialog.subject, "Printer toner empty")
    assert dialog.category.currentData() is None
    assert not dialog.hints.label.isVisible()
    dialog.reject()
