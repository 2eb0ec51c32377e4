"""What a pull writes outside tickets' own fields and comments also goes through the core
operations: a description that comes with the ticket's first message, the requester kind another
Desk PC recorded and the remote's macros each leave an audit row naming the remote as the origin,
and pulling the same data again writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.core.db import open_store
from desk.core.models import AuditEvent, CannedResponse, Person, SyncOutbox, Ticket
from desk.core.ops import people
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import engine
from tests.sync.conftest import ZendeskBackend, sync_backend, sync_zendesk
from tests.sync.fake_zendesk import FakeZendesk

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


@pytest.fixture
def pc_b(tmp_path: Path) -> Iterator[Any]:
    """A second Desk PC with a store of its own."""
    with open_store(tmp_path / "pc-b.sqlite3") as store, store.session() as session:
        yield session


def test_a_requester_kind_from_another_pc_names_the_remote(session: Any, pc_b: Any, backend: Any,
                                                          agent_id: int, requester_id: int) -> None:
    backend.prepare_fields()  # the Desk fields carry the kind
    backend.add_remote(session)
    backend.add_remote(pc_b)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, channel="walk-in",
                                subject="Laptop will not charge").created_id
    run(session, backend)
    run(pc_b, backend)
    pc_b.rollback()
    person = pc_b.scalar(select(Person).where(Person.email == "prof.chen@uni.test"))
    assert person.kind == "faculty"  # added here as a guest, then the other PC's kind
    kind = f"person#{person.id}.kind"
    assert [row for row in audit_rows(pc_b) if row[3] == kind] == [
        (None, None, "sync", kind, "guest", "faculty", backend.kind)]
    before = audit_rows(pc_b)
    run(pc_b, backend)
    assert audit_rows(pc_b) == before

    # Edited on the first PC; its next ticket change carries the kind to the second.
    people.edit_person(session, actor_id=agent_id, person_id=requester_id, kind="staff")
    ticket = session.get(Ticket, tid)
    ticket_ops.update_ticket(session, ticket_id=tid, actor_id=agent_id, expected_version=ticket.version,
                             fields={"priority": "high"})
    run(session, backend)
    run(pc_b, backend)
    pc_b.rollback()
    assert pc_b.get(Person, person.id).kind == "staff"
    assert [row[4:] for row in audit_rows(pc_b) if row[3] == kind] == [
        ("guest", "faculty", backend.kind), ("faculty", "staff", backend.kind)]
    before = audit_rows(pc_b)
    run(pc_b, backend)
    assert audit_rows(pc_b) == before


def canned(session: Any) -> list[tuple[str, str, str, int | None]]:
    session.rollback()
    return [(row.title, row.body, row.actions, row.owner_id)
            for row in session.scalars(select(CannedResponse).order_by(CannedResponse.id))]


def canned_audit(session: Any) -> list[tuple[Any, ...]]:
    return [row for row in audit_rows(session) if row[3] == "canned_response"]


def test_pulled_macros_name_the_remote_and_come_once(session: Any, zendesk: FakeZendesk) -> None:
    ZendeskBackend(zendesk).add_remote(session, name="zd")
    long_title = "Printer " * 40
    zendesk.state.macros.extend([
        {"id": 7, "title": "Printer reset", "active": True, "actions": [
            {"field": "status", "value": "solved"}, {"field": "set_tags", "value": "printer"},
            {"field": "comment_value", "value": "Hi {{ticket.requester.first_name}}, hold the button 10 s."}]},
        {"id": 8, "title": long_title, "active": True, "actions": []},
    ])
    report = sync_zendesk(session, zendesk)
    assert report.changes().canned
    cut = " ".join(long_title.split())[:195] + " (zd)"
    # As the remote sent them: its own placeholder and an action Desk does not apply are kept.
    assert canned(session) == [
        ("Printer reset (zd)", "Hi {{ticket.requester.first_name}}, hold the button 10 s.",
         '[{"field": "status", "value": "solved"}, {"field": "set_tags", "value": "printer"}]', None),
        (cut, "", "[]", None)]
    assert len(cut) == 200
    assert canned_audit(session) == [
        (None, None, "canned-create", "canned_response", None, "Printer reset (zd)", "zd"),
        (None, None, "canned-create", "canned_response", None, cut, "zd")]

    before = audit_rows(session)
    quiet = sync_zendesk(session, zendesk)
    assert audit_rows(session) == before
    assert not quiet.changes().canned
    assert len(canned(session)) == 2

    zendesk.state.macros[0]["actions"] = [{"field": "comment_value", "value": "Unplug it for 30 s."}]
    sync_zendesk(session, zendesk)
    assert canned(session)[0] == ("Printer reset (zd)", "Unplug it for 30 s.", "[]", None)
    assert canned_audit(session)[2:] == [
        (None, None, "canned-edit", "canned_response", "Printer reset (zd)", "Printer reset (zd)", "zd")]
    before = audit_rows(session)
    sync_zendesk(session, zendesk)
    assert audit_rows(session) == before


def test_a_macro_pulled_before_titles_were_tidied_is_updated_not_doubled(session: Any,
                                                                       zendesk: FakeZendesk) -> None:
    ZendeskBackend(zendesk).add_remote(session, name="zd")
    zendesk.state.macros.append({"id": 7, "title": "Printer  reset", "active": True, "actions": [
        {"field": "comment_value", "value": "Hold the button."}]})
    session.add(CannedResponse(title="Printer  reset (zd)", body="Hold the button.", actions="[]"))
    session.commit()
    sync_zendesk(session, zendesk)
    assert canned(session) == [("Printer reset (zd)", "Hold the button.", "[]", None)]
    assert canned_audit(session) == [
        (None, None, "canned-edit", "canned_response", "Printer  reset (zd)", "Printer reset (zd)", "zd")]
    before = audit_rows(session)
    sync_zendesk(session, zendesk)
    assert audit_rows(session) == before
    assert int(session.scalar(select(func.count()).select_from(CannedResponse))) == 1
