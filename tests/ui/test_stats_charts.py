"""The stats charts as a person meets them: the wheel scrolls the page (Ctrl+wheel zooms, Reset
puts it back), "Today" marks its single points, an empty period says so, a reversed range is
refused, future days are not plotted; PNG exports are a report's size with a caption, the save
dialog remembers its folder and the status says where the file went; XLSX cells are typed."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QScrollArea

from desk.core.settings import set_setting
from tests.ui.test_stats_panel import demo_store as demo_store  # noqa: F401 - the fixture
from tests.ui.test_stats_panel import panel as panel  # noqa: F401 - the fixture


def wheel(widget, *, notches: int = -1, ctrl: bool = False) -> None:  # noqa: ANN001
    """One turn of the mouse wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def y_range(chart) -> list[float]:  # noqa: ANN001
    return chart.plot.getPlotItem().vb.viewRange()[1]


def show(qtbot, panel, preset: str):  # noqa: ANN001, ANN201, F811
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.preset.setCurrentIndex(panel.preset.findData(preset))
    return blocker.args[0]


def test_the_wheel_scrolls_the_page_and_only_ctrl_wheel_zooms(panel, qtbot):  # noqa: F811
    scroll = panel.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    chart = panel.backlog
    before = y_range(chart)
    for _ in range(3):
        wheel(chart.plot.viewport())
    assert bar.value() > 0  # the page moved
    assert y_range(chart) == before  # the chart did not zoom
    assert not chart.reset_button.isEnabled()

    wheel(chart.plot.viewport(), notches=1, ctrl=True)
    zoomed = y_range(chart)
    assert zoomed[1] - zoomed[0] < before[1] - before[0]
    assert chart.reset_button.isEnabled()
    qtbot.mouseClick(chart.reset_button, Qt.MouseButton.LeftButton)
    assert y_range(chart) == pytest.approx(before)
    assert not chart.reset_button.isEnabled()
    wheel(chart.plot.viewport(), notches=2, ctrl=True)
    qtbot.mouseDClick(chart.plot.viewport(), Qt.MouseButton.LeftButton)
    assert y_range(chart) == pytest.approx(before)


def test_lines_have_headroom_for_the_legend(panel):  # noqa: F811
    chart = panel.created_solved
    top = max(float(values.max()) for values in chart.series.values())
    low, high = y_range(chart)
    assert high >= 1.25 * top and low <= 0  # nothing clipped at the top, the legend sits above the data
    assert chart.plot.getPlotItem().legend.columnCount == 2  # one row


def test_today_marks_its_one_point(panel, qtbot):  # noqa: F811
    report = show(qtbot, panel, "today")
    assert len(report.days) == 1
    (line,) = panel.backlog.plot.getPlotItem().listDataItems()
    assert line.opts["symbol"] == "o" and line.opts["symbolSize"] >= 6  # visible without a line
    solved = [item for item in panel.created_solved.plot.getPlotItem().listDataItems() if item.name() == "solved"]
    assert solved and solved[0].opts["symbol"] == "o"


def test_an_empty_period_says_so(panel, qtbot):  # noqa: F811
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.start_edit.setDate(QDate(2001, 1, 1))
        panel.end_edit.setDate(QDate(2001, 1, 31))
    assert blocker.args[0].summary.tickets == 0
    for chart in (panel.created_solved, panel.heatmap, panel.frt, panel.by_category):
        assert chart.empty.isVisible() and not chart.plot.isVisible(), chart.title
        assert chart.empty.text() == "No tickets in this period"
    assert panel.staffing_map.empty.text() == "No walk-ins or calls in this period"


def test_a_reversed_range_is_refused_with_a_message(panel, qtbot):  # noqa: F811
    shown = panel.report
    end = panel.end_edit.date()
    panel.start_edit.setFocus()
    # Typed as a person would: the From date after the To date.
    later = end.addDays(5)
    panel.start_edit.setSelectedSection(panel.start_edit.Section.YearSection)
    qtbot.keyClicks(panel.start_edit, later.toString("yyyyMMdd"))
    assert panel.start_edit.date() > panel.end_edit.date()
    qtbot.waitUntil(lambda: "after the To date" in panel.status.text(), timeout=5000)
    assert panel.report is shown  # nothing computed, nothing silently swapped
    assert panel.start_edit.date() > panel.end_edit.date()


def test_future_days_are_not_plotted(panel, qtbot):  # noqa: F811
    today = panel.today()
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.end_edit.setDate(QDate(today.year, today.month, today.day).addDays(10))
    report = blocker.args[0]
    assert report.filter.end == today and report.days[-1] == today
    assert len(panel.backlog.days) == len(report.days)
    assert "up to today" in panel.status.text()


def test_png_export_is_report_sized_with_title_period_filters_and_desk(panel, qtbot, tmp_path):  # noqa: F811
    panel.tasks.op(lambda s: set_setting(s, key="desk_name", value="Media Services Desk"))
    with qtbot.wait_signal(panel.report_shown, timeout=20000):
        panel.channel.setCurrentIndex(panel.channel.findData("walk-in"))
    qtbot.waitUntil(lambda: panel.desk_name == "Media Services Desk", timeout=5000)
    with qtbot.wait_signal(panel.report_shown, timeout=20000):
        panel.refresh()
    chart = panel.backlog
    title, caption = chart.caption_lines()
    f = panel.report.filter
    assert title == "Backlog"
    assert f"{f.start} to {f.end}" in caption and "Channel: walk-in" in caption
    assert "Media Services Desk" in caption
    on_screen = (chart.plot.size(), chart.plot.getPlotItem().getAxis("bottom").height())
    image = QImage(str(chart.export_png(tmp_path / "backlog.png")))
    assert (chart.plot.size(), chart.plot.getPlotItem().getAxis("bottom").height()) == on_screen  # given back
    assert (image.width(), image.height()) == (1600, 900)
    background = image.pixelColor(image.width() - 2, 2)
    title_strip = [image.pixelColor(x, y) for x in range(20, 600, 3) for y in range(20, 80, 3)]
    assert any(abs(p.lightness() - background.lightness()) > 100 for p in title_strip)  # the title is drawn
    small = QImage()
    from PySide6.QtCore import QSize

    assert small.loadFromData(chart.png(QSize(800, 450))) and small.width() == 800


def test_save_dialog_proposes_the_period_remembers_the_folder_and_says_where(panel, qtbot, tmp_path,  # noqa: F811
                                                                             monkeypatch):
    proposals: list[str] = []
    folder = tmp_path / "reports"
    folder.mkdir()

    def ask(_parent, _caption, proposed, *_args, **_kwargs):  # noqa: ANN001, ANN202
        proposals.append(proposed)
        return str(folder / Path(proposed).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    (png,) = [b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Save Backlog as PNG"]
    qtbot.mouseClick(png, Qt.MouseButton.LeftButton)
    f = panel.report.filter
    assert Path(proposals[0]).name == f"Backlog {f.start} to {f.end}.png"
    saved = folder / f"Backlog {f.start} to {f.end}.png"
    assert saved.exists()
    assert panel.status.text() == f"Saved the Backlog chart to {saved}"
    (xlsx,) = [b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Export report as XLSX"]
    qtbot.mouseClick(xlsx, Qt.MouseButton.LeftButton)
    assert Path(proposals[1]).parent == folder  # the folder used last
    assert Path(proposals[1]).name == f"Desk statistics {f.start} to {f.end}.xlsx"
    assert str(folder) in panel.status.text()


def test_xlsx_has_real_dates_hours_numbers_and_native_charts(panel, tmp_path):  # noqa: F811
    path = panel.export_xlsx(tmp_path / "report.xlsx")
    book = load_workbook(path)
    daily = book["Daily"]
    assert [c.value for c in daily[1]][:3] == ["Date", "Created", "Solved"]
    first = daily["A2"]
    assert isinstance(first.value, datetime) and first.value.date() == panel.report.days[0]
    assert first.number_format == "yyyy-mm-dd"
    assert isinstance(daily["B2"].value, int) and daily["B2"].data_type == "n"
    staffing = next(book[name] for name in book.sheetnames if name.startswith("Staffing"))
    hour = staffing["B2"]
    assert isinstance(hour.value, time) and hour.number_format == "hh:mm"
    # Arrivals per hour: a number cell (openpyxl reads a whole 1.0 back as 1, so int or float;
    # which one depended on the day the suite ran).
    rate = staffing["C2"]
    assert isinstance(rate.value, int | float) and not isinstance(rate.value, bool) and rate.data_type == "n"
    summary = book["Summary"]
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2)}
    assert isinstance(values["Tickets"], int)
    book.close()
    with zipfile.ZipFile(path) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) >= 3
        xml = " ".join(archive.read(name).decode() for name in charts)
    assert "Created and solved per day" in xml and "Backlog at the end of each day" in xml
    assert "lineChart" in xml and "barChart" in xml


def test_dates_in_the_panel_tables_stay_text_in_csv(panel, tmp_path):  # noqa: F811
    text = panel.created_solved.export_csv(tmp_path / "daily.csv").read_text()
    first = text.splitlines()[1].split(",")[0]
    assert date.fromisoformat(first) == panel.report.days[0]
    assert panel.report.days[-1] - panel.report.days[0] == timedelta(days=len(panel.report.days) - 1)
