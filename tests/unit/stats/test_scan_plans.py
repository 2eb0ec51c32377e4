"""The stats scans read covering indexes only (a column added to a scan but not to its index
would make SQLite read the wide table rows again, about 10% slower on a million tickets)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import event, text

from desk.core.stats import days
from desk.core.stats import facts as F

START, END = 1_700_000_000, 1_700_000_000 + 365 * 86_400


def _plans(store, session, load) -> list[str]:  # noqa: ANN001
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        if "group_concat" in statement:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        load()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert seen
    return [" / ".join(row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in seen]


def test_facts_scan_reads_only_the_stats_index(store, session) -> None:  # noqa: ANN001
    plans = _plans(store, session, lambda: F.load_facts(session, START, END))
    assert all("COVERING INDEX ix_tickets_stats" in plan for plan in plans), plans


def test_replies_scan_reads_only_the_replies_index(store, session) -> None:  # noqa: ANN001
    many = np.arange(1, days.REPLIES_BY_ID_UP_TO + 2, dtype=np.int64)  # more than are looked up by id
    plans = _plans(store, session, lambda: days._reply_counts(session, many, np.zeros_like(many)))
    assert all("COVERING INDEX ix_comments_replies" in plan for plan in plans), plans


def test_indexes_exist(session) -> None:  # noqa: ANN001
    names = {row[0] for row in session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))}
    assert {"ix_tickets_stats", "ix_comments_replies"} <= names


def test_status_history_reads_only_the_status_index(store, session) -> None:  # noqa: ANN001
    from desk.core.stats import history

    few = np.arange(1, 10, dtype=np.int64)
    many = np.arange(1, history.BY_ID_UP_TO + 2, dtype=np.int64)
    for ids in (few, many):
        plans = _plans(store, session, lambda ids=ids: history.status_rows(session, ids))
        assert all("COVERING INDEX ix_audit_status" in plan for plan in plans), plans
