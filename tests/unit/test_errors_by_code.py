"""SQLite errors are classified by their result code, on reads as well as writes.

Each condition is produced for real (another connection holding BEGIN EXCLUSIVE, a shared-cache
table lock, a query-only or read-only connection, a tiny max_page_count, a damaged file, a file
that is not a database, a folder that does not exist, a journal that cannot be read); only the
classification's independence from the message text is checked on made-up errors.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, text

from desk.core import db, errors
from desk.core.db import Store, classify, open_store, unit_of_work
from desk.core.ops import tickets

PRIMARY = {
    5: errors.StoreLocked, 6: errors.StoreLocked, 15: errors.StoreLocked,
    3: errors.StoreReadOnly, 8: errors.StoreReadOnly,
    10: errors.StoreIOError, 11: errors.StoreCorrupt, 26: errors.StoreCorrupt,
    13: errors.DiskFull, 14: errors.StoreCannotOpen,
}


def made_up(code: int, message: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    exc.sqlite_errorname = f"CODE_{code}"
    return exc


@given(extended=st.integers(0, 255), primary=st.sampled_from(sorted(PRIMARY) + [1, 2, 4, 7, 9, 19, 20]),
       message=st.sampled_from(["database is locked", "disk I/O error", "attempt to write a readonly database",
                                "database disk image is malformed", "", "database or disk is full"]))
def test_the_code_decides_never_the_text(extended, primary, message):
    typed = classify(made_up(primary | (extended << 8), message))
    expected = PRIMARY.get(primary)
    assert (type(typed) if typed is not None else None) is expected
    if typed is not None:
        assert typed.sqlite_error == f"CODE_{primary | (extended << 8)}"


@pytest.mark.parametrize("message", ["database is locked", "database disk image is malformed", "disk is full"])
def test_an_error_without_a_code_is_not_classified_by_its_words(message):
    assert classify(sqlite3.OperationalError(message)) is None  # no code: misuse, i.e. a bug


def count(session) -> int:  # noqa: ANN001
    return session.execute(text("SELECT count(*) FROM tickets")).scalar_one()


@pytest.fixture
def holder(store: Store, monkeypatch):  # noqa: ANN001, ANN201
    """Another connection holding the store with BEGIN EXCLUSIVE (rollback journal)."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    store.close()
    with closing(sqlite3.connect(store.path, timeout=0, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN EXCLUSIVE")
        yield conn
        conn.execute("ROLLBACK")


def test_busy_on_a_session_read(store, holder):
    with store.session() as session, pytest.raises(errors.StoreLocked) as raised:
        count(session)
    assert raised.value.sqlite_error == "SQLITE_BUSY"
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)


def test_busy_on_an_operation(store, requester_id, holder):
    with store.session() as session, pytest.raises(errors.StoreLocked, match="in use by another program"):
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Blocked")


def test_busy_on_a_plain_sqlite_read_through_translated_errors(store, holder):
    with closing(store.raw_connection()) as conn, pytest.raises(errors.StoreLocked), \
            db.translated_errors(store.path):
        conn.execute("SELECT count(*) FROM tickets").fetchone()


def test_shared_cache_table_lock_is_locked(tmp_path):
    uri = f"file:{tmp_path / 'shared.sqlite3'}?cache=shared"
    with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as writer, \
            closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as reader:
        writer.execute("CREATE TABLE t (x)")
        writer.execute("BEGIN")
        writer.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as raised:
            reader.execute("SELECT * FROM t").fetchall()
        writer.execute("ROLLBACK")
    typed = classify(raised.value)
    assert isinstance(typed, errors.StoreLocked) and typed.sqlite_error == "SQLITE_LOCKED_SHAREDCACHE"


def test_read_only_connection_write_is_read_only(store, requester_id, session):
    session.commit()
    with store.session() as other:
        other.execute(text("PRAGMA query_only = 1"))
        with pytest.raises(errors.StoreReadOnly) as raised:
            tickets.log_ticket(other, actor_id=None, requester_id=requester_id, subject="Nope")
        other.execute(text("PRAGMA query_only = 0"))
    assert raised.value.sqlite_error == "SQLITE_READONLY"
    assert count(session) == 0


def test_a_file_opened_read_only_refuses_writes_as_read_only(store):
    with closing(sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None)) as conn, \
            pytest.raises(errors.StoreReadOnly) as raised, db.translated_errors(store.path):
        conn.execute("DELETE FROM settings")
    assert raised.value.sqlite_error == "SQLITE_READONLY"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write read-only files")
def test_chmod_read_only_store_is_read_only(tmp_path, requester_id, store):
    path = store.path
    store.close()
    path.chmod(0o444)
    try:
        with Store(path) as again, again.session() as session, pytest.raises(errors.StoreReadOnly):
            tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Nope")
    finally:
        path.chmod(0o644)


def test_full_disk_via_max_page_count(store, session, requester_id):
    session.commit()
    with closing(store.raw_connection()) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    limited = Store(store.path)
    event.listen(limited.engine, "connect",
                 lambda conn, _record: conn.execute(f"PRAGMA max_page_count = {pages + 2}"))
    with limited, limited.session() as small, pytest.raises(errors.DiskFull) as raised:
        for number in range(50):
            tickets.log_ticket(small, actor_id=None, requester_id=requester_id,
                               subject=f"Big {number}", description="x" * 20000)
    assert raised.value.sqlite_error == "SQLITE_FULL"
    assert "is full" in raised.value.message


def wreck(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))


def test_damaged_store_on_a_read_is_corrupt(store):
    path = store.path
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wreck(path)
    with Store(path) as damaged, damaged.session() as session, pytest.raises(errors.StoreCorrupt) as raised:
        count(session)
    assert raised.value.sqlite_error in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def test_not_a_database_on_a_read_is_corrupt(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"shopping list " * 500)
    with Store(path) as other, other.session() as session, pytest.raises(errors.StoreCorrupt) as raised:
        count(session)
    assert raised.value.sqlite_error == "SQLITE_NOTADB"


def test_missing_folder_cannot_be_opened(tmp_path):
    with Store(tmp_path / "gone" / "desk.sqlite3") as missing, missing.session() as session, \
            pytest.raises(errors.StoreCannotOpen) as raised:
        count(session)
    assert raised.value.sqlite_error == "SQLITE_CANTOPEN"
    assert isinstance(raised.value, errors.StoreReadOnly)  # what callers caught before


def test_an_unreadable_journal_is_an_io_error(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE t (x)")
    (tmp_path / "journal.sqlite3-journal").mkdir()  # a "hot journal" SQLite cannot read
    with closing(sqlite3.connect(path, isolation_level=None)) as conn, \
            pytest.raises(errors.StoreIOError) as raised, db.translated_errors(path):
        conn.execute("INSERT INTO t VALUES (1)")
    assert raised.value.sqlite_error.startswith("SQLITE_IOERR")


def test_a_bug_is_not_dressed_up_as_the_environment(store):
    with store.session() as session, pytest.raises(Exception) as raised:
        session.execute(text("SELECT no_such_column FROM tickets"))
    assert not isinstance(raised.value, errors.DeskError)  # SQLITE_ERROR: our mistake


def test_open_store_reports_a_locked_file_by_code(store, holder):
    with pytest.raises(errors.StoreLocked) as raised:
        open_store(store.path)
    assert raised.value.sqlite_error == "SQLITE_BUSY"


def test_nested_units_of_work_still_commit_once(session, requester_id):
    with unit_of_work(session):
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="One")
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Two")
    assert count(session) == 2
