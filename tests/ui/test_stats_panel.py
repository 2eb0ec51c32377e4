"""The Stats panel: computes off the UI thread, filters change the charts, exports work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from desk.core.db import open_store
from desk.core.demo import generate
from desk.core.settings import set_setting
from tests.ui.conftest import shown_stats_panel


@pytest.fixture
def demo_store(tmp_path: Path):  # noqa: ANN201
    path = tmp_path / "demo.sqlite3"
    generate(path, tickets=1500, seed=3, end=datetime.now(UTC) - timedelta(hours=1), days=40)
    with open_store(path) as store:
        with store.session() as session:
            set_setting(session, key="timezone", value="America/Chicago")
        yield store


@pytest.fixture
def panel(qtbot, demo_store):  # noqa: ANN001, ANN201
    with shown_stats_panel(qtbot, demo_store) as widget:
        yield widget


def test_first_report_fills_charts_tiles_and_tables(panel) -> None:  # noqa: ANN001
    report = panel.report
    assert report.summary.tickets > 0 and report.timezone == "America/Chicago"
    assert panel.tiles["Tickets"].text().count(f"{report.summary.tickets:,}") == 1
    assert all(chart.table is not None for chart in panel.charts)
    assert panel.agents_box.view.rowCount() == len(report.agents) > 0
    assert panel.expected_box.view.rowCount() > 0
    assert "computed in" in panel.status.text()


def test_changing_a_filter_changes_the_charts(panel, qtbot) -> None:  # noqa: ANN001
    before = panel.report
    created_before = panel.created_solved.series["created"].sum()
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.channel.setCurrentIndex(panel.channel.findData("email"))
    after = blocker.args[0]
    assert after.filter.channels == ("email",)
    assert 0 < after.summary.tickets < before.summary.tickets
    assert panel.created_solved.series["created"].sum() == after.summary.tickets < created_before
    assert [r.name for r in after.by_channel] == ["email"]
    assert panel.heatmap.grid.sum() == after.summary.tickets


def test_presets_and_custom_dates(panel, qtbot) -> None:  # noqa: ANN001
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.preset.setCurrentIndex(panel.preset.findData("7 days"))
    report = blocker.args[0]
    assert (report.filter.end - report.filter.start).days == 6 and len(report.days) == 7
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.start_edit.setDate(panel.start_edit.date().addDays(-3))
    assert panel.preset.currentData() == "custom" and len(blocker.args[0].days) == 10


def test_hover_reads_values(panel) -> None:  # noqa: ANN001
    assert panel.heatmap.hover_text(10.5, 1.5).startswith("Tue 10:00–10:59:")
    text = panel.created_solved.hover_text(0, 0)
    assert "created" in text and "solved" in text
    assert "median" in panel.frt.hover_text(3, 0)


def test_exports(panel, tmp_path: Path) -> None:  # noqa: ANN001
    png = panel.heatmap.export_png(tmp_path / "heat.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    csv_text = panel.by_category.export_csv(tmp_path / "cat.csv").read_text(encoding="utf-8")
    assert csv_text.startswith("Category,Tickets")
    book = load_workbook(panel.export_xlsx(tmp_path / "r.xlsx"), read_only=True)
    assert "Expected resolution" in book.sheetnames and "Agents" in book.sheetnames
    book.close()
    page = panel.export_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<h2>Staffing" in page


def test_every_control_has_a_name_and_tooltip(panel) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QTableWidget

    controls = [w for kind in (QAbstractButton, QComboBox, QAbstractSpinBox, QTableWidget)
                for w in panel.findChildren(kind) if w.isVisibleTo(panel) and not w.objectName().startswith("qt_")]
    assert len(controls) > 20
    missing = [w for w in controls if not w.accessibleName() or not w.toolTip()]
    assert not missing, [type(w).__name__ + ":" + w.text() if hasattr(w, "text") else type(w).__name__ for w in missing]


def test_changes_refresh_quick_reports_and_flag_slow_ones(panel, qtbot) -> None:  # noqa: ANN001
    from desk.core.changes import Changes

    with qtbot.wait_signal(panel.report_shown, timeout=20000):
        panel.tasks.changes_executed.emit(Changes(tickets=True), None)
    panel._last_seconds = 5.0  # as if the last computation had been slow
    panel.tasks.changes_executed.emit(Changes(tickets=True), None)
    assert "Refresh" in panel.status.text() and not panel._debounce.isActive()


def test_the_panel_is_built_and_shows_the_report_it_emitted(panel) -> None:  # noqa: ANN001
    # Fails if no panel is ever built or shown: these are its own widgets, read as a person would.
    assert panel.isVisible() and panel.report is not None
    tile = panel.tiles["Median wait"].text()
    assert "within 5 min" in tile and "–" not in tile.split("<br>")[1]
    assert panel.preset.currentText() == "Last 30 days"


def test_this_semester_is_offered_only_from_configured_terms(panel, qtbot) -> None:  # noqa: ANN001
    from datetime import date

    from desk.core import calendar

    index = panel.preset.findData("this semester")
    item = panel.preset.model().item(index)
    assert not item.isEnabled() and "desk terms" in item.toolTip()  # no terms: not offered as if known
    year = date.today().year
    term = next(t for t in calendar.preset_terms("ko", years=[year - 1, year])
                if t.start <= panel.today() <= t.end)
    with qtbot.wait_signal(panel.report_shown, timeout=20000):
        panel.tasks.op(lambda s: calendar.set_terms(s, terms=calendar.preset_terms("ko", years=[year - 1, year])))
    qtbot.waitUntil(lambda: item.isEnabled(), timeout=20000)
    assert term.name in panel.preset.itemText(index)
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.preset.setCurrentIndex(index)
    assert blocker.args[0].filter.start == term.start


def test_business_hours_box_measures_durations_in_open_time(panel, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QCheckBox

    box = next(w for w in panel.findChildren(QCheckBox) if w.accessibleName() == "Durations in business hours")
    before = panel.report
    assert not before.business_hours
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    after = blocker.args[0]
    assert after.business_hours and after.summary.tickets == before.summary.tickets
    # Demo tickets wait across nights and weekends: open time is less than calendar time.
    assert after.resolution.mean < before.resolution.mean


def test_sla_attainment_and_breaches_are_shown_and_exported(qtbot, store, tmp_path) -> None:  # noqa: ANN001
    from desk.core.models import utcnow
    from desk.core.ops import people, tickets
    from desk.core.rules import ops as rules

    with store.session() as session:
        requester = people.ensure_requester(session, email="kim@uni.test", name="Kim Lee").created_id
        rules.add_rule(session, actor_id=None, kind="sla", name="Quick", definition={
            "targets": {"first_response": {"hours": 0.1, "business": False}}})
        tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="Scanner",
                           arrived_at=utcnow() - timedelta(minutes=30))
    with shown_stats_panel(qtbot, store) as panel:
        qtbot.waitUntil(lambda: panel.sla_box.view.rowCount() > 0, timeout=20000)
        cells = [panel.sla_box.view.item(0, c).text() for c in range(panel.sla_box.view.columnCount())]
        assert cells[:4] == ["Policy · target", "Quick · First response", "0", "1"]
        assert panel.breaches_box.view.rowCount() == 1
        assert [t.key for t in panel.tables()][-2:] == ["sla-attainment", "sla-breached"]


def test_a_target_in_half_minutes_is_typed_and_shown_as_given(panel, qtbot) -> None:  # noqa: ANN001
    """Calls are often promised "within 30 s": the box takes half minutes and the tile says so."""
    panel.minutes.selectAll()
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        qtbot.keyClicks(panel.minutes, "0.5")
        qtbot.keyClick(panel.minutes, Qt.Key.Key_Return)
    assert panel.target().seconds == 30 and blocker.args[0].staffing.target.within_text == "within 30 s"
    panel.minutes.selectAll()
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        qtbot.keyClicks(panel.minutes, "2.5")
        qtbot.keyClick(panel.minutes, Qt.Key.Key_Return)
    assert blocker.args[0].staffing.target.within_text == "within 2.5 min"
    assert "within 2.5 min" in panel.tiles["Median wait"].text()
