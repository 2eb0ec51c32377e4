"""The store: one SQLite file, opened with the right pragmas and migrated on open.

* WAL, foreign keys on, a busy timeout so two Desk processes can share a store.
* Reads begin a plain (deferred) transaction; operations begin ``BEGIN IMMEDIATE`` (see
  ``unit_of_work``) so a read-then-write never fails half-way on a lock upgrade.
* Opening an older store backs it up (SQLite backup API) and upgrades it; a store from a
  newer Desk is refused untouched; a locked, read-only or corrupt file raises a typed error.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desk.core import errors

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

# SQLAlchemy is imported when a Store first needs its engine (the window paints its first
# queue page through plain sqlite3 before that; see ``Store.engine``).

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
# The newest schema revision in migrations/ (a test checks they agree). Knowing it without
# loading Alembic keeps the common case — opening a current store — quick: Alembic (~0.2 s
# of imports) is loaded only to create or upgrade a store.
SCHEMA_HEAD = "0006"


def default_db_path() -> Path:
    """``DESK_DB`` if set, else ``desk.sqlite3`` in the user's data directory."""
    env = os.environ.get("DESK_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Desk", appauthor=False)) / "desk.sqlite3"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The head according to Alembic's script directory (slow; see SCHEMA_HEAD)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/ has no revisions"
    return head


def classify(exc: BaseException, path: Path | str = "the store") -> errors.DeskError | None:
    """Turn a low-level SQLite error into a typed, explained one (None: not an environment error)."""
    original = exc.orig if _is_dbapi_error(exc) else exc
    if not isinstance(original, sqlite3.Error):
        return None
    text = str(original).lower()
    if "locked" in text or "busy" in text:
        return errors.StoreLocked(
            f"{path} is in use by another program that is holding it locked. "
            "Close other Desk windows or wait a moment, then try again."
        )
    if "readonly" in text or "read-only" in text:
        return errors.StoreReadOnly(
            f"{path} cannot be written (read-only file or folder). "
            "Check its permissions, or open a copy with --db."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return errors.StoreCorrupt(
            f"{path} is damaged or is not a Desk store. Restore it from a backup "
            "(desk backup makes one), or start a new store with --db."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return errors.DiskFull(f"The disk holding {path} is full. Free some space and retry.")
    if "unable to open" in text:
        return errors.StoreReadOnly(f"{path} cannot be opened. Check that its folder exists and is writable.")
    return None


def _is_dbapi_error(exc: BaseException) -> bool:
    """``isinstance(exc, sqlalchemy.exc.DBAPIError)`` without importing SQLAlchemy for it
    (if it is not loaded yet, nothing can have raised one)."""
    module = sys.modules.get("sqlalchemy.exc")
    return module is not None and isinstance(exc, module.DBAPIError)


@contextmanager
def translated_errors(path: Path | str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if not (isinstance(exc, sqlite3.Error) or _is_dbapi_error(exc)):
            raise
        typed = classify(exc, path)
        if typed is None:
            raise
        raise typed from exc


def _install_pragmas(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Autocommit at the driver; SQLAlchemy's "begin" event below issues BEGIN itself.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: object) -> None:
        immediate = conn.get_execution_options().get("immediate")  # type: ignore[attr-defined]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[attr-defined]


class Store:
    """An open store: ``path``, and the SQLAlchemy ``engine`` (created, with SQLAlchemy itself
    imported, the first time it is used)."""

    def __init__(self, path: Path, engine: Engine | None = None) -> None:
        self.path = path
        self._engine = engine
        self._engine_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store(path={self.path!r})"

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = _engine(self.path)
        return self._engine

    def session(self) -> Session:
        from sqlalchemy.orm import Session

        return Session(self.engine, expire_on_commit=False)

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection with the same pragmas (for bulk work and benchmarks)."""
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """One write transaction (``BEGIN IMMEDIATE``); commits on success, rolls back on error.

    Nested use joins the outer unit of work, so a bulk action (an import) can call many
    operations and still commit all or nothing.
    """
    depth = session.info.get("unit_of_work_depth", 0)
    if depth:
        session.info["unit_of_work_depth"] = depth + 1
        try:
            yield session
        finally:
            session.info["unit_of_work_depth"] = depth
        return
    if session.in_transaction():
        session.commit()  # end any read snapshot so the write sees the latest data
    session.info["unit_of_work_depth"] = 1
    try:
        with session.begin():
            session.connection(execution_options={"immediate": True})
            yield session
    except Exception as exc:
        if not _is_dbapi_error(exc):
            raise
        typed = classify(exc)
        if typed is None:
            raise
        raise typed from exc
    finally:
        session.info["unit_of_work_depth"] = 0


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise errors.StoreCorrupt(f"{path} is a folder, not a Desk store.")
    if path.exists() and path.stat().st_size > 0:
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except PermissionError as exc:
            raise errors.StoreReadOnly(f"{path} cannot be read: permission denied.") from exc
        if header != SQLITE_HEADER:
            raise errors.StoreCorrupt(
                f"{path} is not a Desk store (it is not an SQLite database). "
                "Nothing was changed. Pick another file with --db."
            )
    writable_target = path if path.exists() else path.parent
    if writable_target.exists() and not os.access(writable_target, os.W_OK):
        raise errors.StoreReadOnly(
            f"{path} is read-only for you. Desk needs to write to it and its folder; "
            "check the permissions, or work on a copy with --db."
        )
    if path.exists() and not os.access(path.parent, os.W_OK):
        raise errors.StoreReadOnly(
            f"The folder of {path} is read-only; SQLite needs it for its journal files."
        )


def current_revision(conn: sqlite3.Connection) -> str | None:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).fetchall()
    if not rows:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def backup_to(source: Path, target: Path) -> Path:
    """Copy a live store consistently with the SQLite backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with translated_errors(source), closing(sqlite3.connect(source)) as src, closing(
        sqlite3.connect(target)
    ) as dst:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        src.backup(dst)
    return target


def _prepare_schema(path: Path, *, migrate: bool) -> None:
    """Refuse newer stores, back up and upgrade older ones, create new ones."""
    head = SCHEMA_HEAD
    with translated_errors(path), closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
        conn.execute("PRAGMA schema_version").fetchone()  # touches the file: corrupt/locked show here
        revision = current_revision(conn)
        has_tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table'"
        ).fetchone()[0]
    if revision == head:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if revision is not None:
        try:
            script.get_revision(revision)
        except Exception as exc:  # alembic raises several kinds for an unknown id
            raise errors.StoreTooNew(
                f"{path} was written by a newer version of Desk (schema {revision}). "
                "It was not changed. Update Desk to open it."
            ) from exc
    elif has_tables:
        raise errors.StoreCorrupt(f"{path} is an SQLite database, but not a Desk store. Nothing was changed.")
    if not migrate:
        raise errors.StoreTooNew(f"{path} needs an upgrade; run `desk migrate`.")
    if revision is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup_to(path, path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix}"))
    upgrade(path)


def upgrade(path: Path, revision: str = "head") -> None:
    from alembic import command

    engine = _engine(path)
    try:
        with translated_errors(path), engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _engine(path: Path) -> Engine:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    _install_pragmas(engine)
    return engine


def open_store(path: Path | str | None = None, *, migrate: bool = True) -> Store:
    """Open (creating or upgrading as needed) the store at ``path``; typed errors on trouble."""
    path = Path(path).expanduser() if path is not None else default_db_path()
    _check_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.StoreReadOnly(f"Cannot create the folder for {path}: {exc.strerror}.") from exc
    _prepare_schema(path, migrate=migrate)
    return Store(path)


def schema_state(path: Path) -> tuple[str | None, str]:
    """(revision of the store, newest revision this Desk knows)."""
    with translated_errors(path), closing(sqlite3.connect(path)) as conn:
        return current_revision(conn), SCHEMA_HEAD


def integrity_problems(store: Store) -> list[str]:
    """``PRAGMA integrity_check`` + foreign keys + FTS consistency; empty list = healthy."""
    problems: list[str] = []
    with translated_errors(store.path), closing(store.raw_connection()) as conn:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.extend(result)
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} points to a missing {parent} row")
        try:
            conn.execute("INSERT INTO ticket_fts(ticket_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index: {exc}")
        missing = conn.execute(
            "SELECT count(*) FROM tickets WHERE id NOT IN (SELECT rowid FROM ticket_fts)"
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} tickets are missing from the search index")
    return problems
