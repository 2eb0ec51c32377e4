"""Automations fire once per ticket per condition, idempotent under repeated and killed passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from desk.core.models import AuditEvent, Comment, RuleFiring, Ticket
from desk.core.ops import tickets
from desk.core.rules import automations
from desk.core.rules import ops as rules

MONDAY = datetime(2026, 3, 2, 10, tzinfo=UTC)


def solved_ticket(session, requester_id: int, agent_id: int, when: datetime) -> int:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Mouse",
                                   now=when).created_id
    tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
    return ticket_id


@pytest.fixture
def close_after_4_days(session) -> int:  # noqa: ANN001
    return rules.add_rule(session, actor_id=None, kind="automation", name="Close solved", definition={
        "all": [{"field": "status", "op": "is", "value": "solved"},
                {"field": "hours_since_status", "op": "ge", "value": 96}],
        "actions": [{"action": "set", "field": "status", "value": "closed"}]}).created_id


def test_solved_4_days_ago_is_closed_once_and_a_dry_run_changes_nothing(
        session, requester_id, agent_id, close_after_4_days):  # noqa: ANN001
    old = solved_ticket(session, requester_id, agent_id, MONDAY)
    recent = solved_ticket(session, requester_id, agent_id, MONDAY + timedelta(days=3))
    later = MONDAY + timedelta(days=4, minutes=1)
    preview = automations.run_pass(session, now=later, dry_run=True)
    assert [(f.rule, f.ticket_id) for f in preview.fired] == [("Close solved", old)]
    assert session.get(Ticket, old).status == "solved" and session.scalar(select(func.count(RuleFiring.rule_id))) == 0
    first = automations.run_pass(session, now=later)
    assert [f.ticket_id for f in first.fired] == [old] and first.changes.ticket_ids == {old}
    assert session.get(Ticket, old).status == "closed" and session.get(Ticket, recent).status == "solved"
    assert session.scalar(select(AuditEvent.rule_id).where(AuditEvent.ticket_id == old, AuditEvent.field == "status",
                                                           AuditEvent.action == "automation")) == close_after_4_days
    assert automations.run_pass(session, now=later).fired == []  # repeated: nothing twice
    assert [f.ticket_id for f in automations.run_pass(session, now=later + timedelta(days=3)).fired] == [recent]


def test_a_condition_met_again_later_fires_again_but_never_twice_for_one_stretch(session, requester_id, agent_id):  # noqa: ANN001
    rules.add_rule(session, actor_id=None, kind="automation", name="Remind", definition={
        "all": [{"field": "status", "op": "is", "value": "pending"},
                {"field": "hours_since_status", "op": "ge", "value": 27, "business": True}],
        "actions": [{"action": "note", "body": "Remind the requester."}]})
    from desk.core.desk_settings import save_desk_settings

    save_desk_settings(session, actor_id=None, values={"timezone": "UTC"})  # Mon-Fri 09-18: 27 h = 3 days
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Form",
                                   now=MONDAY).created_id

    def set_status(status: str, when: datetime) -> None:
        version = session.get(Ticket, ticket_id).version
        tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=version,
                              fields={"status": status}, now=when)

    set_status("pending", MONDAY)  # Monday 10:00
    assert automations.run_pass(session, now=MONDAY + timedelta(days=2, hours=8)).fired == []  # Wed 18:00: 26 h
    assert len(automations.run_pass(session, now=MONDAY + timedelta(days=3)).fired) == 1  # Thu 10:00: 27 h
    assert automations.run_pass(session, now=MONDAY + timedelta(days=4)).fired == []
    set_status("open", MONDAY + timedelta(days=4))
    set_status("pending", MONDAY + timedelta(days=4, hours=1))
    assert len(automations.run_pass(session, now=MONDAY + timedelta(days=10)).fired) == 1
    notes = session.scalars(select(Comment.body).where(Comment.ticket_id == ticket_id)).all()
    assert notes == ["Remind the requester."] * 2


def test_a_killed_pass_leaves_each_ticket_done_or_untouched(session, requester_id, agent_id, close_after_4_days,
                                                            monkeypatch):  # noqa: ANN001
    ids = [solved_ticket(session, requester_id, agent_id, MONDAY) for _ in range(3)]
    later = MONDAY + timedelta(days=5)
    real = automations.run_actions
    calls = []

    def dies_on_the_second(session_, ticket, rule, **kw):  # noqa: ANN001, ANN003
        calls.append(ticket.id)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is killed in the middle of the second ticket
        return real(session_, ticket, rule, **kw)

    monkeypatch.setattr(automations, "run_actions", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        automations.run_pass(session, now=later)
    session.rollback()
    statuses = [session.get(Ticket, i).status for i in ids]
    assert statuses == ["closed", "solved", "solved"]
    assert session.scalar(select(func.count(RuleFiring.rule_id))) == 1
    monkeypatch.setattr(automations, "run_actions", real)
    assert [f.ticket_id for f in automations.run_pass(session, now=later).fired] == ids[1:]
    assert [session.get(Ticket, i).status for i in ids] == ["closed"] * 3


def test_a_walk_in_waiting_15_minutes_notifies_once(session, requester_id):  # noqa: ANN001
    from desk.core.models import DeskNotice

    rules.install_defaults(session)
    rules.install_defaults(session)  # once only
    assert len(rules.export_rules(session)["rules"]) == len(rules.DEFAULTS)
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer",
                                   now=MONDAY).created_id
    assert automations.run_pass(session, now=MONDAY + timedelta(minutes=14)).fired == []
    fired = automations.run_until_done(session, now=MONDAY + timedelta(minutes=16))
    assert [(f.rule, f.ticket_id) for f in fired] == [("Walk-in waiting 15 minutes", ticket_id)]
    assert "waiting for 15 minutes" in session.scalar(select(DeskNotice.text))
    assert automations.run_until_done(session, now=MONDAY + timedelta(minutes=30)) == []


def test_a_synced_desk_gets_the_closing_default_switched_off(session):  # noqa: ANN001
    from desk.core.models import SyncRemote
    from desk.core.rules.store import rule_by_name

    session.add(SyncRemote(name="zendesk", kind="zendesk", url="https://uni.zendesk.com"))
    session.commit()
    rules.install_defaults(session)
    assert not rule_by_name(session, kind="automation", name=rules.CLOSE_SOLVED).active
    assert rule_by_name(session, kind="automation", name="Walk-in waiting 15 minutes").active


def test_the_default_reminder_replies_to_the_requester_then_solves(session, requester_id, agent_id):  # noqa: ANN001
    from desk.core import canned_io
    from desk.core.desk_settings import save_desk_settings

    save_desk_settings(session, actor_id=None, values={"timezone": "UTC"})  # Mon-Fri 09-18
    canned_io.install_defaults(session)
    rules.install_defaults(session)
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Form",
                                   channel="email", now=MONDAY).created_id
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=1,
                          fields={"status": "pending"}, now=MONDAY)
    automations.run_until_done(session, now=MONDAY + timedelta(days=3))  # Thursday 10:00: 27 open hours
    reply = session.scalar(select(Comment).where(Comment.ticket_id == ticket_id, Comment.is_public.is_(True)))
    assert reply is not None and "We need a little more information" in reply.body
    assert session.get(Ticket, ticket_id).status == "pending"
    automations.run_until_done(session, now=MONDAY + timedelta(days=9))  # 7 business days on
    assert session.get(Ticket, ticket_id).status == "solved"


@pytest.mark.parametrize(("canned_language", "rules_language", "greeting"), [
    ("en", "ko", "Hi "), ("ko", "en", "님, 안녕하세요."), ("ko", "ko", "님, 안녕하세요."),
])
def test_the_default_reminder_finds_its_canned_response_in_either_language(
        session, requester_id, agent_id, canned_language, rules_language, greeting):  # noqa: ANN001
    """The window installs the default canned responses as it starts and the default rules a
    moment later, each in the desk's language of that moment; the set-up assistant may then
    rewrite the responses in another. The reminder still sends its reply."""
    from desk.core import canned_io
    from desk.core.desk_settings import save_desk_settings

    save_desk_settings(session, actor_id=None, values={"timezone": "UTC", "language": canned_language})
    canned_io.install_defaults(session)
    save_desk_settings(session, actor_id=None, values={"language": rules_language})
    rules.install_defaults(session)
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Form",
                                   now=MONDAY).created_id
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=1,
                          fields={"status": "pending"}, now=MONDAY)
    # Mon-Fri 09-18 UTC: 27 business hours after Monday 10:00 is Thursday 10:00.
    assert automations.run_pass(session, now=MONDAY + timedelta(days=3, minutes=-1)).fired == []
    fired = automations.run_pass(session, now=MONDAY + timedelta(days=3)).fired
    assert [f.ticket_id for f in fired] == [ticket_id]
    replies = session.scalars(select(Comment).where(Comment.ticket_id == ticket_id, Comment.is_public)).all()
    assert len(replies) == 1 and greeting in replies[0].body and f"#{ticket_id}" in replies[0].body
