"""The Stats panel's staffing figures with walk-aways (Erlang A beside C), on hand-built tickets
whose patience was worked out by hand: the figures come from the same facts as every other
number (no second pass), and match the core Erlang A function cell by cell."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from desk.core.ops import tickets
from desk.core.settings import set_setting
from desk.core.staffing import ServiceTarget, agents_needed
from desk.core.staffing.erlang_a import agents_needed_a, erlang_a
from desk.core.staffing.patience import MIN_WALKAWAYS
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats import export as ex

WEEK = StatsFilter(start=date(2026, 5, 4), end=date(2026, 5, 10))  # Monday … Sunday, one week
LATER = datetime(2026, 6, 30, 12, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _utc_desk(session) -> None:  # noqa: ANN001
    set_setting(session, key="timezone", value="UTC")


def walk_in(session, requester: int, when: datetime) -> int:  # noqa: ANN001
    return tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="projector",
                              channel="walk-in", now=when).created_id


def build(session, agent: int, requester: int, *, walkaways: int) -> None:  # noqa: ANN001
    """Monday 10:00-10:59: ``walkaways`` people leave after 4 min each; 10 are claimed after 2 min
    and solved 10 min later. A late-logged walk-away (no honest wait) and an e-mail do not count."""
    for i in range(walkaways):
        ticket = walk_in(session, requester, at(4, 10, i))
        tickets.mark_left(session, ticket_id=ticket, actor_id=agent, now=at(4, 10, i + 4))
    for i in range(10):
        ticket = walk_in(session, requester, at(4, 10, 20 + i))
        tickets.claim(session, ticket_id=ticket, agent_id=agent, now=at(4, 10, 22 + i))
        tickets.solve(session, ticket_id=ticket, actor_id=agent, now=at(4, 10, 32 + i))
    tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="mail", channel="email",
                       now=at(4, 10, 50))


def test_patience_and_erlang_a_figures_from_hand_built_tickets(session, agent_id, requester_id) -> None:  # noqa: ANN001
    build(session, agent_id, requester_id, walkaways=5)
    report = compute_stats(session, WEEK, now=LATER)
    plan = report.staffing
    # θ̂ = 5 walk-aways / (5 × 240 s + 10 × 120 s) → mean patience 2400 / 5 = 480 s
    assert plan.patience_seconds == pytest.approx(480.0)
    assert report.summary.walked_away == 5
    # Monday 10:00: 15 walk-ins in the one Monday of the week → 15 an hour; handle 600 s (10 solved)
    assert plan.arrivals_per_hour[0, 10] == pytest.approx(15.0)
    assert plan.handle_seconds == pytest.approx(600.0)
    target = ServiceTarget()
    needed_a = agents_needed_a(arrivals_per_hour=15, handle_seconds=600, patience_seconds=480,
                               target_level=target.level, target_seconds=target.seconds)
    assert plan.needed[0, 10] == agents_needed(15, 600, target)
    assert plan.needed_a[0, 10] == needed_a
    assert needed_a <= plan.needed[0, 10]  # walk-aways shed load: never more than Erlang C
    share_a = erlang_a(agents=needed_a, arrivals_per_hour=15, handle_seconds=600, patience_seconds=480,
                       target_seconds=300).abandonment
    share_c = erlang_a(agents=int(plan.needed[0, 10]), arrivals_per_hour=15, handle_seconds=600,
                       patience_seconds=480, target_seconds=300).abandonment
    nobody = erlang_a(agents=0, arrivals_per_hour=15, handle_seconds=600, patience_seconds=480, target_seconds=300)
    assert plan.walk_away_at_a[0, 10] == pytest.approx(share_a)
    assert plan.walk_away_at_c[0, 10] == pytest.approx(share_c)
    assert plan.walk_away_on_shift[0, 10] == pytest.approx(nobody.abandonment) == pytest.approx(1.0)
    assert 0 < share_c <= share_a < 0.2
    # every hour nobody came needs nobody and predicts no walk-aways
    assert plan.needed_a.sum() == needed_a and np.count_nonzero(plan.walk_away_at_a) == 1

    table = ex.staffing_table(report)
    assert "mean patience 8 min (Erlang A)" in table.name
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert (row["Weekday"], row["Hour"]) == ("Monday", "10:00")
    assert row["Agents needed (Erlang C)"] == plan.needed[0, 10]
    assert row["Agents needed with walk-aways (Erlang A)"] == needed_a
    assert row["Predicted walk-away share at Erlang A's level (%)"] == round(100 * share_a, 1)
    assert row["Predicted walk-away share at Erlang C's level (%)"] == round(100 * share_c, 1)
    assert row["Predicted walk-away share on shift (%)"] == 100.0


def test_too_few_walk_aways_leave_erlang_c_alone(session, agent_id, requester_id) -> None:  # noqa: ANN001
    build(session, agent_id, requester_id, walkaways=MIN_WALKAWAYS - 1)
    report = compute_stats(session, WEEK, now=LATER)
    assert report.staffing.patience_seconds is None and report.staffing.needed_a is None
    table = ex.staffing_table(report)
    assert "Erlang C only" in table.name
    assert "Agents needed" in table.columns and len(table.columns) == 6


def test_the_stats_patience_is_the_planners(session, agent_id, requester_id) -> None:  # noqa: ANN001
    from desk.core.stats.staffing_intervals import demand

    build(session, agent_id, requester_id, walkaways=6)
    start, end = int(at(4, 0).timestamp()), int(at(11, 0).timestamp())
    planner = demand(session, start=start, end=end, interval_minutes=60)
    report = compute_stats(session, WEEK, now=LATER)
    # 6 / (6 × 240 + 10 × 120) → 440 s, the same in the panel and the planner
    assert report.staffing.patience_seconds == pytest.approx(440.0) == pytest.approx(planner.patience.mean_seconds)
