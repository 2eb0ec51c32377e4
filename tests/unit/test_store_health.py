"""The store's health (issue 18): a stamp that disagrees with the tables is refused untouched,
`desk check` names every missing table, index, trigger and the search index and `--repair` puts
back what can be rebuilt, and a store with damaged pages is not written to any more."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desk.cli.main import main
from desk.core import db, errors, store_damage
from desk.core.db import open_store
from desk.core.ops import people, tickets
from desk.core.schema_check import expected_schema


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    with open_store(path) as store, store.session() as session:
        requester = people.ensure_requester(session, email="wei@uni.test", name="Wei Chen").created_id
        for subject in ("Projector flickers in 204", "Printer jam on floor 2"):
            tickets.log_ticket(session, actor_id=None, requester_id=requester, subject=subject)
        session.commit()
    return path


def sql(path: Path, *statements: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        rows: list[tuple] = []
        for statement in statements:
            rows = conn.execute(statement).fetchall()
        conn.commit()
        return rows


def search_ids(path: Path, word: str) -> list[int]:
    return [row[0] for row in sql(path, f"SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH '{word}' ORDER BY rowid")]


@pytest.mark.parametrize("stamp", ["0001", "0003", "0005", "0007"])
def test_an_older_stamp_on_a_newer_schema_is_refused_untouched(store_path, tmp_path, capsys, stamp):
    sql(store_path, f"UPDATE alembic_version SET version_num = '{stamp}'")
    before = store_path.read_bytes()
    with pytest.raises(errors.StoreSchemaMismatch, match=f"says it is at schema {stamp}"):
        open_store(store_path)
    assert main(["list", "--db", str(store_path)]) == 1
    err = capsys.readouterr().err
    assert "newer schema" in err and "Traceback" not in err
    assert store_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.glob("*.sqlite3*")) == ["desk.sqlite3"]  # no backup, no upgrade tried


def test_check_is_ok_on_a_sound_store(store_path, capsys):
    assert main(["check", "--db", str(store_path)]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


@pytest.mark.parametrize("damage", [
    ("DROP TABLE ticket_fts", "the search index is missing"),
    ("DROP TRIGGER audit_events_no_update", "trigger audit_events_no_update is missing"),
    ("DROP TRIGGER audit_events_no_delete", "trigger audit_events_no_delete is missing"),
    ("DROP TRIGGER tickets_fts_insert", "trigger tickets_fts_insert is missing"),
    ("DROP INDEX ix_audit_status", "index ix_audit_status is missing"),
    ("DELETE FROM ticket_fts WHERE rowid = 1", "1 tickets are missing from the search index"),
])
def test_check_reports_what_is_missing_and_repair_puts_it_back(store_path, capsys, damage):
    statement, problem = damage
    found_before = search_ids(store_path, "projector")
    sql(store_path, statement)
    assert main(["check", "--db", str(store_path)]) == 1
    out = capsys.readouterr().out
    assert f"problem: {problem}" in out and "desk check --repair" in out
    assert main(["check", "--repair", "--db", str(store_path)]) == 0
    out = capsys.readouterr().out
    assert "repaired: rebuilt the search index (2 tickets)" in out and out.strip().endswith(": ok")
    assert search_ids(store_path, "projector") == found_before == [1]
    assert main(["check", "--db", str(store_path)]) == 0
    # The triggers work again: a new ticket is found, the audit log refuses changes.
    with open_store(store_path) as store, store.session() as session:
        tickets.log_ticket(session, actor_id=None, requester_id=1, subject="Projector remote lost")
        session.commit()
    assert search_ids(store_path, "projector") == [1, 3]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sql(store_path, "DELETE FROM audit_events")


def test_repair_keeps_replies_and_requesters_searchable(store_path, capsys):
    with open_store(store_path) as store, store.session() as session:
        from desk.core.ops.comments import add_comment

        add_comment(session, ticket_id=2, author_id=None, body="Replaced the fuser unit", public=False)
        session.commit()
    expected = {word: search_ids(store_path, word) for word in ("fuser", "wei", "printer")}
    sql(store_path, "DROP TABLE ticket_fts")
    assert main(["check", "--repair", "--db", str(store_path)]) == 0
    capsys.readouterr()
    assert {word: search_ids(store_path, word) for word in expected} == expected


def test_the_expected_schema_comes_from_the_migrations():
    head = expected_schema(db.SCHEMA_HEAD)
    assert ("table", "ticket_fts") in head and ("trigger", "audit_events_no_delete") in head
    assert ("table", "ticket_fts_data") not in head  # shadow tables follow their FTS table
    assert set(expected_schema("0001")) < set(head)


def _wreck_tickets_page(path: Path) -> None:
    sql(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    [(root,)] = sql(path, "SELECT rootpage FROM sqlite_master WHERE name = 'tickets'")
    [(size,)] = sql(path, "PRAGMA page_size")
    data = bytearray(path.read_bytes())
    data[(root - 1) * size:root * size] = b"\xa5" * size
    path.write_bytes(bytes(data))


def test_a_store_with_damaged_pages_is_not_written_to_and_says_how_to_recover(store_path, capsys):
    _wreck_tickets_page(store_path)
    argv = ["log", "--db", str(store_path), "--requester", "a@uni.test", "--category", "Printing", "--subject", "x"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "has damaged pages" in err and "desk backup" in err and "Traceback" not in err
    before = store_path.read_bytes()
    # A later command that would touch only sound pages is refused too, before it writes.
    assert main(["category", "add", "Lab", "--db", str(store_path)]) == 1
    assert "has damaged pages" in capsys.readouterr().err
    assert store_path.read_bytes() == before
    # Restored from a backup: the marker goes, writing works again.
    store_damage._damaged.clear()  # a new process
    backup = store_path.with_name("restored.sqlite3")
    with open_store(backup) as fresh:
        fresh.close()
    backup.replace(store_path)
    assert main(["category", "add", "Lab", "--db", str(store_path)]) == 0
    assert not store_path.with_name(store_path.name + store_damage.DAMAGE_MARKER_SUFFIX).exists()
