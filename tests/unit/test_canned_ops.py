import json

import pytest
from sqlalchemy import select

from desk.core import errors
from desk.core.models import AuditEvent, CannedResponse, Comment, Ticket
from desk.core.ops import canned, people, tickets
from desk.core.queries.canned import get_canned, list_canned
from desk.core.queries.tickets import get_ticket


@pytest.fixture
def ticket_id(session, agent_id, requester_id):
    return tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                              subject="Projector in 101 shows no signal", tags=["av"]).created_id


def test_create_refuses_unknown_placeholders(session, agent_id):
    with pytest.raises(canned.UnknownPlaceholders) as caught:
        canned.create_canned(session, actor_id=agent_id, title="Typo", body="Hi {{requester.frist_name}}")
    assert caught.value.names == ("requester.frist_name",)
    assert "{{requester.first_name}}" in caught.value.message
    assert session.scalar(select(CannedResponse.id)) is None


def test_create_validates_actions(session, agent_id):
    with pytest.raises(errors.InvalidInput, match="Status must be"):
        canned.create_canned(session, actor_id=agent_id, title="x",
                             actions=[{"field": "status", "value": "done"}])
    with pytest.raises(errors.InvalidInput, match="Unknown action"):
        canned.create_canned(session, actor_id=agent_id, title="x",
                             actions=[{"field": "group_id", "value": 3}])
    with pytest.raises(errors.InvalidInput, match="not an agent"):
        canned.create_canned(session, actor_id=agent_id, title="x",
                             actions=[{"field": "assignee", "value": "nobody@x.test"}])


def test_create_edit_duplicate_delete_and_list(session, agent_id, other_agent_id):
    shared = canned.create_canned(
        session, actor_id=agent_id, title="Wi-Fi", body="Use eduroam, {{requester.first_name}}.",
        actions=[{"field": "tags_add", "value": ["Wi Fi", "wifi"]}, {"field": "status", "value": "pending"}],
    ).created_id
    mine = canned.create_canned(session, actor_id=agent_id, title="My note", body="n",
                                owner_id=agent_id).created_id
    row = get_canned(session, shared)
    assert row.actions == [{"field": "status", "value": "pending"},
                           {"field": "tags_add", "value": ["wi_fi", "wifi"]}]
    assert [r.title for r in list_canned(session, agent_id=agent_id)] == ["My note", "Wi-Fi"]
    assert [r.title for r in list_canned(session, agent_id=other_agent_id)] == ["Wi-Fi"]
    assert [r.title for r in list_canned(session, agent_id=agent_id, search="EDUROAM")] == ["Wi-Fi"]

    with pytest.raises(errors.InvalidInput, match="someone else's"):
        canned.update_canned(session, canned_id=mine, actor_id=other_agent_id, title="Stolen")
    canned.update_canned(session, canned_id=mine, actor_id=agent_id, title="Shared now", owner_id=None)
    assert get_canned(session, mine).shared

    copy = canned.duplicate_canned(session, canned_id=shared, actor_id=other_agent_id,
                                   owner_id=other_agent_id).created_id
    copied = get_canned(session, copy)
    assert copied.title == "Wi-Fi (copy)" and copied.owner_id == other_agent_id
    assert copied.body == row.body and copied.actions == row.actions

    canned.delete_canned(session, canned_id=copy, actor_id=other_agent_id)
    with pytest.raises(errors.NotFound):
        get_canned(session, copy)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.ticket_id.is_(None))).all()
    assert actions.count("canned-create") == 3 and "canned-edit" in actions and "canned-delete" in actions


def test_list_is_sorted_by_use(session, agent_id):
    for title, uses in (("B", 1), ("A", 1), ("C", 9)):
        canned.create_canned(session, actor_id=agent_id, title=title, usage_count=uses)
    assert [r.title for r in list_canned(session, agent_id=agent_id)] == ["C", "A", "B"]


def test_preview_and_apply(session, agent_id, other_agent_id, ticket_id):
    canned_id = canned.create_canned(
        session, actor_id=agent_id, title="AV fixed",
        body="Hi {{requester.first_name}}, #{{ticket.id}} is fixed. {{agent.first_name}}",
        actions=[
            {"field": "status", "value": "solved"}, {"field": "priority", "value": "high"},
            {"field": "category", "value": "Classroom AV"},
            {"field": "tags_add", "value": ["fixed"]}, {"field": "tags_remove", "value": ["av"]},
            {"field": "assignee", "value": "me"},
        ],
    ).created_id
    shown = canned.preview(session, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id)
    assert shown.text == f"Hi Wei, #{ticket_id} is fixed. Ana"
    assert shown.public and not shown.unknown
    assert [(c.field, c.old, c.new) for c in shown.changes] == [
        ("Status", "new", "solved"), ("Priority", "normal", "high"),
        ("Category", "(none)", "Classroom AV (new)"), ("Assignee", "(nobody)", "Ana Student"),
        ("Tags", "av", "fixed"),
    ]
    # nothing changed yet
    assert get_ticket(session, ticket_id).status == "new"

    changes = canned.apply_canned(session, canned_id=canned_id, ticket_id=ticket_id,
                                  agent_id=agent_id, expected_version=1)
    assert changes.comments and changes.canned and changes.ticket_ids == {ticket_id}
    session.expire_all()
    ticket = get_ticket(session, ticket_id)
    assert ticket.status == "solved" and ticket.priority == "high"
    assert ticket.category.name == "Classroom AV" and ticket.assignee_id == agent_id
    assert [t.name for t in ticket.tags] == ["fixed"]
    assert ticket.first_response_at is not None and ticket.solved_at is not None
    assert [c.body for c in ticket.comments] == [shown.text]
    assert session.get(CannedResponse, canned_id).usage_count == 1
    assert ticket.version == 2


def test_apply_conflict_changes_nothing(session, agent_id, other_agent_id, ticket_id):
    canned_id = canned.create_canned(session, actor_id=agent_id, title="Pending", body="Waiting.",
                                     actions=[{"field": "status", "value": "pending"}]).created_id
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id, expected_version=1,
                          fields={"status": "on-hold"})
    with pytest.raises(errors.ConflictError) as caught:
        canned.apply_canned(session, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id,
                            expected_version=1)
    assert [(c.field, c.mine, c.theirs) for c in caught.value.conflicts] == [("status", "pending", "on-hold")]
    session.expire_all()
    assert session.scalar(select(Comment.id)) is None
    assert session.get(CannedResponse, canned_id).usage_count == 0
    assert session.get(Ticket, ticket_id).status == "on-hold"


def test_internal_note_and_assign_by_email(session, agent_id, other_agent_id, ticket_id):
    canned_id = canned.create_canned(
        session, actor_id=agent_id, title="Escalate", body="Escalated.",
        actions=[{"field": "public", "value": False}, {"field": "assignee", "value": "BO@desk.test"}],
    ).created_id
    shown = canned.preview(session, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id)
    assert not shown.public
    assert shown.changes[0].field == "Reply type"
    canned.apply_canned(session, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id,
                        expected_version=1)
    session.expire_all()
    ticket = get_ticket(session, ticket_id)
    assert ticket.assignee_id == other_agent_id
    assert ticket.comments[0].is_public is False
    assert ticket.first_response_at is None  # a note is not a response


def test_existing_category_is_reused(session, agent_id, ticket_id):
    category = people.ensure_category(session, name="Classroom AV").created_id
    canned_id = canned.create_canned(session, actor_id=agent_id, title="c", body="x",
                                     actions=[{"field": "category", "value": "classroom av"}]).created_id
    canned.apply_canned(session, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id,
                        expected_version=1)
    session.expire_all()
    assert session.get(Ticket, ticket_id).category_id == category


def test_stored_actions_are_json(session, agent_id):
    canned_id = canned.create_canned(session, actor_id=agent_id, title="t",
                                     actions='[{"field": "priority", "value": "low"}]').created_id
    assert json.loads(session.get(CannedResponse, canned_id).actions) == [{"field": "priority", "value": "low"}]
