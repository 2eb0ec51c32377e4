"""Desk's JSON export re-imports losslessly; the analysts' SQLite and XLSX copies open and add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.db import open_store
from desk.core.demo import generate
from desk.core.importing import import_tickets_file
from desk.core.models import AuditEvent, Category, Location, Person, Ticket
from desk.core.ops import comments, people, tickets
from desk.core.transfer import export_file

END = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TIME_FIELDS = ("arrived_at", "created_at", "service_started_at", "first_response_at", "solved_at", "left_at",
               "updated_at")
SCALARS = ("subject", "description", "status", "priority", "channel", "logged_after_the_fact", "reopen_count",
           "version", "satisfaction", "satisfaction_comment", "satisfaction_source", "expected_resolution",
           *TIME_FIELDS)


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo store of 300 tickets with some real status history on top, and its JSON export."""
    folder = tmp_path_factory.mktemp("demo")
    source = folder / "source.sqlite3"
    generate(source, tickets=300, seed=11, end=END, days=30)
    with open_store(source) as store, store.session() as session:
        _live_history(session)
        export_file(session, path=folder / "all.json", fmt="json")
    return source, folder / "all.json"


def _live_history(session: Session) -> None:
    """Work done through the operations, so the export carries claims, reassignments,
    category moves, notes, solves, reopens and ratings in its audit rows."""
    agents = list(session.scalars(select(Person.id).where(Person.is_agent).order_by(Person.id)))[:2]
    new = list(session.scalars(select(Ticket.id).where(Ticket.status.in_(("new", "open")), Ticket.left_at.is_(None))
                               .order_by(Ticket.id.desc())))[:3]
    other = people.ensure_category(session, name="Événements 행사").created_id
    at = END - timedelta(hours=3)
    for index, ticket_id in enumerate(new):
        tickets.claim(session, ticket_id=ticket_id, agent_id=agents[0], force=True, now=at)
        ticket = session.get(Ticket, ticket_id)
        tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agents[0], expected_version=ticket.version,
                              fields={"assignee_id": agents[1], "category_id": other, "tags": ["av", "loan"]},
                              now=at + timedelta(minutes=1))
        comments.add_comment(session, ticket_id=ticket_id, author_id=agents[1], body=f"Note {index} 🎤\nline two",
                             public=False, now=at + timedelta(minutes=2))
        comments.add_comment(session, ticket_id=ticket_id, author_id=agents[1], body="Fixed it.", public=True,
                             now=at + timedelta(minutes=3))
        tickets.solve(session, ticket_id=ticket_id, actor_id=agents[1], now=at + timedelta(minutes=4))
        if index == 0:
            tickets.reopen(session, ticket_id=ticket_id, actor_id=agents[1], now=at + timedelta(minutes=5))
    ticket = session.get(Ticket, new[1])
    tickets.update_ticket(session, ticket_id=new[1], actor_id=None, expected_version=ticket.version,
                          fields={"satisfaction": "good", "satisfaction_comment": "감사합니다"},
                          now=at + timedelta(minutes=6))


def _person_key(person: Person | None) -> tuple[object, ...] | None:
    if person is None:
        return None
    return (person.uuid, person.name, person.email, person.phone, person.kind, person.is_agent, person.role,
            person.created_at)


def snapshot(session: Session) -> dict[str, dict[str, object]]:
    """Every ticket by uuid with all it holds, people and ids replaced by what they name."""
    persons = {p.id: p for p in session.scalars(select(Person))}
    names = {("category_id", c.id): c.name for c in session.scalars(select(Category))}
    names |= {("location_id", x.id): x.name for x in session.scalars(select(Location))}

    def value(field: str | None, raw: str | None) -> object:
        if field in ("assignee_id", "requester_id") and raw:
            return _person_key(persons[int(raw)])
        return names.get((field or "", int(raw)), raw) if raw and raw.isdigit() else raw

    result = {}
    for ticket in session.scalars(select(Ticket)):
        history = [
            (e.at, _person_key(persons.get(e.actor_id or 0)), e.action, e.field, value(e.field, e.old),
             value(e.field, e.new), e.origin)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.ticket_id == ticket.id)
                                     .order_by(AuditEvent.id))
            if e.action != "import"
        ]
        result[ticket.uuid] = {
            **{name: getattr(ticket, name) for name in SCALARS},
            "category": ticket.category.name if ticket.category else None,
            "location": ticket.location.name if ticket.location else None,
            "requester": _person_key(ticket.requester), "assignee": _person_key(ticket.assignee),
            "logged_by": _person_key(persons.get(ticket.logged_by_id or 0)),
            "tags": [tag.name for tag in ticket.tags],
            "comments": [(c.uuid, _person_key(c.author), c.is_public, c.body, c.created_at) for c in ticket.comments],
            "history": history,
        }
    return result


def test_json_export_of_a_demo_store_reimports_every_ticket_reply_note_assignee_and_time(demo_export, tmp_path):
    source, exported = demo_export
    with open_store(tmp_path / "target.sqlite3") as store, store.session() as session:
        report = import_tickets_file(session, exported)
        assert report.ok, report.problems[:5]
        assert (report.imported, report.skipped_existing, report.counts.renumbered) == (300, 0, 0)
        imported = snapshot(session)
        numbers = dict(session.execute(select(Ticket.uuid, Ticket.id)).all())
        marks = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "import")))
    with open_store(source) as store, store.session() as session:
        original = snapshot(session)
        assert numbers == dict(session.execute(select(Ticket.uuid, Ticket.id)).all())
    assert len(original) == 300 and imported.keys() == original.keys()
    for uuid, ticket in original.items():
        assert imported[uuid] == ticket, uuid
    assert sum(len(t["comments"]) for t in original.values()) > 300  # the demo's replies and notes, compared
    fields = [h[3] for t in original.values() for h in t["history"]]  # the live history was compared too
    assert fields.count("status") >= 4 and fields.count("assignee_id") >= 6 and fields.count("category_id") == 3
    assert {(m.old, m.new) for m in marks} == {(str(n), str(n)) for n in numbers.values()}
    assert any("drafts" in item for item in report.not_carried)  # what a ticket file cannot hold is said


def test_importing_into_a_busy_store_renumbers_and_keeps_the_old_number(demo_export, tmp_path, session, requester_id):
    _source, exported = demo_export
    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Already here")
    report = import_tickets_file(session, exported)
    assert report.ok and report.imported == 300
    assert report.counts.renumbered == 1 and any("new numbers" in item for item in report.not_carried)
    mark = session.scalar(select(AuditEvent).where(AuditEvent.action == "import", AuditEvent.old == "1"))
    assert mark is not None and mark.new == "301"
    again = import_tickets_file(session, exported)  # the same file twice: nothing doubled
    assert (again.imported, again.skipped_existing) == (0, 300)


def test_sqlite_export_opens_with_sqlite_utils_with_tables_counts_and_metric_views(demo_export, tmp_path):
    import sqlite_utils

    source, _exported = demo_export
    with open_store(source) as store, store.session() as session:
        assert export_file(session, path=tmp_path / "report.db", fmt="sqlite") == 300
        counts = {name: session.execute(select(model).with_only_columns(model.id)).all()
                  for name, model in (("tickets", Ticket), ("people", Person), ("audit", AuditEvent))}
        walk_in = session.scalar(select(Ticket).where(Ticket.channel == "walk-in", Ticket.service_started_at.is_not(None),
                                                      ~Ticket.logged_after_the_fact).order_by(Ticket.id))
        email = session.scalar(select(Ticket).where(Ticket.channel == "email", Ticket.solved_at.is_not(None))
                               .order_by(Ticket.id))
        expected_wait = int((min(t for t in (walk_in.service_started_at, walk_in.first_response_at,
                                             walk_in.solved_at) if t) - walk_in.arrived_at).total_seconds())
        expected_frt = int((email.first_response_at - email.arrived_at).total_seconds())
        expected_resolution = int((email.solved_at - email.created_at).total_seconds())
    db = sqlite_utils.Database(tmp_path / "report.db")
    assert {"tickets", "comments", "people", "categories", "locations", "audit"} <= set(db.table_names())
    assert {"ticket_metrics", "daily"} <= set(db.view_names())
    for name, rows in counts.items():
        assert db[name].count == len(rows)
    assert db["comments"].count > 300
    assert {fk.other_table for fk in db["tickets"].foreign_keys} == {"categories", "locations", "people"}
    row = next(db.query("SELECT * FROM ticket_metrics WHERE ticket_id = ?", [walk_in.id]))
    assert (row["at_desk"], row["wait_seconds"], row["first_response_seconds"]) == (1, expected_wait, expected_wait)
    row = next(db.query("SELECT * FROM ticket_metrics WHERE ticket_id = ?", [email.id]))
    assert (row["wait_seconds"], row["first_response_seconds"], row["resolution_seconds"]) == (
        None, expected_frt, expected_resolution)
    ticket = db["tickets"].get(email.id)
    assert ticket["arrived_at"] == email.arrived_at.strftime("%Y-%m-%d %H:%M:%S")
    assert sum(day["tickets"] for day in db.query("SELECT * FROM daily")) == 300


def test_xlsx_export_has_real_dates_and_numbers(demo_export, tmp_path):
    from openpyxl import load_workbook

    source, _exported = demo_export
    with open_store(source) as store, store.session() as session:
        assert export_file(session, path=tmp_path / "tickets.xlsx", fmt="xlsx") == 300
        first = session.scalar(select(Ticket).order_by(Ticket.id))
    book = load_workbook(tmp_path / "tickets.xlsx", read_only=True)
    rows = list(book["Tickets"].iter_rows(values_only=True))
    book.close()
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=False))  # trailing empty cells are not read
    assert len(rows) == 301 and "arrived_at (UTC)" in header
    assert row["id"] == first.id and isinstance(row["reopen_count"], int)
    assert isinstance(row["arrived_at (UTC)"], datetime)
    assert row["arrived_at (UTC)"] == first.arrived_at.replace(tzinfo=None)
    assert isinstance(row["resolution_seconds"], int | None)
