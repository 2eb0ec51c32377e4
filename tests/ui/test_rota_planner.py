"""Stats → Staffing → Plan: suggest a rota, edit it by keyboard and mouse, publish, export."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from icalendar import Calendar
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from desk.core.db import unit_of_work
from desk.core.models import Ticket, utcnow
from desk.core.models_rota import PlannedShift
from desk.core.ops.rota import set_availability, set_max_hours
from desk.core.settings import TIMEZONE_KEY, set_setting
from tests.ui.conftest import shown_stats_panel


def _desk(session, requester_id: int, agent_id: int, other_agent_id: int) -> date:  # noqa: ANN001
    set_setting(session, key=TIMEZONE_KEY, value="UTC")
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    with unit_of_work(session):
        for week in range(1, 5):
            ten = utcnow().replace(hour=10, minute=0, second=0, microsecond=0)
            ten -= timedelta(days=ten.weekday(), weeks=week - 1)  # Mondays 10:00 of past weeks
            for minute in range(0, 120, 6):
                arrived = ten + timedelta(minutes=minute)
                session.add(Ticket(subject="laptop", requester_id=requester_id, channel="walk-in",
                                   arrived_at=arrived, created_at=arrived, status="solved",
                                   service_started_at=arrived, first_response_at=arrived,
                                   solved_at=arrived + timedelta(minutes=8)))
    set_availability(session, agent_id=agent_id, ranges=[(0, 8 * 60, 14 * 60)])
    set_availability(session, agent_id=other_agent_id, ranges=[(0, 9 * 60, 17 * 60)])
    set_max_hours(session, agent_id=other_agent_id, hours=4)
    return monday


def _planner(qtbot, panel):  # noqa: ANN001, ANN202
    qtbot.mouseClick(panel.plan_button, Qt.MouseButton.LeftButton)
    from desk.ui.stats.rota_planner import RotaPlanner

    dialog = panel.findChild(RotaPlanner)
    qtbot.waitUntil(lambda: dialog is not None and dialog.data is not None, timeout=20000)
    return dialog


def test_suggest_edit_publish_and_export(qtbot, store, session, requester_id, agent_id, other_agent_id,  # noqa: ANN001
                                         tmp_path, unwritable_folder) -> None:
    monday = _desk(session, requester_id, agent_id, other_agent_id)
    with shown_stats_panel(qtbot, store) as panel:
        _plan_and_export(qtbot, store, panel, monday, other_agent_id, tmp_path, unwritable=unwritable_folder)


def _plan_and_export(qtbot, store, panel, monday: date, other_agent_id: int, tmp_path,  # noqa: ANN001
                     unwritable: Path | None = None) -> None:
    dialog = _planner(qtbot, panel)
    dialog.first_day.setDate(QDate(monday.year, monday.month, monday.day))
    qtbot.waitUntil(lambda: dialog.data is not None and dialog.data.weeks.monday == monday, timeout=20000)
    assert dialog.grid.rowCount() == 2 + 4  # two workers, then required, scheduled, difference, signed in
    with qtbot.wait_signal(dialog.saved, timeout=30000):
        qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    assert dialog.suggestion is not None and dialog.suggestion.shortfall == 0
    assert "Every interval meets the requirement" in dialog.summary.text()
    with store.session() as s:
        planned = s.scalars(select(PlannedShift)).all()
        assert planned and all(p.draft for p in planned)
        assert sum((p.ends_at - p.starts_at).total_seconds() for p in planned if p.agent_id == other_agent_id) <= 4 * 3600
    # keyboard: select an empty available cell of the first worker and press Space
    columns = dialog._columns()
    empty = next(c for c, i in enumerate(columns)
                 if dialog.grid.item(0, c).text() == "" and dialog._available(dialog.data.workers[0], 0, i))
    dialog.grid.setFocus()
    dialog.grid.setCurrentCell(0, empty)
    with qtbot.wait_signal(dialog.saved, timeout=10000):
        qtbot.keyClick(dialog.grid, Qt.Key.Key_Space)
    assert dialog.grid.item(0, empty).text() == "●"
    # mouse: click it again to take it back
    rect = dialog.grid.visualItemRect(dialog.grid.item(0, empty))
    with qtbot.wait_signal(dialog.saved, timeout=10000):
        qtbot.mouseClick(dialog.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.grid.item(0, empty).text() == ""
    # the required row is the requirement, the difference row scheduled − required
    base = len(dialog.data.workers)
    for c in range(len(columns)):
        required, scheduled, difference = (int(dialog.grid.item(base + k, c).text()) for k in range(3))
        assert difference == scheduled - required
    qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "now the rota" in dialog.summary.text(), timeout=10000)
    with store.session() as s:
        assert not any(p.draft for p in s.scalars(select(PlannedShift)))
    # exports
    with qtbot.wait_signal(dialog.saved, timeout=10000):
        dialog.export_csv(tmp_path / "rota.csv")
    assert (tmp_path / "rota.csv").read_text(encoding="utf-8").startswith("agent,date,start,end")
    with qtbot.wait_signal(dialog.saved, timeout=10000):
        dialog.export_icalendar(tmp_path)
    calendars = sorted(tmp_path.glob("*.ics"))
    assert calendars and all(Calendar.from_ical(p.read_bytes()).walk("VEVENT") for p in calendars)
    with qtbot.wait_signal(dialog.saved, timeout=10000):
        dialog.export_pdf(tmp_path / "rota.pdf")
    assert (tmp_path / "rota.pdf").read_bytes().startswith(b"%PDF")
    if unwritable is not None:  # a folder it may not write in: a message naming the file, each time
        from tests.ui.test_export_errors import error_box

        for export, target in ((dialog.export_csv, unwritable / "rota.csv"), (dialog.export_pdf, unwritable / "rota.pdf"),
                               (dialog.export_icalendar, unwritable)):
            export(target)
            text = error_box(qtbot, dialog)
            assert "permission denied" in text and str(unwritable) in text, text
        assert not list(unwritable.glob("rota*")) and not list(unwritable.glob("*.ics"))
    dialog.close()


def test_shrinkage_setting_and_walk_aways_per_level(qtbot, store, session, requester_id, agent_id,  # noqa: ANN001
                                                    other_agent_id) -> None:
    from datetime import datetime

    from desk.core.db import unit_of_work
    from desk.core.settings import get_setting
    from desk.core.stats.staffing_intervals import SHRINKAGE_KEY

    monday = _desk(session, requester_id, agent_id, other_agent_id)
    with unit_of_work(session):  # walk-aways, so that a patience is known (Erlang A)
        base = datetime.combine(monday - timedelta(weeks=1), datetime.min.time()).replace(hour=10)
        for minute in range(0, 60, 10):
            arrived = base + timedelta(minutes=minute)
            session.add(Ticket(subject="left", requester_id=requester_id, channel="walk-in", arrived_at=arrived,
                               created_at=arrived, status="closed", left_at=arrived + timedelta(minutes=20)))
    with shown_stats_panel(qtbot, store) as panel:
        dialog = _planner(qtbot, panel)
        dialog.first_day.setDate(QDate(monday.year, monday.month, monday.day))
        qtbot.waitUntil(lambda: dialog.data is not None and dialog.data.weeks.monday == monday, timeout=20000)
        assert dialog.data.table.patience_seconds is not None
        before = dialog.data.table.required_shrunk.sum()
        dialog.shrinkage.setFocus()
        dialog.shrinkage.selectAll()
        qtbot.keyClicks(dialog.shrinkage, "50")
        with qtbot.wait_signal(dialog.loaded, timeout=20000):
            qtbot.keyClick(dialog.shrinkage, Qt.Key.Key_Return)
        assert float(get_setting(session, SHRINKAGE_KEY)) == 0.5
        assert dialog.data.table.required_shrunk.sum() >= before
        assert "50%" in dialog.summary.text()
        columns = dialog._columns()
        ten = next(c for c, i in enumerate(columns) if i == 20)  # Monday 10:00–10:30
        dialog.grid.setCurrentCell(len(dialog.data.workers), ten)
        assert "walk away" in dialog.levels.text() and "in time" in dialog.levels.text()
        dialog.close()
