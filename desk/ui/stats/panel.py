"""The Stats tab: date presets and filters on top, summary tiles, charts and tables below.

Every number comes from ``desk.core.stats.compute_stats`` run on the DB worker
(``tasks.db``); a newer request makes older answers stale (a generation counter), so fast
filter changes never paint old numbers (and stops an older computation still rebuilding days).
The first computation over stale day summaries (a big import, an upgrade) shows "Working out N
days of history…" with a bar and Cancel: the worker's ``progress`` reaches the bar by a queued
signal, Cancel sets an event its ``cancel`` reads between months (``desk.core.stats.days``). Charts and tables export to PNG/CSV; the whole report
to XLSX (one sheet per table) and printable HTML.
"""

from __future__ import annotations

import base64
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.core import files
from desk.core.calendar import current_term
from desk.core.i18n import N_, _, ngettext
from desk.core.models import CHANNELS, PERSON_KINDS
from desk.core.queries import choices
from desk.core.settings import desk_timezone, get_setting
from desk.core.staffing import ServiceTarget
from desk.core.staffing.intervals import walk_away_by_level
from desk.core.stats import StatsFilter, StatsReport, compute_stats
from desk.core.stats import export as ex
from desk.core.stats.compute import expected_by_category
from desk.core.stats.days import StatsCancelled
from desk.core.stats.periods import PRESETS, preset_range
from desk.core.vocabulary import word
from desk.ui import theme
from desk.ui.errors import report_errors, show_error
from desk.ui.stats.charts import (
    BarChart,
    Chart,
    ExportCaption,
    HeatmapChart,
    HistogramChart,
    SeriesChart,
    duration_text,
)
from desk.ui.stats.saving import ask_save_path, file_stem, say_saved
from desk.ui.stats.table_box import TableBox

PRESET_LABELS = {"today": N_("Today"), "7 days": N_("Last 7 days"), "30 days": N_("Last 30 days"),
                 "this semester": N_("This semester"), "custom": N_("Custom dates")}
DESK_NAME_KEY = "desk_name"  # written by the set-up assistant, when it has run
DEBOUNCE_MS = 250
AUTO_REFRESH_SECONDS = 1.0  # recompute on every change only while that is this quick


def _load_choices(session) -> dict[str, object]:  # noqa: ANN001 - runs on the DB worker
    return {"categories": choices.categories(session), "locations": choices.locations(session),
            "agents": choices.agents(session), **_load_term(session)}


def _load_term(session) -> dict[str, object]:  # noqa: ANN001 - runs on the DB worker
    """The desk's zone, the configured term containing today there (None: no term), and the
    desk's name for the exports' captions ("" while the set-up has not given one)."""
    zone = desk_timezone(session)
    return {"zone": zone.key, "term": current_term(session, datetime.now(zone).date()),
            "desk": get_setting(session, DESK_NAME_KEY) or ""}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


class StatsPanel(QWidget):
    report_shown = Signal(object)  # StatsReport, after every chart and table shows it
    sla_shown = Signal()  # the SLA attainment and breaches tables are filled
    days_progressed = Signal(int, int, int)  # (generation, days done, days to rebuild), from the DB worker

    def __init__(self, tasks, parent: QWidget | None = None):  # noqa: ANN001 - desk.ui.tasks.Tasks
        super().__init__(parent)
        self.tasks = tasks
        self.report: StatsReport | None = None
        self.expected: list | None = None
        self.zone_name: str | None = None
        self.desk_name = ""
        self.term = None  # desk.core.calendar.Term containing today, once loaded
        self._generation = 0
        self._stale = False
        self._last_seconds = 0.0
        self._cancel: threading.Event | None = None  # set: the computation under way stops between months
        self.days_progressed.connect(self._show_days_progress, Qt.ConnectionType.QueuedConnection)
        self.setAccessibleName(_("Statistics"))
        self.setToolTip(_("Statistics for a period: volume, waits, response and resolution times, CSAT, staffing"))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_controls())
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName(_("Statistics charts and tables"))
        scroll.setToolTip(_("Scroll for more charts and tables"))
        body = QWidget(scroll)
        scroll.setWidget(body)
        self._build_body(body)
        layout.addWidget(scroll, 1)
        self._apply_preset()
        tasks.changes_executed.connect(self._on_changes)
        tasks.db(_load_choices, self._choices_loaded, self._failed, owner=self)

    # -- controls -------------------------------------------------------------------------------
    def _combo(self, name: str, tip: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._schedule)
        return combo

    def _build_controls(self) -> QVBoxLayout:
        self.preset = QComboBox(self)
        self.preset.setAccessibleName(_("Period"))
        self.preset.setToolTip(_("Which days to count (by arrival, in the desk's time zone)"))
        for key in PRESETS:
            self.preset.addItem(_(PRESET_LABELS[key]), key)
        self.preset.setCurrentIndex(PRESETS.index("30 days"))
        self._offer_term(None)
        self.preset.currentIndexChanged.connect(self._apply_preset)
        self.start_edit, self.end_edit = QDateEdit(self), QDateEdit(self)
        for edit, name in ((self.start_edit, N_("From date")), (self.end_edit, N_("To date"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setToolTip(_('{name} (inclusive); editing it switches to custom dates').format(name=_(name)))
            edit.dateChanged.connect(self._dates_edited)
        self.category = self._combo(_("Category filter"), _("Only tickets of this category"), [(_("All categories"), None)])
        self.channel = self._combo(_("Channel filter"), _("Only tickets that came in this way"),
                                   [(_("All channels"), None)] + [(word(c), c) for c in CHANNELS])
        self.kind = self._combo(_("Requester kind filter"), _("Only requests from this kind of person"),
                                [(_("All requesters"), None)] + [(word(k), k) for k in PERSON_KINDS])
        self.agent = self._combo(_("Agent filter"), _("Only tickets assigned to this agent"), [(_("All agents"), None)])
        self.location = self._combo(_("Location filter"), _("Only tickets at this location"), [(_("All locations"), None)])
        self.level = QSpinBox(self)
        self.level.setRange(50, 99)
        self.level.setValue(80)
        self.level.setSuffix(" %")
        # Half minutes: a desk's target may be "within 30 s" (calls) or "within 2.5 min".
        self.minutes = QDoubleSpinBox(self)
        self.minutes.setDecimals(1)
        self.minutes.setRange(0.5, 60)
        self.minutes.setSingleStep(0.5)
        self.minutes.setValue(5)
        self.minutes.setSuffix(_(" min"))
        for box, name, tip in (
            (self.level, _("Service level target"), _("Staffing: share of walk-ins and calls to serve in time")),
            (self.minutes, _("Answer within"), _("Staffing: ... within this many minutes (0.5 = 30 s)")),
        ):
            box.setAccessibleName(name)
            box.setToolTip(tip)
            box.valueChanged.connect(self._schedule)
        self.business_hours = QCheckBox(_("Business hours"), self)
        self.business_hours.setAccessibleName(_("Durations in business hours"))
        self.business_hours.setToolTip(_("Count only the desk's open hours in waits, responses and resolutions "
                                         "(opening hours, holidays and closed days from Settings)"))
        self.business_hours.toggled.connect(self._schedule)
        self.refresh_button = self._push(_("&Refresh"), _("Refresh statistics"), _("Compute again (F5)"), self.refresh)
        self.refresh_button.setShortcut("F5")
        xlsx = self._push(_("Export XLSX…"), _("Export report as XLSX"), _("Every table, one sheet each"), self._ask_xlsx)
        html = self._push(_("Export HTML…"), _("Export printable report"),
                          _("A printable HTML page with every chart and table"), self._ask_html)
        self.status = QLabel("", self)
        self.status.setAccessibleName(_("Statistics status"))
        self.status.setToolTip(_("When the numbers were computed and how long it took"))
        rows = QVBoxLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        for widget in (self.preset, self.start_edit, QLabel(_("to"), self), self.end_edit, self.category,
                       self.channel, self.kind, self.agent, self.location):
            first.addWidget(widget)
        first.addStretch(1)
        for widget in (QLabel(_("Staffing target:"), self), self.level, QLabel(_("within"), self), self.minutes,
                       self.business_hours, self.refresh_button, xlsx, html):
            second.addWidget(widget)
        second.addWidget(self.status, 1)  # the rest of the row: messages are read whole
        self.status.setWordWrap(True)
        rows.addLayout(first)
        rows.addLayout(second)
        rows.addWidget(self._build_working())
        return rows

    def _build_working(self) -> QWidget:
        """The row shown only while day summaries are rebuilt: what, how far, and Cancel."""
        self.working = QWidget(self)
        self.working.setAccessibleName(_("Working out the statistics"))
        self.working_label = QLabel("", self.working)
        self.working_label.setAccessibleName(_("Statistics progress"))
        self.working_bar = QProgressBar(self.working)
        self.working_bar.setAccessibleName(_("Days of history worked out"))
        self.working_bar.setToolTip(_("Day summaries are built once; later reports of these days are quick"))
        self.cancel_button = self._push(_("Cancel"), _("Cancel computing the statistics"),
                                        _("Stop now; the days already worked out are kept"), self._cancel_clicked)
        row = QHBoxLayout(self.working)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.working_label)
        row.addWidget(self.working_bar, 1)
        row.addWidget(self.cancel_button)
        self.working.hide()
        return self.working

    def _push(self, text: str, name: str, tip: str, slot) -> QPushButton:  # noqa: ANN001
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build_body(self, body: QWidget) -> None:
        self.tiles: dict[str, QLabel] = {}
        tiles = QGridLayout()
        names = (N_("Tickets"), N_("Walk-ins & calls"), N_("Median wait"), N_("Walked away"), N_("First response"),
                 N_("Logged after the fact"), N_("Resolution"), N_("One-touch"), N_("Reopened"), N_("CSAT"),
                 N_("Backlog"), N_("Never answered"))  # the tiles' keys; shown through _()
        for index, name in enumerate(names):
            tile = QLabel("–", body)
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            tile.setTextFormat(Qt.TextFormat.RichText)
            tile.setAccessibleName(name)
            tile.setToolTip(_(name))
            tile.setMinimumWidth(150)
            tile.setWordWrap(True)  # "p90 10.2 min, 64.9% within 5 min" wraps at 200% instead of being cut
            tiles.addWidget(tile, index // 6, index % 6)
            self.tiles[name] = tile
        self.created_solved = SeriesChart(_("Created vs solved"), _("Tickets arriving, and tickets solved (by solve date), "
                                            "per day; walk-aways are not solves"), body)
        self.backlog = SeriesChart(_("Backlog"), _("Open tickets at the end of each day, from their status history"), body)
        self.heatmap = HeatmapChart(_("Arrivals by weekday and hour"), _("When people come: local weekday × hour"), body)
        self.frt = HistogramChart(_("First response time"), _("Arrival → first public reply or start of service "
                                    "(tickets logged after the fact excluded)"), body)
        self.resolution = HistogramChart(_("Full resolution time"), _("Created → last solved"), body)
        self.by_category = BarChart(_("Volume by category"), _("Tickets per category"), body)
        self.by_kind = BarChart(_("Volume by requester kind"), _("Tickets per kind of requester"), body)
        self.csat = SeriesChart(_("CSAT trend"), _("Good ratings of all ratings, 7-day rolling"), body)
        self.walk_in = SeriesChart(_("Walk-in wait and abandonment"),
                                   _("Median wait of walk-ins and calls per day, and how many walked away"), body)
        self.staffing_map = HeatmapChart(_("Agents needed (Erlang C)"),
                                         _("Agents each weekday × hour needs to meet the target"), body,
                                         empty_message=_("No walk-ins or calls in this period"))
        # Erlang A beside C: the patience comes from the period's own walk-aways
        self.staffing_map_a = HeatmapChart(_("Agents needed with walk-aways (Erlang A)"),
                                           _("Agents each weekday × hour needs to meet the target when waiting "
                                             "people walk away (patience from this period's walk-aways)"), body,
                                           empty_message=_("Too few walk-aways to estimate patience"))
        self.charts: list[Chart] = [self.created_solved, self.backlog, self.heatmap, self.staffing_map,
                                    self.staffing_map_a, self.frt, self.resolution, self.by_category, self.by_kind,
                                    self.csat, self.walk_in]
        self.agents_box = TableBox(_("Agents"), _("Per agent: handled, solved, medians, CSAT"), body)
        self.staffing_box = TableBox(_("Staffing"), _("Arrivals, agents needed and on shift per weekday × hour"), body)
        self.expected_box = TableBox(_("Expected resolution"), _("Median and p80 per category, last 90 days"), body)
        # CSAT is people's own ratings only (docs/metrics.md): its response rate and the low-rating comments
        self.ratings_box = TableBox(_("Low-rating comments"),
                                    _("What people said with a bad rating, newest first (anonymous ones without name)"),
                                    body)
        self.ratings = None  # desk.core.stats.ratings.RatingsReport of the shown period
        self.plan_button = self._plan_button(self.staffing_box)
        self.sla_box = TableBox(_("SLA attainment"), _("Met and breached SLA targets per policy and target, "
                                                      "category and agent (docs/rules.md)"), body)
        self.breaches_box = TableBox(_("SLA breaches"), _("The tickets of the period that missed an SLA target"), body)
        self.sla_tables: list[ex.Table] = []
        grid = QGridLayout()
        for index, chart in enumerate(self.charts):
            grid.addWidget(chart, index // 2, index % 2)
        layout = QVBoxLayout(body)
        layout.addLayout(tiles)
        layout.addLayout(grid)
        for box in (self.ratings_box, self.agents_box, self.staffing_box, self.expected_box, self.sla_box,
                    self.breaches_box):
            layout.addWidget(box)
        for exported in (*self.charts, self.agents_box, self.staffing_box, self.expected_box, self.ratings_box,
                         self.sla_box, self.breaches_box):
            exported.saved.connect(self._say_saved)

    def _plan_button(self, box: TableBox) -> QWidget:
        """Staffing → Plan: the rota planner (desk.ui.stats.rota_planner), beside the table's CSV."""
        from desk.core.i18n import _
        from desk.ui.widgets import button

        plan = button(_("&Plan…"), _("Plan the rota of the coming weeks against the agents needed"), box,
                      name=_("Plan rota"), slot=self.open_planner)
        box.layout().itemAt(0).layout().addWidget(plan)
        return plan

    def open_planner(self) -> QWidget:
        from desk.ui.stats.rota_planner import RotaPlanner

        dialog = RotaPlanner(self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- state ----------------------------------------------------------------------------------
    def today(self) -> date:
        zone = ZoneInfo(self.zone_name) if self.zone_name else None
        return datetime.now(zone).date()

    def _offer_term(self, term) -> None:  # noqa: ANN001 - desk.core.calendar.Term | None
        """Offer "This semester" only when a configured term contains today (never a guess)."""
        self.term = term
        item = self.preset.model().item(PRESETS.index("this semester"))
        item.setEnabled(term is not None)
        if term is None:
            item.setText(_(PRESET_LABELS["this semester"]))
            item.setToolTip(_("No term of the desk contains today: set the terms with "
                            "`desk terms set-preset us` (or ko) to use this"))
        else:
            item.setText(_('This semester ({name})').format(name=term.name))
            item.setToolTip(_('{name}: {start} to {end}').format(name=term.name, start=term.start, end=term.end))
        if term is None and self.preset.currentData() == "this semester":
            self.preset.setCurrentIndex(PRESETS.index("30 days"))

    def _apply_preset(self) -> None:
        key = self.preset.currentData()
        if key != "custom":
            start, end = preset_range(key, self.today(), term=self.term)
            for edit, day in ((self.start_edit, start), (self.end_edit, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self._schedule()

    def _dates_edited(self) -> None:
        if self.preset.currentData() != "custom":
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(PRESETS.index("custom"))
            self.preset.blockSignals(False)
        self._schedule()

    def date_problem(self) -> str | None:
        """Why the chosen dates cannot be counted (None: they can). A reversed range is refused,
        not swapped behind the user's back."""
        start, end = self.start_edit.date().toPython(), self.end_edit.date().toPython()
        if start > end:
            return _('The From date ({start}) is after the To date ({end}): choose a From date on or before it.').format(start=start, end=end)
        if start > self.today():
            return _('The From date ({start}) is in the future: nothing has arrived yet.').format(start=start)
        return None

    def current_filter(self) -> StatsFilter:
        """The chosen period and filters; days after today are left out (they have not happened)."""
        def chosen(combo: QComboBox) -> tuple:
            return () if combo.currentData() is None else (combo.currentData(),)

        start, end = self.start_edit.date().toPython(), self.end_edit.date().toPython()
        return StatsFilter(start=start, end=min(end, self.today()), category_ids=chosen(self.category),
                           channels=chosen(self.channel), requester_kinds=chosen(self.kind),
                           agent_ids=chosen(self.agent), location_ids=chosen(self.location))

    def target(self) -> ServiceTarget:
        return ServiceTarget(level=self.level.value() / 100, seconds=round(self.minutes.value() * 60))

    def _schedule(self) -> None:
        self._debounce.start()

    def _on_changes(self, changes, _initiator) -> None:  # noqa: ANN001
        if changes.choices:  # e.g. a category made while a reply was sent: it is a filter now
            self.tasks.db(_load_choices, self._choices_loaded, self._failed, owner=self)
        elif changes.settings:  # the zone or the terms may have changed
            self.tasks.db(_load_term, self._term_loaded, self._failed, owner=self)
        if not (changes.tickets or changes.shifts or changes.settings):
            return
        if not self.isVisible():
            self._stale = True
        elif self._last_seconds <= AUTO_REFRESH_SECONDS:
            self._schedule()
        else:  # a long period on a big store: do not keep the DB worker busy on every change
            self.status.setText(_("Tickets changed since these numbers — Refresh (F5) to update."))

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._schedule()

    def _choices_loaded(self, loaded: dict) -> None:
        """Fill (or refill, after a category, location or agent was added, renamed or removed)
        the filters, keeping what is chosen while it still exists."""
        gone = False
        for combo, key in ((self.category, "categories"), (self.agent, "agents"), (self.location, "locations")):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:  # the first item is "All ..."
                combo.removeItem(1)
            for item_id, name in loaded[key]:
                combo.addItem(name, item_id)
            index = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
            gone = gone or index < 0
            combo.blockSignals(False)
        self._term_loaded(loaded)
        if gone:  # the figures were of a choice that no longer exists: now of all
            self._schedule()

    def _term_loaded(self, loaded: dict) -> None:
        self.desk_name = str(loaded.get("desk") or "")
        term_changed = loaded["term"] != self.term
        self._offer_term(loaded["term"])
        if loaded["zone"] != self.zone_name or (term_changed and self.preset.currentData() == "this semester"):
            self.zone_name = loaded["zone"]
            self._apply_preset()

    # -- computing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._debounce.stop()
        self._generation += 1  # whatever was computing is no longer what was asked
        if self._cancel is not None:
            self._cancel.set()  # so an older rebuild stops at its next month instead of delaying this one
        self.working.hide()
        cancel = self._cancel = threading.Event()
        problem = self.date_problem()
        if problem is not None:
            self._say(problem, error=True)
            return
        generation, flt, target = self._generation, self.current_filter(), self.target()
        business_hours = self.business_hours.isChecked()
        started = time.perf_counter()
        self._say(_("Computing…"))

        def progress(done: int, total: int) -> None:  # on the DB worker: only a queued signal
            self.days_progressed.emit(generation, done, total)

        def compute(session) -> StatsReport:  # noqa: ANN001 - runs on the DB worker
            return compute_stats(session, flt, target=target, progress=progress, cancel=cancel.is_set,
                                 business_hours=business_hours)

        def done(report: StatsReport) -> None:
            if generation == self._generation:
                self.working.hide()
                self._show(report, time.perf_counter() - started)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, StatsCancelled):
                self._failed(exc)
            elif generation == self._generation:  # the person pressed Cancel (not a newer request)
                self.working.hide()
                self._last_seconds = float("inf")  # changes now ask for Refresh, never restart it
                self._say(_('{message} Refresh (F5) computes them; the days already worked out are kept.').format(message=exc.message))
                self.refresh_button.setFocus()

        self.tasks.db(compute, done, failed, owner=self)
        self.tasks.db(expected_by_category, self._expected_loaded, self._failed, owner=self)

        def ratings(session):  # noqa: ANN001, ANN202 - runs on the DB worker, after compute
            from desk.core.stats.ratings import ratings_report

            return ratings_report(session, flt)

        def ratings_done(report) -> None:  # noqa: ANN001 - RatingsReport
            if generation == self._generation:
                self._show_ratings(report)

        self.tasks.db(ratings, ratings_done, self._failed, owner=self)

    def _show_ratings(self, ratings) -> None:  # noqa: ANN001 - desk.core.stats.ratings.RatingsReport
        """The CSAT tile says what it rests on: people's ratings and the response rate."""
        from desk.core.stats.ratings import ratings_tables

        self.ratings = ratings
        count = ngettext("{n} person's rating", "{n} people's ratings", ratings.rated).format(n=f"{ratings.rated:,}")
        responded = _("{rate} responded").format(rate=_percent(ratings.response_rate))
        self.tiles["CSAT"].setText(f"<small>{_('CSAT')}</small><br><b>{_percent(ratings.csat)}<br>"
                                   f"<small>{count} · {responded}</small></b>")
        self.tiles["CSAT"].setToolTip(_("Good of people's own ratings; agent-reported ratings ({n}) are not counted")
                                      .format(n=ratings.agent_reported))
        self.ratings_box.show_table(ratings_tables(ratings)[1])

    def _show_days_progress(self, generation: int, done: int, total: int) -> None:
        if generation != self._generation:
            return
        if self.working.isHidden():
            self.working_label.setText(_('Working out {total:,} days of history…').format(total=total))
            self.cancel_button.setEnabled(True)
            self.working.show()
        self.working_bar.setRange(0, total)
        self.working_bar.setValue(done)

    def _cancel_clicked(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.working_label.setText(_("Stopping after this month of days…"))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme.error_css(self.palette())};" if error else "")

    def _say_saved(self, message: str) -> None:
        self._say(message)

    def filters_text(self) -> str:
        """The filters as a person chose them ("Channel: walk-in"), for captions."""
        chosen = [f"{_(combo.accessibleName().removesuffix(' filter'))}: {combo.currentText()}"
                  for combo in (self.category, self.channel, self.kind, self.agent, self.location)
                  if combo.currentData() is not None]
        return "; ".join(chosen)

    def period_text(self) -> str:
        if self.report is None:
            return ""
        f = self.report.filter
        return str(f.start) if f.start == f.end else f"{f.start} to {f.end}"

    def _failed(self, exc: BaseException) -> None:
        self.working.hide()
        self._say(_("Could not compute the statistics."), error=True)
        show_error(self, exc)

    def _expected_loaded(self, rows: list) -> None:
        self.expected = rows
        self.expected_box.show_table(ex.expected_table(rows))

    def _show(self, report: StatsReport, seconds: float) -> None:
        self.report, self._last_seconds = report, seconds
        s = report.summary
        tiles = {
            "Tickets": f"{s.tickets:,}",
            "Walk-ins & calls": f"{s.desk_arrivals:,}",
            "Median wait": _('{duration_text}<br><small>p90 {duration_text2}, {percent} {within_text}</small>').format(duration_text=duration_text(report.wait.median), duration_text2=duration_text(report.wait.p90), percent=_percent(s.served_in_target), within_text=report.staffing.target.within_text),
            "Walked away": f"{_percent(s.abandonment_rate)}<br><small>"
                           + ngettext("{n:,} person", "{n:,} people", s.walked_away).format(n=s.walked_away) + "</small>",
            "First response": _('{duration_text}<br><small>p90 {duration_text2}, mean {duration_text3}</small>').format(duration_text=duration_text(report.first_response.median), duration_text2=duration_text(report.first_response.p90), duration_text3=duration_text(report.first_response.mean)),
            "Logged after the fact": _('{logged_after_the_fact:,}<br><small>median FRT {duration_text}</small>').format(logged_after_the_fact=s.logged_after_the_fact, duration_text=duration_text(report.first_response_late.median)),
            "Resolution": _('{duration_text}<br><small>p90 {duration_text2}, mean {duration_text3}</small>').format(duration_text=duration_text(report.resolution.median), duration_text2=duration_text(report.resolution.p90), duration_text3=duration_text(report.resolution.mean)),
            "One-touch": _percent(s.one_touch_rate), "Reopened": _percent(s.reopen_rate),
            "CSAT": f"{_percent(s.csat)}<br><small>" + _("{n:,} rated").format(n=s.rated) + "</small>",
            "Backlog": f"{s.backlog_end:,}", "Never answered": f"{s.unanswered:,}",
        }
        for name, value in tiles.items():
            self.tiles[name].setText(f"<small>{_(name)}</small><br><b>{value}</b>")
        d, daily = report.daily, ex.daily_table(report)
        self.created_solved.show_data(report.days, {_("created"): d["created"], _("solved"): d["solved"]}, daily,
                                      bars=_("created"))  # series names are what the legend shows
        self.backlog.show_data(report.days, {_("backlog"): d["backlog"]}, daily)
        self.heatmap.show_data(report.heatmap, ex.heatmap_table(report),
                               lambda day, hour: ngettext("{n:,} arrival", "{n:,} arrivals", int(report.heatmap[day, hour]))
                               .format(n=int(report.heatmap[day, hour])))
        self.frt.show_data(report.first_response, ex.histogram_table(N_("First response distribution"), report.first_response))
        self.resolution.show_data(report.resolution, ex.histogram_table(N_("Resolution distribution"), report.resolution))
        for chart, rows, name in ((self.by_category, report.by_category, "By category"),
                                  (self.by_kind, report.by_kind, "By requester kind")):
            chart.show_data([word(r.name) for r in rows], [r.tickets for r in rows], ex.volume_table(name, rows), _(" tickets"))
        good = np.convolve(d["csat_good"], np.ones(7))[: len(report.days)]
        rated = np.convolve(d["csat_rated"], np.ones(7))[: len(report.days)]
        with np.errstate(invalid="ignore", divide="ignore"):
            csat = np.where(rated > 0, 100 * good / np.maximum(rated, 1), np.nan)
        self.csat.show_data(report.days, {_("CSAT %"): csat}, daily, unit="")
        self.walk_in.show_data(report.days, {_("median wait (min)"): d["wait_median"] / 60,
                                             _("walked away"): d["walked_away"]}, daily, bars=_("walked away"))
        plan = report.staffing
        self.staffing_map.show_data(plan.needed, ex.staffing_table(report), lambda day, hour: (
            _("{arrivals:.1f} walk-ins+calls/h, need {needed}, on shift {on_shift:.1f} (service level {level:.0f}%)")
            .format(arrivals=plan.arrivals_per_hour[day, hour], needed=plan.needed[day, hour],
                    on_shift=plan.on_shift[day, hour], level=100 * plan.level_on_shift[day, hour])),
            numbers=True)
        self._show_erlang_a(plan, ex.staffing_table(report))
        self.agents_box.show_table(ex.agents_table(report))
        self.staffing_box.show_table(ex.staffing_table(report))
        caption = ExportCaption(period=self.period_text(), filters=self.filters_text(), desk=self.desk_name)
        for chart in self.charts:
            chart.caption = caption
        for box in (self.agents_box, self.staffing_box, self.expected_box, self.ratings_box, self.sla_box,
                    self.breaches_box):
            box.period = caption.period
        self._load_sla(report)
        later = self.end_edit.date().toPython() > report.filter.end
        self._say(_('{timezone} · computed in {seconds:.2f} s').format(timezone=report.timezone, seconds=seconds)
                  + (_(' · up to today ({end}): later days have not happened yet').format(end=report.filter.end) if later else ""))
        self.report_shown.emit(report)

    def _load_sla(self, report: StatsReport) -> None:
        start, end = report.filter.start, report.filter.end

        def work(session):  # noqa: ANN001, ANN202 - on the DB worker
            from desk.core.rules.sla_report import attainment_table, report_tables, sla_report

            found = sla_report(session, start=start, end=end)
            return attainment_table(found), report_tables(found)[-1]

        self.tasks.db(work, on_done=self._sla_loaded, on_error=self._failed, owner=self, discardable=True)

    def _sla_loaded(self, tables: tuple[ex.Table, ex.Table]) -> None:
        attainment, breaches = tables
        self.sla_tables = [attainment, breaches]
        self.sla_box.show_table(attainment)
        self.breaches_box.show_table(breaches)
        self.sla_shown.emit()

    def _show_erlang_a(self, plan, table: ex.Table) -> None:  # noqa: ANN001 - desk.core.staffing.StaffingPlan
        if plan.needed_a is None:
            self.staffing_map_a.show_data(np.zeros((7, 24)), table, lambda _day, _hour: "")
            return

        def describe(day: int, hour: int) -> str:
            rate = float(plan.arrivals_per_hour[day, hour])
            if rate <= 0:
                return _("nobody arrives")
            needed = int(plan.needed_a[day, hour])
            levels = walk_away_by_level(arrivals_per_hour=rate, handle_seconds=plan.handle_seconds,
                                        patience_seconds=plan.patience_seconds, target_seconds=plan.target.seconds,
                                        agents=range(max(needed - 2, 0), max(needed + 2, int(plan.needed[day, hour])) + 1))
            return _("{rate:.1f} walk-ins+calls/h, need {a} (Erlang A) or {c} (Erlang C); walk away: {levels}").format(
                rate=rate, a=needed, c=int(plan.needed[day, hour]),
                levels=", ".join(_("{n} agents {away:.0%}").format(n=n, away=away) for n, away, _served in levels))

        self.staffing_map_a.show_data(plan.needed_a, table, describe, numbers=True)

    # -- exports --------------------------------------------------------------------------------
    def tables(self) -> list[ex.Table]:
        assert self.report is not None
        from desk.core.stats.ratings import ratings_tables

        extra = ratings_tables(self.ratings) if self.ratings is not None else []
        return [*ex.report_tables(self.report, self.expected), *extra, *self.sla_tables]

    def export_xlsx(self, path: Path) -> Path:
        return ex.write_xlsx(self.tables(), path)

    def export_html(self, path: Path) -> Path:
        images = {}
        for chart in self.charts:
            if chart.table is not None:
                encoded = base64.b64encode(chart.png()).decode("ascii")
                images.setdefault(chart.table.name, f"data:image/png;base64,{encoded}")
        return files.write_text(path, ex.report_html(
            self.report, self.tables(), images, desk=self.desk_name, filters=self.filters_text()), what="report")

    def _ask_report(self, suffix: str, kind: str, write) -> None:  # noqa: ANN001 - Path -> Path
        if self.report is None:
            return
        path = ask_save_path(self, caption=_("Export report"), stem=file_stem(_("Desk statistics"), self.period_text()),
                             suffix=suffix, kind=kind)
        if path is not None:
            with report_errors(self):
                self._say(say_saved(self, write(path), what=_("the report")))

    def _ask_xlsx(self) -> None:
        self._ask_report("xlsx", _("Excel"), self.export_xlsx)

    def _ask_html(self) -> None:
        self._ask_report("html", _("HTML"), self.export_html)
