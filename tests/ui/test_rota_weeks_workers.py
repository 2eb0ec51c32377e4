"""The rota planner plans each dated week on its own (an edit of one week keeps the others) and
edits workers' availability and maximum hours in the window, found by accessible names."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)
from sqlalchemy import select

from desk.core.models_rota import AgentAvailability, AgentLimit, PlannedShift
from tests.ui.conftest import shown_stats_panel
from tests.ui.test_rota_planner import _desk, _planner


def by_name(root: QWidget, kind: type, name: str):  # noqa: ANN205
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    assert len(found) == 1, name
    return found[0]


def _weeks_of(store) -> dict[date, list[tuple[int, str, str]]]:  # noqa: ANN001
    """Planned shifts by the Monday of their (UTC = desk) week: (agent, start, end)."""
    with store.session() as s:
        rows = s.scalars(select(PlannedShift).order_by(PlannedShift.starts_at)).all()
        found: dict[date, list[tuple[int, str, str]]] = {}
        for row in rows:
            day = row.starts_at.date()
            found.setdefault(day - timedelta(days=day.weekday()), []).append(
                (row.agent_id, f"{row.starts_at:%a %H:%M}", f"{row.ends_at:%H:%M}"))
        return found


def test_each_planned_week_keeps_its_own_edits_and_exports_its_dates(  # noqa: PLR0913
        qtbot, store, session, requester_id, agent_id, other_agent_id, tmp_path) -> None:  # noqa: ANN001
    monday = _desk(session, requester_id, agent_id, other_agent_id)
    second = monday + timedelta(weeks=1)
    with shown_stats_panel(qtbot, store) as panel:
        dialog = _planner(qtbot, panel)
        dialog.first_day.setDate(QDate(monday.year, monday.month, monday.day))
        qtbot.waitUntil(lambda: dialog.data is not None and dialog.data.weeks.monday == monday, timeout=20000)
        with qtbot.wait_signal(dialog.loaded, timeout=20000):
            dialog.weeks.setValue(2)
        weeks = by_name(dialog, type(dialog.week_tabs), "Planned week")
        assert weeks.count() == 2 and weeks.currentIndex() == 0
        with qtbot.wait_signal(dialog.saved, timeout=30000):
            qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
        first_plan = _weeks_of(store)
        assert list(first_plan) == [monday]  # Suggest filled the week shown, the second is still empty
        # the second week: one cell by keyboard, saved for that week only
        weeks.setCurrentIndex(1)
        assert all(dialog.grid.item(r, c).text() == "" for r in range(2) for c in range(dialog.grid.columnCount()))
        columns = dialog._columns()
        cell = next(c for c, i in enumerate(columns) if dialog._available(dialog.data.workers[0], 0, i))
        dialog.grid.setFocus()
        dialog.grid.setCurrentCell(0, cell)
        with qtbot.wait_signal(dialog.saved, timeout=10000):
            qtbot.keyClick(dialog.grid, Qt.Key.Key_Space)
        plan = _weeks_of(store)
        assert plan[monday] == first_plan[monday]  # the first week's suggestion is untouched
        minute = columns[cell] * 30
        worker = dialog.data.workers[0].agent_id
        assert plan[second] == [(worker, f"Mon {minute // 60:02d}:{minute % 60:02d}",
                                 f"{(minute + 30) // 60:02d}:{(minute + 30) % 60:02d}")]
        # editing the first week again does not bring the second week's grid back to the pattern
        weeks.setCurrentIndex(0)
        filled = next(c for c in range(dialog.grid.columnCount()) if dialog.grid.item(0, c).text() == "●")
        dialog.grid.setCurrentCell(0, filled)
        with qtbot.wait_signal(dialog.saved, timeout=10000):
            qtbot.keyClick(dialog.grid, Qt.Key.Key_Space)
        assert _weeks_of(store)[second] == plan[second]
        assert len(_weeks_of(store)[monday]) >= 1
        # a reload shows each week's own grid
        with qtbot.wait_signal(dialog.loaded, timeout=20000):
            dialog.reload()
        weeks.setCurrentIndex(1)
        assert [dialog.grid.item(0, c).text() for c in range(dialog.grid.columnCount())].count("●") == 1
        # exports: one line / event per dated shift, the second week's on its own date
        with qtbot.wait_signal(dialog.saved, timeout=10000):
            dialog.export_csv(tmp_path / "rota.csv")
        lines = (tmp_path / "rota.csv").read_text(encoding="utf-8").splitlines()[1:]
        assert sum(second.isoformat() in line for line in lines) == 1
        assert len(lines) == sum(len(shifts) for shifts in _weeks_of(store).values())
        with qtbot.wait_signal(dialog.saved, timeout=10000):
            dialog.export_icalendar(tmp_path)
        starts = [event.decoded("dtstart").date() for path in tmp_path.glob("*.ics")
                  for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]
        assert starts.count(second) == 1 and len(starts) == len(lines)
        dialog.close()


def test_workers_availability_and_maximum_hours_are_edited_in_the_window(
        qtbot, store, session, requester_id, agent_id, other_agent_id) -> None:  # noqa: ANN001
    monday = _desk(session, requester_id, agent_id, other_agent_id)
    with shown_stats_panel(qtbot, store) as panel:
        planner = _planner(qtbot, panel)
        planner.first_day.setDate(QDate(monday.year, monday.month, monday.day))
        qtbot.waitUntil(lambda: planner.data is not None and planner.data.weeks.monday == monday, timeout=20000)
        assert len(planner.data.workers) == 2
        qtbot.mouseClick(by_name(planner, QPushButton, "Edit workers"), Qt.MouseButton.LeftButton)
        from desk.ui.stats.rota_workers import WorkersDialog

        dialog = planner.findChild(WorkersDialog)
        qtbot.waitUntil(lambda: dialog is not None and bool(dialog.settings), timeout=20000)
        worker = by_name(dialog, QComboBox, "Worker")
        names = [worker.itemText(i) for i in range(worker.count())]
        assert len(names) >= 2  # every active agent, with or without an availability yet
        worker.setCurrentIndex(worker.findData(other_agent_id))
        assert by_name(dialog, QLineEdit, "Availability on Monday").text() == "09:00-17:00"
        assert by_name(dialog, QCheckBox, "Limit the hours per week").isChecked()
        assert by_name(dialog, QDoubleSpinBox, "Maximum hours per week").value() == 4
        # Tuesday gets two ranges typed as a person would; the limit goes up to 6.5 h
        tuesday = by_name(dialog, QLineEdit, "Availability on Tuesday")
        tuesday.setFocus()
        qtbot.keyClicks(tuesday, "13:00-15:00, 09:00-12:00")
        hours = by_name(dialog, QDoubleSpinBox, "Maximum hours per week")
        hours.setFocus()
        hours.selectAll()
        qtbot.keyClicks(hours, "6.5")
        with qtbot.wait_signal(planner.loaded, timeout=20000):  # the planner reloads after the save
            qtbot.mouseClick(by_name(dialog, QPushButton, "Save worker"), Qt.MouseButton.LeftButton)
        with store.session() as s:
            spans = sorted((r.weekday, r.start_minute, r.end_minute) for r in s.scalars(
                select(AgentAvailability).where(AgentAvailability.agent_id == other_agent_id)))
            assert spans == [(0, 540, 1020), (1, 540, 720), (1, 780, 900)]
            assert s.get(AgentLimit, other_agent_id).max_hours_per_week == 6.5
        assert "Saved" in by_name(dialog, QWidget, "Workers status").text()
        other = next(w for w in planner.data.workers if w.agent_id == other_agent_id)
        assert other.max_hours == 6.5 and (1, 540, 720) in other.availability
        # no limit: unticked, saved as none
        qtbot.waitUntil(lambda: worker.currentData() == other_agent_id and bool(dialog.settings), timeout=20000)
        qtbot.mouseClick(by_name(dialog, QCheckBox, "Limit the hours per week"), Qt.MouseButton.LeftButton)
        assert not hours.isEnabled()
        with qtbot.wait_signal(dialog.saved, timeout=20000):
            qtbot.mouseClick(by_name(dialog, QPushButton, "Save worker"), Qt.MouseButton.LeftButton)
        with store.session() as s:
            assert s.get(AgentLimit, other_agent_id).max_hours_per_week is None
        # a range that ends before it starts is refused with a message, nothing saved
        qtbot.waitUntil(lambda: bool(dialog.settings), timeout=20000)
        tuesday.selectAll()
        qtbot.keyClicks(tuesday, "15:00-13:00")
        qtbot.mouseClick(by_name(dialog, QPushButton, "Save worker"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any(box.objectName() == "errorBox" and box.isVisible()
                                    for box in dialog.findChildren(QMessageBox)), timeout=10000)
        box = next(box for box in dialog.findChildren(QMessageBox) if box.objectName() == "errorBox")
        assert "HH:MM-HH:MM" in box.text() and "15:00-13:00" in box.text()
        box.close()
        with store.session() as s:
            assert (1, 780, 900) in {(r.weekday, r.start_minute, r.end_minute) for r in s.scalars(
                select(AgentAvailability).where(AgentAvailability.agent_id == other_agent_id))}
        dialog.close()
        planner.close()
