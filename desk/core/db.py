"""The store: one SQLite file, opened with the right pragmas and migrated on open.

* WAL, foreign keys on, a busy timeout so two Desk processes can share a store.
* Reads begin a plain (deferred) transaction; operations begin ``BEGIN IMMEDIATE`` (see
  ``unit_of_work``) so a read-then-write never fails half-way on a lock upgrade.
* Opening an older store backs it up (SQLite backup API) and upgrades it, reporting each step
  to an optional ``progress`` callback (the window's progress dialog); a store from a newer
  Desk is refused untouched.
* SQLite errors become typed errors (``classify``) by their result code, never their text:
  every Session's reads, writes and commits through the engine's ``handle_error`` hook, plain
  ``sqlite3`` work through ``translated_errors`` (used by the window's ``Tasks`` and here).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desk.core import errors, korean, store_damage
from desk.core.i18n import _, ngettext

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.engine import ExceptionContext
    from sqlalchemy.orm import Session

# SQLAlchemy is imported when a Store first needs its engine (the window paints its first
# queue page through plain sqlite3 before that; see ``Store.engine``).

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (what is being done, steps done, steps in all; 0: unknown)
# Each migration step is this many units of progress; the backup before an upgrade is given as
# many units as all its steps together (for a big store the copy is the long part), and it
# moves the bar as its pages are copied.
STEP_UNITS = 100


class StoreStep(str):
    """A progress message of ``open_store`` in the language shown, which also says what kind
    of step it is ("backup", "copying", "upgrade", "create", "applied"): the command line
    prints only the backup and the upgrade's start, and must not find them by their words."""

    kind: str

    def __new__(cls, text: str, kind: str) -> StoreStep:
        step = super().__new__(cls, text)
        step.kind = kind
        return step


SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
# The newest schema revision in migrations/ (a test checks they agree). Knowing it without
# loading Alembic keeps the common case — opening a current store — quick: Alembic (~0.2 s
# of imports) is loaded only to create or upgrade a store.
SCHEMA_HEAD = "0017"


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


# SQLite primary result codes (https://sqlite.org/rescode.html); an extended code such as
# SQLITE_IOERR_READ (266) or SQLITE_LOCKED_SHAREDCACHE (262) carries its primary in the low byte.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_PROTOCOL, SQLITE_NOTADB = 15, 26


def _explained(primary: int, path: Path | str) -> errors.StoreError | None:
    """The typed error (with what to do) for a primary result code; None: not the environment."""
    if primary in (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL):
        return errors.StoreLocked(
            _('{path} is in use by another program that is holding it locked. Close other Desk windows or wait a moment, then try again.').format(path=path)
        )
    if primary in (SQLITE_READONLY, SQLITE_PERM):
        return errors.StoreReadOnly(
            _('{path} cannot be written (read-only file or folder). Check its permissions, or open a copy with --db.').format(path=path)
        )
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return errors.StoreCorrupt(
            _('{path} is damaged or is not a Desk store. Restore it from a backup (desk backup makes one), or start a new store with --db.').format(path=path)
        )
    if primary == SQLITE_FULL:
        return errors.DiskFull(_('The disk holding {path} is full. Free some space and retry.').format(path=path))
    if primary == SQLITE_IOERR:
        return errors.StoreIOError(
            _('{path} could not be read or written (a disk or network-drive error). Check the disk or the connection to the drive, then try again.').format(path=path)
        )
    if primary == SQLITE_CANTOPEN:
        return errors.StoreCannotOpen(
            _('{path} cannot be opened. Check that its folder exists and that you may write to it.').format(path=path)
        )
    return None


def classify(exc: BaseException, path: Path | str = "the store") -> errors.StoreError | None:
    """Turn a low-level SQLite error into a typed, explained one (None: not an environment error).

    Decided by SQLite's result code (``sqlite_errorcode``), never by the message text, which
    differs between SQLite versions and builds. An error without a code (misuse of the API,
    such as a closed connection) is a bug, not the environment.
    """
    original = exc.orig if _is_dbapi_error(exc) else exc
    if not isinstance(original, sqlite3.Error):
        return None
    code = getattr(original, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    typed = _explained(code & 0xFF, path)
    if typed is not None:
        typed.sqlite_error = getattr(original, "sqlite_errorname", "") or f"SQLite code {code}"
        log.warning("%s: %s (%s: %s)", path, type(typed).__name__, typed.sqlite_error, original)
    return typed


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


def _install_pragmas(engine: Engine, path: Path) -> None:
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
        korean.register(dbapi_conn)  # the search triggers compute Korean terms

    @event.listens_for(engine, "handle_error")
    def on_error(context: ExceptionContext) -> BaseException | None:
        # The one place where every Session's reads, writes and commits have their SQLite
        # errors classified: a locked, full, read-only, damaged store raises its typed error.
        typed = classify(context.original_exception, path)
        if isinstance(typed, errors.StoreCorrupt) and typed.sqlite_error.startswith("SQLITE_CORRUPT"):
            typed = store_damage.found_damage(path) or typed  # damaged pages, not "no database at all"
        if typed is not None:
            typed.__cause__ = context.original_exception
        return typed

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
        korean.register(conn)
        return conn

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def session_of(store_or_session: Store | Session) -> Iterator[Session]:
    """The caller's session, or a session of our own on a ``Store`` (closed afterwards): for
    core functions the window calls with its store and the tests with their session."""
    if isinstance(store_or_session, Store):
        with store_or_session.session() as session:
            yield session
    else:
        yield store_or_session


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """One write transaction (``BEGIN IMMEDIATE``); commits on success, rolls back on error.

    Nested use joins the outer unit of work, so a bulk action (an import) can call many
    operations and still commit all or nothing. SQLite errors arrive already typed (the
    engine's ``handle_error`` hook classifies them). Each commit is logged at debug level with
    the operation's name, each rollback with its reason: the log says what the core did.
    """
    depth = session.info.get("unit_of_work_depth", 0)
    if depth:
        session.info["unit_of_work_depth"] = depth + 1
        try:
            yield session
        finally:
            session.info["unit_of_work_depth"] = depth
        return
    name = _operation_name()
    bind = session.get_bind()
    database = getattr(getattr(bind, "url", None), "database", None)
    if database:
        store_damage.refuse_if_damaged(Path(database))  # before BEGIN: nothing written to a damaged file
    if session.in_transaction():
        session.commit()  # end any read snapshot so the write sees the latest data
    session.info["unit_of_work_depth"] = 1
    try:
        with session.begin():
            session.connection(execution_options={"immediate": True})
            yield session
            _before_commit(session)
    except errors.DeskError as exc:
        log.info("%s rolled back: %s: %s", name, type(exc).__name__, exc.message)
        raise
    except Exception as exc:
        log.error("%s rolled back by an unexpected %s: %s", name, type(exc).__name__, exc)
        raise
    else:
        log.debug("%s committed", name)
    finally:
        session.info["unit_of_work_depth"] = 0
        session.info.pop("rules_pending", None)  # a rolled-back operation's notes mean nothing now


def _before_commit(session: Session) -> None:
    """The operation is done and about to commit: run the rules (triggers, SLA clocks) on the
    tickets it changed, in its transaction (``desk.core.ops._audit.record`` noted them)."""
    if session.info.get("rules_pending"):
        from desk.core.rules.engine import after_operation  # the rules build on the whole core

        after_operation(session)


def _operation_name() -> str:
    """``module.function`` of the code that opened the unit of work (the operation).

    Read from the call stack so that the 70-odd operations need not repeat their own names:
    frame 0 is this function, 1 the ``unit_of_work`` generator, 2 ``contextmanager.__enter__``,
    3 the operation.
    """
    try:
        frame = sys._getframe(3)
    except ValueError:
        return "operation"
    module = frame.f_globals.get("__name__", "?")
    return f"{module}.{frame.f_code.co_name}"


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise errors.StoreCorrupt(_('{path} is a folder, not a Desk store.').format(path=path))
    if path.exists() and path.stat().st_size > 0:
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except PermissionError as exc:
            raise errors.StoreReadOnly(_('{path} cannot be read: permission denied.').format(path=path)) from exc
        if header != SQLITE_HEADER:
            raise errors.StoreCorrupt(
                _('{path} is not a Desk store (it is not an SQLite database). Nothing was changed. Pick another file with --db.').format(path=path)
            )
    writable_target = path if path.exists() else path.parent
    if writable_target.exists() and not os.access(writable_target, os.W_OK):
        raise errors.StoreReadOnly(
            _('{path} is read-only for you. Desk needs to write to it and its folder; check the permissions, or work on a copy with --db.').format(path=path)
        )
    if path.exists() and not os.access(path.parent, os.W_OK):
        raise errors.StoreReadOnly(
            _('The folder of {path} is read-only; SQLite needs it for its journal files.').format(path=path)
        )


def current_revision(conn: sqlite3.Connection) -> str | None:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).fetchall()
    if not rows:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def backup_to(source: Path, target: Path, *, progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy a live store consistently with the SQLite backup API (``progress(done, total)``
    in pages, after each step of 1024 pages).

    The copy is made in a temporary file renamed to ``target`` once complete, so a failed
    backup never leaves a truncated store that looks like one. Trouble reading the source is a
    ``StoreError``; trouble writing the copy (full disk, no permission) a ``FileError``.
    """
    from desk.core import files

    files.make_folder(target.parent, what="backup folder")
    with files.atomic_path(target, what="backup") as temp:
        with translated_errors(source):
            src = sqlite3.connect(source)
        with closing(src), closing(sqlite3.connect(temp)) as dst:
            with translated_errors(source):
                src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                src.execute("PRAGMA schema_version").fetchone()  # locked or damaged: it shows here
            try:
                src.backup(dst, pages=1024 if progress else -1,
                           progress=(lambda _status, left, total: progress(total - left, total)) if progress else None)
            except sqlite3.Error as exc:
                typed = classify(exc, source)
                if isinstance(typed, errors.StoreLocked | errors.StoreCorrupt):
                    raise typed from exc  # the source's trouble, not the copy's
                raise _copy_error(target, exc) from exc
    return target


def _copy_error(target: Path, exc: sqlite3.Error) -> errors.FileError:
    primary = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    reason = {SQLITE_FULL: "the disk is full", SQLITE_IOERR: "a disk error",
              SQLITE_READONLY: "the file or folder is read-only", SQLITE_PERM: "permission denied",
              SQLITE_CANTOPEN: "the file cannot be created there"}.get(primary, str(exc))
    log.warning("backup to %s failed: %s (%s)", target, exc, getattr(exc, "sqlite_errorname", "?"))
    return errors.FileError(_('The backup {target} was not written: {reason}. Nothing was left half-written; free some space or choose another folder, then try again.').format(target=target, reason=reason),
                            path=str(target), reason=reason)


def _prepare_schema(path: Path, *, migrate: bool, progress: Progress | None = None) -> None:
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
                _('{path} was written by a newer version of Desk (schema {revision}). It was not changed. Update Desk to open it.').format(path=path, revision=revision)
            ) from exc
        from desk.core.schema_check import newer_tables

        with translated_errors(path), closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            newer = newer_tables(conn, revision)
        if newer:
            raise errors.StoreSchemaMismatch(_(
                "{path} says it is at schema {revision}, but it already has parts of a newer schema "
                "({tables}). Desk did not touch it: upgrading would try to create them again. Restore "
                "the store from a backup, or ask for help to set its stamp right.").format(
                    path=path, revision=revision,
                    tables=", ".join(newer[:6]) + (_(" and {count} more").format(count=len(newer) - 6)
                                                   if len(newer) > 6 else "")))
    elif has_tables:
        raise errors.StoreCorrupt(_('{path} is an SQLite database, but not a Desk store. Nothing was changed.').format(path=path))
    if not migrate:
        raise errors.StoreTooNew(_('{path} needs an upgrade; run `desk migrate`.').format(path=path))
    report = progress or (lambda _what, _done, _total: None)
    steps = len(list(script.iterate_revisions(head, revision or "base")))
    backup_units = steps * STEP_UNITS if revision is not None else 0
    total = backup_units + steps * STEP_UNITS
    if revision is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix}")
        backing_up = StoreStep(_("Backing up {name} to {copy}…").format(name=path.name, copy=copy.name), "backup")
        report(backing_up, 0, total)
        log.info("backing up %s (schema %s) to %s before upgrading it", path, revision, copy)
        copying = StoreStep(backing_up, "copying")  # the same words, the bar moving: not news again
        backup_to(path, copy, progress=(lambda done, pages: report(copying, done * backup_units // max(pages, 1), total))
                  if progress else None)
        report(StoreStep(_("Upgrading {name} from schema {old} to {new}…").format(
            name=path.name, old=revision, new=head), "upgrade"), backup_units, total)
        log.info("upgrading %s from schema %s to %s", path, revision, head)
    else:
        report(StoreStep(_("Creating {name}…").format(name=path.name), "create"), 0, total)
    upgrade(path, progress=progress, done_before=backup_units, total=total)


def upgrade(path: Path, revision: str = "head", *, progress: Progress | None = None,
            done_before: int = 0, total: int = 0) -> None:
    """Run the migrations up to ``revision``; ``progress(what, done, total)`` after each, in
    units of ``STEP_UNITS`` a step, counting on from ``done_before`` (the backup's units)."""
    from alembic import command

    done = [done_before]

    def applied(*, step: object, **_ignored: object) -> None:  # Alembic's on_version_apply
        done[0] += STEP_UNITS
        if progress is not None:
            progress(StoreStep(_("Upgrading {name}: schema {revision} applied…").format(
                name=path.name, revision=getattr(step, "up_revision_id", "?")), "applied"), done[0], total)

    engine = _engine(path)
    try:
        with translated_errors(path), engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            config.attributes["on_version_apply"] = applied
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def build_schema(path: Path, revision: str) -> None:
    """Run the migrations up to ``revision`` on a scratch file (no progress, no backup): what
    ``schema_check`` compares stores with. Not ``upgrade``: that is the user's upgrade."""
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
    _install_pragmas(engine, path)
    return engine


def open_store(path: Path | str | None = None, *, migrate: bool = True,
               progress: Progress | None = None) -> Store:
    """Open (creating or upgrading as needed) the store at ``path``; typed errors on trouble.

    ``progress(what, done, total)`` is called only when there is work beyond opening (a backup
    and an upgrade, or creating a new store), so the window can show it; never for a store
    that is already current."""
    path = Path(path).expanduser() if path is not None else default_db_path()
    _check_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.StoreReadOnly(_('Cannot create the folder for {path}: {strerror}.').format(path=path, strerror=exc.strerror)) from exc
    store_damage.recheck_on_open(path)  # an earlier run found damaged pages: look again first
    _prepare_schema(path, migrate=migrate, progress=progress)
    return Store(path)


def schema_state(path: Path) -> tuple[str | None, str]:
    """(revision of the store, newest revision this Desk knows)."""
    with translated_errors(path), closing(sqlite3.connect(path)) as conn:
        return current_revision(conn), SCHEMA_HEAD


def integrity_problems(store: Store) -> list[str]:
    """``PRAGMA integrity_check`` + foreign keys + every table, index and trigger the store's
    schema expects (``schema_check``) + the search index's own check; empty list = healthy."""
    from desk.core.schema_check import SEARCH_INDEX, schema_problems
    from desk.core.search_index import open_index_drift

    problems: list[str] = []
    with translated_errors(store.path), closing(store.raw_connection()) as conn:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.extend(result)
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
            problems.append(_("{table} row {rowid} points to a missing {parent} row").format(
                table=table, rowid=rowid, parent=parent))
        missing = schema_problems(conn, current_revision(conn) or SCHEMA_HEAD)
        problems.extend(problem.describe() for problem in missing)
        if any(problem.object.name == SEARCH_INDEX for problem in missing):
            return problems
        try:
            conn.execute(f"INSERT INTO {SEARCH_INDEX}({SEARCH_INDEX}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(_("the search index is damaged: {error}").format(error=exc))
        try:
            conn.execute("INSERT INTO ticket_ko(ticket_ko) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(_("Korean search index: {error}").format(error=exc))
        unindexed = conn.execute(
            f"SELECT count(*) FROM tickets WHERE id NOT IN (SELECT rowid FROM {SEARCH_INDEX})"
        ).fetchone()[0]
        if unindexed:
            problems.append(_("{count} tickets are missing from the search index").format(count=f"{unindexed:,}"))
        try:
            drift = open_index_drift(conn)
        except sqlite3.DatabaseError as exc:
            problems.append(_("open tickets' search index: {error}").format(error=exc))
        else:
            if drift:
                problems.append(ngettext("{count} ticket is wrong in the open tickets' search index",
                                         "{count} tickets are wrong in the open tickets' search index",
                                         drift).format(count=f"{drift:,}"))
    return problems


def repair_store(store: Store) -> list[str]:
    """Rebuild the search index and put back missing triggers and indexes (``desk check --repair``)."""
    from desk.core.schema_check import repair

    with translated_errors(store.path), closing(store.raw_connection()) as conn:
        return repair(conn, current_revision(conn) or SCHEMA_HEAD)
