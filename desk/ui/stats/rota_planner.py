"""Stats → Staffing → Plan: the rota of the coming week(s) against the requirement.

Each planned week is its own dated grid (tabs "Week of …"): an edit is saved for that week only,
so the weeks may differ. One day at a time (tabs Monday … Sunday): a row per student worker, a
column per interval; a filled cell is the worker on shift. Below, the required agents (Erlang A, or C without a known
patience, with shrinkage), the scheduled ones, the difference, and who actually signed in (the
shift log) for weeks that have begun. Space or a click toggles a cell (only inside the worker's
availability); "Suggest" fills the shown week with the least-hours draft (``desk.core.staffing.rota``);
every change is saved as that week's draft at once (one operation each), and "Publish" makes the
draft of every planned week the rota. "Workers…" edits availability and maximum hours.
Export: CSV, one iCalendar per worker, and a PDF to print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTabBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core import files
from desk.core.changes import Changes
from desk.core.i18n import _, ngettext
from desk.core.ops.rota import publish_plan, replace_plan
from desk.core.settings import desk_timezone, set_setting
from desk.core.staffing.intervals import IntervalTable, walk_away_by_level
from desk.core.staffing.planning import PlanWeeks, plan_weeks, requirement, suggest_for
from desk.core.staffing.rota import RotaSuggestion, ShiftSlot, Worker
from desk.core.staffing.rota_store import (
    local_moment,
    planned_rows,
    rota_csv,
    rota_icalendars,
    shift_times,
    workers,
)
from desk.core.stats.staffing_intervals import SHRINKAGE_KEY, planned_agents
from desk.ui import theme
from desk.ui.errors import show_error
from desk.ui.stats.saving import ask_save_path
from desk.ui.tasks import Tasks
from desk.ui.widgets import button

SUMMARY_ROWS = 4  # required, scheduled, difference, signed in


@dataclass
class Loaded:
    weeks: PlanWeeks
    workers: list[Worker]
    table: IntervalTable
    on: dict[tuple[int, int, int], set[int]]  # (week, agent, weekday) → intervals on shift
    actual: list[np.ndarray]  # per planned week: signed in per weekday × interval

    def week_on(self, week: int) -> dict[tuple[int, int], set[int]]:
        """(agent, weekday) → intervals on shift in planned week ``week`` (0 = the first)."""
        return {(agent, day): cells for (w, agent, day), cells in self.on.items() if w == week}


def _load(session, *, first_day: date, weeks: int, interval: int) -> Loaded:  # noqa: ANN001
    span = plan_weeks(session, first_day=first_day, weeks=weeks)
    _demand, table = requirement(session, weeks=span, interval_minutes=interval)
    zone = desk_timezone(session)
    on: dict[tuple[int, int, int], set[int]] = {}
    for row in planned_rows(session, start=span.start, end=span.end, zone=zone):
        local = row.starts_at
        week = (local.date() - span.monday).days // 7
        first = (local.hour * 60 + local.minute) // interval
        length = int((row.ends_at - row.starts_at).total_seconds() // 60 // interval)
        on.setdefault((week, row.agent_id, local.weekday()), set()).update(range(first, first + length))
    actual = [planned_agents(session, week_start=int(local_moment(span.monday + timedelta(weeks=w), 0, zone)
                                                      .timestamp()), interval_minutes=interval, table="shifts")
              for w in range(span.weeks)]
    return Loaded(span, workers(session), table, on, actual)


def shifts_of(on: dict[tuple[int, int], set[int]], interval: int) -> list[ShiftSlot]:
    """Contiguous runs of filled cells as shifts (a worker may have more than one a day)."""
    found = []
    for (agent, weekday), cells in on.items():
        run: list[int] = []
        for cell in sorted(cells) + [None]:  # type: ignore[list-item]
            if run and (cell is None or cell != run[-1] + 1):
                found.append(ShiftSlot(agent, weekday, run[0] * interval, (run[-1] + 1) * interval))
                run = []
            if cell is not None:
                run.append(cell)
    return sorted(found)


class RotaPlanner(QDialog):
    loaded = Signal()  # the grid shows the store's plan (tests wait on it)
    saved = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.data: Loaded | None = None
        self._shown: range | None = None
        self.suggestion: RotaSuggestion | None = None
        self.setWindowTitle(_("Plan the rota"))
        self.setAccessibleName(_("Rota planner"))
        today = date.today()
        next_monday = today + timedelta(days=7 - today.weekday())
        self.first_day = QDateEdit(QDate(next_monday.year, next_monday.month, next_monday.day), self)
        self.first_day.setCalendarPopup(True)
        self.first_day.setAccessibleName(_("First week"))
        self.first_day.setToolTip(_("The week to plan (any day of it; weeks start on Monday)"))
        self.weeks = QSpinBox(self)
        self.weeks.setRange(1, 8)
        self.weeks.setAccessibleName(_("Weeks"))
        self.weeks.setToolTip(_("How many weeks to plan, from the chosen one: each week is its own grid"))
        self.interval = QComboBox(self)
        self.interval.setAccessibleName(_("Interval"))
        self.interval.setToolTip(_("Length of each interval of the day"))
        for minutes in (30, 60):
            self.interval.addItem(ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes), minutes)
        self.shrinkage = QSpinBox(self)
        self.shrinkage.setRange(0, 90)
        self.shrinkage.setSuffix("%")
        self.shrinkage.setAccessibleName(_("Shrinkage"))
        self.shrinkage.setToolTip(_("Share of scheduled time away from the desk (breaks, back-office work): "
                                    "the rota schedules required ÷ (1 − shrinkage)"))
        self.levels = QLabel("", self)
        self.levels.setAccessibleName(_("Walk-aways by staffing level"))
        self.levels.setToolTip(_("For the chosen interval: with each number of agents, the share predicted "
                                 "to walk away and to be served in time (Erlang A)"))
        self.levels.setWordWrap(True)
        self.week_tabs = QTabBar(self)
        self.week_tabs.setAccessibleName(_("Planned week"))
        self.week_tabs.setToolTip(_("The week shown: edits and Suggest change this week only"))
        self.days = QTabBar(self)
        self.days.setAccessibleName(_("Day"))
        locale = QLocale()
        for weekday in range(7):
            self.days.addTab(locale.dayName(weekday + 1, QLocale.FormatType.LongFormat))
        self.grid = QTableWidget(self)
        self.grid.setAccessibleName(_("Rota grid"))
        self.grid.setToolTip(_("A filled cell: the worker is on shift. Space or a click toggles it."))
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.summary = QLabel("", self)
        self.summary.setAccessibleName(_("Plan summary"))
        self.summary.setWordWrap(True)
        self.suggest_button = button(_("&Suggest"),
                                     _("Fill the shown week's draft so it meets the target at the least hours"),
                                     self, name=_("Suggest"), slot=self.suggest)
        self.publish_button = button(_("&Publish"), _("Make the draft the rota"), self, name=_("Publish"),
                                     slot=self.publish)
        csv_button = button(_("CSV…"), _("Save the planned shifts as CSV"), self, name=_("Export CSV"),
                            slot=self.export_csv)
        ics_button = button(_("iCalendar…"), _("Save one calendar (.ics) per worker into a folder"), self,
                            name=_("Export iCalendar"), slot=self.export_icalendar)
        pdf_button = button(_("PDF…"), _("Save the rota as a PDF to print"), self, name=_("Export PDF"),
                            slot=self.export_pdf)
        controls = QHBoxLayout()
        for label, widget in ((_("&Week of:"), self.first_day), (_("W&eeks:"), self.weeks),
                              (_("&Interval:"), self.interval), (_("S&hrinkage:"), self.shrinkage)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            controls.addWidget(caption)
            controls.addWidget(widget)
        controls.addStretch(1)
        workers_button = button(_("&Workers…"), _("Availability and maximum hours of each student worker"),
                                self, name=_("Edit workers"), slot=self.edit_workers)
        for widget in (workers_button, self.suggest_button, self.publish_button, csv_button, ics_button, pdf_button):
            controls.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.week_tabs)
        layout.addWidget(self.days)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.levels)
        self.resize(1100, 640)
        self.first_day.dateChanged.connect(lambda _d: self.reload())
        self.weeks.valueChanged.connect(lambda _n: self.reload())
        self.interval.currentIndexChanged.connect(lambda _i: self.reload())
        self.days.currentChanged.connect(lambda _i: self._fill())
        self.week_tabs.currentChanged.connect(lambda _i: self._fill())
        self.shrinkage.editingFinished.connect(self._save_shrinkage)
        self.grid.currentCellChanged.connect(lambda _r, column, _pr, _pc: self._show_levels(column))
        self.grid.cellClicked.connect(lambda row, column: self.toggle([(row, column)]))
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self.grid)
        space.setContext(Qt.ShortcutContext.WidgetShortcut)
        space.setWhatsThis(_("Toggle the selected cells of the rota grid"))
        space.activated.connect(lambda: self.toggle([(i.row(), i.column()) for i in self.grid.selectedIndexes()]))
        self.reload()

    # -- loading -------------------------------------------------------------------------------
    def chosen_day(self) -> date:
        value = self.first_day.date()
        return date(value.year(), value.month(), value.day())

    def interval_minutes(self) -> int:
        return int(self.interval.currentData())

    def reload(self) -> None:
        first, weeks, interval = self.chosen_day(), self.weeks.value(), self.interval_minutes()
        self.tasks.db(lambda s: _load(s, first_day=first, weeks=weeks, interval=interval),
                      on_done=self._loaded, on_error=lambda exc: show_error(self, exc), owner=self)

    def _loaded(self, data: Loaded) -> None:
        self.data = data
        self._shown = None
        self._set_week_tabs(data.weeks)
        self.shrinkage.blockSignals(True)
        self.shrinkage.setValue(round(data.table.shrinkage * 100))
        self.shrinkage.blockSignals(False)
        self._fill()
        self.loaded.emit()

    def _set_week_tabs(self, weeks: PlanWeeks) -> None:
        """One tab per planned week, named by its Monday's date (kept where it was if it still exists)."""
        keep = self.week_tabs.currentIndex()
        self.week_tabs.blockSignals(True)
        while self.week_tabs.count():
            self.week_tabs.removeTab(0)
        locale = QLocale()
        for week in range(weeks.weeks):
            monday = weeks.monday + timedelta(weeks=week)
            self.week_tabs.addTab(_("Week of {date}").format(
                date=locale.toString(QDate(monday.year, monday.month, monday.day), QLocale.FormatType.ShortFormat)))
        self.week_tabs.setCurrentIndex(min(max(keep, 0), weeks.weeks - 1))
        self.week_tabs.blockSignals(False)

    def week(self) -> int:
        """The planned week shown (0 = the first)."""
        return max(self.week_tabs.currentIndex(), 0)

    def _columns(self) -> range:
        """The intervals shown, fixed from a load or a suggestion on (so cells stay put while edited)."""
        if self._shown is None:
            self._shown = self._wanted_columns()
        return self._shown

    def _wanted_columns(self) -> range:
        """The intervals shown: from the first to the last one anyone is needed or planned (the
        workers' availability when nothing is needed yet), an hour either side."""
        assert self.data is not None
        interval = self.interval_minutes()
        used = [i for i in range(1440 // interval) if self.data.table.required_shrunk[:, i].any()]
        used += [i for cells in self.data.on.values() for i in cells]
        if not used:
            for worker in self.data.workers:
                for _day, start, end in worker.availability:
                    used += [start // interval, max(end // interval - 1, 0)]
        if used:
            margin = 60 // interval
            return range(max(min(used) - margin, 0), min(max(used) + margin, 1440 // interval - 1) + 1)
        return range(8 * 60 // interval, 20 * 60 // interval)

    def _fill(self) -> None:
        if self.data is None:
            return
        data, day, interval = self.data, self.days.currentIndex(), self.interval_minutes()
        columns, on, actual = self._columns(), data.week_on(self.week()), data.actual[self.week()]
        self.grid.clear()
        self.grid.setRowCount(len(data.workers) + SUMMARY_ROWS)
        self.grid.setColumnCount(len(columns))
        locale = QLocale()
        self.grid.setHorizontalHeaderLabels([
            locale.toString(QDate(2000, 1, 1).startOfDay().time().addSecs(i * interval * 60),
                            QLocale.FormatType.ShortFormat) for i in columns])
        hours = self._hours()
        names = [f"{w.name} ({hours.get(w.agent_id, 0):g}"
                 + (f"/{w.max_hours:g} h)" if w.max_hours is not None else " h)") for w in data.workers]
        names += [_("Required"), _("Scheduled"), _("Difference"), _("Signed in")]
        self.grid.setVerticalHeaderLabels(names)
        scheduled = self._scheduled()
        on_colour = QBrush(theme.tint(theme.BLUE, 0.55))
        off_colour = QBrush(theme.tint(theme.GREY, 0.35))
        for row, worker in enumerate(data.workers):
            cells = on.get((worker.agent_id, day), set())
            for column, i in enumerate(columns):
                item = QTableWidgetItem("●" if i in cells else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if i in cells:
                    item.setBackground(on_colour)
                elif not self._available(worker, day, i):
                    item.setBackground(off_colour)
                    item.setToolTip(_("{name} is not available then").format(name=worker.name))
                self.grid.setItem(row, column, item)
        base = len(data.workers)
        required = data.table.required_shrunk[day]
        for column, i in enumerate(columns):
            values = (int(required[i]), int(scheduled[day, i]), int(scheduled[day, i] - required[i]),
                      f"{actual[day, i]:.1f}".rstrip("0").rstrip("."))
            for offset, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if offset == 2 and int(value) < 0:  # type: ignore[arg-type]
                    item.setForeground(QBrush(QColor(theme.error_css())))
                self.grid.setItem(base + offset, column, item)
        self.grid.resizeColumnsToContents()
        self._say_summary(scheduled)

    def _available(self, worker: Worker, day: int, i: int) -> bool:
        interval = self.interval_minutes()
        return any(d == day and s <= i * interval and (i + 1) * interval <= e for d, s, e in worker.availability)

    def _hours(self) -> dict[int, float]:
        assert self.data is not None
        shifts = shifts_of(self.data.week_on(self.week()), self.interval_minutes())
        return {agent: sum(s.hours for s in shifts if s.agent_id == agent)
                for agent in {w.agent_id for w in self.data.workers}}

    def _scheduled(self) -> np.ndarray:
        assert self.data is not None
        grid = np.zeros((7, 1440 // self.interval_minutes()), dtype=np.int64)
        for (_agent, day), cells in self.data.week_on(self.week()).items():
            for i in cells:
                grid[day, i] += 1
        return grid

    def _say_summary(self, scheduled: np.ndarray) -> None:
        assert self.data is not None
        table = self.data.table
        short = int(np.maximum(table.required_shrunk - scheduled, 0).sum())
        hours = sum(self._hours().values())
        model = _("Erlang A, patience {minutes:.0f} min").format(minutes=table.patience_seconds / 60) \
            if table.patience_seconds else _("Erlang C (too few walk-aways to estimate patience)")
        text = _("{hours:g} hours a week planned; target {level:.0%} {within}; {model}; shrinkage {shrinkage:.0%}.").format(
            hours=hours, level=table.target.level, within=table.target.within_text, model=model,
            shrinkage=table.shrinkage)
        text += " " + (ngettext("{n} interval-agent short.", "{n} interval-agents short.", short).format(n=short)
                       if short else _("Every interval meets the requirement."))
        if self.suggestion is not None:
            text += " " + _("Suggestion: {status}, at most {gap:g} h above the least possible.").format(
                status=self.suggestion.status, gap=max(self.suggestion.hours - self.suggestion.lower_bound_hours, 0))
        self.summary.setText(text)

    def _save_shrinkage(self) -> None:
        if self.data is None or round(self.data.table.shrinkage * 100) == self.shrinkage.value():
            return
        value = str(self.shrinkage.value() / 100)
        self.tasks.op(lambda s: set_setting(s, key=SHRINKAGE_KEY, value=value), initiator=self,
                      on_done=lambda _c: self.reload(), on_error=lambda exc: show_error(self, exc))

    def _show_levels(self, column: int) -> None:
        """Erlang A's walk-away share and service level per staffing level for one interval."""
        if self.data is None or column < 0 or column >= len(self._columns()):
            return
        table, day, i = self.data.table, self.days.currentIndex(), self._columns()[column]
        rate = float(table.arrivals_per_hour[day, i])
        if table.patience_seconds is None or rate <= 0:
            self.levels.setText("")
            return
        needed = int(table.required[day, i])
        rows = walk_away_by_level(arrivals_per_hour=rate, handle_seconds=table.handle_seconds,
                                  patience_seconds=table.patience_seconds, target_seconds=table.target.seconds,
                                  agents=range(max(needed - 2, 1), needed + 3))
        when = self.grid.horizontalHeaderItem(column).text()
        parts = [_("{n} → {away:.0%} walk away, {served:.0%} in time").format(n=n, away=away, served=served)
                 for n, away, served in rows]
        self.levels.setText(_("At {when} ({rate:.1f} arrivals an hour): {levels}.").format(
            when=when, rate=rate, levels="; ".join(parts)))

    def edit_workers(self) -> QDialog:
        """Workers…: availability and maximum hours; the grid reloads after each save."""
        from desk.ui.stats.rota_workers import WorkersDialog

        dialog = WorkersDialog(self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.reload)
        dialog.open()
        return dialog

    # -- editing -------------------------------------------------------------------------------
    def toggle(self, cells: list[tuple[int, int]]) -> None:
        if self.data is None:
            return
        day, columns, week = self.days.currentIndex(), self._columns(), self.week()
        changed = False
        for row, column in cells:
            if row >= len(self.data.workers) or column >= len(columns):
                continue  # the summary rows are not edited
            worker, i = self.data.workers[row], columns[column]
            on = self.data.on.setdefault((week, worker.agent_id, day), set())
            if i in on:
                on.discard(i)
                changed = True
            elif self._available(worker, day, i):
                on.add(i)
                changed = True
        if changed:
            self._fill()
            self.save()

    def suggest(self) -> None:
        if self.data is None:
            return
        data = self.data
        self.suggest_button.setEnabled(False)

        def work(session):  # noqa: ANN001, ANN202
            return suggest_for(session, weeks=data.weeks, table=data.table)

        self.tasks.db(work, on_done=self._suggested, on_error=self._suggest_failed, owner=self)

    def _suggest_failed(self, exc: BaseException) -> None:
        self.suggest_button.setEnabled(True)
        show_error(self, exc)

    def _suggested(self, result: tuple[RotaSuggestion, list]) -> None:
        self.suggest_button.setEnabled(True)
        assert self.data is not None
        self.suggestion = result[0]
        self._shown = None
        interval, week = self.interval_minutes(), self.week()
        self.data.on = {key: cells for key, cells in self.data.on.items() if key[0] != week}
        for shift in self.suggestion.shifts:
            self.data.on.setdefault((week, shift.agent_id, shift.weekday), set()).update(
                range(shift.start_minute // interval, shift.end_minute // interval))
        self._fill()
        self.save()

    def save(self) -> None:
        """Save the shown week's grid as that week's draft (one operation); other weeks are kept."""
        assert self.data is not None
        week, interval = self.week(), self.interval_minutes()
        monday = self.data.weeks.monday + timedelta(weeks=week)
        shifts = shifts_of(self.data.week_on(week), interval)

        def work(session) -> Changes:  # noqa: ANN001
            zone = desk_timezone(session)
            planned = [(s.agent_id, *shift_times(s, monday, zone)) for s in shifts]
            return replace_plan(session, start=local_moment(monday, 0, zone),
                                end=local_moment(monday + timedelta(weeks=1), 0, zone), shifts=planned)

        self.tasks.op(work, initiator=self, on_done=lambda _c: self.saved.emit(),
                      on_error=lambda exc: show_error(self, exc))

    def publish(self) -> None:
        assert self.data is not None
        weeks = self.data.weeks
        self.tasks.op(lambda s: publish_plan(s, start=weeks.start, end=weeks.end), initiator=self,
                      on_done=lambda _c: self.summary.setText(_("The draft is now the rota.")),
                      on_error=lambda exc: show_error(self, exc))

    # -- export --------------------------------------------------------------------------------
    def _rows(self, then) -> None:  # noqa: ANN001
        assert self.data is not None
        weeks = self.data.weeks
        self.tasks.db(lambda s: planned_rows(s, start=weeks.start, end=weeks.end, zone=desk_timezone(s)),
                      on_done=then, on_error=lambda exc: show_error(self, exc), owner=self)

    def _stem(self) -> str:
        return _("Rota {day}").format(day=self.chosen_day().isoformat())

    def export_csv(self, path: Path | None = None) -> None:
        path = path or ask_save_path(self, caption=_("Save the rota as CSV"), stem=self._stem(), suffix="csv",
                                     kind="CSV")
        if path is not None:
            self._rows(lambda rows: self._write(path, rota_csv(rows).encode("utf-8")))

    def export_icalendar(self, folder: Path | None = None) -> None:
        folder = folder or Path(QFileDialog.getExistingDirectory(self, _("Folder for the calendars")) or ".")
        if not str(folder) or folder == Path("."):
            return
        assert self.data is not None
        names = {w.agent_id: w.name for w in self.data.workers}

        def write(rows: list) -> None:
            calendars = rota_icalendars(rows, desk_name=_("Desk"), summary=_("Desk shift"))
            for agent, payload in calendars.items():
                safe = "".join(c for c in names.get(agent, str(agent)) if c.isalnum() or c in " -_").strip()
                if not self._write(folder / f"{safe or agent}.ics", payload, announce=False):
                    return  # one message for the folder, not one per worker
            self.saved.emit()

        self._rows(write)

    def export_pdf(self, path: Path | None = None) -> None:
        path = path or ask_save_path(self, caption=_("Save the rota as PDF"), stem=self._stem(), suffix="pdf",
                                     kind="PDF")
        if path is not None:
            self._rows(lambda rows: self._pdf(path, rows))

    def _pdf(self, path: Path, rows: list) -> None:
        locale = QLocale()
        lines = [f"<h2>{_('Rota')}</h2><table border='1' cellpadding='4' cellspacing='0'>",
                 f"<tr><th>{_('Day')}</th><th>{_('Worker')}</th><th>{_('From')}</th><th>{_('To')}</th></tr>"]
        for row in rows:
            day = QDate(row.starts_at.year, row.starts_at.month, row.starts_at.day)
            lines.append(f"<tr><td>{locale.toString(day, QLocale.FormatType.LongFormat)}</td><td>{row.name}</td>"
                         f"<td>{row.starts_at:%H:%M}</td><td>{row.ends_at:%H:%M}</td></tr>")
        lines.append("</table>")
        document = QTextDocument()
        document.setHtml("".join(lines))
        try:
            with files.atomic_path(path, what=_("PDF")) as temporary:
                writer = QPdfWriter(str(temporary))
                writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                                 writer.pageLayout().margins()))
                document.print_(writer)
                del writer
        except Exception as exc:  # noqa: BLE001 - shown, never swallowed
            show_error(self, exc)
            return
        self.saved.emit()

    def _write(self, path: Path, payload: bytes, *, announce: bool = True) -> bool:
        try:
            files.write_bytes(path, payload, what=_("export"))
        except Exception as exc:  # noqa: BLE001 - shown, never swallowed
            show_error(self, exc)
            return False
        if announce:
            self.saved.emit()
        return True
