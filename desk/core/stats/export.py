"""The report as plain tables, and those tables as CSV, JSON, XLSX and a printable HTML page.

Every table is built once here (``report_tables``), so the panel's CSV export, ``desk stats``
and the XLSX/HTML reports show the same rows and the same rounding.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import time
from pathlib import Path

from desk.core import files
from desk.core.i18n import N_, _, current_language, format_day, parse_day
from desk.core.stats.compute import ExpectedRow, StatsReport, VolumeRow
from desk.core.stats.distributions import HIST_LABELS, Distribution
from desk.core.vocabulary import word

# Table titles, headings and labels are translated when a table is made (the language is known
# then); each table's key (file names, JSON) stays English. N_: translated where used.
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
VOLUME_COLUMNS = {"By category": N_("Category"), "By requester kind": N_("Requester kind"),
                  "By channel": N_("Channel"), "By location": N_("Location")}
REPORT_TITLES = (N_("First response distribution"), N_("Resolution distribution"), N_("By category"),
                 N_("By requester kind"), N_("By channel"), N_("By location"), N_("min"), N_("h"))
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    key: str = ""  # stable short name (JSON keys, CSV file names); default: from the name

    @property
    def slug(self) -> str:
        return self.key or _slug(self.name)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.split(" (")[0].lower()).strip("-")


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _distribution_rows(label: str, d: Distribution, unit: str) -> list[tuple[Cell, ...]]:
    scale = minutes if unit == "min" else hours
    return [
        (_("{label}: count").format(label=label), d.n),
        (_("{label}: mean ({unit})").format(label=label, unit=_(unit)), scale(d.mean)),
        (_("{label}: median ({unit})").format(label=label, unit=_(unit)), scale(d.median)),
        (_("{label}: p90 ({unit})").format(label=label, unit=_(unit)), scale(d.p90)),
    ]


def summary_table(report: StatsReport) -> Table:
    s = report.summary
    rows: list[tuple[Cell, ...]] = [
        (_("Period"), _("{start} to {end} ({zone})").format(start=format_day(report.filter.start),
                                                            end=format_day(report.filter.end), zone=report.timezone)),
        (_("Tickets"), s.tickets),
        (_("Walk-ins and calls"), s.desk_arrivals),
        (_("Walked away before service"), s.walked_away),
        (_("Walk-in abandonment (%)"), percent(s.abandonment_rate)),
        (_("Walk-ins and calls served {within} (%)").format(within=report.staffing.target.within_text),
         percent(s.served_in_target)),
        *_distribution_rows("Wait, walk-ins and calls", report.wait, "min"),
        *_distribution_rows("First response", report.first_response, "min"),
        *_distribution_rows("First response, logged after the fact", report.first_response_late, "min"),
        ("Logged after the fact", s.logged_after_the_fact),
        ("Never answered", s.unanswered),
        *_distribution_rows("Full resolution", report.resolution, "h"),
        ("Solved, of these tickets", s.solved),
        ("Solved during the period (by solve date)", s.solved_in_period),
        ("One-touch (%)", percent(s.one_touch_rate)),
        ("Reopened (%)", percent(s.reopen_rate)),
        ("CSAT, good of rated (%)", percent(s.csat)),
        ("Rated", s.rated),
        ("Backlog at end of period", s.backlog_end),
        (_("Durations in"), _("business hours") if report.business_hours else _("calendar hours")),
    ]
    return Table(_("Summary"), (_("Metric"), _("Value")), tuple(rows), key="summary")


def daily_table(report: StatsReport) -> Table:
    d = report.daily
    rows = []
    for i, day in enumerate(report.days):
        rated = int(d["csat_rated"][i])
        wait = float(d["wait_median"][i])
        rows.append((
            format_day(day), int(d["created"][i]), int(d["solved"][i]), int(d["backlog"][i]),
            int(d["desk_arrivals"][i]), int(d["walked_away"][i]),
            None if wait != wait else minutes(wait),  # NaN: nobody waited that day
            rated, percent(int(d["csat_good"][i]) / rated) if rated else None,
        ))
    return Table(_("Daily"), (_("Date"), _("Created"), _("Solved"), _("Backlog at end of day"), _("Walk-ins and calls"),
                              _("Walked away"), _("Median wait (min)"), _("Rated"), _("CSAT (%)")), tuple(rows),
                 key="daily")


def heatmap_table(report: StatsReport) -> Table:
    rows = tuple((_(WEEKDAYS[day]), *(int(v) for v in report.heatmap[day])) for day in range(7))
    return Table(_("Arrivals by weekday and hour"), (_("Weekday"), *(f"{h:02d}" for h in range(24))), rows,
                 key="arrivals-by-weekday-and-hour")


def histogram_table(name: str, d: Distribution) -> Table:
    """``name``: the English title (N_); the table carries its translation, the key stays."""
    return Table(_(name), (_("Duration"), _("Tickets")),
                 tuple(zip((_(label) for label in HIST_LABELS), d.histogram, strict=True)), key=_slug(name))


def volume_table(name: str, rows: Sequence[VolumeRow]) -> Table:
    """``name``: "By category", "By requester kind", "By channel" or "By location" (English)."""
    return Table(_(name), (_(VOLUME_COLUMNS.get(name, name)), _("Tickets"), _("Share (%)"), _("Solved"),
                           _("Median resolution (h)"), _("CSAT (%)")),
                 tuple((word(r.name), r.tickets, percent(r.share), r.solved, hours(r.resolution_median),
                        percent(r.csat)) for r in rows), key=_slug(name))


def agents_table(report: StatsReport) -> Table:
    return Table(_("Agents"), (_("Agent"), _("Handled"), _("Solved"), _("Median first response (min)"),
                               _("Median resolution (h)"), _("CSAT (%)"), _("Rated")), key="agents", rows=
                 tuple((a.name, a.handled, a.solved, minutes(a.first_response_median),
                        hours(a.resolution_median), percent(a.csat), a.rated) for a in report.agents))


def staffing_table(report: StatsReport) -> Table:
    """Per weekday × hour: Erlang C's agents needed and, once the patience is known from the
    period's walk-aways, Erlang A's beside it with the predicted walk-away share at A's level,
    at C's level and with the agents on shift (docs/metrics.md, "Staffing")."""
    plan = report.staffing
    walk = plan.needed_a is not None
    rows = []
    for day in range(7):
        for hour in range(24):
            rate = float(plan.arrivals_per_hour[day, hour])
            on_shift = float(plan.on_shift[day, hour])
            if rate == 0 and on_shift == 0:
                continue
            row: tuple[Cell, ...] = (_(WEEKDAYS[day]), f"{hour:02d}:00", round(rate, 2), int(plan.needed[day, hour]))
            if walk:
                assert plan.needed_a is not None and plan.walk_away_at_a is not None
                assert plan.walk_away_at_c is not None and plan.walk_away_on_shift is not None
                row += (int(plan.needed_a[day, hour]), percent(float(plan.walk_away_at_a[day, hour])),
                        percent(float(plan.walk_away_at_c[day, hour])))
            row += (round(on_shift, 1), percent(float(plan.level_on_shift[day, hour])))
            if walk:
                assert plan.walk_away_on_shift is not None
                row += (percent(float(plan.walk_away_on_shift[day, hour])),)
            rows.append(row)
    if walk:
        assert plan.patience_seconds is not None
        model = _(", mean patience {minutes:g} min (Erlang A)").format(minutes=minutes(plan.patience_seconds))
        columns = (_("Weekday"), _("Hour"), _("Walk-ins and calls per hour"), _("Agents needed (Erlang C)"),
                   _("Agents needed with walk-aways (Erlang A)"), _("Predicted walk-away share at Erlang A's level (%)"),
                   _("Predicted walk-away share at Erlang C's level (%)"), _("Agents on shift"),
                   _("Service level on shift (%)"), _("Predicted walk-away share on shift (%)"))
    else:
        model = _(", too few walk-aways to estimate patience (Erlang C only)")
        columns = (_("Weekday"), _("Hour"), _("Walk-ins and calls per hour"), _("Agents needed"), _("Agents on shift"),
                   _("Service level on shift (%)"))
    title = (_("Staffing (target {level:g}% {within}, handle time {minutes} min)") if plan.handle_observed
             else _("Staffing (target {level:g}% {within}, handle time {minutes} min, assumed)"))
    title = title.format(level=percent(plan.target.level), within=plan.target.within_text,
                         minutes=minutes(plan.handle_seconds))
    return Table(f"{title[:-1]}{model})", columns, tuple(rows))


def expected_table(rows: Sequence[ExpectedRow], window_days: int = 90) -> Table:
    from desk.core.queries.expectations import basis_text

    return Table(_("Expected resolution (solved in the last {days} days)").format(days=window_days),
                 (_("Category"), _("Median (h)"), _("p80 (h)"), _("Based on")),
                 tuple((r.name, hours(r.median), hours(r.p80), basis_text(r.solved)) for r in rows),
                 key="expected-resolution")


def report_tables(report: StatsReport, expected: Sequence[ExpectedRow] | None = None) -> list[Table]:
    extra = [expected_table(expected)] if expected is not None else []
    return [
        summary_table(report), daily_table(report), heatmap_table(report),
        histogram_table(N_("First response distribution"), report.first_response),
        histogram_table(N_("Resolution distribution"), report.resolution),
        volume_table("By category", report.by_category),
        volume_table("By requester kind", report.by_kind),
        volume_table("By channel", report.by_channel),
        volume_table("By location", report.by_location),
        agents_table(report), staffing_table(report), *extra,
    ]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(("" if cell is None else cell for cell in row) for row in table.rows)
    return out.getvalue()


def write_csv_dir(tables: Sequence[Table], folder: Path) -> list[Path]:
    """One CSV file per table in ``folder`` (each written whole or not at all; FileError)."""
    files.make_folder(folder, what="report folder")
    paths = []
    for index, table in enumerate(tables, 1):
        path = folder / f"{index:02d}-{table.slug}.csv"
        files.write_text(path, table_csv(table), what="report table")
        paths.append(path)
    return paths


DATE_COLUMNS = {N_("Date")}  # ISO dates in the tables (English): real dates in a spreadsheet
TIME_COLUMNS = {N_("Hour")}  # "09:00": a real time of day


def _is_date(column: str) -> bool:
    return column in DATE_COLUMNS or column in {_(name) for name in DATE_COLUMNS}


def _is_time(column: str) -> bool:
    return column in TIME_COLUMNS or column in {_(name) for name in TIME_COLUMNS}
PERCENT_SUFFIX = "(%)"


def xlsx_cell(column: str, value: Cell) -> object:
    """A table cell as a spreadsheet wants it: dates and hours as dates and times (not text),
    numbers as numbers; anything that does not parse stays as it was."""
    if isinstance(value, str):
        try:
            if _is_date(column):
                return parse_day(value)
            if _is_time(column):
                return time.fromisoformat(value)
        except ValueError:
            return value
    return value


def _number_format(column: str) -> str | None:
    if _is_date(column):
        return "yyyy-mm-dd"
    if _is_time(column):
        return "hh:mm"
    if column.endswith(PERCENT_SUFFIX):
        return "0.0"
    return None


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", name.split(" (")[0])[:31]
    while title in used:
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


# Native Excel charts for the main series: (sheet's table name, chart title, kind, value columns).
XLSX_CHARTS = (  # English (N_); matched against the tables' translated names
    (N_("Daily"), N_("Created and solved per day"), "line", (N_("Created"), N_("Solved"))),
    (N_("Daily"), N_("Backlog at the end of each day"), "line", (N_("Backlog at end of day"),)),
    (N_("By category"), N_("Tickets by category"), "bar", (N_("Tickets"),)),
    (N_("By requester kind"), N_("Tickets by requester kind"), "bar", (N_("Tickets"),)),
)


def _add_charts(sheet, table: Table) -> None:  # noqa: ANN001 - an openpyxl Worksheet
    from openpyxl.chart import BarChart, LineChart, Reference

    rows = len(table.rows)
    if not rows:
        return
    anchor_column = len(table.columns) + 2
    placed = 0
    for name, title, kind, wanted in XLSX_CHARTS:
        title, wanted = _(title), tuple(_(column) for column in wanted)
        if _(name) != table.name or not all(column in table.columns for column in wanted):
            continue
        chart = LineChart() if kind == "line" else BarChart()
        chart.title = title
        chart.height, chart.width = 7.5, 18
        if kind == "bar":
            chart.type = "bar"  # horizontal, like the panel's
        for column in wanted:
            index = table.columns.index(column) + 1
            chart.add_data(Reference(sheet, min_col=index, min_row=1, max_row=rows + 1), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
        if kind == "line":
            chart.x_axis.number_format = "mmm d"
            chart.x_axis.majorTimeUnit = "days"
        chart.y_axis.title = _("Tickets")
        letter = sheet.cell(row=1, column=anchor_column).column_letter
        sheet.add_chart(chart, f"{letter}{2 + placed * 16}")
        placed += 1


def write_xlsx(tables: Sequence[Table], path: Path) -> Path:
    """One sheet per table (sheet names cut to Excel's 31 characters): dates, hours and numbers
    as real cell types, and native Excel charts beside the main series."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.name, used))
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        formats = [_number_format(column) for column in table.columns]
        for row in table.rows:
            sheet.append([xlsx_cell(column, value) for column, value in zip(table.columns, row, strict=False)])
            for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
                if number_format and cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
        for column, header in zip(sheet.columns, table.columns, strict=False):
            width = max([len(str(header))] + [len(str(c.value)) for c in column[1:200] if c.value is not None])
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
        _add_charts(sheet, table)
    files.make_folder(path.parent)
    with files.atomic_path(path, what="report") as temp:
        book.save(temp)
    return path


def tables_json(tables: Sequence[Table]) -> str:
    return json.dumps(
        {t.slug: [dict(zip(t.columns, row, strict=True)) for row in t.rows] for t in tables},
        indent=2, ensure_ascii=False,
    )


def report_html(report: StatsReport, tables: Sequence[Table] | None = None,
                images: dict[str, str] | None = None, *, desk: str = "", filters: str | None = None) -> str:
    """A self-contained, printable page (``images``: table name → data: URL of a chart);
    ``desk`` names the desk in the heading, ``filters`` says the filters in words (default:
    as the filter holds them)."""
    tables = tables if tables is not None else report_tables(report)
    images = images or {}
    parts = [
        f"<!DOCTYPE html><html lang='{current_language()}'><head><meta charset='utf-8'>",
        "<title>" + html.escape(_("Desk statistics {start} to {end}").format(
            start=format_day(report.filter.start), end=format_day(report.filter.end))) + "</title>",
        "<style>body{font-family:sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:0 0 2em}th,td{border:1px solid #bbb;padding:2px 6px;"
        "font-size:10pt}td.n{text-align:right}th{background:#eee}h2{page-break-after:avoid}"
        "section{page-break-inside:avoid}img{max-width:100%}"
        "@media print{body{margin:0}}</style></head><body>",
        f"<h1>{html.escape(desk + ' — ' if desk else '')}" + html.escape(_("Desk statistics")) + "</h1>",
        "<p>" + html.escape(_("{start} to {end}, time zone {zone}; filters: {filters}.").format(
            start=format_day(report.filter.start), end=format_day(report.filter.end), zone=report.timezone,
            filters=describe_filter(report) if filters is None else filters or _("none"))) + "</p>",
    ]
    for table in tables:
        parts.append(f"<section><h2>{html.escape(table.name)}</h2>")
        if table.name in images:
            parts.append(f"<img alt='{html.escape(_('{name} chart').format(name=table.name))}' src='{images[table.name]}'>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
                     + "</tr></thead><tbody>")
        for row in table.rows:
            parts.append("<tr>" + "".join(
                f"<td class='n'>{cell}</td>" if isinstance(cell, int | float)
                else f"<td>{html.escape('' if cell is None else str(cell))}</td>" for cell in row) + "</tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def describe_filter(report: StatsReport) -> str:
    f = asdict(report.filter)
    chosen = [f"{key.replace('_', ' ')}={','.join(map(str, value))}"
              for key, value in f.items() if key not in ("start", "end") and value]
    return "; ".join(chosen) or _("none")
