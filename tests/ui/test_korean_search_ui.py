"""Korean in the window (issue 13): the queue's search box finds a word inside longer words,
and the quick log warns of a similar subject by its Korean words, never by a particle."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from desk.core.models import utcnow
from desk.core.ops import people, tickets


def _type(qtbot, widget, text):  # noqa: ANN001, ANN202
    """Type as a Korean keyboard does: each finished syllable arrives as the input method's
    commit (QTest's key clicks know only ASCII keys); spaces and letters as keys."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def _log(session, requester_id, subject, *, minutes_ago=0):  # noqa: ANN001, ANN202
    at = utcnow() - timedelta(minutes=minutes_ago)
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                              arrived_at=at, now=at).created_id


def test_the_search_box_finds_korean_words_inside_words(main_window, qtbot, session):  # noqa: ANN001
    kim = people.ensure_requester(session, email="ms@uni.test", name="김민수", kind="student").created_id
    lee = people.ensure_requester(session, email="sy@uni.test", name="이서연", kind="staff").created_id
    wifi = _log(session, kim, "무선인터넷 연결이 자꾸 끊겨요", minutes_ago=20)
    power = _log(session, lee, "노트북 전원이 안 켜져요", minutes_ago=10)
    panel = main_window.queue_panel
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and len(panel.model.ids()) == 2)
    for typed, expected in (("인터넷", [wifi]), ("전원", [power]), ("민수", [wifi]), ("김", [wifi]),
                            ("노트북 전원", [power]), ("연결 끊겨", [wifi])):
        panel.search.clear()
        _type(qtbot, panel.search, typed)
        qtbot.waitUntil(lambda e=expected: main_window.tasks.pending == 0 and panel.model.ids() == e, timeout=5000)


def test_the_quick_log_warns_of_a_similar_korean_subject_but_not_of_a_particle(main_window, qtbot, session,  # noqa: ANN001
                                                                               requester_id):
    other = people.ensure_requester(session, email="hn@uni.test", name="김하늘", kind="student").created_id
    printer = _log(session, other, "컬러프린터 용지 걸림", minutes_ago=5)
    _log(session, other, "화면이 안 나와요", minutes_ago=5)
    dialog = main_window.queue_panel.quick_log()
    with qtbot.wait_signal(dialog.checks_done, timeout=5000):
        _type(qtbot, dialog.subject, "프린터가 안 돼요")
    qtbot.waitUntil(lambda: f"ticket:{printer}" in dialog.warning.text(), timeout=5000)
    assert dialog.warning.text().count("ticket:") == 1  # 안 shares nothing that counts with 화면이 안 나와요
    dialog.reject()

    dialog = main_window.queue_panel.quick_log()
    with qtbot.wait_signal(dialog.checks_done, timeout=5000):
        _type(qtbot, dialog.subject, "소리가 안 나요")
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert not dialog.warning.isVisible()
    dialog.reject()
