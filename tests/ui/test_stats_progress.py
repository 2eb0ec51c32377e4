"""The Stats panel's first computation of a store whose day summaries are stale: it shows how
many days it is working out, Cancel stops it between months, Refresh then computes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from desk.core.db import open_store
from desk.core.demo import generate
from desk.core.stats import compute_stats, days


def stale_days(store) -> int:  # noqa: ANN001
    with store.session() as session:
        return session.execute(text("SELECT count(*) FROM stats_days WHERE definition != :d"),
                               {"d": days.DEFINITION}).scalar()


@pytest.fixture
def stale_store(tmp_path: Path):  # noqa: ANN201
    """A demo store as after an upgrade that changed a definition: every day summary is stale."""
    path = tmp_path / "stale.sqlite3"
    generate(path, tickets=800, seed=5, end=datetime.now(UTC) - timedelta(hours=1), days=60)
    with open_store(path) as store:
        with store.session() as session:
            session.execute(text("UPDATE stats_days SET definition = 'older'"))
            session.commit()
        yield store


@pytest.fixture
def gate(monkeypatch):  # noqa: ANN001, ANN201
    """Holds the DB worker inside the first month's rebuild until the test opens it, so the
    click on Cancel lands while the work is under way (an event, not a sleep)."""
    opened, original = threading.Event(), days.build

    def build(session, stale):  # noqa: ANN001, ANN202
        assert opened.wait(timeout=20), "the test never let the rebuild go on"
        return original(session, stale)

    monkeypatch.setattr(days, "build", build)
    yield opened
    opened.set()


@pytest.fixture
def stale_panel(qtbot, stale_store, gate, monkeypatch):  # noqa: ANN001, ANN201
    """The Stats panel opened on the stale store; its first computation waits at the gate."""
    from desk.ui.stats.panel import StatsPanel
    from desk.ui.tasks import Tasks

    monkeypatch.setattr(days, "BATCH_DAYS", 10)  # the demo's 30 days (weekdays only) span three chunks
    tasks = Tasks(stale_store, watch_interval_ms=0)
    panel = StatsPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    gate.set()  # a failed test must not leave the worker waiting
    tasks.shutdown()


def test_cancel_stops_working_out_the_days_and_refresh_computes(qtbot, stale_store, stale_panel, gate) -> None:  # noqa: ANN001
    panel, before = stale_panel, stale_days(stale_store)
    qtbot.waitUntil(panel.working.isVisible, timeout=20000)
    label = panel.working_label.text()
    assert label.startswith("Working out ") and label.endswith(" days of history…")
    total = int(label.split()[2].replace(",", ""))
    assert 2 * days.BATCH_DAYS < total < before  # the 30 days asked for, not the whole store
    assert (panel.working_bar.value(), panel.working_bar.maximum()) == (0, total)

    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.cancel_button.isEnabled()
    gate.set()  # the first month finishes; the cancel is seen before the next one
    qtbot.waitUntil(lambda: "not computed" in panel.status.text(), timeout=20000)
    assert "Refresh" in panel.status.text() and panel.working.isHidden()
    assert panel.report is None
    assert stale_days(stale_store) == before - days.BATCH_DAYS  # the first month stayed saved

    with qtbot.wait_signal(panel.report_shown, timeout=20000) as shown:
        qtbot.mouseClick(panel.refresh_button, Qt.MouseButton.LeftButton)
    assert panel.working.isHidden() and "computed in" in panel.status.text()
    report = shown.args[0]
    with stale_store.session() as session:
        clean = compute_stats(session, report.filter, target=panel.target())
    assert report.summary == clean.summary and report.summary.tickets > 0
    qtbot.waitUntil(lambda: panel.tasks.pending == 0, timeout=20000)


def test_a_newer_request_stops_the_older_rebuild_quietly(qtbot, stale_store, stale_panel, gate) -> None:  # noqa: ANN001
    panel, before = stale_panel, stale_days(stale_store)
    qtbot.waitUntil(panel.working.isVisible, timeout=20000)
    thirty_days = int(panel.working_label.text().split()[2].replace(",", ""))
    panel.preset.setCurrentIndex(panel.preset.findData("7 days"))
    panel.refresh()  # as F5 would, without waiting for the debounce
    assert panel.working.isHidden()
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as shown:
        gate.set()
    assert (shown.args[0].filter.end - shown.args[0].filter.start).days == 6
    assert "not computed" not in panel.status.text() and panel.working.isHidden()
    qtbot.waitUntil(lambda: panel.tasks.pending == 0, timeout=20000)
    assert panel.report is shown.args[0]  # the stopped 30 days never painted over it
    assert stale_days(stale_store) > before - thirty_days  # the older rebuild did stop early
