"""The Stats tab's report: the summary tiles, the charts and the tables, made once and filled
with each finished ``StatsReport`` (and with the ratings, expected resolution and SLA tables
that are read beside it on the DB worker).

``ReportViewMixin`` is part of ``StatsPanel`` (desk.ui.stats.panel): the charts and tables stay
the panel's attributes (``panel.tiles``, ``panel.charts``, ``panel.sla_box`` …), which the exports
and the tests read; the panel's computing calls ``_show`` and ``_show_ratings`` with the answers
of the generation still asked for, and ``report_shown``/``sla_shown`` are the panel's signals.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from desk.core.i18n import N_, _, ngettext
from desk.core.staffing.intervals import walk_away_by_level
from desk.core.stats import StatsReport
from desk.core.stats import export as ex
from desk.core.vocabulary import word
from desk.ui.stats.charts import (
    BarChart,
    Chart,
    ExportCaption,
    HeatmapChart,
    HistogramChart,
    SeriesChart,
    duration_text,
)
from desk.ui.stats.table_box import TableBox


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


class ReportViewMixin:
    """Makes and fills the report part of ``StatsPanel`` (a QWidget, below its controls)."""

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

    # -- showing a finished report --------------------------------------------------------------
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
