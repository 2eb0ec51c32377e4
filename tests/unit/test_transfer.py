"""Export and import: Unicode round-trips, bad rows reported with their line, all-or-nothing."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desk.core.db import open_store
from desk.core.models import Ticket
from desk.core.ops import people, tickets
from desk.core.transfer import export_csv, export_json, import_csv

# Text as people type it: any Unicode letter, mark, symbol, punctuation, spacing and newlines.
free_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t\r"), max_size=200)
subjects = free_text.map(lambda s: " ".join(s.split())).filter(bool)
names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Z")), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=subjects, description=free_text, name=names)
def test_unicode_survives_create_export_import(tmp_path_factory, subject, description, name):
    folder = tmp_path_factory.mktemp("roundtrip")
    with open_store(folder / "a.sqlite3") as source, source.session() as session:
        requester = people.ensure_requester(session, email="r@uni.example", name=name, kind="staff").created_id
        category = people.ensure_category(session, name="Curriculum support").created_id
        tickets.log_ticket(session, actor_id=None, requester_id=requester, subject=subject,
                           description=description, category_id=category)
        exported = io.StringIO()
        export_csv(session, exported)
    with open_store(folder / "b.sqlite3") as target, target.session() as session:
        report = import_csv(session, io.StringIO(exported.getvalue()))
        assert report.ok and report.imported == 1, report.problems
        again = io.StringIO()
        export_csv(session, again)
        ticket = session.scalar(select(Ticket))
        assert ticket.subject == subject
        assert ticket.description == description
        assert ticket.requester.name == name
    assert _without_ids(again.getvalue()) == _without_ids(exported.getvalue())


def _without_ids(text: str) -> str:
    import csv

    return "\n".join(repr(row[1:]) for row in csv.reader(io.StringIO(text)))


def test_bad_rows_are_reported_with_their_lines_and_nothing_is_imported(session):
    csv_text = (
        "Title,Email,Name,Status,Arrived\n"
        "Projector broken,ana@uni.example,Ana,open,2026-09-01T10:00:00Z\n"
        ",bo@uni.example,Bo,open,\n"
        "Wi-Fi,not-an-email,Cy,open,\n"
        "Printer,dee@uni.example,Dee,exploded,\n"
        "Door,eve@uni.example,Eve,new,yesterday-ish\n"
    )
    report = import_csv(session, io.StringIO(csv_text))
    assert not report.ok
    assert [line for line, _ in report.problems] == [3, 4, 5, 6]
    reasons = " | ".join(reason for _, reason in report.problems)
    assert "subject is empty" in reasons and "not an e-mail" in reasons
    assert "'exploded' is not one of" in reasons and "not a date and time" in reasons
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_good_file_imports_with_mapping_and_reimport_skips(session, tmp_path):
    path = tmp_path / "old-system.csv"
    path.write_text("Summary,Requester E-mail,Where,uuid\nLab PC frozen,kim@uni.example,Library,"
                    "5b0e7c1e-0000-4000-8000-000000000001\n", encoding="utf-8")
    report = import_csv(session, path, mapping={"Where": "location"})
    assert (report.ok, report.imported) == (True, 1)
    ticket = session.scalar(select(Ticket))
    assert ticket.location.name == "Library" and ticket.requester.email == "kim@uni.example"
    again = import_csv(session, path, mapping={"Where": "location"})
    assert (again.imported, again.skipped_existing) == (0, 1)


def test_binary_file_is_a_clear_error(session, tmp_path):
    path = Path(tmp_path / "photo.csv")
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    import pytest

    from desk.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_csv(session, path)


def test_json_export_contains_comments(session, agent_id, requester_id):
    from desk.core.ops import comments

    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Mic").created_id
    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body="On it 🎤", public=True)
    out = io.StringIO()
    assert export_json(session, out) == 1
    import json

    data = json.loads(out.getvalue())
    assert data[0]["comments"][0]["body"] == "On it 🎤" and data[0]["comments"][0]["public"] is True
