"""Cyclic garbage collection is paused while `desk` starts and resumed once the queue's first
page is on screen (desk.ui.startup)."""

from __future__ import annotations

import gc
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
