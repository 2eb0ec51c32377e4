"""The ticket editor through its real widgets: open, reply, note, canned response, conflict, drafts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select, update

from desk.core.changes import Changes
from desk.core.models import CannedResponse, Comment, Person, Ticket
from desk.core.ops import canned, comments, drafts, people, tickets
from desk.ui.editor.editor import TicketEditor
from desk.ui.tasks import EXTERNAL, Tasks


@pytest.fixture
def ticket_id(session, agent_id, other_agent_id, requester_id) -> int:  # noqa: ANN001
    category = people.ensure_category(session, name="Classroom AV").created_id
    ticket = tickets.log_ticket(
        session, actor_id=agent_id, requester_id=requester_id, subject="Projector in 101 shows no signal",
        description="No signal with HDMI.\nClass at 10:00.", category_id=category, tags=["av"],
    ).created_id
    comments.add_comment(session, ticket_id=ticket, author_id=agent_id, body="On my way.", public=True)
    comments.add_comment(session, ticket_id=ticket, author_id=other_agent_id,
                         body='Lamp is old <script>alert(1)</script><img src="http://evil.test/x.png">',
                         public=False)
    return ticket


def open_editor(qtbot, tasks: Tasks, ticket_id: int, agent_id: int | None) -> TicketEditor:  # noqa: ANN001
    editor = TicketEditor(tasks, ticket_id, lambda: agent_id)
    qtbot.addWidget(editor)
    editor.resize(1280, 800)
    editor.show()
    qtbot.waitUntil(lambda: editor.view is not None and tasks.pending == 0)
    return editor


def named(root: QWidget, name: str) -> QWidget:
    found = [w for w in root.findChildren(QWidget) if w.accessibleName() == name]
    assert found, f"no widget named {name!r}"
    return found[0]


def fresh(session, model, ident):  # noqa: ANN001, ANN201
    """The row as committed now (ends the test session's read snapshot first)."""
    session.rollback()
    session.expire_all()
    return session.get(model, ident)


def test_open_shows_conversation_fields_and_history(qtbot, tasks, ticket_id, agent_id):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    # No e-mail and no hosted helpdesk reach the requester: the button records, it does not "send".
    for name in ("Reply", "Public reply", "Internal note", "Record reply", "Status", "Priority", "Assignee",
                 "Tags", "Canned responses"):
        widget = named(editor, name)
        assert widget.toolTip(), name
    html = editor.conversation.toHtml()
    text = editor.conversation.toPlainText()
    assert "On my way." in text and "Internal note" in text and "Public reply" in text
    assert "<script" not in html and "<img" not in html  # shown as text, nothing loaded
    assert "alert(1)" in text
    assert editor.fields.status.currentText() == "open"
    assert editor.fields.category_id.currentText() == "Classroom AV"
    assert editor.fields.tags.text() == "av"
    assert editor.history.topLevelItemCount() >= 3
    actions = {editor.history.topLevelItem(i).text(2) for i in range(editor.history.topLevelItemCount())}
    assert {"create", "reply", "note"} <= actions


def test_html_bodies_are_sanitized():
    from desk.ui.editor.conversation import body_html

    cleaned = body_html('<p onclick="x()">Hi <b>there</b><script>bad()</script>'
                        '<img src="https://evil.test/t.png"><a href="javascript:x()">j</a></p>')
    assert "<b>there</b>" in cleaned
    assert "script" not in cleaned and "bad()" not in cleaned and "<img" not in cleaned
    assert "onclick" not in cleaned and "javascript" not in cleaned
    assert body_html("a < b\nc") == "a &lt; b<br>c"


def test_public_reply_with_ctrl_enter_and_internal_note(qtbot, tasks, ticket_id, agent_id, session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.reply.setFocus()
    qtbot.keyClicks(editor.reply, "The lamp is replaced.")
    with qtbot.waitSignal(editor.sent):
        qtbot.keyClick(editor.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tasks.pending == 0)
    assert editor.reply.toPlainText() == ""
    last = session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert (last.body, last.is_public, last.author_id) == ("The lamp is replaced.", True, agent_id)

    qtbot.mouseClick(editor.internal, Qt.MouseButton.LeftButton)
    assert editor.internal.isChecked()
    qtbot.keyClicks(editor.reply, "Spare lamp used from stock.")
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(editor.send_button, Qt.MouseButton.LeftButton)
    session.rollback()
    last = session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert (last.body, last.is_public) == ("Spare lamp used from stock.", False)
    qtbot.waitUntil(lambda: "Spare lamp used from stock." in editor.conversation.toPlainText())


def test_send_and_mark_solved_with_staged_fields(qtbot, tasks, ticket_id, agent_id, session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.fields.priority.setFocus()
    editor.fields.priority.setCurrentIndex(editor.fields.priority.findData("high"))
    editor.fields.priority.activated.emit(editor.fields.priority.currentIndex())
    editor.fields.tags.setText("av, lamp")
    editor.fields.tags.textEdited.emit("av, lamp")
    assert editor.fields.labels["priority"].text() == "Priority •"
    qtbot.keyClicks(editor.reply, "Fixed.")
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(editor.solve_button, Qt.MouseButton.LeftButton)
    ticket = fresh(session, Ticket, ticket_id)
    assert ticket.status == "solved" and ticket.priority == "high"
    assert [tag.name for tag in ticket.tags] == ["av", "lamp"]
    qtbot.waitUntil(lambda: editor.fields.labels["priority"].text() == "Priority")


def test_draft_survives_close_and_reopen(qtbot, tasks, ticket_id, agent_id, session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    qtbot.mouseClick(editor.internal, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.draft_saved, timeout=2000):  # saved within 2 s of typing
        qtbot.keyClicks(editor.reply, "Half-typed note")
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id).body == "Half-typed note"

    qtbot.keyClicks(editor.reply, " and more")  # closing right away still keeps it
    assert editor.can_close()
    editor.close()
    editor.deleteLater()
    qtbot.waitUntil(lambda: tasks.pending == 0)

    reopened = open_editor(qtbot, tasks, ticket_id, agent_id)
    assert reopened.reply.toPlainText() == "Half-typed note and more"
    assert reopened.internal.isChecked()
    with qtbot.waitSignal(reopened.sent):
        reopened.send()
    session.rollback()
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id) is None


def test_conflict_dialog_keep_mine_and_merge(qtbot, tasks, ticket_id, agent_id, other_agent_id, session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    version = editor.view.version
    editor.fields.stage({"priority": "high", "status": "pending"})
    # meanwhile someone else changes the ticket
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id, expected_version=version,
                          fields={"status": "on-hold", "location_id": None, "tags": ["av", "urgent"]})
    qtbot.keyClicks(editor.reply, "Waiting for the new lamp.")
    qtbot.mouseClick(editor.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None)
    dialog = editor.conflict_dialog
    # status was changed by both (defaults to theirs); priority only by me (defaults to mine)
    assert dialog.groups["status"].checkedId() == 1
    assert dialog.groups["priority"].checkedId() == 0
    assert "Tags" in named(dialog, "Their other changes").text()
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(dialog.merge, Qt.MouseButton.LeftButton)
    ticket = fresh(session, Ticket, ticket_id)
    assert ticket.status == "on-hold" and ticket.priority == "high"
    assert [t.name for t in ticket.tags] == ["av", "urgent"]
    assert ticket.comments[-1].body == "Waiting for the new lamp."

    # again, this time keeping mine
    editor.fields.stage({"status": "pending"})
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id,
                          expected_version=ticket.version, fields={"status": "open"})
    editor.save_fields()
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None)
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(editor.conflict_dialog.keep_mine, Qt.MouseButton.LeftButton)
    assert fresh(session, Ticket, ticket_id).status == "pending"


def test_conflict_take_theirs_keeps_reply(qtbot, tasks, ticket_id, agent_id, other_agent_id, session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.fields.stage({"priority": "low"})
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id,
                          expected_version=editor.view.version, fields={"priority": "urgent"})
    qtbot.keyClicks(editor.reply, "Noted.")
    editor.send()
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None)
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(editor.conflict_dialog.take_theirs, Qt.MouseButton.LeftButton)
    ticket = fresh(session, Ticket, ticket_id)
    assert ticket.priority == "urgent" and ticket.comments[-1].body == "Noted."


def test_apply_canned_response_from_the_picker(qtbot, tasks, ticket_id, agent_id, session):
    canned_id = canned.create_canned(
        session, actor_id=agent_id, title="Projector fixed",
        body="Hi {{requester.first_name}}, ticket #{{ticket.id}} is fixed. {{agent.first_name}}",
        actions=[{"field": "status", "value": "solved"}, {"field": "tags_add", "value": ["lamp"]}],
    ).created_id
    canned.create_canned(session, actor_id=agent_id, title="Wi-Fi help", body="Use eduroam.")
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.reply.setFocus()
    qtbot.keyClick(editor.reply, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: editor.canned_picker is not None)
    picker = editor.canned_picker
    qtbot.waitUntil(lambda: picker.list.count() == 2)
    qtbot.keyClicks(picker.search, "projector")
    qtbot.waitUntil(lambda: picker.list.count() == 1 and tasks.pending == 0)
    qtbot.waitUntil(lambda: "is fixed" in picker.preview.toPlainText())
    preview = picker.preview.toPlainText()
    assert f"Hi Wei, ticket #{ticket_id} is fixed. Ana" in preview
    assert "Status: open → solved" in preview and "Tags: av → av, lamp" in preview
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.canned_picker is None)
    assert editor.reply.toPlainText() == f"Hi Wei, ticket #{ticket_id} is fixed. Ana"
    assert editor.fields.status.currentText() == "solved" and editor.fields.tags.text() == "av, lamp"
    with qtbot.waitSignal(editor.sent):
        qtbot.keyClick(editor.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    ticket = fresh(session, Ticket, ticket_id)
    assert ticket.status == "solved" and [t.name for t in ticket.tags] == ["av", "lamp"]
    assert ticket.comments[-1].body.startswith("Hi Wei")
    assert session.get(CannedResponse, canned_id).usage_count == 1


def test_no_agent_means_no_reply(qtbot, tasks, ticket_id):
    editor = open_editor(qtbot, tasks, ticket_id, None)
    assert editor.reply.isReadOnly()
    assert not editor.send_button.isEnabled()
    assert "at the desk" in editor.reply.placeholderText()


def test_external_change_shows_banner(qtbot, tasks, ticket_id, agent_id, other_agent_id, session):
    from desk.ui.tasks import EVERYTHING, EXTERNAL

    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id,
                          expected_version=editor.view.version, fields={"priority": "urgent"})
    tasks.changes_executed.emit(EVERYTHING, EXTERNAL)
    qtbot.waitUntil(lambda: editor.banner.isVisible())
    assert "Priority: normal → urgent" in editor.banner.text()
    assert editor.fields.priority.currentText() == "urgent"


def test_main_window_opens_the_editor(qtbot, main_window, ticket_id):
    editor = main_window.open_ticket(ticket_id)
    assert isinstance(editor, TicketEditor) and main_window.tabs.currentWidget() is editor
    qtbot.waitUntil(lambda: editor.view is not None)
    assert editor.view.id == ticket_id and editor.ticket_id == ticket_id
    assert main_window.open_ticket(ticket_id) is editor  # opened again: the same tab, not a second one


def test_closed_tab_ignores_agent_changes(qtbot, main_window, ticket_id, agent_id):
    editor = main_window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: editor.view is not None)
    main_window.close_tab(main_window.tabs.indexOf(editor))
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    from shiboken6 import isValid
    qtbot.waitUntil(lambda: not isValid(editor))
    main_window.agent_changed.emit(agent_id)  # must not touch the deleted editor


def test_change_requester_with_the_keyboard_then_save(qtbot, tasks, ticket_id, agent_id, requester_id, session):
    student = people.ensure_requester(session, email="kim.lee@uni.test", name="Kim Lee", kind="student").created_id
    people.ensure_requester(session, email="kimberly@uni.test", name="Kimberly Park", kind="staff")
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    assert "Wei Chen" in editor.fields.requester.text()
    button = named(editor, "Change requester")
    assert button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    picker = editor.requester_picker
    assert picker is not None and picker.isVisible()
    for name in ("Find requester", "Matches", "Use this requester", "Cancel"):
        assert named(picker, name).toolTip(), name
    qtbot.keyClicks(picker.find, "kim")
    qtbot.waitUntil(lambda: picker.matches.count() == 2)
    assert picker.matches.currentRow() == 0  # Kim Lee, sorted by name
    qtbot.keyClick(picker.find, Qt.Key.Key_Down)  # moves through the matches from the search field
    assert picker.chosen().name == "Kimberly Park"
    qtbot.keyClick(picker.find, Qt.Key.Key_Up)
    qtbot.keyClick(picker.find, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.requester_picker is None)
    assert "Kim Lee" in editor.fields.requester.text() and "student" in editor.fields.requester.text()
    assert editor.fields.labels["requester_id"].text() == "Requester •"
    assert editor.fields.changed_fields() == {"requester_id": student}
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fresh(session, Ticket, ticket_id).requester_id == student)
    qtbot.waitUntil(lambda: editor.fields.labels["requester_id"].text() == "Requester")
    assert "Kim Lee" in editor.fields.requester.text()


def test_cancelling_the_requester_picker_changes_nothing(qtbot, tasks, ticket_id, agent_id):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.pick_requester()
    picker = editor.requester_picker
    qtbot.keyClicks(picker.find, "chen")
    qtbot.waitUntil(lambda: picker.matches.count() == 1)
    assert "(current)" in picker.matches.item(0).text()
    qtbot.keyClick(picker.find, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: editor.requester_picker is None)
    assert editor.fields.changed_fields() == {}


def test_switching_agent_keeps_each_agents_words_as_their_own_draft(
    qtbot, tasks, ticket_id, agent_id, other_agent_id, session
):
    at_desk = {"id": agent_id}
    editor = TicketEditor(tasks, ticket_id, lambda: at_desk["id"])
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.view is not None and tasks.pending == 0)
    qtbot.keyClicks(editor.reply, "Ana's half-typed answer")
    at_desk["id"] = other_agent_id  # Ana signs out, Bo signs in before the draft timer fired
    editor._agent_changed(other_agent_id)
    assert editor.reply.toPlainText() == ""
    qtbot.waitUntil(lambda: tasks.pending == 0)
    session.rollback()
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id).body == "Ana's half-typed answer"
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=other_agent_id) is None
    qtbot.keyClicks(editor.reply, "Bo here")
    at_desk["id"] = agent_id  # Ana is back: her words return, Bo's are kept for him
    editor._agent_changed(agent_id)
    qtbot.waitUntil(lambda: editor.reply.toPlainText() == "Ana's half-typed answer")
    session.rollback()
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=other_agent_id).body == "Bo here"


def test_revert_button_forgets_staged_fields_and_their_version(qtbot, tasks, ticket_id, agent_id, other_agent_id,
                                                               session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    combo = editor.fields.priority
    combo.setCurrentIndex(combo.findData("high"))
    combo.activated.emit(combo.currentIndex())
    assert editor.fields.labels["priority"].text() == "Priority •"
    assert editor.save_button.isEnabled() and editor.revert_button.isEnabled()
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id,
                          expected_version=editor.view.version, fields={"status": "pending"})
    qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert combo.currentData() == "normal" and editor.fields.labels["priority"].text() == "Priority"
    assert not editor.save_button.isEnabled() and not editor.revert_button.isEnabled()
    with qtbot.waitSignal(editor.loaded):  # the other change arrives; nothing of mine is kept
        tasks.changes_executed.emit(Changes(tickets=True, ticket_ids=frozenset({ticket_id})), EXTERNAL)
    assert editor.fields.status.currentData() == "pending" and "kept" not in editor.banner.text()
    combo.setCurrentIndex(combo.findData("low"))  # a new start goes against the version shown now
    combo.activated.emit(combo.currentIndex())
    with qtbot.waitSignal(editor.sent):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.conflict_dialog is None
    assert fresh(session, Ticket, ticket_id).priority == "low"


def test_a_staged_choice_that_left_the_list_stays_shown_and_staged(qtbot, tasks, ticket_id, agent_id,
                                                                   other_agent_id, session):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    combo = editor.fields.assignee_id
    combo.setCurrentIndex(combo.findData(other_agent_id))
    combo.activated.emit(combo.currentIndex())
    session.execute(update(Person).where(Person.id == other_agent_id).values(is_agent=False))  # no longer an agent
    session.commit()
    with qtbot.waitSignal(editor.loaded):
        tasks.changes_executed.emit(Changes(people=True), EXTERNAL)
    assert combo.findData(other_agent_id) >= 0 and combo.currentData() == other_agent_id
    assert editor.fields.changed_fields() == {"assignee_id": other_agent_id}


def test_the_sla_box_shows_each_targets_clock(qtbot, tasks, session, requester_id, agent_id):  # noqa: ANN001
    from datetime import timedelta

    from desk.core.models import utcnow
    from desk.core.rules import ops as rules

    rules.add_rule(session, actor_id=None, kind="sla", name="Walk-ins", definition={
        "targets": {"first_response": {"hours": 0.25, "business": False},
                    "resolution": {"hours": 48, "business": False}}})
    late = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer",
                              arrived_at=utcnow() - timedelta(minutes=40)).created_id
    editor = open_editor(qtbot, tasks, late, agent_id)
    box = named(editor, "SLA clocks")
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    assert "SLA: Walk-ins" in text and "First response (15 min): breached by 25 min" in text
    assert "Resolution (2 d 0 h): 1 d 23 h left (due" in text
