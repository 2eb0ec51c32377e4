"""Start-up order: cyclic GC is paused while `desk` starts (desk.ui.startup); it is resumed,
and the ORM jobs are released, once the queue's first rows are painted (desk.ui.first_paint)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

from desk.ui import startup


@pytest.fixture
def gc_restored() -> Iterator[None]:
    """Whatever a test does to the collector, the next test finds it on and unfrozen."""
    yield
    startup.resume()
    gc.unfreeze()
    gc.enable()


def test_pause_and_resume(gc_restored):
    startup.pause()
    assert not gc.isenabled() and startup.paused()
    startup.pause()  # idempotent
    assert not gc.isenabled()
    frozen_before = gc.get_freeze_count()
    startup.resume()
    assert gc.isenabled() and not startup.paused()
    assert gc.get_freeze_count() > frozen_before  # what start-up made is no longer walked
    startup.resume()
    assert gc.isenabled()


def test_resume_without_pause_leaves_the_collector_alone(gc_restored):
    gc.disable()  # someone else's choice, e.g. a profiler
    startup.resume()
    assert not gc.isenabled()


def test_the_window_resumes_collection_after_its_first_page(store, qtbot, gc_restored):
    from desk.ui.app import MainWindow

    startup.pause()
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    assert not gc.isenabled()  # the first page is not in yet
    qtbot.waitUntil(lambda: gc.isenabled())
    assert window.queue_panel.model.ready()
    window.close()
    window.tasks.shutdown()


def test_desk_gui_pauses_collection_while_it_starts_and_always_resumes(monkeypatch, tmp_path, gc_restored):
    from desk.cli.main import main
    from desk.ui import app

    seen = []

    def fake_run(db_path):  # noqa: ANN001, ANN202
        seen.append(gc.isenabled())
        raise RuntimeError("the window broke")

    monkeypatch.setattr(app, "run", fake_run)
    with pytest.raises(RuntimeError):
        main(["gui", "--db", str(tmp_path / "d.sqlite3")])
    assert seen == [False]
    assert gc.isenabled()


def _paint_log(window, events):  # noqa: ANN001, ANN202
    """Record ("paint", rows loaded?) for each paint of the queue table's viewport."""
    from PySide6.QtCore import QEvent, QObject

    model = window.queue_panel.model

    class Log(QObject):
        def eventFilter(self, _obj, event) -> bool:  # noqa: ANN001, N802
            if event.type() == QEvent.Type.Paint:
                events.append(("paint", model.ready() and model.rowCount() > 0))
            return False

    log = Log(window)
    window.queue_panel.table.viewport().installEventFilter(log)
    return log


def test_orm_jobs_and_sync_wait_until_the_first_rows_are_painted(store, session, requester_id, qtbot):
    from desk.core.ops import tickets
    from desk.ui.app import MainWindow

    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer jam")
    session.commit()
    window = MainWindow(store)
    qtbot.addWidget(window)
    events: list[tuple[str, bool]] = []
    _log = _paint_log(window, events)
    release = window.tasks.release_orm
    window.tasks.release_orm = lambda: (events.append(("release", False)), release())
    window.show()
    qtbot.waitUntil(lambda: ("release", False) in events)
    first_release = events.index(("release", False))
    assert ("paint", True) in events[:first_release]  # a zero timer at load ran before the paint
    window.close()
    window.tasks.shutdown()


def test_a_hidden_window_does_not_wait_for_a_paint(store, qtbot):
    from desk.ui.app import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    released = []
    release = window.tasks.release_orm
    window.tasks.release_orm = lambda: (released.append(True), release())
    qtbot.waitUntil(lambda: bool(released))
    assert not window.isVisible()
    window.tasks.shutdown()


def test_the_watcher_watches_the_tables_own_viewport(qtbot):
    from PySide6.QtWidgets import QTableView

    from desk.ui.first_paint import FirstPaintWatcher

    table = QTableView()
    qtbot.addWidget(table)
    watcher = FirstPaintWatcher(table, lambda: True, lambda: None)
    assert watcher._viewport is table.viewport()  # not a header's viewport of the same name


def test_a_watcher_that_never_sees_a_paint_gives_up_after_its_wait(qtbot):
    from PySide6.QtWidgets import QTableView

    from desk.ui.first_paint import FirstPaintWatcher

    table = QTableView()  # never shown: no paint will come
    qtbot.addWidget(table)
    done = []
    FirstPaintWatcher(table, lambda: True, lambda: done.append(True), max_wait_ms=50)
    qtbot.waitUntil(lambda: done == [True])


def _window_in_fresh_process(tmp_path, before: str, after: str, *, unset: tuple[str, ...] = ()) -> str:  # noqa: ANN001
    """Run ``before``, build the window on a new store, run ``after`` in a new interpreter
    (this one has long loaded everything), without the environment variables ``unset``; what
    it printed last."""
    import subprocess
    import sys

    from desk.cli.main import main

    path = tmp_path / "desk.sqlite3"
    assert main(["init", str(path), "--defaults"]) == 0
    code = (
        f"{before}"
        "from desk.core.db import open_store\n"
        "from desk.ui.app import MainWindow, make_application\n"
        "app = make_application()\n"
        f"window = MainWindow(open_store({str(path)!r}, migrate=False))\n"
        f"{after}"
    )
    env = {**{k: v for k, v in os.environ.items() if k not in unset}, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_building_the_window_loads_no_orm(tmp_path):  # noqa: ANN001
    """SQLAlchemy costs ~0.3 s of imports: the first paint must not wait for it (a menu action's
    module once imported an op at build time and the cold start went from 1.6x to 4x a bare
    window)."""
    printed = _window_in_fresh_process(
        tmp_path, "import sys\nfrom desk.ui import startup\nstartup.pause()\n",
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('sqlalchemy', 'alembic')))\n")
    assert printed == "[]"


def test_pysides_import_hook_reads_no_desk_module(tmp_path):  # noqa: ANN001
    """Once QtCore is imported, PySide6 reads the source of every module it has not seen, after
    each import statement (~75 reads, ~12 ms of a start). desk.ui.import_scan enters Desk's
    modules first: building the window then reads none of theirs."""
    import json

    printed = _window_in_fresh_process(
        tmp_path,
        "import json, sys\n"
        "import desk.ui.qt_support_cache as cache\n"
        "read, import_qtcore = [], cache.import_qtcore\n"
        "def import_then_watch():\n"  # the hook's reads are watched from the moment Qt is in
        "    global feature\n"
        "    import_qtcore()\n"
        "    feature = sys.modules['PySide6.support.feature']\n"
        "    original = feature._mod_uses_pyside\n"
        "    feature._mod_uses_pyside = lambda module: (read.append(module.__name__), original(module))[1]\n"
        "cache.import_qtcore = import_then_watch\n"
        "import desk.ui.import_scan\n",
        "table = feature.pyside_feature_dict\n"
        "print(json.dumps({'read': sorted(n for n in read if n.split('.')[0] == 'desk'),\n"
        "                  'entries': {n: table.get(n) for n in ('desk.ui.queue.panel', 'desk.core.db', 'logging')}}))\n")
    found = json.loads(printed)
    assert found["read"] == []
    # What the hook's own reads would have entered: 0 for a module that uses PySide6, -1 else.
    assert found["entries"] == {"desk.ui.queue.panel": 0, "desk.core.db": -1, "logging": -1}


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="threads are listed from Linux's /proc")
def test_painting_the_window_starts_no_qt_fill_threads(tmp_path):  # noqa: ANN001
    """Qt hands large fills to a thread pool and waits for it; for Desk's repaints that costs
    more than it saves, so make_application turns the pool off before anything is painted.
    (This process's make_application has set the variable already: the child starts without.)"""
    printed = _window_in_fresh_process(
        tmp_path, "import os\n",
        "window.resize(1280, 800)\n"
        "window.show()\n"
        "for _ in range(20):\n"
        "    app.processEvents()\n"
        "window.queue_panel.table.viewport().repaint()\n"
        "print(sorted(open(f'/proc/self/task/{t}/comm').read().strip() for t in os.listdir('/proc/self/task')))\n"
        "os._exit(0)\n",
        unset=("QT_NO_GUI_THREADPOOL",))
    assert "Thread (pooled)" not in printed and "python" in printed


def test_desks_module_names_come_from_its_folders():
    from desk.ui.import_scan import _desk_module_names

    names = set(_desk_module_names())
    assert {"desk", "desk.ui", "desk.ui.queue.panel", "desk.core.db", "desk.core.sync"} <= names
    assert not [name for name in names if "__" in name or name.endswith(".")]
