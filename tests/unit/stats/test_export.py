"""Exports (XLSX read back, CSV, HTML, JSON), `desk stats`, and the numbers against plain SQL."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.demo import generate
from desk.core.settings import set_setting
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats import export as ex
from desk.core.stats import facts as F
from desk.core.stats.compute import expected_by_category

END = datetime(2026, 6, 30, 18, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    generate(path, tickets=3000, seed=5, end=END, days=90)
    with open_store(path) as store, store.session() as session:
        set_setting(session, key="timezone", value="Europe/Berlin")
    return path


@pytest.fixture
def demo_session(demo_path: Path):  # noqa: ANN201
    with open_store(demo_path) as store, store.session() as session:
        yield session


PERIOD = StatsFilter(start=date(2026, 4, 1), end=date(2026, 6, 30))


def test_numbers_agree_with_plain_sql_aggregates(demo_session) -> None:  # noqa: ANN001
    report = compute_stats(demo_session, PERIOD)
    start, end = report.start, report.end
    where = "t.arrived_at >= :s AND t.arrived_at < :e"
    row = demo_session.execute(text(
        f"SELECT count(*), sum({F.AT_DESK}), sum({F.AT_DESK} AND t.left_at IS NOT NULL),"
        f" avg(CASE WHEN NOT t.logged_after_the_fact THEN {F.FIRST_RESPONSE} END),"
        f" count(CASE WHEN NOT t.logged_after_the_fact THEN {F.FIRST_RESPONSE} END),"
        f" avg({F.RESOLUTION}), count({F.RESOLUTION}), sum(t.satisfaction = 'good'), count(t.satisfaction),"
        f" sum(t.reopen_count > 0)"
        f" FROM tickets t WHERE {where}"), {"s": start, "e": end}).one()
    s = report.summary
    assert (s.tickets, s.desk_arrivals, s.walked_away) == tuple(row[:3])
    assert report.first_response.mean == pytest.approx(row[3]) and report.first_response.n == row[4]
    assert report.resolution.mean == pytest.approx(row[5]) and report.resolution.n == row[6]
    assert s.csat == pytest.approx(row[7] / row[8])
    ordered = [r[0] for r in demo_session.execute(text(
        f"SELECT {F.RESOLUTION} AS d FROM tickets t WHERE {where} AND d IS NOT NULL ORDER BY d"),
        {"s": start, "e": end})]
    n = len(ordered)
    middle = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    assert report.resolution.median == pytest.approx(middle)
    assert sum(report.daily["created"]) == s.tickets
    assert report.heatmap.sum() == s.tickets
    assert sum(r.tickets for r in report.by_category) == s.tickets
    assert sum(r.handled for r in report.agents) <= s.tickets


def test_xlsx_has_one_sheet_per_table_and_reads_back(demo_session, tmp_path: Path) -> None:  # noqa: ANN001
    report = compute_stats(demo_session, PERIOD)
    tables = ex.report_tables(report, expected_by_category(demo_session, now=END))
    path = ex.write_xlsx(tables, tmp_path / "report.xlsx")
    book = load_workbook(path, read_only=True)
    assert len(book.sheetnames) == len(tables) == len(set(book.sheetnames))
    assert book.sheetnames[:3] == ["Summary", "Daily", "Arrivals by weekday and hour"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Tickets"] == report.summary.tickets
    assert summary["CSAT, good of rated (%)"] == pytest.approx(round(100 * report.summary.csat, 1))
    daily = list(book["Daily"].iter_rows(min_row=2, values_only=True))
    # A real date cell, not the text "2026-04-01" (issue 12: dates stored as text).
    assert len(daily) == 91 and daily[0][0] == datetime(2026, 4, 1)
    assert sum(r[1] for r in daily) == report.summary.tickets
    book.close()


def test_csv_dir_html_and_json(demo_session, tmp_path: Path) -> None:  # noqa: ANN001
    report = compute_stats(demo_session, PERIOD)
    tables = ex.report_tables(report)
    paths = ex.write_csv_dir(tables, tmp_path / "csv")
    assert [p.name for p in paths][:2] == ["01-summary.csv", "02-daily.csv"]
    with paths[5].open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Category" and sum(int(r[1]) for r in rows[1:]) == report.summary.tickets
    page = ex.report_html(report, tables)
    assert page.startswith("<!DOCTYPE html>") and "<h2>Agents</h2>" in page and "Europe/Berlin" in page
    data = json.loads(ex.tables_json(tables))
    assert data["summary"][1] == {"Metric": "Tickets", "Value": report.summary.tickets}


def test_expected_resolution_matches_the_quick_log_numbers(demo_session) -> None:  # noqa: ANN001
    from desk.core.queries.expectations import expected_resolution

    rows = expected_by_category(demo_session, now=END)
    assert rows and all(r.solved > 0 for r in rows)
    first = rows[0]
    median, p80, n = expected_resolution(demo_session, first.category_id, now=END)
    assert (first.median, first.p80, first.solved) == (median.total_seconds(), p80.total_seconds(), n)


def test_cli_formats(demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["stats", "--db", str(demo_path), "--from", "2026-04-01", "--to", "2026-06-30"]
    assert main([*base, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    tickets = data["summary"][1]["Value"]
    assert tickets > 0 and len(data["daily"]) == 91
    assert main([*base, "--channel", "email", "--format", "json"]) == 0
    assert 0 < json.loads(capsys.readouterr().out)["summary"][1]["Value"] < tickets
    assert main([*base]) == 0
    assert "Walk-in abandonment (%)" in capsys.readouterr().out
    assert main([*base, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]) == 0
    assert load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Summary"
    assert main([*base, "--format", "csv", "--output", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "01-summary.csv").exists()
    assert main([*base, "--category", "No such thing"]) == 2
    assert main([*base, "--format", "xlsx"]) == 2
    assert main(["stats", "--db", str(demo_path), "--from", "2026-05-01", "--to", "2026-04-01"]) == 2
    capsys.readouterr()


def test_period_ends_before_start_is_refused() -> None:
    from desk.core import errors

    with pytest.raises(errors.InvalidInput):
        StatsFilter(start=date(2026, 1, 2), end=date(2026, 1, 2) - timedelta(days=1))
