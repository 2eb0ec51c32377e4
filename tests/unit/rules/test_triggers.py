"""Triggers run inside the operation's transaction: conditions, actions, the loop guard, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from desk.core import errors
from desk.core.models import AuditEvent, Comment, DeskNotice, Rule, Ticket
from desk.core.ops import canned, people, tickets
from desk.core.rules import ops as rules

NOW = datetime(2026, 3, 4, 15, tzinfo=UTC)  # a Wednesday


def trigger(session, name: str, *, all_=(), any_=(), actions) -> int:  # noqa: ANN001
    return rules.add_rule(session, actor_id=None, kind="trigger", name=name,
                          definition={"all": list(all_), "any": list(any_), "actions": list(actions)}).created_id


def log(session, requester_id: int, subject: str = "Projector broken", **kw) -> int:  # noqa: ANN001
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject, now=NOW,
                              **kw).created_id


def test_a_created_walk_in_about_a_projector_gets_priority_category_tags_and_a_note(session, requester_id):  # noqa: ANN001
    people.ensure_category(session, name="Classroom AV")
    rule = trigger(session, "Projectors are urgent", all_=[
        {"field": "update", "op": "is", "value": "create"},
        {"field": "channel", "op": "in", "value": ["walk-in", "phone"]},
        {"field": "text", "op": "contains", "value": "PROJECTOR"},
        {"field": "requester_kind", "op": "is", "value": "faculty"},
    ], actions=[
        {"action": "set", "field": "priority", "value": "urgent"},
        {"action": "set", "field": "category", "value": "classroom av"},
        {"action": "tags_add", "value": ["av", "classroom"]},
        {"action": "note", "body": "Bring the spare projector."},
        {"action": "notify", "text": "a classroom projector is down"},
    ])
    ticket_id = log(session, requester_id)
    ticket = session.get(Ticket, ticket_id)
    assert ticket.priority == "urgent" and ticket.category.name == "Classroom AV"
    assert [tag.name for tag in ticket.tags] == ["av", "classroom"]
    note = session.scalar(select(Comment).where(Comment.ticket_id == ticket_id))
    assert note.body == "Bring the spare projector." and not note.is_public
    assert "projector is down" in session.scalar(select(DeskNotice.text))
    by_rule = session.execute(select(AuditEvent.field, AuditEvent.action).where(
        AuditEvent.ticket_id == ticket_id, AuditEvent.rule_id == rule)).all()
    assert set(by_rule) == {("priority", "trigger"), ("category_id", "trigger"), ("tags", "trigger"), (None, "note")}
    # The person's own row names no rule.
    assert session.scalar(select(AuditEvent.rule_id).where(AuditEvent.ticket_id == ticket_id,
                                                           AuditEvent.action == "create")) is None
    other = log(session, requester_id, subject="Password reset")
    assert session.get(Ticket, other).priority == "normal"


def test_changed_from_and_to_and_a_canned_reply_through_the_reply_path(session, requester_id, agent_id):  # noqa: ANN001
    canned.create_canned(session, actor_id=None, title="Waiting for you",
                         body="Hello {{requester.first_name}}, we wait for your answer.")
    trigger(session, "Tell them when pending", all_=[
        {"field": "status", "op": "changed_to", "value": "pending"},
        {"field": "status", "op": "changed_from", "value": "open"},
    ], actions=[{"action": "canned", "title": "Waiting for you"}])
    ticket_id = log(session, requester_id, channel="email")
    tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=NOW)  # new → open: not to pending
    assert session.scalar(select(Comment.id).where(Comment.ticket_id == ticket_id)) is None
    version = session.get(Ticket, ticket_id).version
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=version,
                          fields={"status": "pending"}, now=NOW)
    reply = session.scalar(select(Comment).where(Comment.ticket_id == ticket_id))
    assert reply.is_public and reply.body == "Hello Wei, we wait for your answer."
    assert session.scalar(select(AuditEvent.new).where(AuditEvent.action == "canned")) == "Waiting for you"
    assert session.get(Ticket, ticket_id).first_response_at is None  # a rule is nobody's first response


def test_the_loop_guard_stops_two_rules_undoing_each_other(session, requester_id):  # noqa: ANN001
    up = trigger(session, "Up", all_=[{"field": "priority", "op": "is", "value": "normal"}],
                 actions=[{"action": "set", "field": "priority", "value": "high"}])
    down = trigger(session, "Down", all_=[{"field": "priority", "op": "is", "value": "high"}],
                   actions=[{"action": "set", "field": "priority", "value": "normal"}])
    ticket_id = log(session, requester_id)
    fired = session.execute(select(AuditEvent.rule_id).where(AuditEvent.ticket_id == ticket_id,
                                                             AuditEvent.rule_id.is_not(None))).scalars().all()
    assert sorted(fired) == sorted([up, down])  # each once, then the operation commits
    assert session.get(Ticket, ticket_id).priority == "normal"


def test_a_rule_acting_after_another_sees_its_change(session, requester_id):  # noqa: ANN001
    trigger(session, "Urgent when tagged", all_=[{"field": "tags", "op": "includes", "value": ["vip"]}],
            actions=[{"action": "set", "field": "priority", "value": "urgent"}])
    trigger(session, "Tag deans", all_=[{"field": "text", "op": "contains", "value": "dean"}],
            actions=[{"action": "tags_add", "value": ["vip"]}])
    ticket_id = log(session, requester_id, subject="Dean's laptop")
    assert session.get(Ticket, ticket_id).priority == "urgent"


def test_business_hours_now_and_a_disabled_rule(session, requester_id):  # noqa: ANN001
    from desk.core.desk_settings import save_desk_settings

    save_desk_settings(session, actor_id=None, values={"timezone": "UTC"})
    rule = trigger(session, "After hours", all_=[{"field": "business_hours", "op": "is", "value": False}],
                   actions=[{"action": "tags_add", "value": ["after_hours"]}])
    assert [t.name for t in session.get(Ticket, log(session, requester_id)).tags] == []  # Wed 15:00: open
    late = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Late",
                              now=datetime(2026, 3, 4, 20, tzinfo=UTC)).created_id
    assert [t.name for t in session.get(Ticket, late).tags] == ["after_hours"]
    rules.set_active(session, actor_id=None, rule_id=rule, active=False)
    later = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Later",
                               now=datetime(2026, 3, 4, 21, tzinfo=UTC)).created_id
    assert session.get(Ticket, later).tags == []


def test_a_failing_operation_takes_the_rules_actions_with_it(session, requester_id):  # noqa: ANN001
    trigger(session, "Tag everything", all_=[], actions=[{"action": "tags_add", "value": ["seen"]}])
    ticket_id = log(session, requester_id)
    version = session.get(Ticket, ticket_id).version
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    with pytest.raises(errors.InvalidInput):
        tickets.update_ticket(session, ticket_id=ticket_id, actor_id=None, expected_version=version,
                              fields={"priority": "enormous"}, now=NOW)
    assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before


def test_a_stale_action_is_skipped_not_fatal(session, requester_id):  # noqa: ANN001
    trigger(session, "To a gone category", all_=[], actions=[
        {"action": "set", "field": "category", "value": "Nowhere"}, {"action": "tags_add", "value": ["x"]}])
    ticket_id = log(session, requester_id)
    assert [t.name for t in session.get(Ticket, ticket_id).tags] == ["x"]


def test_definitions_are_checked(session):  # noqa: ANN001
    with pytest.raises(errors.InvalidInput):
        trigger(session, "Bad", all_=[{"field": "status", "op": "is", "value": "lost"}],
                actions=[{"action": "note", "body": "x"}])
    with pytest.raises(errors.InvalidInput):
        trigger(session, "No actions", all_=[], actions=[])
    with pytest.raises(errors.InvalidInput):
        rules.add_rule(session, actor_id=None, kind="automation", name="No clock",
                       definition={"all": [], "actions": [{"action": "note", "body": "x"}]})
    assert session.scalar(select(Rule.id)) is None
