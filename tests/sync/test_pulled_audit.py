"""What a pull writes outside tickets' own fields and comments also goes through the core
operations: a description that comes with the ticket's first message leaves an audit row naming
the remote as the origin, and pulling the same data again writes nothing."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from sqlalchemy import select

from desk.core.models import AuditEvent, SyncOutbox, Ticket
from desk.core.sync import engine
from tests.sync.conftest import sync_backend

run = sync_backend  # one engine run with a fresh adapter (tests/sync/conftest.py)


def audit_rows(session: Any) -> list[tuple[Any, ...]]:
    session.rollback()
    return [(row.ticket_id, row.actor_id, row.action, row.field, row.old, row.new, row.origin)
            for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_description_from_the_first_message_names_the_remote(session: Any, backend: Any) -> None:
    backend.add_remote(session)
    rid = backend.create("Scanner jams", "kim@uni.test", body="Every third page jams")
    if backend.kind == "zendesk":  # RT's listing never has it; a Zendesk one may come without
        backend.fake.state.tickets[int(rid)]["description"] = ""
    outbox: list[tuple[str, set[tuple[int, str]]]] = []

    def checkpoint(where: str) -> None:  # each step of the pull is committed here; the push has not run
        if where.startswith("pulled"):
            outbox.append((where, {(row.id, row.kind) for row in session.scalars(select(SyncOutbox))}))

    backend.settle()
    adapter = backend.adapter()
    try:
        report = engine.sync(session, backend.kind, remote=adapter, checkpoint=checkpoint)
    finally:
        adapter.close()
    assert report.created_local == 1
    # The description's new version queues no update of its own for this remote (an echo).
    steps = [(before, after) for (_, before), (where, after) in pairwise(outbox) if where == "pulled comment"]
    assert steps and all(after <= before for before, after in steps), outbox
    session.rollback()
    ticket = session.scalar(select(Ticket).where(Ticket.subject == "Scanner jams"))
    assert ticket.description == "Every third page jams"
    assert ticket.version == 2  # created, then its description: a change as a local edit is one
    assert ticket.id in report.ticket_ids
    rows = [row for row in audit_rows(session) if row[3] == "description"]
    assert rows == [(ticket.id, None, "sync", "description", "", "Every third page jams", backend.kind)]
    assert session.scalar(select(SyncOutbox.id)) is None

    before = audit_rows(session)
    again = run(session, backend)
    assert audit_rows(session) == before
    ticket = session.get(Ticket, ticket.id)
    assert (ticket.description, ticket.version) == ("Every third page jams", 2)
    assert ticket.id not in again.ticket_ids
    assert session.scalar(select(SyncOutbox.id)) is None
