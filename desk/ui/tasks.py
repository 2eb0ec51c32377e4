"""Background work for the UI: one serialised DB worker, a small pool for the network.

* ``tasks.db(fn, on_done, on_error)`` runs ``fn(session)`` on the DB worker with a fresh
  Session (closed afterwards; returned ORM objects are detached but keep what was loaded) and
  calls ``on_done(result)`` / ``on_error(exc)`` on the UI thread.
* ``tasks.op(fn, initiator)`` runs a core operation ``fn(session) -> Changes`` the same way and
  then emits ``changes_executed(changes, initiator)`` on the UI thread; screens listen to it and
  refresh only what they show.
* ``tasks.sql(fn, on_done, on_error)`` runs ``fn(conn)`` on the same DB worker with a plain
  ``sqlite3`` connection inside one read transaction (for the queue's pages and rows: they need
  no ORM, so the window paints its first page before SQLAlchemy is even imported).
* ``tasks.net(fn, on_done, on_error)`` runs ``fn()`` on the network pool.
* ``db(..., discardable=True)`` marks a read whose result only fills a screen (as every ``sql``
  job is): ``shutdown`` drops such jobs that have not started and does not wait for one that
  is running (its result would be dropped anyway), so closing the window does not wait for
  start-up loads. Anything that writes (every ``op``) is always run and waited for.
* ``hold_orm()`` / ``release_orm()``: between them the DB worker runs ``sql`` jobs but waits
  before its next Session job (at most ``ORM_HOLD_MAX_MS``), keeping the order of the jobs; a
  Session job goes ahead anyway when an ``sql`` job is queued behind it (it must not wait).
  The main window holds it until the queue's first page is painted, so that loading
  SQLAlchemy on the worker does not compete with that first paint for the interpreter.
* Every second the DB worker reads ``PRAGMA data_version`` on a watching connection; when
  another process (another Desk window, the CLI, a sync run) committed, ``changes_executed``
  is emitted with ``EVERYTHING`` and ``initiator=EXTERNAL``.

Never touch a widget inside ``fn``: it runs on a worker thread. A callback whose widget was
deleted meanwhile is skipped: bound methods of QObjects are checked automatically; pass
``owner=widget`` when the callback is a lambda or closure over a widget.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from shiboken6 import isValid

from desk.core.db import translated_errors
from desk.core.errors import DeskError
from desk.core.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desk.core.changes import Changes
    from desk.core.db import Store

# desk.core.changes (a frozen dataclass: its methods are compiled when the module loads) is
# imported when the first operation finishes or the first external change is seen, not while
# the window starts; ``desk.ui.tasks.EVERYTHING`` / ``.Changes`` still work (``__getattr__``).


def __getattr__(name: str) -> object:
    if name in ("EVERYTHING", "Changes"):
        from desk.core import changes

        return getattr(changes, name)
    raise AttributeError(_('module {name__!r} has no attribute {name!r}').format(name__=__name__, name=name))

log = logging.getLogger(__name__)

EXTERNAL = "external"  # initiator of changes made by another connection / process

ORM_HOLD_MAX_MS = 3000

OnDone = Callable[[Any], None] | None
OnError = Callable[[BaseException], None] | None


class Tasks(QObject):
    changes_executed = Signal(object, object)  # (Changes, initiator)
    idle = Signal()  # no DB or network work in flight any more
    _finished = Signal(object)  # internal: (callback, value) delivered on the UI thread

    def __init__(self, store: Store, *, watch_interval_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._net = ThreadPoolExecutor(max_workers=4, thread_name_prefix="desk-net")
        self._lock = threading.Lock()
        self._pending = 0
        self._binding = 0  # DB jobs queued or running that shutdown must wait for
        self._discardable: set[Future[None]] = set()  # DB jobs shutdown may drop
        self._net_jobs: set[Future[None]] = set()  # network jobs not yet finished (wait_stopped)
        self._closed = False
        # Used when a caller gave no on_error: MainWindow points it at show_error.
        self.unhandled_error: Callable[[BaseException], None] | None = None
        self._finished.connect(self._deliver)
        # Only touched on the DB worker: watches data_version, and runs the ``sql`` jobs.
        self._watch_conn: sqlite3.Connection | None = None
        self._gate = threading.Condition()
        self._orm_held = False
        self._sql_queued = 0  # sql jobs submitted and not yet started (guarded by _gate)
        self._data_version: int | None = None
        self._missed_external = False  # seen by an op before its own write; reported by the next poll
        self._watching = False
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(watch_interval_ms)
        self._watch_timer.timeout.connect(self._poll_external)
        if watch_interval_ms > 0:
            self._watch_timer.start()
            self._submit(self._db, self._read_data_version, None, None, None,  # no Session needed
                         discardable=True)

    # -- public API ---------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """How many submitted jobs have not yet delivered their result (tests wait for 0)."""
        return self._pending

    def db(self, fn: Callable[[Session], Any], on_done: OnDone = None, on_error: OnError = None, *,
           owner: QObject | None = None, discardable: bool = False) -> None:
        self._submit(self._db, self._run_db, fn, on_done, on_error, owner, discardable=discardable)

    def sql(self, fn: Callable[[sqlite3.Connection], Any], on_done: OnDone = None,
            on_error: OnError = None, *, owner: QObject | None = None) -> None:
        with self._gate:
            self._sql_queued += 1
            self._gate.notify_all()
        self._submit(self._db, self._run_sql, fn, on_done, on_error, owner, discardable=True)

    def op(self, fn: Callable[[Session], Changes], initiator: object = None,
           on_done: OnDone = None, on_error: OnError = None, *, owner: QObject | None = None) -> None:
        def done(changes: Changes) -> None:
            from desk.core.changes import Changes

            if isinstance(changes, Changes):
                self.changes_executed.emit(changes, initiator)
            if on_done is not None and _alive(on_done, owner):
                on_done(changes)

        self._submit(self._db, self._run_op, fn, done, on_error, owner, always=True)

    def net(self, fn: Callable[[], Any], on_done: OnDone = None, on_error: OnError = None, *,
            owner: QObject | None = None) -> None:
        self._submit(self._net, lambda f: f(), fn, on_done, on_error, owner)

    def hold_orm(self) -> None:
        """Session jobs wait (see the module notes) until ``release_orm`` or a few seconds."""
        with self._gate:
            self._orm_held = True
        QTimer.singleShot(ORM_HOLD_MAX_MS, self, self.release_orm)

    def release_orm(self) -> None:
        with self._gate:
            self._orm_held = False
            self._gate.notify_all()

    def shutdown(self) -> None:
        """Stop watching, wait for the writes (see ``discardable``), drop results that arrive
        afterwards."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            queued = list(self._discardable)
        for future in queued:
            if future.cancel():  # not started: its result would have been dropped
                with self._lock:
                    self._pending -= 1
        self.release_orm()
        self._watch_timer.stop()
        self._db.submit(self._close_watch)
        with self._lock:
            must_wait = self._binding > 0  # a write (or a job not marked discardable) to finish
        self._db.shutdown(wait=must_wait)
        # The network jobs are not waited for: one may be an HTTP request that takes up to its
        # timeout (30 s), and the closing window would hang meanwhile. Those queued still run
        # (a token saved to the keyring, a claim confirmed upstream must not be lost); their
        # results are dropped. ``wait_stopped`` gives them time once the window is gone.
        self._net.shutdown(wait=False)

    def wait_stopped(self, timeout: float) -> bool:
        """After ``shutdown``: wait up to ``timeout`` seconds for the network jobs still running
        or queued; True if none is left (``run`` calls it before it closes the store)."""
        with self._lock:
            left = list(self._net_jobs)
        return not wait(left, timeout=timeout).not_done

    # -- workers --------------------------------------------------------------------------------
    def _submit(self, pool: ThreadPoolExecutor, runner: Callable[[Any], Any], fn: Any,
                on_done: OnDone, on_error: OnError, owner: QObject | None = None, *,
                always: bool = False, discardable: bool = False) -> None:
        if self._closed:
            return
        binding = pool is self._db and not discardable
        with self._lock:
            self._pending += 1
            self._binding += binding

        def job() -> None:
            try:
                # Session work has its SQLite errors typed by the engine; the plain sqlite3
                # reads (queue pages, the data_version watch) are typed here, so every read
                # of the window reports a locked or damaged store as such, not as a bug.
                with translated_errors(self.store.path):
                    value = runner(fn)
            except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread
                # Logged here as well, so a failure a screen handles quietly is still on record.
                log.log(logging.INFO if isinstance(exc, DeskError) else logging.WARNING,
                        "%s failed: %s: %s", _job_name(fn), type(exc).__name__, exc)
                self._finished.emit((on_error, exc, True, owner, False))
            else:
                self._finished.emit((on_done, value, False, owner, always))
            finally:
                if binding:
                    with self._lock:
                        self._binding -= 1

        future = pool.submit(job)
        if (discardable and pool is self._db) or pool is self._net:
            with self._lock:
                (self._net_jobs if pool is self._net else self._discardable).add(future)
            future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._discardable.discard(future)
            self._net_jobs.discard(future)

    def _run_db(self, fn: Callable[[Session], Any]) -> Any:
        with self._gate:
            self._gate.wait_for(lambda: not self._orm_held or self._sql_queued > 0,
                                timeout=ORM_HOLD_MAX_MS / 1000)
        with self.store.session() as session:
            result = fn(session)
            if session.in_transaction():
                session.commit()  # ends the read snapshot; loaded objects stay loaded
            return result

    def _run_sql(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._gate:
            self._sql_queued -= 1
        conn = self._watch()  # reading on it does not change its data_version
        conn.execute("BEGIN")  # one snapshot for everything fn reads
        try:
            return fn(conn)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # it only read

    def _run_op(self, fn: Callable[[Session], Changes]) -> Changes:
        # Another connection may have committed since the last poll: note it now, because
        # re-reading data_version after our own write below would hide it from the next poll.
        # (A commit landing in the few milliseconds between this look and our write can still
        # be missed: data_version says "changed", not how often.)
        if self._check_external():
            self._missed_external = True
        result = self._run_db(fn)
        self._read_data_version(None)  # our own write is not an external change
        return result

    def _watch(self) -> sqlite3.Connection:
        if self._watch_conn is None:
            self._watch_conn = self.store.raw_connection()
        return self._watch_conn

    def _read_data_version(self, _session: object) -> int:
        value = int(self._watch().execute("PRAGMA data_version").fetchone()[0])
        self._data_version = value
        return value

    def _check_external(self) -> bool:
        """Did another connection commit since we last looked (or before one of our writes)?
        Runs on the DB worker only."""
        before = self._data_version
        changed = before is not None and self._read_data_version(None) != before
        missed, self._missed_external = self._missed_external, False
        return changed or missed

    def _close_watch(self) -> None:
        if self._watch_conn is not None:
            self._watch_conn.close()
            self._watch_conn = None

    @Slot()
    def _poll_external(self) -> None:
        if self._watching or self._closed:
            return  # the previous poll is still queued behind other work
        self._watching = True

        def done(changed: bool) -> None:
            self._watching = False
            if changed:
                from desk.core.changes import EVERYTHING

                self.changes_executed.emit(EVERYTHING, EXTERNAL)

        def failed(exc: BaseException) -> None:
            self._watching = False
            log.warning("watching the store for changes failed: %s", exc)

        self._submit(self._db, lambda _fn: self._check_external(), None, done, failed, discardable=True)

    @Slot(object)
    def _deliver(self, payload: tuple[OnDone, Any, bool, QObject | None, bool]) -> None:
        callback, value, is_error, owner, always = payload
        with self._lock:
            self._pending -= 1
            now_idle = self._pending == 0
        try:
            if self._closed:
                return
            if callback is not None:
                if always or _alive(callback, owner):
                    callback(value)
                elif is_error:
                    log.info("dropped an error for a closed widget: %r", value)
            elif is_error:
                if self.unhandled_error is not None:
                    self.unhandled_error(value)
                else:
                    raise value
        finally:
            if now_idle and not self._closed:
                self.idle.emit()


def _job_name(fn: object) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


def _alive(callback: Callable[..., Any], owner: QObject | None) -> bool:
    """False when the callback belongs to a widget that has been deleted."""
    if owner is not None and not isValid(owner):
        return False
    target = getattr(callback, "__self__", None)
    return not (isinstance(target, QObject) and not isValid(target))
