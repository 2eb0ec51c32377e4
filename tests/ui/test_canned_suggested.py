"""The canned-response picker lists first what was used on solved tickets like this one."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from desk.core.db import unit_of_work
from desk.core.models import AuditEvent, Ticket, utcnow
from desk.core.ops import canned
from tests.ui.test_editor import open_editor
from tests.ui.test_editor import ticket_id as ticket_id  # noqa: F401 - the fixture

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_picker_suggests_what_similar_solved_tickets_used(qtbot, tasks, ticket_id, agent_id, session,  # noqa: ANN001
                                                          requester_id) -> None:
    canned.create_canned(session, actor_id=agent_id, title="Aaa most used", body="Hello.", usage_count=50)
    fitting = canned.create_canned(session, actor_id=agent_id, title="Projector cable check",
                                   body="Please check the HDMI cable.").created_id
    with unit_of_work(session):
        now = utcnow()
        for i in range(3):  # solved projector tickets that used the cable check
            solved = Ticket(subject="Projector shows no signal in 204", requester_id=requester_id, arrived_at=now,
                            created_at=now, solved_at=now + timedelta(hours=1), status="solved",
                            category_id=session.get(Ticket, ticket_id).category_id)
            session.add(solved)
            session.flush()
            session.add(AuditEvent(ticket_id=solved.id, at=now + timedelta(minutes=i), action="canned",
                                   field="canned_response", new="Projector cable check"))
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.reply.setFocus()
    qtbot.keyClick(editor.reply, Qt.Key.Key_C, CTRL_SHIFT)
    qtbot.waitUntil(lambda: editor.canned_picker is not None)
    picker = editor.canned_picker
    qtbot.waitUntil(lambda: picker.list.count() >= 2 and tasks.pending == 0)
    first = picker.list.item(0)
    assert first.data(Qt.ItemDataRole.UserRole) == fitting
    assert "suggested: 100% of the uses on similar solved tickets" in first.text()
    assert "suggested" not in picker.list.item(1).text()
    picker.reject()
