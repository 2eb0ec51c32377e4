"""Start-up: the store is opened (an older one backed up and upgraded) on a worker thread
with a progress dialog; a locked, newer or damaged store is a message; a bug the crash dialog.
Also: the window's reads report store trouble by type, and Help → Open log folder."""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import closing

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from shiboken6 import isValid

from desk.core import db, errors
from desk.core.db import open_store
from desk.ui import opening


def test_an_older_store_is_upgraded_on_a_worker_while_a_progress_dialog_shows(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0001")
    release = threading.Event()
    threads: list[str] = []
    real_upgrade = db.upgrade

    def slow_upgrade(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a big store takes a while
        threads.append(threading.current_thread().name)
        assert release.wait(10)
        return real_upgrade(*args, **kwargs)

    monkeypatch.setattr(db, "upgrade", slow_upgrade)
    opener = opening.StoreOpener(path)
    opener.start()
    qtbot.waitUntil(lambda: opener.dialog is not None and opener.dialog.isVisible()
                    and "Upgrading" in opener.dialog.labelText())
    dialog = opener.dialog
    assert dialog.maximum() > dialog.value() >= 1  # the backup is done, the upgrade is not
    assert threads == ["desk-open-store"]  # the UI thread is free: it painted the dialog
    release.set()
    store = opener.wait()
    assert store is not None and opener.error is None
    assert opener.dialog is None and (not isValid(dialog) or not dialog.isVisible())  # gone
    assert opener.steps[0].startswith("Backing up old.sqlite3")
    assert any("schema 0005 applied" in step for step in opener.steps)
    assert db.schema_state(path)[0] == db.SCHEMA_HEAD
    assert len(list(tmp_path.glob("old.before-0001-*.sqlite3"))) == 1
    store.close()


def test_a_current_store_opens_without_any_dialog(qtbot, store):
    path = store.path
    store.close()
    opener = opening.StoreOpener(path)
    opened = opener.wait()
    assert opened is not None and opened.path == path
    assert opener.steps == [] and opener.dialog is None
    opened.close()


@pytest.fixture
def shown_boxes(monkeypatch):  # noqa: ANN001, ANN201
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text())) or 0)
    return shown


def test_run_explains_a_locked_store(qtbot, store, monkeypatch, shown_boxes):
    from desk.ui import app

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    path = store.path
    store.close()
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as holder:
        holder.execute("PRAGMA journal_mode = DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        assert app.run(path) == 2
        holder.execute("ROLLBACK")
    assert shown_boxes == [("Desk cannot open the store", shown_boxes[0][1])]
    assert "in use by another program" in shown_boxes[0][1]


def test_run_explains_a_store_from_a_newer_desk(qtbot, tmp_path, shown_boxes):
    from desk.ui import app

    path = tmp_path / "future.sqlite3"
    open_store(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
        conn.commit()
    assert app.run(path) == 2
    assert "newer version of Desk" in shown_boxes[0][1]


def test_run_shows_a_bug_while_opening_as_the_crash_dialog(qtbot, tmp_path, monkeypatch, shown_boxes):
    from desk.ui import app

    seen: list[str] = []

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(threading.current_thread().name)
        raise RuntimeError("a bug in opening")

    monkeypatch.setattr(opening, "open_store", broken)
    assert app.run(tmp_path / "any.sqlite3") == 2
    assert seen == ["desk-open-store"]
    assert shown_boxes == [("Desk ran into a bug", shown_boxes[0][1])]


def test_window_reads_report_a_locked_store_by_type(qtbot, store, tasks, monkeypatch, caplog):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    caplog.set_level(logging.INFO, logger="desk")
    store.close()
    failures: list[BaseException] = []
    with closing(sqlite3.connect(store.path, timeout=0, isolation_level=None)) as holder:
        holder.execute("PRAGMA journal_mode = DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        tasks.sql(lambda conn: conn.execute("SELECT count(*) FROM tickets").fetchone(), on_error=failures.append)
        tasks.db(lambda session: session.connection().exec_driver_sql("SELECT count(*) FROM tickets").all(),
                 on_error=failures.append)
        qtbot.waitUntil(lambda: len(failures) == 2)
        holder.execute("ROLLBACK")
    assert [type(exc) for exc in failures] == [errors.StoreLocked, errors.StoreLocked]
    assert caplog.text.count("failed: StoreLocked") == 2  # on record even if a screen says nothing


def test_help_open_log_folder_opens_the_log_folder(main_window, monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    (action,) = [a for a in main_window.menu("Help").actions() if a.text().replace("&", "") == "Open log folder"]
    action.trigger()
    assert opened == [str(tmp_path / "logs")]  # DESK_LOG_DIR of the test
    assert (tmp_path / "logs").is_dir()
