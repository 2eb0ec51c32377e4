"""Every metric on a small hand-built week with known answers (desk in New York, across the
2026-03-08 switch to daylight saving time)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from desk.core.ops import comments, people, shifts, survey, tickets
from desk.core.settings import set_setting
from desk.core.stats import StatsFilter, compute_stats

NY = ZoneInfo("America/New_York")
PERIOD = StatsFilter(start=date(2026, 3, 6), end=date(2026, 3, 10))


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=NY)


def rate(session, ticket_id: int, value: str) -> None:  # noqa: ANN001
    """The person's own rating (exit survey): CSAT counts only those (docs/metrics.md, "CSAT")."""
    survey.record_rating(session, ticket_id=ticket_id, rating=value, now=at(3, 11, 12))


@pytest.fixture
def week(session, agent_id: int, other_agent_id: int, requester_id: int) -> dict[str, int]:  # noqa: ANN001
    set_setting(session, key="timezone", value="America/New_York")
    student = people.ensure_requester(session, email="kim@uni.test", name="Kim Lee", kind="student").created_id
    category = people.ensure_category(session, name="Classroom AV").created_id
    other_category = people.ensure_category(session, name="Accounts").created_id
    ids: dict[str, int] = {}

    def log(name: str, *, when: datetime, channel: str = "walk-in", arrived: datetime | None = None,
            actor: int | None = None, requester: int = requester_id, cat: int = category) -> int:
        ids[name] = tickets.log_ticket(
            session, actor_id=actor, requester_id=requester, subject=f"ticket {name}", channel=channel,
            category_id=cat, arrived_at=arrived, now=when).created_id
        return ids[name]

    # A: walk-in Friday 09:10 EST, service 5 min later, one reply, solved after an hour, rated good.
    a = log("A", when=at(3, 6, 9, 10))
    tickets.claim(session, ticket_id=a, agent_id=agent_id, now=at(3, 6, 9, 15))
    comments.add_comment(session, ticket_id=a, author_id=agent_id, body="Fixed.", public=True,
                         now=at(3, 6, 9, 20))
    tickets.solve(session, ticket_id=a, actor_id=agent_id, now=at(3, 6, 10, 10))
    rate(session, a, "good")
    # B: e-mail Monday 09:30 EDT, answered 2 h later, solved, reopened, solved again 5 h after logging.
    b = log("B", when=at(3, 9, 9, 30), channel="email", cat=other_category)
    tickets.claim(session, ticket_id=b, agent_id=agent_id, now=at(3, 9, 9, 40))
    comments.add_comment(session, ticket_id=b, author_id=agent_id, body="Try this.", public=True,
                         now=at(3, 9, 11, 30))
    tickets.solve(session, ticket_id=b, actor_id=agent_id, now=at(3, 9, 12, 30))
    tickets.reopen(session, ticket_id=b, actor_id=agent_id, now=at(3, 9, 12, 50))
    comments.add_comment(session, ticket_id=b, author_id=agent_id, body="And this.", public=True,
                         now=at(3, 9, 13, 0))
    comments.add_comment(session, ticket_id=b, author_id=agent_id, body="note", public=False,
                         now=at(3, 9, 13, 5))
    tickets.solve(session, ticket_id=b, actor_id=agent_id, now=at(3, 9, 14, 30))
    rate(session, b, "bad")
    # C: a call nobody has answered yet.
    log("C", when=at(3, 9, 10, 5), channel="phone")
    # D: a walk-in at 08:00 typed in by Bo at 10:00 (after the fact), solved a minute later.
    d = log("D", when=at(3, 9, 10, 0), arrived=at(3, 9, 8, 0), actor=other_agent_id)
    tickets.claim(session, ticket_id=d, agent_id=other_agent_id, now=at(3, 9, 10, 0, 30))
    tickets.solve(session, ticket_id=d, actor_id=other_agent_id, now=at(3, 9, 10, 1))
    # E: a student walks in Tuesday 00:30 EDT (04:30 UTC) and leaves 20 min later.
    e = log("E", when=at(3, 10, 0, 30), requester=student)
    tickets.mark_left(session, ticket_id=e, actor_id=None, now=at(3, 10, 0, 50))
    # G: still open from before the period (the backlog it starts with); F: after it.
    log("G", when=at(3, 4, 12, 0))
    log("F", when=at(3, 20, 12, 0))
    # Ana is at the desk Friday 09:00-11:00.
    shifts.start_shift(session, agent_id=agent_id, now=at(3, 6, 9, 0))
    shifts.end_shift(session, agent_id=agent_id, now=at(3, 6, 11, 0))
    return ids


def test_summary_counts_and_rates(session, week) -> None:  # noqa: ANN001
    s = compute_stats(session, PERIOD).summary
    assert s.tickets == 5  # A B C D E
    assert s.desk_arrivals == 4  # A C D E
    assert s.walked_away == 1 and s.abandonment_rate == pytest.approx(0.25)
    # docs/metrics.md "Served within N" (was 1/2 before C's overdue wait counted): A within 5 min;
    # E walked away; C still waiting at the period's end, long past 5 min; D logged after the fact
    assert s.served_in_target == pytest.approx(1 / 3)
    assert s.logged_after_the_fact == 1
    assert s.unanswered == 1  # C (E walked away: abandonment, not unanswered)
    assert s.solved == 3
    assert s.one_touch_rate == pytest.approx(1 / 3)  # only A had exactly one public agent reply
    assert s.reopen_rate == pytest.approx(1 / 3)
    assert s.csat == pytest.approx(0.5) and s.rated == 2
    assert s.backlog_end == 2  # G and C


def test_durations(session, week) -> None:  # noqa: ANN001
    report = compute_stats(session, PERIOD)
    assert (report.wait.n, report.wait.median) == (1, 300)
    frt = report.first_response  # A 300 s, B 7200 s; D is reported separately
    assert (frt.n, frt.mean, frt.median) == (2, 3750, 3750)
    assert frt.p90 == pytest.approx(300 + 0.9 * 6900)
    late = report.first_response_late
    assert (late.n, late.median) == (1, 2 * 3600 + 30)
    res = report.resolution  # D 60 s, A 3600 s, B 18000 s (to the last solve)
    assert (res.n, res.median, res.mean) == (3, 3600, 7220)
    assert res.p90 == pytest.approx(3600 + 0.8 * 14400)
    assert sum(res.histogram) == 3 and res.histogram[0] == 0 and res.histogram[1] == 1  # 60 s: 1-5 min


def test_daily_series_and_backlog(session, week) -> None:  # noqa: ANN001
    report = compute_stats(session, PERIOD)
    assert report.days[0] == date(2026, 3, 6) and len(report.days) == 5
    assert report.daily["created"].tolist() == [1, 0, 0, 3, 1]
    # docs/metrics.md "Solved per day": by solve date, and E walking away is no solve (this row
    # used to count E: the old definition counted every exit from the backlog as "solved")
    assert report.daily["solved"].tolist() == [1, 0, 0, 2, 0]
    assert report.summary.solved_in_period == 3
    assert report.daily["backlog"].tolist() == [1, 1, 1, 2, 2]
    assert report.daily["walked_away"].tolist() == [0, 0, 0, 0, 1]
    assert report.daily["csat_rated"].tolist() == [1, 0, 0, 1, 0]
    assert report.daily["wait_median"][0] == 300 and np.isnan(report.daily["wait_median"][1])


def test_heatmap_uses_local_time_across_dst(session, week) -> None:  # noqa: ANN001
    heat = compute_stats(session, PERIOD).heatmap
    assert heat.sum() == 5
    assert heat[4, 9] == 1  # A: Friday 09 EST
    assert heat[0, 9] == 1  # B: Monday 09:30 EDT (13:30 UTC; a fixed EST offset would say 08)
    assert heat[0, 10] == 1 and heat[0, 8] == 1  # C, D
    assert heat[1, 0] == 1  # E: Tuesday 00:30 EDT, not Monday 23:30


def test_volume_tables(session, week) -> None:  # noqa: ANN001
    report = compute_stats(session, PERIOD)
    assert [(r.name, r.tickets) for r in report.by_channel] == [("walk-in", 3), ("email", 1), ("phone", 1)]
    assert [(r.name, r.tickets) for r in report.by_kind] == [("faculty", 4), ("student", 1)]
    cats = {r.name: r for r in report.by_category}
    assert cats["Classroom AV"].tickets == 4 and cats["Accounts"].tickets == 1
    assert cats["Accounts"].resolution_median == 18000 and cats["Accounts"].csat == 0
    assert cats["Classroom AV"].share == pytest.approx(0.8)
    assert [r.name for r in report.by_location] == ["(none)"]


def test_agents_table(session, week, agent_id, other_agent_id) -> None:  # noqa: ANN001
    agents = {row.agent_id: row for row in compute_stats(session, PERIOD).agents}
    ana, bo = agents[agent_id], agents[other_agent_id]
    assert (ana.handled, ana.solved, ana.first_response_median, ana.resolution_median) == (2, 2, 3750, 10800)
    assert (ana.csat, ana.rated) == (0.5, 2)
    assert (bo.handled, bo.solved, bo.first_response_median, bo.resolution_median) == (1, 1, None, 60)


def test_staffing_uses_arrivals_and_shifts(session, week) -> None:  # noqa: ANN001
    plan = compute_stats(session, PERIOD).staffing
    assert plan.arrivals_per_hour[4, 9] == 1.0  # one walk-in on the one Friday of the period
    assert plan.on_shift[4, 9] == 1.0 and plan.on_shift[4, 10] == 1.0 and plan.on_shift[4, 11] == 0
    assert not plan.handle_observed and plan.handle_seconds == 600  # too few one-visit tickets
    assert plan.needed[4, 9] == 1 and plan.needed[0, 3] == 0


def test_filters(session, week, agent_id) -> None:  # noqa: ANN001
    def count(**kwargs: object) -> int:
        return compute_stats(session, StatsFilter(start=PERIOD.start, end=PERIOD.end, **kwargs)).summary.tickets

    assert count(channels=("walk-in",)) == 3
    assert count(requester_kinds=("student",)) == 1
    assert count(agent_ids=(agent_id,)) == 2
    assert count(channels=("email", "phone")) == 2
    assert count(location_ids=(999,)) == 0


def test_empty_period_gives_empty_numbers(session) -> None:  # noqa: ANN001
    set_setting(session, key="timezone", value="UTC")
    report = compute_stats(session, StatsFilter(start=date(2026, 1, 1), end=date(2026, 1, 1)))
    assert report.summary.tickets == 0 and report.summary.csat is None
    assert report.first_response.median is None and report.agents == []
    assert report.daily["backlog"].tolist() == [0]


def test_numbers_follow_changes_made_after_a_first_computation(session, week, agent_id) -> None:  # noqa: ANN001
    before = compute_stats(session, PERIOD).summary
    tickets.claim(session, ticket_id=week["C"], agent_id=agent_id, now=at(3, 11, 9))
    tickets.solve(session, ticket_id=week["C"], actor_id=agent_id, now=at(3, 11, 9))
    after = compute_stats(session, PERIOD).summary
    assert (before.solved, after.solved) == (3, 4)
    assert (before.unanswered, after.unanswered) == (1, 0)


def test_backlog_queries_agree_whichever_index_they_walk(session, week) -> None:  # noqa: ANN001
    from desk.core.stats import compute as C

    start, end, _zone = C.period_bounds(session, PERIOD)
    for moment in (start, start + 3 * 86_400, end):
        counts = {C._before_period(session, "1", {}, moment, end, by_arrival).at_start for by_arrival in (True, False)}
        assert len(counts) == 1
    moment = int(at(3, 9, 9, 0).timestamp())  # D arrived at 08:00 and was solved at 10:01
    found = [C._before_period(session, "1", {}, moment, end, by_arrival) for by_arrival in (True, False)]
    assert [e.solved.tolist() for e in found] == [[int(at(3, 9, 10, 1).timestamp())]] * 2
    assert [sorted(e.steps["at"].tolist()) for e in found] == [[int(at(3, 9, 10, 1).timestamp())]] * 2
    assert [e.at_start for e in found] == [2, 2]  # G (3/4, open) and D (arrived 08:00, open until 10:01)


def test_day_summaries_rebuild_only_touched_days_and_agree_with_a_full_build(
    session, week, agent_id, requester_id, monkeypatch  # noqa: ANN001
) -> None:
    from sqlalchemy import text

    from desk.core.stats import days

    compute_stats(session, PERIOD)  # builds the period's day summaries
    comments.add_comment(session, ticket_id=week["A"], author_id=agent_id, body="And one more thing.",
                         public=True, now=at(3, 11, 8))  # A is no longer one-touch
    tickets.claim(session, ticket_id=week["C"], agent_id=agent_id, now=at(3, 11, 9))
    tickets.solve(session, ticket_id=week["C"], actor_id=agent_id, now=at(3, 11, 9, 30))
    rate(session, week["C"], "good")
    new = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="new one",
                             channel="web", arrived_at=at(3, 8, 15), now=at(3, 8, 15)).created_id
    touched = {row[0] for row in session.execute(
        text("SELECT arrived_at / 86400 FROM tickets WHERE id IN (:a, :c, :n)"),
        {"a": week["A"], "c": week["C"], "n": new})}
    built: list[int] = []
    original = days.build

    def recording_build(session, stale):  # noqa: ANN001, ANN202
        built.extend(stale)
        return original(session, stale)

    monkeypatch.setattr(days, "build", recording_build)
    refreshed = compute_stats(session, PERIOD)
    assert set(built) == touched
    session.execute(text("DELETE FROM stats_days"))
    session.execute(text("INSERT OR IGNORE INTO stats_dirty_days SELECT arrived_at / 86400 FROM tickets"))
    session.commit()
    full = compute_stats(session, PERIOD)
    assert refreshed.summary == full.summary
    assert (refreshed.summary.tickets, refreshed.summary.solved, refreshed.summary.one_touch_rate) == (6, 4, 0.0)
    assert refreshed.first_response == full.first_response and refreshed.resolution == full.resolution
    for name in full.daily:
        assert np.array_equal(refreshed.daily[name], full.daily[name], equal_nan=True)
    assert np.array_equal(refreshed.heatmap, full.heatmap)
    assert refreshed.agents == full.agents and refreshed.by_category == full.by_category
