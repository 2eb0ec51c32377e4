"""Pulled replies, notes and field changes go through the same core operations as local ones:
an agent's reply made upstream is a first response (stats count the ticket as answered), opens a
new ticket and bumps its version; the audit names the remote as the origin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from desk.core.models import AuditEvent, Comment, SyncStatus, Ticket, utcnow
from desk.core.ops import tickets as ticket_ops
from desk.core.stats import StatsFilter, compute_stats
from tests.sync.conftest import sync_backend
from tests.sync.fake_zendesk import FakeZendesk

run = sync_backend  # one engine run with a fresh adapter (tests/sync/conftest.py)


def unanswered(session: Any) -> int:
    session.rollback()
    today = utcnow().date()
    report = compute_stats(session, StatsFilter(start=today - timedelta(days=1), end=today + timedelta(days=1)))
    return report.summary.unanswered


def test_an_agent_reply_made_upstream_is_a_first_response(session: Any, backend: Any, agent_id: int,
                                                         requester_id: int) -> None:
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, channel="email",
                                subject="Cannot reach the VPN").created_id
    run(session, backend)
    session.rollback()
    before = session.get(Ticket, tid)
    version = before.version
    assert (before.status, before.first_response_at, before.service_started_at) == ("new", None, None)
    assert unanswered(session) == 1
    rid = session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == tid))

    backend.comment(rid, "We reset your VPN profile; try again", public=True)  # staff upstream
    report = run(session, backend)

    assert report.comments_in == 1
    session.rollback()
    ticket = session.get(Ticket, tid)
    assert [(c.body, c.is_public) for c in ticket.comments] == [("We reset your VPN profile; try again", True)]
    assert ticket.first_response_at is not None
    assert ticket.service_started_at is not None
    assert ticket.status == "open"
    assert ticket.version > version
    assert unanswered(session) == 0
    audit = session.scalars(select(AuditEvent).where(AuditEvent.ticket_id == tid, AuditEvent.action == "reply")).all()
    assert [(row.origin, row.actor_id) for row in audit] == [(backend.kind, None)]  # the remote is the actor
    status_rows = session.scalars(select(AuditEvent).where(
        AuditEvent.ticket_id == tid, AuditEvent.field == "status")).all()
    assert [(row.old, row.new, row.origin) for row in status_rows] == [("new", "open", backend.kind)]
    assert report.changes().comments and tid in report.changes().ticket_ids
    run(session, backend)  # the status the reply implied agrees with the remote afterwards
    session.rollback()
    assert session.get(Ticket, tid).status == "open"
    assert len(session.get(Ticket, tid).comments) == 1


def test_a_requester_reply_upstream_is_not_a_response(session: Any, zendesk: FakeZendesk, agent_id: int,
                                                     requester_id: int) -> None:
    from tests.sync.conftest import ZendeskBackend

    backend = ZendeskBackend(zendesk)
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, channel="email",
                                subject="Projector").created_id
    run(session, backend)
    rid = int(session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == tid)))
    requester = zendesk.user("prof.chen@uni.test", "Wei Chen")  # an end-user
    zendesk.add_comment(rid, "Still broken, any news?", True, author_id=requester)
    zendesk.add_comment(rid, "Check the lamp hours", False)  # an agent's internal note
    run(session, backend)
    session.rollback()
    ticket = session.get(Ticket, tid)
    by_body = {c.body: c for c in ticket.comments}
    assert by_body["Still broken, any news?"].author_id == requester_id  # the local person maps
    assert (ticket.first_response_at, ticket.status) == (None, "new")  # a note is no response either
    assert unanswered(session) == 1
    backend.close()


def test_a_reply_by_a_desk_agent_upstream_is_hers(session: Any, zendesk: FakeZendesk, agent_id: int,
                                                 requester_id: int) -> None:
    from tests.sync.conftest import ZendeskBackend

    backend = ZendeskBackend(zendesk)
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, channel="web",
                                subject="Printer").created_id
    run(session, backend)
    rid = int(session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == tid)))
    ana = zendesk.user("ana@desk.test", "Ana", role="end-user")  # upstream role aside, she is our agent
    zendesk.add_comment(rid, "Replaced the toner", True, author_id=ana)
    run(session, backend)
    session.rollback()
    comment = session.scalar(select(Comment).where(Comment.ticket_id == tid))
    assert comment.author_id == agent_id
    ticket = session.get(Ticket, tid)
    assert ticket.first_response_at == comment.created_at
    assert ticket.status == "open"
    reply = session.scalar(select(AuditEvent).where(AuditEvent.ticket_id == tid, AuditEvent.action == "reply"))
    assert (reply.actor_id, reply.origin) == (agent_id, "zendesk")
    backend.close()


def test_pulled_field_changes_and_new_tickets_name_the_remote(session: Any, backend: Any, agent_id: int,
                                                             requester_id: int) -> None:
    backend.add_remote(session)
    rid = backend.create("Room 12 is cold", "kim@uni.test")
    run(session, backend)
    backend.edit(rid, priority="urgent")
    report = run(session, backend)
    assert report.updated_local == 1
    session.rollback()
    ticket = session.scalar(select(Ticket).where(Ticket.subject == "Room 12 is cold"))
    assert ticket.priority == "urgent"
    origins = {(row.action, row.field, row.origin) for row in session.scalars(
        select(AuditEvent).where(AuditEvent.ticket_id == ticket.id))}
    assert ("create", "channel", backend.kind) in origins
    assert ("sync", "priority", backend.kind) in origins
    changes = report.changes()
    assert (changes.tickets, changes.ticket_ids, changes.remotes) == (True, frozenset({ticket.id}), True)
    assert not changes.comments and not changes.choices
