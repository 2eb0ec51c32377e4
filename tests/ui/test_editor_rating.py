"""The editor's rating field is the agent-reported one; a person's own rating is shown locked."""

from __future__ import annotations

from desk.core.ops import survey, tickets
from tests.ui.test_editor import named, open_editor


def test_agent_reported_field_is_labelled_and_a_persons_rating_is_locked(qtbot, tasks, session, agent_id,  # noqa: ANN001
                                                                         requester_id) -> None:
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="wifi").created_id
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    field = named(editor, "Agent-reported rating")
    assert field.isEnabled() and "not counted in CSAT" in field.toolTip()
    assert editor.fields.labels["satisfaction"].text() == "Agent-reported rating"
    editor.close()

    tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id)
    survey.record_rating(session, ticket_id=ticket_id, rating="good")
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    field = named(editor, "Person's rating")
    assert not field.isEnabled() and field.currentData() == "good"
    assert editor.fields.labels["satisfaction"].text() == "Person's rating"
    rows = [[editor.history.topLevelItem(i).text(c) for c in (2, 3, 5)] for i in range(editor.history.topLevelItemCount())]
    assert ["rate", "Person's rating", "good"] in rows
