"""The Stats tab: date presets and filters on top, summary tiles, charts and tables below.

Every number comes from ``desk.core.stats.compute_stats`` run on the DB worker
(``tasks.db``); a newer request makes older answers stale (a generation counter), so fast
filter changes never paint old numbers (and stops an older computation still rebuilding days).
The first computation over stale day summaries (a big import, an upgrade) shows "Working out N
days of history…" with a bar and Cancel: the worker's ``progress`` reaches the bar by a queued
signal, Cancel sets an event its ``cancel`` reads between months (``desk.core.stats.days``).
Charts and tables export to PNG/CSV; the whole report to XLSX (one sheet per table) and
printable HTML.

The parts are their own modules: ``controls`` (the rows on top), ``report_view`` (the tiles,
charts and tables, and filling them with a report) and ``report_export`` (the XLSX and HTML
report). They are mixins of ``StatsPanel`` rather than widgets of their own because the
panel's state and computing, the exports and the tests all read the same controls, charts and
tables as the panel's attributes. This module keeps what ties them together: construction,
the chosen period and filters, and computing.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QScrollArea, QVBoxLayout, QWidget

from desk.core.calendar import current_term
from desk.core.i18n import _
from desk.core.queries import choices
from desk.core.settings import desk_timezone, get_setting
from desk.core.staffing import ServiceTarget
from desk.core.stats import StatsFilter, StatsReport, compute_stats
from desk.core.stats.compute import expected_by_category
from desk.core.stats.days import StatsCancelled
from desk.core.stats.periods import PRESETS, preset_range
from desk.ui import theme
from desk.ui.errors import show_error
from desk.ui.stats.controls import PRESET_LABELS, ControlsMixin
from desk.ui.stats.report_export import ExportsMixin
from desk.ui.stats.report_view import ReportViewMixin

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


# The mixins come before QWidget, as methods of the class itself would: one of theirs is never
# hidden by a Qt method of the same name.
class StatsPanel(ControlsMixin, ReportViewMixin, ExportsMixin, QWidget):
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
