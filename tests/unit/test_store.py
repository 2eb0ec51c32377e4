"""Opening stores: new, older (backed up and upgraded), newer (refused), locked, corrupt."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desk.cli.main import main
from desk.core import db, errors
from desk.core.db import open_store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_schema_head_constant_matches_the_migrations():
    assert db.head_revision() == db.SCHEMA_HEAD


def test_new_store_is_created_by_migrations_with_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "sub" / "new.sqlite3"
    with open_store(path) as store, closing(store.engine.raw_connection()) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.schema_state(path) == (db.head_revision(), db.head_revision())
        assert db.integrity_problems(store) == []


def test_every_revision_upgrades_from_empty_and_keeps_data(tmp_path):
    """Build the store at the first revision, put data in, then open it with this Desk."""
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0001")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO people (id, uuid, name, email, kind, is_agent, created_at)"
                     " VALUES (1, 'u1', 'Ana', 'ana@x.test', 'staff', 0, 0)")
        conn.execute("INSERT INTO tickets (id, uuid, subject, requester_id, arrived_at, created_at,"
                     " updated_at) VALUES (7, 't7', 'Old ticket', 1, 0, 0, 0)")
        conn.commit()
    with open_store(path) as store, closing(store.raw_connection()) as conn:
        assert conn.execute("SELECT subject FROM tickets WHERE id = 7").fetchone() == ("Old ticket",)
        assert conn.execute("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH 'old'").fetchone() == (7,)
        assert conn.execute("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH 'tick*'").fetchone() == (7,)
        conn.execute("INSERT INTO comments (uuid, ticket_id, body, created_at) VALUES ('c1', 7, 'toner', 0)")
        conn.execute("UPDATE tickets SET subject = 'Renamed' WHERE id = 7")  # the search triggers are back
        assert conn.execute("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH 'toner renamed'").fetchone() == (7,)
        assert conn.execute("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH 'old'").fetchone() is None
        assert conn.execute("SELECT day FROM stats_dirty_days").fetchall() == [(0,)]  # marked for stats
        conn.rollback()
    backups = list(tmp_path.glob("old.before-0001-*.sqlite3"))
    assert (len(backups) == 1) == (db.head_revision() != "0001")
    assert db.schema_state(path)[0] == db.head_revision()


def test_store_from_a_newer_desk_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_store(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        conn.commit()
    before = digest(path)
    with pytest.raises(errors.StoreTooNew, match="newer version of Desk"):
        open_store(path)
    assert digest(path) == before


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"\x00" * 4096])
def test_non_database_file_is_refused_untouched(tmp_path, content, capsys):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(content)
    with pytest.raises(errors.StoreCorrupt):
        open_store(path)
    assert path.read_bytes() == content
    assert main(["list", "--db", str(path)]) == 1  # environment error (issue 18)
    err = capsys.readouterr().err
    assert "not a Desk store" in err and "Traceback" not in err


def test_damaged_database_gets_a_clear_message(tmp_path, capsys):
    path = tmp_path / "damaged.sqlite3"
    open_store(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page after the header
    path.write_bytes(bytes(data))
    with pytest.raises(errors.StoreCorrupt, match="damaged"):
        open_store(path)
    assert main(["check", "--db", str(path)]) == 1  # environment error (issue 18)
    assert "Traceback" not in capsys.readouterr().err


def test_a_plain_sqlite_file_that_is_not_a_store_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(errors.StoreCorrupt, match="not a Desk store"):
        open_store(path)


def test_locked_store_gets_a_clear_message(tmp_path, monkeypatch, capsys):
    path = tmp_path / "locked.sqlite3"
    open_store(path).close()
    with closing(sqlite3.connect(path, timeout=0)) as holder:
        holder.execute("PRAGMA journal_mode = DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
        with pytest.raises(errors.StoreLocked, match="in use by another program"):
            open_store(path)
        assert main(["list", "--db", str(path)]) == 1  # environment error (issue 18)
        assert "in use by another program" in capsys.readouterr().err
        holder.rollback()


def test_backup_is_a_consistent_copy(store, session, agent_id, requester_id, tmp_path):
    from desk.core.ops import tickets

    tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Backup me")
    copy = db.backup_to(store.path, tmp_path / "copy.sqlite3")
    with open_store(copy) as reopened, closing(reopened.raw_connection()) as conn:
        assert conn.execute("SELECT subject FROM tickets").fetchall() == [("Backup me",)]


def test_migrate_command_reports_the_backup_and_each_revision(tmp_path, capsys):
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0001")
    assert main(["migrate", "--db", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("Backing up old.sqlite3 to old.before-0001-")
    assert f"schema {db.SCHEMA_HEAD} applied" in captured.err
    assert f"schema 0001 -> {db.SCHEMA_HEAD}" in captured.out


def test_any_command_on_an_older_store_says_it_backs_up_and_upgrades(tmp_path, capsys):
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0001")
    assert main(["list", "--db", str(path)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line.split(" ")[0] for line in err] == ["Backing", "Upgrading"]
    assert err[1] == f"Upgrading old.sqlite3 from schema 0001 to {db.SCHEMA_HEAD}…"
    assert main(["list", "--db", str(path)]) == 0
    assert capsys.readouterr().err == ""  # current now: nothing to say


def test_the_backup_before_an_upgrade_moves_the_progress_as_it_copies(tmp_path):
    """A big store's backup is the longest step of an upgrade: its pages are counted in."""
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0001")
    with closing(sqlite3.connect(path)) as conn:  # ~3,000 pages: three steps of 1,024 pages
        conn.execute("CREATE TABLE ballast (data BLOB)")
        conn.executemany("INSERT INTO ballast VALUES (zeroblob(4000))", [()] * 3000)
        conn.commit()
    reports: list[tuple[str, str, int, int]] = []
    open_store(path, progress=lambda what, done, total: reports.append((what.kind, what, done, total))).close()
    kinds = [kind for kind, *_rest in reports]
    assert kinds[0] == "backup" and kinds.count("upgrade") == 1
    steps = kinds.count("applied")  # 0001 -> head
    copying = [done for kind, _what, done, _total in reports if kind == "copying"]
    # The copy is half the bar (as long as every step together), moving in steps of 1,024 pages.
    assert len(copying) >= 3 and copying == sorted(copying) and 0 < copying[0] < copying[-1] == steps * db.STEP_UNITS
    assert {total for *_rest, total in reports} == {2 * steps * db.STEP_UNITS}
    assert [done for *_rest, done, _total in reports] == sorted(done for *_rest, done, _total in reports)
    assert reports[-1][2] == reports[-1][3]  # the bar ends full


def test_an_upgrade_speaks_the_language_shown_and_the_cli_still_says_only_the_news(tmp_path, capsys):
    from desk.core import i18n

    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0001")
    try:
        assert main(["--lang", "ko", "list", "--db", str(path)]) == 0
    finally:
        i18n.set_language("en")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(re.search(r"[가-힣]", line) for line in err), err
    assert "old.sqlite3" in err[0] and db.SCHEMA_HEAD in err[1]
