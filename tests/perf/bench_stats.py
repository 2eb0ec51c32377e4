"""Stats figures: a full report for one year of the big demo store, cold (first computation:
one scan of the tickets and one of the replies) and warm (cached facts, e.g. a filter change),
and the ratio of the cold time to running the same SQL statements in raw sqlite3."""

from __future__ import annotations

import sqlite3
import statistics
import time
from contextlib import closing
from datetime import datetime, timedelta

from sqlalchemy import event

from desk.core.db import open_store
from desk.core.settings import desk_timezone
from desk.core.stats import StatsFilter, cache, compute_stats
from desk.core.stats.compute import expected_by_category
from tests.perf.run import BenchContext

COLD_REPEATS = 3
WARM_REPEATS = 5


def _median_seconds(fn, repeats: int, before=None) -> float:  # noqa: ANN001
    samples = []
    for _ in range(repeats):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _captured_statements(store, session, flt: StatsFilter) -> list[tuple[str, object]]:  # noqa: ANN001
    """Every SQL statement (with its parameters) a cold ``compute_stats`` sends."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        seen.append((statement, parameters))

    cache.clear()
    event.listen(store.engine, "before_cursor_execute", record)
    try:
        compute_stats(session, flt)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]


def run(ctx: BenchContext) -> dict[str, object]:
    path = ctx.demo_store(ctx.scale)
    results: dict[str, object] = {"tickets": ctx.scale}
    with open_store(path) as store, store.session() as session:
        today = datetime.now(desk_timezone(session)).date()
        year = StatsFilter(start=today - timedelta(days=364), end=today)
        report = compute_stats(session, year)
        results["tickets_in_year"] = report.summary.tickets
        cold = _median_seconds(lambda: compute_stats(session, year), COLD_REPEATS, before=cache.clear)
        warm = _median_seconds(lambda: compute_stats(session, year), WARM_REPEATS)
        walk_ins = StatsFilter(start=year.start, end=year.end, channels=("walk-in",))
        warm_filter = _median_seconds(lambda: compute_stats(session, walk_ins), WARM_REPEATS)
        statements = _captured_statements(store, session, year)
        expected = _median_seconds(lambda: expected_by_category(session), 1)
    with closing(sqlite3.connect(path)) as raw:
        raw_seconds = _median_seconds(
            lambda: [raw.execute(sql, params).fetchall() for sql, params in statements], COLD_REPEATS)
    results.update({
        "year_cold_s": round(cold, 3),
        "year_warm_s": round(warm, 3),
        "year_warm_filter_change_s": round(warm_filter, 3),
        "raw_sqlite3_same_sql_s": round(raw_seconds, 3),
        "statements": len(statements),
        "ratio_cold_to_raw_sql": round(cold / max(raw_seconds, 1e-6), 2),
        "budget_s": 1.0,
        "expected_resolution_all_categories_s": round(expected, 3),
    })
    return results
