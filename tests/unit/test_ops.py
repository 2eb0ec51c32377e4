"""Every core operation: its effect, its audit rows, and the conflict path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.core import errors
from desk.core.models import AuditEvent, Shift, Ticket, utcnow
from desk.core.ops import comments, people, shifts, tickets


def audit(session, ticket_id):
    session.commit()
    return [(e.action, e.field, e.old, e.new) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.ticket_id == ticket_id).order_by(AuditEvent.id))]


def log(session, agent_id, requester_id, **kw):
    kw.setdefault("subject", "Projector in room 101 shows no signal")
    return tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, **kw).created_id


def test_log_walk_in_sets_times_and_audit(session, agent_id, requester_id):
    arrived = utcnow() - timedelta(minutes=10)
    changes = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                 subject="  Wi-Fi   down ", channel="phone", arrived_at=arrived,
                                 tags=["Wi Fi", "urgent"])
    ticket = session.get(Ticket, changes.created_id)
    assert changes.tickets and changes.ticket_ids == {ticket.id}
    assert ticket.subject == "Wi-Fi down" and ticket.channel == "phone"
    assert ticket.arrived_at == arrived and ticket.status == "new" and ticket.version == 1
    assert not ticket.logged_after_the_fact
    assert [t.name for t in ticket.tags] == ["urgent", "wi_fi"]
    assert audit(session, ticket.id) == [("create", "channel", None, "phone")]


def test_logging_long_after_arrival_is_marked(session, agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id, arrived_at=utcnow() - timedelta(hours=2))
    assert session.get(Ticket, ticket_id).logged_after_the_fact


@pytest.mark.parametrize("bad", [{"subject": "   "}, {"channel": "fax"}, {"priority": "meh"},
                                 {"arrived_at": utcnow() + timedelta(hours=1)}])
def test_log_rejects_bad_input_and_writes_nothing(session, agent_id, requester_id, bad):
    with pytest.raises(errors.InvalidInput):
        log(session, agent_id, requester_id, **bad)
    assert session.scalar(select(Ticket.id)) is None


def test_update_fields_bumps_version_and_audits_each_field(session, agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id)
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=1,
                          fields={"priority": "high", "status": "pending", "tags": ["av"]})
    ticket = session.get(Ticket, ticket_id)
    assert (ticket.priority, ticket.status, ticket.version) == ("high", "pending", 2)
    assert audit(session, ticket_id)[1:] == [
        ("update", "priority", "normal", "high"),
        ("update", "status", "new", "pending"),
        ("update", "tags", None, "av"),
    ]


def test_update_with_stale_version_is_a_typed_conflict_and_writes_nothing(
    session, agent_id, other_agent_id, requester_id
):
    ticket_id = log(session, agent_id, requester_id)
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id,
                          expected_version=1, fields={"priority": "urgent"})
    with pytest.raises(errors.ConflictError) as caught:
        tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id,
                              expected_version=1, fields={"priority": "low", "status": "new"})
    conflict = caught.value
    assert (conflict.expected_version, conflict.actual_version) == (1, 2)
    assert [(c.field, c.mine, c.theirs) for c in conflict.conflicts] == [("priority", "low", "urgent")]
    assert "changed by someone else" in conflict.message
    assert session.get(Ticket, ticket_id).priority == "urgent"
    assert len(audit(session, ticket_id)) == 2


def test_claim_release_and_two_agents(session, agent_id, other_agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id)
    tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id)
    ticket = session.get(Ticket, ticket_id)
    assert ticket.assignee_id == agent_id and ticket.status == "open" and ticket.service_started_at
    with pytest.raises(tickets.AlreadyClaimed, match="Ana Student"):
        tickets.claim(session, ticket_id=ticket_id, agent_id=other_agent_id)
    tickets.release(session, ticket_id=ticket_id, actor_id=agent_id)
    tickets.claim(session, ticket_id=ticket_id, agent_id=other_agent_id)
    assert session.get(Ticket, ticket_id).assignee_id == other_agent_id
    actions = [(a, f) for a, f, _o, _n in audit(session, ticket_id)]
    assert actions == [("create", "channel"), ("claim", "assignee_id"), ("claim", "status"),
                       ("release", "assignee_id"), ("claim", "assignee_id")]


def test_solve_and_reopen_track_times_and_count(session, agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id)
    tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id)
    assert session.get(Ticket, ticket_id).solved_at is not None
    tickets.reopen(session, ticket_id=ticket_id, actor_id=agent_id)
    ticket = session.get(Ticket, ticket_id)
    assert (ticket.status, ticket.reopen_count, ticket.solved_at) == ("open", 1, None)
    assert [a for a, *_ in audit(session, ticket_id)] == ["create", "solve", "reopen"]


def test_public_reply_sets_first_response_and_note_does_not(session, agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id, channel="email")
    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body="Checking the logs", public=False)
    assert session.get(Ticket, ticket_id).first_response_at is None
    changes = comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id,
                                   body="Fixed, please try again", public=True, status="solved")
    ticket = session.get(Ticket, ticket_id)
    assert changes.comments and ticket.first_response_at is not None and ticket.status == "solved"
    assert [a for a, *_ in audit(session, ticket_id)] == ["create", "note", "reply", "update"]


def test_requester_reply_is_not_a_first_response(session, agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id, channel="email")
    comments.add_comment(session, ticket_id=ticket_id, author_id=requester_id, body="Any news?", public=True)
    assert session.get(Ticket, ticket_id).first_response_at is None


def test_empty_and_huge_comments_are_refused(session, agent_id, requester_id):
    ticket_id = log(session, agent_id, requester_id)
    with pytest.raises(errors.InvalidInput):
        comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body=" \n", public=True)
    big = "x" * (10 * 1024 * 1024)  # 10 MB is accepted and stored whole
    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body=big, public=False)
    assert len(session.get(Ticket, ticket_id).comments[0].body) == len(big)


def test_take_next_serves_the_longest_waiting_and_left_without_service(session, agent_id, requester_id):
    now = utcnow()
    first = log(session, agent_id, requester_id, arrived_at=now - timedelta(minutes=9))
    second = log(session, agent_id, requester_id, arrived_at=now - timedelta(minutes=5))
    log(session, agent_id, requester_id, channel="email", arrived_at=now - timedelta(minutes=30))
    tickets.mark_left(session, ticket_id=first, actor_id=agent_id)
    changes = tickets.take_next(session, agent_id=agent_id)
    assert changes.ticket_ids == {second}
    left = session.get(Ticket, first)
    assert left.left_at is not None and left.status == "closed"
    with pytest.raises(errors.NotFound, match="Nobody is waiting"):
        tickets.take_next(session, agent_id=agent_id)
    with pytest.raises(errors.InvalidInput):
        tickets.mark_left(session, ticket_id=second, actor_id=agent_id)


def test_shifts_start_and_end_once(session, agent_id, requester_id):
    first = shifts.start_shift(session, agent_id=agent_id)
    again = shifts.start_shift(session, agent_id=agent_id)
    assert first.created_id == again.created_id
    shifts.end_shift(session, agent_id=agent_id)
    assert shifts.end_shift(session, agent_id=agent_id).shifts is False
    shift = session.get(Shift, first.created_id)
    assert shift.ended_at is not None
    with pytest.raises(errors.NotFound):
        shifts.start_shift(session, agent_id=requester_id)
    actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.ticket_id.is_(None)))]
    assert actions == ["add-agent", "shift-start", "shift-end"]  # the fixture's agent is audited too


def test_ensure_requester_reuses_by_email_case_insensitively(session):
    first = people.ensure_requester(session, email="Zoë@Uni.Example", name="Zoë Ekström", kind="student")
    again = people.ensure_requester(session, email="zoë@uni.example")
    assert first.created_id == again.created_id and first.people and not again.people
    with pytest.raises(errors.InvalidInput):
        people.ensure_requester(session, email="not an email")


def test_audit_log_is_append_only(session, agent_id, requester_id, store):
    log(session, agent_id, requester_id)
    with store.raw_connection() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute("DELETE FROM audit_events")
