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
from datetime import date, time
from pathlib import Path

from desk.core import files
from desk.core.i18n import _
from desk.core.stats.compute import ExpectedRow, StatsReport, VolumeRow
from desk.core.stats.distributions import HIST_LABELS, Distribution

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    key: str = ""  # stable short name (JSON keys, CSV file names); default: from the name

    @property
    def slug(self) -> str:
        return self.key or re.sub(r"[^a-z0-9]+", "-", self.name.split(" (")[0].lower()).strip("-")


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _distribution_rows(label: str, d: Distribution, unit: str) -> list[tuple[Cell, ...]]:
    scale = minutes if unit == "min" else hours
    return [
        (f"{label}: count", d.n),
        (f"{label}: mean ({unit})", scale(d.mean)),
        (f"{label}: median ({unit})", scale(d.median)),
        (f"{label}: p90 ({unit})", scale(d.p90)),
    ]


def summary_table(report: StatsReport) -> Table:
    s = report.summary
    rows: list[tuple[Cell, ...]] = [
        ("Period", f"{report.filter.start} to {report.filter.end} ({report.timezone})"),
        ("Tickets", s.tickets),
        ("Walk-ins and calls", s.desk_arrivals),
        ("Walked away before service", s.walked_away),
        ("Walk-in abandonment (%)", percent(s.abandonment_rate)),
        (f"Walk-ins and calls served {report.staffing.target.within_text} (%)",
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
    return Table("Summary", ("Metric", "Value"), tuple(rows))


def daily_table(report: StatsReport) -> Table:
    d = report.daily
    rows = []
    for i, day in enumerate(report.days):
        rated = int(d["csat_rated"][i])
        wait = float(d["wait_median"][i])
        rows.append((
            day.isoformat(), int(d["created"][i]), int(d["solved"][i]), int(d["backlog"][i]),
            int(d["desk_arrivals"][i]), int(d["walked_away"][i]),
            None if wait != wait else minutes(wait),  # NaN: nobody waited that day
            rated, percent(int(d["csat_good"][i]) / rated) if rated else None,
        ))
    return Table("Daily", ("Date", "Created", "Solved", "Backlog at end of day", "Walk-ins and calls",
                           "Walked away", "Median wait (min)", "Rated", "CSAT (%)"), tuple(rows))


def heatmap_table(report: StatsReport) -> Table:
    rows = tuple((WEEKDAYS[day], *(int(v) for v in report.heatmap[day])) for day in range(7))
    return Table("Arrivals by weekday and hour", ("Weekday", *(f"{h:02d}" for h in range(24))), rows)


def histogram_table(name: str, d: Distribution) -> Table:
    return Table(name, ("Duration", "Tickets"), tuple(zip(HIST_LABELS, d.histogram, strict=True)))


def volume_table(name: str, rows: Sequence[VolumeRow]) -> Table:
    return Table(name, (name.removeprefix("By ").capitalize(), "Tickets", "Share (%)", "Solved",
                        "Median resolution (h)", "CSAT (%)"),
                 tuple((r.name, r.tickets, percent(r.share), r.solved, hours(r.resolution_median),
                        percent(r.csat)) for r in rows))


def agents_table(report: StatsReport) -> Table:
    return Table("Agents", ("Agent", "Handled", "Solved", "Median first response (min)",
                            "Median resolution (h)", "CSAT (%)", "Rated"),
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
            row: tuple[Cell, ...] = (WEEKDAYS[day], f"{hour:02d}:00", round(rate, 2), int(plan.needed[day, hour]))
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
        columns = ("Weekday", "Hour", "Walk-ins and calls per hour", _("Agents needed (Erlang C)"),
                   _("Agents needed with walk-aways (Erlang A)"), _("Predicted walk-away share at Erlang A's level (%)"),
                   _("Predicted walk-away share at Erlang C's level (%)"), "Agents on shift",
                   "Service level on shift (%)", _("Predicted walk-away share on shift (%)"))
    else:
        model = _(", too few walk-aways to estimate patience (Erlang C only)")
        columns = ("Weekday", "Hour", "Walk-ins and calls per hour", "Agents needed", "Agents on shift",
                   "Service level on shift (%)")
    return Table(
        f"Staffing (target {percent(plan.target.level):g}% {plan.target.within_text},"
        f" handle time {minutes(plan.handle_seconds)} min{'' if plan.handle_observed else ', assumed'}{model})",
        columns, tuple(rows))


def expected_table(rows: Sequence[ExpectedRow], window_days: int = 90) -> Table:
    from desk.core.queries.expectations import basis_text

    return Table(f"Expected resolution (solved in the last {window_days} days)",
                 ("Category", "Median (h)", "p80 (h)", "Based on"),
                 tuple((r.name, hours(r.median), hours(r.p80), basis_text(r.solved)) for r in rows))


def report_tables(report: StatsReport, expected: Sequence[ExpectedRow] | None = None) -> list[Table]:
    extra = [expected_table(expected)] if expected is not None else []
    return [
        summary_table(report), daily_table(report), heatmap_table(report),
        histogram_table("First response distribution", report.first_response),
        histogram_table("Resolution distribution", report.resolution),
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


DATE_COLUMNS = {"Date"}  # ISO dates in the tables: real dates in a spreadsheet
TIME_COLUMNS = {"Hour"}  # "09:00": a real time of day
PERCENT_SUFFIX = "(%)"


def xlsx_cell(column: str, value: Cell) -> object:
    """A table cell as a spreadsheet wants it: dates and hours as dates and times (not text),
    numbers as numbers; anything that does not parse stays as it was."""
    if isinstance(value, str):
        try:
            if column in DATE_COLUMNS:
                return date.fromisoformat(value)
            if column in TIME_COLUMNS:
                return time.fromisoformat(value)
        except ValueError:
            return value
    return value


def _number_format(column: str) -> str | None:
    if column in DATE_COLUMNS:
        return "yyyy-mm-dd"
    if column in TIME_COLUMNS:
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
XLSX_CHARTS = (
    ("Daily", "Created and solved per day", "line", ("Created", "Solved")),
    ("Daily", "Backlog at the end of each day", "line", ("Backlog at end of day",)),
    ("By category", "Tickets by category", "bar", ("Tickets",)),
    ("By requester kind", "Tickets by requester kind", "bar", ("Tickets",)),
)


def _add_charts(sheet, table: Table) -> None:  # noqa: ANN001 - an openpyxl Worksheet
    from openpyxl.chart import BarChart, LineChart, Reference

    rows = len(table.rows)
    if not rows:
        return
    anchor_column = len(table.columns) + 2
    placed = 0
    for name, title, kind, wanted in XLSX_CHARTS:
        if name != table.name or not all(column in table.columns for column in wanted):
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
        chart.y_axis.title = "Tickets"
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
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Desk statistics {report.filter.start} to {report.filter.end}</title>",
        "<style>body{font-family:sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:0 0 2em}th,td{border:1px solid #bbb;padding:2px 6px;"
        "font-size:10pt}td.n{text-align:right}th{background:#eee}h2{page-break-after:avoid}"
        "section{page-break-inside:avoid}img{max-width:100%}"
        "@media print{body{margin:0}}</style></head><body>",
        f"<h1>{html.escape(desk + ' — ' if desk else '')}Desk statistics</h1>"
        f"<p>{html.escape(str(report.filter.start))} to "
        f"{html.escape(str(report.filter.end))}, time zone {html.escape(report.timezone)}; "
        f"filters: {html.escape(describe_filter(report) if filters is None else filters or 'none')}.</p>",
    ]
    for table in tables:
        parts.append(f"<section><h2>{html.escape(table.name)}</h2>")
        if table.name in images:
            parts.append(f"<img alt='{html.escape(table.name)} chart' src='{images[table.name]}'>")
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
    return "; ".join(chosen) or "none"
