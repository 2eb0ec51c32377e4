"""The statistics exports in Korean: headings, labels and dates in Korean; file names, JSON keys
and the spreadsheet's real dates unchanged (they are for programs, not for reading)."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desk.core import i18n
from desk.core.db import open_store
from desk.core.demo import generate
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats import export as ex

END = datetime(2026, 6, 30, 18, tzinfo=UTC)
PERIOD = StatsFilter(start=date(2026, 6, 1), end=date(2026, 6, 30))
KOREAN_DAY = re.compile(r"^\d{4}\. \d{1,2}\. \d{1,2}\. \([월화수목금토일]\)$")


@pytest.fixture(scope="module")
def report():  # noqa: ANN201
    path = Path(__import__("tempfile").mkdtemp()) / "demo.sqlite3"
    generate(path, tickets=600, seed=3, end=END, days=40)
    i18n.set_language("ko")
    try:
        with open_store(path) as store, store.session() as session:
            yield compute_stats(session, PERIOD)
    finally:
        i18n.set_language("en")


@pytest.fixture
def korean():  # noqa: ANN201
    i18n.set_language("ko")
    yield
    i18n.set_language("en")


def test_csv_headings_and_dates_are_korean(report, korean, tmp_path: Path) -> None:  # noqa: ANN001
    tables = ex.report_tables(report)
    paths = ex.write_csv_dir(tables, tmp_path / "csv")
    assert [p.name for p in paths][:3] == ["01-summary.csv", "02-daily.csv", "03-arrivals-by-weekday-and-hour.csv"]
    summary = _rows(paths[0])
    assert summary[0] == ["지표", "값"]
    assert summary[1][0] == "기간" and summary[1][1].startswith("2026. 6. 1. (월) ~ 2026. 6. 30. (화)")
    assert ["티켓", str(report.summary.tickets)] in summary
    daily = _rows(paths[1])
    assert daily[0][:3] == ["날짜", "생성", "해결"]
    assert all(KOREAN_DAY.match(row[0]) for row in daily[1:]), daily[1][0]
    weekdays = [row[0] for row in _rows(paths[2])][1:]
    assert weekdays == ["월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_html_report_is_korean(report, korean) -> None:  # noqa: ANN001
    page = ex.report_html(report, ex.report_tables(report), desk="미디어 지원실")
    assert "<html lang='ko'>" in page
    assert "<h1>미디어 지원실 — Desk 통계</h1>" in page
    assert "<p>2026. 6. 1. (월) ~ 2026. 6. 30. (화), 시간대 " in page
    for heading in ("요약", "일별", "분류별", "담당자"):
        assert f"<h2>{heading}</h2>" in page
    assert "Summary" not in page and "Daily" not in page


def test_xlsx_keeps_real_dates_and_json_keeps_its_keys(report, korean, tmp_path: Path) -> None:  # noqa: ANN001
    tables = ex.report_tables(report)
    book = load_workbook(ex.write_xlsx(tables, tmp_path / "r.xlsx"))
    daily = book["일별"]
    assert daily["A1"].value == "날짜" and isinstance(daily["A2"].value, datetime)  # a date, not text
    assert daily._charts and daily._charts[0].title is not None  # noqa: SLF001 - the chart found its table
    book.close()
    data = json.loads(ex.tables_json(tables))
    assert data["summary"][1] == {"지표": "티켓", "값": report.summary.tickets}
    assert "daily" in data and "agents" in data
