"""Rebuilding stale day summaries reports progress once per month and can be cancelled between
months: the months done stay saved, the next computation finishes with the same numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from desk.core.ops import tickets
from desk.core.stats import StatsFilter, compute_stats, days
from desk.core.stats import export as ex

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
BATCH_DAYS = days.BATCH_DAYS
DAYS = 70  # three months of BATCH_DAYS: 31 + 31 + 8
NOW = T0 + timedelta(days=DAYS + 1)
FILTER = StatsFilter(start=T0.date(), end=(T0 + timedelta(days=DAYS - 1)).date())


def dirty(session) -> list[int]:  # noqa: ANN001
    return sorted(row[0] for row in session.execute(text("SELECT day FROM stats_dirty_days")))


@pytest.fixture
def every_day_dirty(session, requester_id) -> list[int]:  # noqa: ANN001
    """One walk-in a day for DAYS days, none of them summarised yet (as after a big import)."""
    for day in range(DAYS):
        when = T0 + timedelta(days=day)
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="printer",
                           channel="walk-in", arrived_at=when, now=when)
    stale = dirty(session)
    assert len(stale) == DAYS
    return stale


def numbers(session) -> str:  # noqa: ANN001
    return ex.tables_json(ex.report_tables(compute_stats(session, FILTER, now=NOW)))


def test_progress_counts_up_once_per_month_to_the_total(session, every_day_dirty) -> None:  # noqa: ANN001
    seen: list[tuple[int, int]] = []
    compute_stats(session, FILTER, now=NOW, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, DAYS), (31, DAYS), (62, DAYS), (DAYS, DAYS)]
    assert dirty(session) == []


def test_nothing_is_reported_or_asked_when_no_day_is_stale(session, every_day_dirty) -> None:  # noqa: ANN001
    compute_stats(session, FILTER, now=NOW)
    calls: list[str] = []
    compute_stats(session, FILTER, now=NOW, progress=lambda *_: calls.append("progress"),
                  cancel=lambda: calls.append("cancel") is None)
    assert calls == []


def test_cancel_after_the_first_month_keeps_it_and_the_next_compute_matches_a_clean_one(
    session, every_day_dirty  # noqa: ANN001
) -> None:
    seen: list[int] = []
    with pytest.raises(days.StatsCancelled) as cancelled:
        compute_stats(session, FILTER, now=NOW, progress=lambda done, _total: seen.append(done),
                      cancel=lambda: len(seen) > 1)  # true once the first month is reported done
    assert "not computed" in cancelled.value.message
    assert seen == [0, 31]
    assert dirty(session) == every_day_dirty[31:]  # the first month is saved, the rest still marked
    saved = session.execute(text("SELECT count(*) FROM stats_days WHERE definition = :d"),
                            {"d": days.DEFINITION}).scalar()
    assert saved == 31

    resumed: list[int] = []
    after_cancel = compute_stats(session, FILTER, now=NOW, progress=lambda done, _total: resumed.append(done))
    assert resumed == [0, 31, DAYS - 31]  # only the days left are rebuilt
    after = ex.tables_json(ex.report_tables(after_cancel))

    session.execute(text("UPDATE stats_days SET definition = 'older'"))  # every day stale again
    session.commit()
    assert after == numbers(session)  # rebuilt in one go, uninterrupted
    assert after_cancel.summary.tickets == DAYS


def test_desk_stats_shows_progress_while_days_are_rebuilt_and_is_silent_otherwise(tmp_path, capsys) -> None:  # noqa: ANN001
    from desk.cli.main import main
    from desk.core.db import open_store
    from desk.core.demo import generate

    path = tmp_path / "big.sqlite3"
    generate(path, tickets=300, seed=4, end=NOW, days=DAYS)
    with open_store(path) as store, store.session() as session:
        session.execute(text("UPDATE stats_days SET definition = 'older'"))  # as after an upgrade
        session.commit()
        stale = len(session.execute(text("SELECT day FROM stats_days")).all())
    assert stale > BATCH_DAYS
    wide = [str((NOW - timedelta(days=2 * DAYS)).date()), str((NOW + timedelta(days=1)).date())]
    period = ["--from", wide[0], "--to", wide[1], "--format", "json"]  # every demo day

    assert main(["stats", "--db", str(path), *period, "--progress"]) == 0
    captured = capsys.readouterr()
    assert f"Working out {stale:,} days of history: {stale:,} of {stale:,} (100%)" in captured.err
    assert f"Working out {stale:,} days of history: 0 of {stale:,} (0%)" in captured.err
    assert json.loads(captured.out)["summary"]  # the report itself stays on standard output

    assert main(["stats", "--db", str(path), *period, "--progress"]) == 0
    assert "Working out" not in capsys.readouterr().err  # nothing stale: no bar at all
