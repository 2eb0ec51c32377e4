"""The Stats panel shows Erlang A beside Erlang C: a heatmap of agents needed with walk-aways and
the staffing table's walk-away columns, each figure the core Erlang A function's for that hour."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget, QWidget

from desk.core.staffing.erlang_a import erlang_a
from desk.core.staffing.intervals import required_agents
from tests.ui.test_stats_panel import demo_store as demo_store  # noqa: F401 - the fixture
from tests.ui.test_stats_panel import panel as panel  # noqa: F401 - the fixture

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def by_name(root: QWidget, kind: type, name: str):  # noqa: ANN205
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    assert len(found) == 1, name
    return found[0]


def test_staffing_table_shows_erlang_a_beside_c_as_the_core_computes_it(panel) -> None:  # noqa: ANN001, F811
    plan = panel.report.staffing
    assert plan.patience_seconds is not None and plan.patience_seconds > 0  # the demo has walk-aways
    chart = by_name(panel, QWidget, "Agents needed with walk-aways (Erlang A) chart")
    assert chart.isVisibleTo(panel) and not chart.empty.isVisibleTo(panel)
    assert (panel.staffing_map_a.grid == plan.needed_a).all()
    view = by_name(panel, QTableWidget, "Staffing")
    headers = [view.horizontalHeaderItem(c).text() for c in range(view.columnCount())]
    column = {name: headers.index(name) for name in headers}
    assert "Agents needed with walk-aways (Erlang A)" in column
    checked = 0
    for row in range(view.rowCount()):
        day = WEEKDAYS.index(view.item(row, column["Weekday"]).text())
        hour = int(view.item(row, column["Hour"]).text()[:2])
        rate = float(plan.arrivals_per_hour[day, hour])
        if rate <= 0:
            continue
        needed = required_agents(arrivals_per_hour=rate, handle_seconds=plan.handle_seconds,
                                 patience_seconds=plan.patience_seconds, target=plan.target)
        assert int(view.item(row, column["Agents needed with walk-aways (Erlang A)"]).text()) == needed
        share = erlang_a(agents=needed, arrivals_per_hour=rate, handle_seconds=plan.handle_seconds,
                         patience_seconds=plan.patience_seconds, target_seconds=plan.target.seconds).abandonment
        shown = float(view.item(row, column["Predicted walk-away share at Erlang A's level (%)"]).text())
        assert shown == round(100 * share, 1)
        assert needed <= int(view.item(row, column["Agents needed (Erlang C)"]).text())
        checked += 1
    assert checked > 20


def test_hovering_an_hour_lists_walk_aways_per_staffing_level(panel) -> None:  # noqa: ANN001, F811
    plan = panel.report.staffing
    day, hour = divmod(int(plan.arrivals_per_hour.argmax()), 24)
    text = panel.staffing_map_a.hover_text(hour + 0.5, day + 0.5)
    needed = int(plan.needed_a[day, hour])
    assert f"need {needed} (Erlang A) or {int(plan.needed[day, hour])} (Erlang C)" in text
    share = erlang_a(agents=needed, arrivals_per_hour=float(plan.arrivals_per_hour[day, hour]),
                     handle_seconds=plan.handle_seconds, patience_seconds=plan.patience_seconds,
                     target_seconds=plan.target.seconds).abandonment
    assert f"{needed} agents {share:.0%}" in text


def test_without_walk_aways_the_erlang_a_map_says_why(panel, qtbot) -> None:  # noqa: ANN001, F811
    with qtbot.wait_signal(panel.report_shown, timeout=20000) as blocker:
        panel.channel.setCurrentIndex(panel.channel.findData("email"))  # nobody walks away from an e-mail
    assert blocker.args[0].staffing.patience_seconds is None
    chart = by_name(panel, QWidget, "Agents needed with walk-aways (Erlang A) chart")
    assert chart.empty.isVisibleTo(panel) and chart.empty.text() == "Too few walk-aways to estimate patience"
    view = by_name(panel, QTableWidget, "Staffing")
    headers = [view.horizontalHeaderItem(c).text() for c in range(view.columnCount())]
    assert "Agents needed with walk-aways (Erlang A)" not in headers
    assert "Erlang C only" in panel.staffing_box.heading.text()
