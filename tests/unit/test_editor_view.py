from desk.core.ops import drafts, people, replies, tickets
from desk.core.queries.editor import ticket_view


def test_ticket_view(session, agent_id, other_agent_id, requester_id):
    category = people.ensure_category(session, name="Event services").created_id
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Mic for gala",
                                   category_id=category, tags=["event"]).created_id
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Booked.", public=True,
                       expected_version=1, fields={"assignee_id": other_agent_id})
    replies.send_reply(session, ticket_id=ticket_id, author_id=other_agent_id, body="Batteries!", public=False)
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent_id, body="half", public=False)

    view = ticket_view(session, ticket_id=ticket_id, agent_id=agent_id)
    assert view.version == 2 and view.requester == "Wei Chen" and view.requester_kind == "faculty"
    assert view.fields["status"] == "open" and view.fields["tags"] == ["event"]
    assert [(m.author, m.public, m.author_is_agent) for m in view.messages] == [
        ("Ana Student", True, True), ("Bo Staff", False, True)]
    assert view.draft.body == "half" and view.draft.public is False
    assert view.label("assignee_id", other_agent_id) == "Bo Staff"
    assert view.label("category_id", category) == "Event services"
    assert view.label("assignee_id", None) == "(nobody)" and view.label("tags", []) == "(none)"
    assert "event" in view.tags and view.estimate is None
    assert [h.action for h in view.history][:2] == ["create", "reply"]
    assert ticket_view(session, ticket_id=ticket_id, agent_id=None).draft is None
