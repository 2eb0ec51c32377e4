"""Stats figures: a full report for one year of the big demo store — the first computation on a
newly opened store (its day summaries are current, as after any earlier use), again in the same
session, with a filter — the ratio of that first computation to running the same SQL statements
in raw sqlite3, and the one-off cost after an upgrade or bulk import, when every day's summary
must be rebuilt from the tickets. Budget for the first computation ≤ 0.5 s (round 1: 1 s)."""

from __future__ import annotations

import sqlite3
import statistics
import time
from contextlib import closing
from datetime import datetime, timedelta

from sqlalchemy import event, text

from desk.core.db import open_store
from desk.core.settings import desk_timezone
from desk.core.stats import StatsFilter, compute_stats
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

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        compute_stats(session, flt)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]


def _first_computation(path, flt: StatsFilter) -> tuple[float, float]:  # noqa: ANN001
    """(wall, CPU) seconds; the CPU time says more on a machine shared with other work."""
    with open_store(path, migrate=False) as store, store.session() as session:
        started, cpu = time.perf_counter(), time.process_time()
        compute_stats(session, flt)
        return time.perf_counter() - started, time.process_time() - cpu


def run(ctx: BenchContext) -> dict[str, object]:
    path = ctx.demo_store(ctx.scale)
    results: dict[str, object] = {"tickets": ctx.scale}
    with open_store(path, migrate=False) as store, store.session() as session:
        today = datetime.now(desk_timezone(session)).date()
        year = StatsFilter(start=today - timedelta(days=364), end=today)
        report = compute_stats(session, year)
        results["tickets_in_year"] = report.summary.tickets
    firsts = [_first_computation(path, year) for _ in range(COLD_REPEATS)]
    first = statistics.median(wall for wall, _cpu in firsts)
    first_cpu = statistics.median(cpu for _wall, cpu in firsts)
    with open_store(path, migrate=False) as store, store.session() as session:
        again = _median_seconds(lambda: compute_stats(session, year), WARM_REPEATS)
        walk_ins = StatsFilter(start=year.start, end=year.end, channels=("walk-in",))
        filtered = _median_seconds(lambda: compute_stats(session, walk_ins), WARM_REPEATS)
        statements = _captured_statements(store, session, year)
        expected = _median_seconds(lambda: expected_by_category(session), 1)
    with closing(sqlite3.connect(path)) as raw:
        raw_seconds = _median_seconds(
            lambda: [raw.execute(sql, params).fetchall() for sql, params in statements], COLD_REPEATS)
    copy = ctx.copy_of(ctx.scale)
    with open_store(copy, migrate=False) as store, store.session() as session:
        session.execute(text("INSERT OR IGNORE INTO stats_dirty_days SELECT day FROM stats_days"))
        session.commit()
        rebuild = _median_seconds(lambda: compute_stats(session, year), 1)
    copy.unlink()
    results.update({
        "year_first_computation_s": round(first, 3),
        "year_first_computation_cpu_s": round(first_cpu, 3),
        "year_again_same_session_s": round(again, 3),
        "year_filter_change_s": round(filtered, 3),
        "raw_sqlite3_same_sql_s": round(raw_seconds, 3),
        "statements": len(statements),
        "ratio_first_to_raw_sql": round(first / max(raw_seconds, 1e-6), 2),
        "budget_s": 0.5,
        "year_after_upgrade_or_import_all_days_rebuilt_s": round(rebuild, 3),
        "expected_resolution_all_categories_s": round(expected, 3),
    })
    return results
