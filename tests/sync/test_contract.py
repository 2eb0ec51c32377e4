"""One contract, two remotes: every test runs against the Zendesk fake and a real RT 5."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from desk.core.models import Comment, SyncConflict, SyncOutbox, SyncStatus, Ticket
from desk.core.ops import comments as comment_ops
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import engine


def run(session: Any, backend: Any, name: str | None = None) -> engine.SyncReport:
    backend.settle()
    adapter = backend.adapter()
    try:
        return engine.sync(session, name or backend.kind, remote=adapter)
    finally:
        adapter.close()


def ticket_by_subject(session: Any, subject: str) -> Ticket:
    session.rollback()
    found = list(session.scalars(select(Ticket).where(Ticket.subject == subject)))
    assert len(found) == 1, f"{len(found)} local tickets named {subject!r}"
    return found[0]


def remote_id_of(session: Any, ticket_id: int) -> str:
    return session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == ticket_id))


def test_remote_ticket_and_its_comments_come_down_once(session: Any, backend: Any) -> None:
    backend.add_remote(session)
    rid = backend.create("Projector dead in room 101", "prof.kim@uni.test", body="It shows no signal")
    backend.comment(rid, "We are on our way", public=True)
    backend.comment(rid, "Bulb probably", public=False)
    report = run(session, backend)
    assert report.created_local == 1
    ticket = ticket_by_subject(session, "Projector dead in room 101")
    assert ticket.requester.email == "prof.kim@uni.test"
    assert ticket.description == "It shows no signal"
    bodies = [(c.body, c.is_public) for c in ticket.comments]
    assert bodies == [("We are on our way", True), ("Bulb probably", False)]
    again = run(session, backend)
    assert again.created_local == again.comments_in == again.created_remote == again.comments_out == 0
    session.rollback()
    assert len(ticket_by_subject(session, "Projector dead in room 101").comments) == 2
    assert session.scalar(select(SyncOutbox.id)) is None


def test_local_ticket_goes_up_once_with_its_reply(session: Any, backend: Any, agent_id: int,
                                                   requester_id: int) -> None:
    backend.add_remote(session)
    before = backend.ticket_count()
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Laptop will not boot", description="Black screen",
                                priority="high").created_id
    comment_ops.add_comment(session, ticket_id=tid, author_id=agent_id, body="Bring it to the desk", public=True)
    report = run(session, backend)
    assert (report.created_remote, report.comments_out) == (1, 1)
    assert backend.ticket_count() == before + 1
    remote = backend.probe().get(remote_id_of(session, tid))
    assert remote.uuid == session.get(Ticket, tid).uuid
    assert remote.fields["subject"] == "Laptop will not boot"
    assert remote.fields["priority"] == "high"
    assert remote.fields["requester"] == "prof.chen@uni.test"
    texts = [(c.body, c.public) for c in backend.probe().comments_of(remote.remote_id) if not c.is_description]
    assert texts == [("Bring it to the desk", True)]
    again = run(session, backend)
    assert again.created_remote == again.comments_out == again.created_local == again.comments_in == 0
    assert backend.ticket_count() == before + 1
    session.rollback()
    assert len(session.get(Ticket, tid).comments) == 1


def test_edits_on_different_fields_merge_both_ways(session: Any, backend: Any, agent_id: int,
                                                    requester_id: int) -> None:
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Wi-Fi drops").created_id
    run(session, backend)
    session.rollback()
    assert session.get(Ticket, tid).description == ""  # nothing made up on the way back
    rid = remote_id_of(session, tid)
    backend.edit(rid, priority="urgent")
    ticket = session.get(Ticket, tid)
    ticket_ops.update_ticket(session, ticket_id=tid, actor_id=agent_id, expected_version=ticket.version,
                             fields={"subject": "Wi-Fi drops in the library"})
    report = run(session, backend)
    assert report.conflicts == 0
    session.rollback()
    ticket = session.get(Ticket, tid)
    assert (ticket.subject, ticket.priority) == ("Wi-Fi drops in the library", "urgent")
    remote = backend.probe().get(rid)
    assert (remote.fields["subject"], remote.fields["priority"]) == ("Wi-Fi drops in the library", "urgent")


def test_same_field_conflict_is_kept_not_overwritten(session: Any, backend: Any, agent_id: int,
                                                      requester_id: int) -> None:
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Printer jam").created_id
    run(session, backend)
    rid = remote_id_of(session, tid)
    backend.edit(rid, subject="Printer jam (web)")
    ticket = session.get(Ticket, tid)
    ticket_ops.update_ticket(session, ticket_id=tid, actor_id=agent_id, expected_version=ticket.version,
                             fields={"subject": "Printer jam (desk)"})
    report = run(session, backend)
    assert report.conflicts == 1
    session.rollback()
    assert session.get(Ticket, tid).subject == "Printer jam (desk)"
    assert backend.probe().get(rid).fields["subject"] == "Printer jam (web)"
    conflict = session.scalar(select(SyncConflict))
    assert (conflict.field, conflict.resolved_at) == ("subject", None)
    run(session, backend)  # still kept, still not overwritten
    session.rollback()
    assert session.get(Ticket, tid).subject == "Printer jam (desk)"
    engine.resolve_conflict(session, conflict_id=conflict.id, keep="mine")
    run(session, backend)
    assert backend.probe().get(rid).fields["subject"] == "Printer jam (desk)"
    assert engine.open_conflicts(session) == []


def test_retried_create_is_found_not_duplicated(session: Any, backend: Any, agent_id: int,
                                                requester_id: int) -> None:
    """The create reached the remote but Desk died before recording it."""
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Lost answer").created_id
    ticket = session.get(Ticket, tid)
    adapter = backend.adapter()
    adapter.create(uuid=ticket.uuid, fields=engine.local_fields(ticket), description="",
                   requester_name="Wei Chen")
    adapter.close()
    session.rollback()
    row = session.scalar(select(SyncOutbox).where(SyncOutbox.kind == "create"))
    from desk.core.db import unit_of_work
    with unit_of_work(session):
        session.get(SyncOutbox, row.id).attempts = 1
    before = backend.ticket_count()
    run(session, backend)
    assert backend.ticket_count() == before
    session.rollback()
    assert len(list(session.scalars(select(Ticket)))) == 1
    assert remote_id_of(session, tid) is not None


def test_nothing_to_do_costs_few_requests(session: Any, backend: Any, agent_id: int, requester_id: int) -> None:
    backend.add_remote(session)
    ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Quiet")
    run(session, backend)
    run(session, backend)
    report = run(session, backend)
    assert report.created_local == report.updated_local == report.comments_in == 0
    assert report.created_remote == report.updated_remote == report.comments_out == 0
    assert report.requests <= 6, report
    session.rollback()
    assert session.scalar(select(Comment.id)) is None
