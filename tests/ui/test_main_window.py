import pytest
from PySide6.QtCore import Qt

from desk.core.db import open_store
from desk.core.errors import StoreCorrupt


def test_window_has_tabs_and_menus(main_window):
    tabs = main_window.tabs
    assert tabs.tabText(0) == "Queue"
    assert tabs.tabText(1) == "Stats"
    titles = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert titles == ["File", "View", "Ticket", "Sync", "Help"]
    assert main_window.current_agent_id() is None


def test_stats_tab_created_lazily(main_window, qtbot, session, requester_id):
    """The Stats tab is a placeholder until shown; then the real panel is built and computes."""
    from desk.core.ops import tickets
    from desk.ui.stats.panel import StatsPanel

    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer jam")
    session.rollback()
    assert not isinstance(main_window.stats_tab_widget(), StatsPanel)
    panel = main_window.show_stats()
    assert main_window.tabs.tabText(1) == "Stats" and main_window.tabs.currentIndex() == 1
    assert isinstance(panel, StatsPanel) and main_window.stats_tab_widget() is panel
    qtbot.waitUntil(lambda: panel.report is not None, timeout=20000)
    assert panel.report.summary.tickets >= 1
    assert "Tickets" in panel.tiles["Tickets"].text()


def test_open_ticket_tab(main_window, session, requester_id, qtbot, wait_idle):
    from desk.core.ops import tickets

    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id,
                                   subject="Printer jam").created_id
    widget = main_window.open_ticket(ticket_id)
    assert main_window.tabs.currentWidget() is widget
    assert main_window.open_ticket(ticket_id) is widget  # focused again, not duplicated
    wait_idle(main_window)
    main_window.close_tab(main_window.tabs.indexOf(widget))
    assert main_window.tabs.count() == 2


def test_open_error_is_a_message_not_a_traceback(tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desk.ui import app

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    bad = tmp_path / "not-a-store.sqlite3"
    bad.write_text("hello")
    assert app.run(bad) == 2
    assert shown and "not a Desk store" in shown[0]
    with pytest.raises(StoreCorrupt):  # what run() explained is the typed error of this file
        open_store(bad)


def test_resume_agent_only_while_on_shift(main_window, qtbot, session, agent_id, other_agent_id):
    from desk.core.ops import shifts

    shifts.start_shift(session, agent_id=agent_id)
    switcher = main_window.at_desk
    switcher.resume_if_on_shift(other_agent_id)  # not on shift: stays nobody
    switcher.reload()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert main_window.current_agent_id() is None
    with qtbot.wait_signal(main_window.agent_changed):
        switcher.resume_if_on_shift(agent_id)
        switcher.reload()
    assert main_window.current_agent_id() == agent_id
    assert switcher.combo.currentData() == agent_id


def test_pick_agent_in_switcher_starts_shift_and_sign_out_ends_it(main_window, qtbot, store, agent_id):
    from desk.core.ops import shifts

    switcher = main_window.at_desk
    switcher.reload()
    qtbot.waitUntil(lambda: switcher.combo.findData(agent_id) > 0)
    switcher.combo.setFocus()
    switcher.combo.setCurrentIndex(switcher.combo.findData(agent_id))
    switcher.combo.activated.emit(switcher.combo.currentIndex())
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    with store.session() as s:
        assert shifts.open_shift(s, agent_id) is not None
    assert "Ana Student" in main_window.queue_panel._status_label.text()
    qtbot.mouseClick(switcher.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    with store.session() as s:
        assert shifts.open_shift(s, agent_id) is None
    assert main_window.current_agent_id() is None


def test_new_store_gets_default_canned_responses_and_manager_opens(main_window, qtbot):
    from desk.core.queries.canned import list_canned  # noqa: F401 - the manager's own query

    def count(session):  # noqa: ANN001, ANN202
        from sqlalchemy import func, select

        from desk.core.models import CannedResponse

        return session.scalar(select(func.count()).select_from(CannedResponse))

    seen = []
    qtbot.waitUntil(lambda: main_window.tasks.db(count, on_done=seen.append) or bool(seen) and seen[-1] > 0,
                    timeout=5000)
    dialog = main_window.manage_canned()
    qtbot.waitUntil(dialog.isVisible)
    dialog.close()


def test_sync_menu_is_installed_after_the_queue_paints(main_window, qtbot):
    qtbot.waitUntil(lambda: getattr(main_window, "sync_controller", None) is not None, timeout=5000)
    texts = [action.text().replace("&", "") for action in main_window.menu("Sync").actions()]
    assert any("Sync now" in text for text in texts), texts
    assert main_window.install_sync() is main_window.sync_controller


def test_sync_status_says_local_only_without_a_remote(main_window, qtbot):
    controller = main_window.install_sync()
    qtbot.waitUntil(lambda: controller.status.label.text() == "Local only", timeout=5000)
    assert not controller.status.counts.isVisible()


def test_run_opens_the_window_and_closing_it_finishes_network_work_then_closes_the_store(
        tmp_path, qtbot, monkeypatch):  # noqa: ANN001
    """The whole of ``desk gui`` after the window closes: a network job still running (a token
    being saved) is given its time, then the store is closed and run() returns 0."""
    import sys
    import threading
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desk.cli.main import main
    from desk.core import db
    from desk.ui import app

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own
    path = tmp_path / "desk.sqlite3"
    assert main(["init", str(path), "--defaults"]) == 0
    assert main(["agent", "add", "--db", str(path), "--name", "Ana", "--email", "ana@uni.test"]) == 0
    closed, saved = [], threading.Event()
    real_close = db.Store.close
    monkeypatch.setattr(db.Store, "close", lambda store: (closed.append(saved.is_set()), real_close(store))[1])

    def slow_save() -> None:  # e.g. the keyring taking its time
        time.sleep(0.5)
        saved.set()

    def close_when_shown() -> None:
        window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, app.MainWindow) and w.isVisible()),
                      None)
        if window is None or window.tasks.pending:
            QTimer.singleShot(50, close_when_shown)
            return
        window.tasks.net(slow_save)
        window.close()

    QTimer.singleShot(50, close_when_shown)
    assert app.run(path) == 0
    assert saved.is_set() and closed == [True]  # the job finished before the store was closed
