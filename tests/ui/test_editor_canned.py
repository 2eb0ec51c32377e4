"""Canned responses in the editor as a person uses them: no false "changed elsewhere" after
sending one's own, and a placeholder with no value stops Insert and Insert-and-send to ask."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desk.core.models import Comment, Ticket
from desk.core.ops import canned, tickets
from tests.ui.test_editor import fresh, open_editor
from tests.ui.test_editor import ticket_id as ticket_id  # noqa: F401 - the fixture

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_picker(qtbot, editor, tasks, words: str):  # noqa: ANN001, ANN201
    editor.reply.setFocus()
    qtbot.keyClick(editor.reply, Qt.Key.Key_C, CTRL_SHIFT)
    qtbot.waitUntil(lambda: editor.canned_picker is not None)
    picker = editor.canned_picker
    qtbot.keyClicks(picker.search, words)
    qtbot.waitUntil(lambda: picker.list.count() == 1 and tasks.pending == 0)
    qtbot.waitUntil(lambda: picker.current_id() in picker._previews)
    return picker


def test_sending_own_canned_response_says_nothing_changed_elsewhere(qtbot, tasks, ticket_id, agent_id,
                                                                     other_agent_id, session):
    canned.create_canned(session, actor_id=agent_id, title="Waiting for parts", body="Parts are ordered.",
                         actions=[{"field": "status", "value": "pending"}, {"field": "priority", "value": "high"}])
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    picker = open_picker(qtbot, editor, tasks, "parts")
    with qtbot.waitSignal(editor.sent):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return, CTRL)  # Insert and send
    qtbot.waitUntil(lambda: tasks.pending == 0 and editor.fields.status.currentText() == "pending")
    assert fresh(session, Ticket, ticket_id).status == "pending"
    assert not editor.notice.isVisible()
    # A real change by someone else afterwards is still announced.
    from desk.ui.tasks import EVERYTHING, EXTERNAL

    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id,
                          expected_version=editor.view.version, fields={"priority": "urgent"})
    tasks.changes_executed.emit(EVERYTHING, EXTERNAL)
    qtbot.waitUntil(lambda: editor.notice.isVisible())
    assert "Priority: high → urgent" in editor.banner.text()


@pytest.fixture
def on_the_way(session, agent_id) -> int:  # noqa: ANN001
    return canned.create_canned(session, actor_id=agent_id, title="On my way",
                                body="Hi {{requester.first_name}}, I am on the way to {{location}}.").created_id


def test_insert_and_send_with_a_gap_stops_and_fills_in_by_hand(qtbot, tasks, ticket_id, agent_id, session,
                                                               on_the_way):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    picker = open_picker(qtbot, editor, tasks, "way")
    assert "No value for this ticket: {{location}}" in picker.preview.toPlainText()
    before = len(session.scalars(select(Comment).where(Comment.ticket_id == ticket_id)).all())
    qtbot.keyClick(picker.search, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: picker.gap_question is not None and picker.gap_question.isVisible())
    question = picker.gap_question
    assert "{{location}}" in question.text() and "on the way to ." in question.text()
    assert [b.text() for b in question.buttons()].count("Send as it is") == 1
    qtbot.keyClick(question, Qt.Key.Key_Return)  # the default: fill in by hand
    qtbot.waitUntil(lambda: editor.canned_picker is None)
    assert editor.reply.toPlainText() == "Hi Wei, I am on the way to [location?]."
    assert editor.reply.textCursor().selectedText() == "[location?]"
    qtbot.keyClicks(editor.reply, "room 101")
    assert editor.reply.toPlainText() == "Hi Wei, I am on the way to room 101."
    session.rollback()
    assert len(session.scalars(select(Comment).where(Comment.ticket_id == ticket_id)).all()) == before  # not sent
    with qtbot.waitSignal(editor.sent):
        qtbot.keyClick(editor.reply, Qt.Key.Key_Return, CTRL)
    session.rollback()
    last = session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert last.body == "Hi Wei, I am on the way to room 101."


def test_send_with_a_gap_left_unfilled_asks_first(qtbot, tasks, ticket_id, agent_id, session, on_the_way):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    picker = open_picker(qtbot, editor, tasks, "way")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.gap_question is not None and picker.gap_question.isVisible())
    qtbot.keyClick(picker.gap_question, Qt.Key.Key_Return)  # fill in by hand
    qtbot.waitUntil(lambda: editor.canned_picker is None)
    editor.reply.moveCursor(editor.reply.textCursor().MoveOperation.End)  # typed elsewhere, gap left
    qtbot.keyClicks(editor.reply, " See you soon.")
    qtbot.keyClick(editor.reply, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: editor.gap_question is not None and editor.gap_question.isVisible())
    assert "[location?]" in editor.gap_question.text()
    qtbot.keyClick(editor.gap_question, Qt.Key.Key_Escape)  # go back: the gap is selected
    qtbot.waitUntil(lambda: editor.gap_question is None)
    assert editor.reply.textCursor().selectedText() == "[location?]"
    session.rollback()
    assert not [c for c in session.scalars(select(Comment)).all() if "See you soon" in c.body]
    qtbot.keyClick(editor.reply, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: editor.gap_question is not None and editor.gap_question.isVisible())
    anyway = next(b for b in editor.gap_question.buttons() if b.text() == "Send anyway")
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(anyway, Qt.MouseButton.LeftButton)
    session.rollback()
    last = session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert last.body == "Hi Wei, I am on the way to [location?]. See you soon."


def test_insert_with_a_gap_go_back_inserts_nothing(qtbot, tasks, ticket_id, agent_id, on_the_way):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    picker = open_picker(qtbot, editor, tasks, "way")
    qtbot.mouseClick(picker.insert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: picker.gap_question is not None and picker.gap_question.isVisible())
    question = picker.gap_question
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: picker.gap_question is None)
    assert picker.isVisible() and editor.reply.toPlainText() == ""
    qtbot.mouseClick(picker.insert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: picker.gap_question is not None and picker.gap_question.isVisible())
    as_is = next(b for b in picker.gap_question.buttons() if b.text() == "Insert as it is")
    qtbot.mouseClick(as_is, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.canned_picker is None)
    assert editor.reply.toPlainText() == "Hi Wei, I am on the way to ."
