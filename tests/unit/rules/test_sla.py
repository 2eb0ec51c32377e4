"""SLA clocks on hand-built tickets: each target's start, pause, breach and attainment.

The desk is open Monday to Friday 09:00-18:00 UTC; the policy: first response 1 business hour,
next reply 2 calendar hours, resolution 8 business hours, paused while pending."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desk.core.desk_settings import save_desk_settings
from desk.core.models import Ticket
from desk.core.ops import comments, people, tickets
from desk.core.rules import ops as rules
from desk.core.rules.sla_report import report_tables, sla_report


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)  # 4 March 2026 is a Wednesday


@pytest.fixture
def policy(session) -> int:  # noqa: ANN001
    save_desk_settings(session, actor_id=None, values={"timezone": "UTC"})
    rules.add_rule(session, actor_id=None, kind="sla", name="Urgent only", definition={
        "all": [{"field": "priority", "op": "is", "value": "urgent"}],
        "targets": {"first_response": {"hours": 0.25, "business": False}}})
    return rules.add_rule(session, actor_id=None, kind="sla", name="E-mail", definition={
        "all": [{"field": "channel", "op": "is", "value": "email"}], "pause": True,
        "targets": {"first_response": {"hours": 1}, "next_reply": {"hours": 2, "business": False},
                    "resolution": {"hours": 8}}}).created_id


def state(session, ticket_id: int) -> tuple:  # noqa: ANN001
    ticket = session.get(Ticket, ticket_id)
    session.refresh(ticket)
    return ticket.sla_policy_id, ticket.sla_due_at, ticket.sla_due_target


def set_status(session, ticket_id: int, status: str, when: datetime, agent_id: int) -> None:  # noqa: ANN001
    version = session.get(Ticket, ticket_id).version
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=version,
                          fields={"status": status}, now=when)


def test_each_target_starts_pauses_breaches_and_is_reported(session, policy, agent_id, requester_id):  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="VPN",
                                   channel="email", now=at(4, 17, 30)).created_id
    # Start: 30 open minutes on Wednesday, 30 on Thursday morning.
    assert state(session, ticket_id) == (policy, at(5, 9, 30), "first_response")
    # Breach: answered Thursday 10:00, 30 minutes late; the resolution clock is next (8 h from
    # Wednesday 17:30: 0.5 h Wednesday + 7.5 h Thursday = 16:30).
    tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=at(5, 10))
    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body="Which client?", public=True,
                         now=at(5, 10))
    assert state(session, ticket_id) == (policy, at(5, 16, 30), "resolution")
    # Pause: pending at 11:00 (2.5 h of resolution used: 0.5 Wednesday, 2 Thursday); nothing runs, nothing is due.
    set_status(session, ticket_id, "pending", at(5, 11), agent_id)
    assert state(session, ticket_id) == (policy, None, None)
    # The requester answers Monday 9 March 09:00 and the ticket opens: next reply is due in 2
    # calendar hours; resolution has 5.5 business hours left (Monday 14:30).
    comments.add_comment(session, ticket_id=ticket_id, author_id=requester_id, body="The new one.", public=True,
                         now=at(9, 9))
    set_status(session, ticket_id, "open", at(9, 9), agent_id)
    assert state(session, ticket_id) == (policy, at(9, 11), "next_reply")
    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body="Reinstall it.", public=True,
                         now=at(9, 10))  # next reply met
    assert state(session, ticket_id) == (policy, at(9, 14, 30), "resolution")
    tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=at(9, 14))  # resolution met
    assert state(session, ticket_id) == (policy, None, None)

    report = sla_report(session, start=date(2026, 3, 1), end=date(2026, 3, 31), now=at(10, 12))
    rows = {row.name: (row.met, row.breached) for row in report.by_policy_target}
    assert rows == {"E-mail · First response": (0, 1), "E-mail · Next reply": (1, 0), "E-mail · Resolution": (1, 0)}
    assert [(row.name, row.met, row.breached) for row in report.by_agent] == [("Ana Student", 2, 1)]
    assert [(b.ticket_id, b.target, b.due_at, b.stopped_at) for b in report.breaches] == [
        (ticket_id, "first_response", at(5, 9, 30), at(5, 10))]
    assert report_tables(report)[0].rows[0][-1] == 0.0


def test_the_first_matching_policy_wins_and_a_running_breach_shows_as_overdue(session, policy, requester_id):  # noqa: ANN001
    urgent = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Exam room",
                                channel="email", priority="urgent", now=at(4, 12)).created_id
    policy_id, due, target = state(session, urgent)
    assert policy_id != policy and due == at(4, 12, 15) and target == "first_response"
    walk_in = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Laptop",
                                 now=at(4, 12)).created_id
    assert state(session, walk_in) == (None, None, None)  # no policy covers walk-ins here
    report = sla_report(session, start=date(2026, 3, 4), end=date(2026, 3, 4), now=at(4, 13))
    assert [(row.name, row.met, row.breached) for row in report.by_policy_target] == [
        ("Urgent only · First response", 0, 1)]
    assert report.breaches[0].stopped_at is None


def test_a_policy_added_later_sets_the_open_tickets_due(session, requester_id):  # noqa: ANN001
    save_desk_settings(session, actor_id=None, values={"timezone": "UTC"})
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Wi-Fi",
                                   channel="web", now=at(4, 10)).created_id
    assert state(session, ticket_id) == (None, None, None)
    people.ensure_category(session, name="Network")
    new = rules.add_rule(session, actor_id=None, kind="sla", name="All", now=at(4, 10, 30), definition={
        "targets": {"first_response": {"hours": 2, "business": False}}}).created_id
    assert state(session, ticket_id) == (new, at(4, 12), "first_response")
    rules.set_active(session, actor_id=None, rule_id=new, active=False, now=at(4, 10, 40))
    assert state(session, ticket_id) == (None, None, None)


def test_a_bulk_operation_sets_every_tickets_due_in_one_go(session, policy, requester_id, agent_id):  # noqa: ANN001
    from desk.core.db import unit_of_work

    with unit_of_work(session):  # as an import does: many operations, one transaction
        made = [tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=f"Bulk {i}",
                                   channel="email", now=at(4, 10)).created_id for i in range(3)]
        comments.add_comment(session, ticket_id=made[0], author_id=agent_id, body="Hello", public=True,
                             now=at(4, 10, 30))
    assert [state(session, i) for i in made] == [
        (policy, at(4, 18), "resolution"), (policy, at(4, 11), "first_response"), (policy, at(4, 11), "first_response")]
