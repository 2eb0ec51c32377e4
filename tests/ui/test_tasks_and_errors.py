"""The UI plumbing every screen relies on: Tasks and show_error."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desk.core.changes import Changes
from desk.core.errors import NotFound, StoreLocked
from desk.core.ops import tickets
from desk.ui.errors import Cancelled, show_error
from desk.ui.tasks import EXTERNAL, Tasks


@pytest.fixture
def tasks(store, qtbot):
    made = Tasks(store, watch_interval_ms=50)
    yield made
    qtbot.waitUntil(lambda: made.pending == 0)  # nothing in flight (see test_counter_display)
    made.shutdown()


def test_db_runs_off_the_ui_thread_and_answers_on_it(tasks, qtbot):
    ui_thread = threading.get_ident()
    seen = {}

    def work(session):
        seen["worker"] = threading.get_ident()
        return session.execute(__import__("sqlalchemy").text("SELECT 41 + 1")).scalar_one()

    tasks.db(work, on_done=lambda value: seen.update(value=value, answered=threading.get_ident()))
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42
    assert seen["worker"] != ui_thread and seen["answered"] == ui_thread


def test_op_emits_changes_with_its_initiator(requester_id, tasks, qtbot):
    marker = object()
    with qtbot.wait_signal(tasks.changes_executed,
                           check_params_cb=lambda _changes, initiator: initiator is marker) as emitted:
        tasks.op(lambda s: tickets.log_ticket(s, actor_id=None, requester_id=requester_id, subject="x"),
                 initiator=marker)
    changes, initiator = emitted.args
    assert isinstance(changes, Changes) and changes.created_id is not None
    assert initiator is marker


def test_own_writes_are_not_reported_as_external(requester_id, tasks, qtbot):
    received = []
    with qtbot.wait_signal(tasks.idle, timeout=2000):  # the watch has its starting point
        pass
    tasks.changes_executed.connect(lambda changes, initiator: received.append(initiator))
    tasks.op(lambda s: tickets.log_ticket(s, actor_id=None, requester_id=requester_id, subject="x"))
    qtbot.waitUntil(lambda: tasks.pending == 0 and bool(received))
    for _ in range(3):  # a few watch rounds
        with qtbot.wait_signal(tasks.idle, timeout=2000):
            pass
    assert EXTERNAL not in received


def test_external_write_is_reported(tasks, qtbot, session, requester_id):
    with qtbot.wait_signal(tasks.changes_executed, timeout=3000,
                           check_params_cb=lambda _changes, initiator: initiator == EXTERNAL):
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="from elsewhere")


def test_errors_go_to_on_error_or_the_unhandled_handler(tasks, qtbot):
    def boom(_session):
        raise NotFound("nope")

    got = []
    tasks.db(boom, on_error=got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert isinstance(got[0], NotFound)
    unhandled = []
    tasks.unhandled_error = unhandled.append
    tasks.db(boom)
    qtbot.waitUntil(lambda: bool(unhandled))


def test_callbacks_of_deleted_widgets_are_skipped(tasks, qtbot):
    widget = QWidget()
    calls = []
    release = threading.Event()

    def slow(_session):
        release.wait(5)
        return 1

    tasks.db(slow, on_done=lambda value: calls.append(value), owner=widget)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(widget))
    release.set()
    qtbot.waitUntil(lambda: tasks.pending == 0)
    assert calls == []


def test_net_pool(tasks, qtbot):
    got = []
    tasks.net(lambda: "pong", on_done=got.append)
    qtbot.waitUntil(lambda: got == ["pong"])


def test_after_shutdown_nothing_runs(store, qtbot):
    tasks = Tasks(store, watch_interval_ms=0)
    tasks.shutdown()
    tasks.db(lambda s: 1, on_done=lambda v: pytest.fail("ran after shutdown"))
    assert tasks.pending == 0


def _visible_boxes():
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_show_error_friendly_for_desk_errors(qtbot):
    box = show_error(None, StoreLocked("The store is in use. Close other Desk windows."))
    qtbot.addWidget(box)
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == "The store is in use. Close other Desk windows."
    assert box.windowTitle() == "Desk cannot use the store"
    assert box.detailedText() == ""
    box.done(0)


def test_show_error_crash_dialog_copies_details(qtbot):
    try:
        raise ValueError("unexpected")
    except ValueError as exc:
        box = show_error(None, exc)
    qtbot.addWidget(box)
    assert box.icon() == QMessageBox.Icon.Critical
    assert "ValueError: unexpected" in box.detailedText()
    copy = next(b for b in box.buttons() if b.text() == "Copy details")
    copy.click()
    assert "ValueError: unexpected" in QApplication.clipboard().text()


def test_cancel_shows_nothing(qtbot):
    before = len(_visible_boxes())
    assert show_error(None, Cancelled()) is None
    assert len(_visible_boxes()) == before


def test_external_write_just_before_our_own_is_still_reported(store, qtbot, session, requester_id):
    """Another process commits, then this window writes before the next poll: the window's
    re-read of data_version after its own write must not swallow the other commit."""
    watching = Tasks(store, watch_interval_ms=60_000)  # polled by hand below
    try:
        qtbot.waitUntil(lambda: watching.pending == 0)  # the watch has its starting point
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="from elsewhere")
        session.rollback()
        watching.op(lambda s: tickets.log_ticket(s, actor_id=None, requester_id=requester_id, subject="ours"))
        qtbot.waitUntil(lambda: watching.pending == 0)
        with qtbot.wait_signal(watching.changes_executed, timeout=3000,
                               check_params_cb=lambda _changes, initiator: initiator == EXTERNAL):
            watching._poll_external()
    finally:
        qtbot.waitUntil(lambda: watching.pending == 0)
        watching.shutdown()
