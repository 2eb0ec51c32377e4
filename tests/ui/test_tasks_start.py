"""Tasks at start-up and shutdown: plain-sqlite3 reads, holding Session jobs until the first
paint, and a shutdown that drops pending reads but always finishes writes."""

from __future__ import annotations

import sqlite3
import threading

from desk.core.ops import tickets
from desk.ui.tasks import Tasks


def test_sql_reads_in_one_transaction_off_the_ui_thread(tasks, qtbot):
    seen = {}

    def work(conn):
        seen.update(worker=threading.get_ident(), kind=type(conn), in_tx=conn.in_transaction)
        return conn.execute("SELECT 41 + 1").fetchone()[0]

    tasks.sql(work, on_done=lambda value: seen.update(value=value))
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42 and seen["kind"] is sqlite3.Connection and seen["in_tx"]
    assert seen["worker"] != threading.get_ident()


def test_session_jobs_wait_for_release_orm_in_order(tasks, qtbot):
    done = []
    tasks.hold_orm()
    tasks.sql(lambda conn: "first", on_done=done.append)
    tasks.db(lambda session: "orm", on_done=done.append)
    qtbot.waitUntil(lambda: done == ["first"])
    assert tasks.pending == 1  # the Session job waits at the gate
    tasks.release_orm()
    qtbot.waitUntil(lambda: done == ["first", "orm"])


def test_a_held_session_job_goes_ahead_of_a_queued_sql_job(tasks, qtbot, monkeypatch):
    monkeypatch.setattr("desk.ui.tasks.ORM_HOLD_MAX_MS", 600_000)  # only the sql job can free it
    done = []
    tasks.hold_orm()
    tasks.db(lambda session: "orm", on_done=done.append)
    tasks.sql(lambda conn: "page", on_done=done.append)
    qtbot.waitUntil(lambda: done == ["orm", "page"])
    tasks.release_orm()


def test_shutdown_drops_queued_reads_and_finishes_writes(store, requester_id, qtbot, monkeypatch):
    tasks = Tasks(store, watch_interval_ms=0)
    ran, started, go = [], threading.Event(), threading.Event()
    release = tasks.release_orm
    monkeypatch.setattr(tasks, "release_orm", lambda: (go.set(), release()))  # shutdown calls it after cancelling

    def blocking(conn):
        started.set()
        go.wait(30)
        ran.append("running read")

    tasks.sql(blocking)
    qtbot.waitUntil(started.is_set)
    tasks.db(lambda session: ran.append("queued read"), discardable=True)
    tasks.sql(lambda conn: ran.append("queued sql"))
    tasks.op(lambda s: tickets.log_ticket(s, actor_id=None, requester_id=requester_id, subject="kept"))
    tasks.shutdown()  # waits for the write (and so for the read running before it)
    assert ran == ["running read"]
    with store.session() as session:
        assert session.execute(__import__("sqlalchemy").text(
            "SELECT count(*) FROM tickets WHERE subject = 'kept'")).scalar_one() == 1


def test_shutdown_does_not_wait_for_the_network_and_still_runs_its_queued_jobs(store, qtbot):
    """Closing the window must not hang on an HTTP request (up to its 30 s timeout), and a job
    queued behind it (a token saved to the keyring) must not be lost."""
    tasks = Tasks(store, watch_interval_ms=0)
    go, ran, delivered = threading.Event(), [], []
    started = [threading.Event() for _ in range(4)]  # the pool's four workers, all busy

    def request(number: int) -> None:
        started[number].set()
        go.wait(30)
        ran.append(f"request {number}")

    for number in range(4):
        tasks.net(lambda n=number: request(n), on_done=delivered.append)
    qtbot.waitUntil(lambda: all(event.is_set() for event in started))
    tasks.net(lambda: ran.append("keyring write"), on_done=delivered.append)
    safety = threading.Timer(5, go.set)  # an old shutdown that waits would hang here, not forever
    safety.start()
    tasks.shutdown()
    assert ran == []  # returned while every request was still running
    assert tasks.wait_stopped(0.05) is False
    go.set()
    safety.cancel()
    assert tasks.wait_stopped(30) is True
    assert sorted(ran) == ["keyring write", *(f"request {n}" for n in range(4))]
    qtbot.wait(50)
    assert delivered == []  # results after shutdown are dropped
