"""Backlog and solved per day against a plain replay of the audit log, for any sequence of
operations (Hypothesis): the vectorised history, the day summaries and the queries about tickets
from before the period must say what walking each ticket's status rows one by one says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from desk.core import errors
from desk.core.models import Ticket
from desk.core.ops import people, tickets
from desk.core.settings import set_setting
from desk.core.stats import StatsFilter, compute_stats
from desk.core.vocabulary import OPEN_STATUSES

T0 = datetime(2026, 5, 1, tzinfo=UTC)
DAY = 86_400
ACTIONS = st.lists(st.tuples(st.sampled_from(["log", "claim", "solve", "reopen", "close", "left", "edit"]),
                             st.integers(0, 9), st.integers(1, 20 * 60)), min_size=1, max_size=30)


def replay(session, ticket_ids: list[int], moments: list[int]) -> list[int]:  # noqa: ANN001
    """Backlog at each moment by walking every ticket's status rows in order."""
    counts = []
    for moment in moments:
        count = 0
        for ticket_id in ticket_ids:
            arrived = session.get(Ticket, ticket_id).arrived_at.timestamp()
            rows = session.execute(text(
                "SELECT new FROM audit_events WHERE ticket_id = :t AND field = 'status' AND at < :m ORDER BY at, id"),
                {"t": ticket_id, "m": moment}).scalars().all()
            status = rows[-1] if rows else "new"
            count += arrived < moment and status in OPEN_STATUSES
        counts.append(count)
    return counts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, first_day=st.integers(0, 4))
def test_backlog_and_solves_equal_a_replay_of_the_audit_log(session, agent_id, requester_id, actions, first_day) -> None:  # noqa: ANN001
    set_setting(session, key="timezone", value="UTC")
    # a category of its own per example: the store is per test, the filter keeps examples apart
    category = people.ensure_category(session, name=f"c{session.execute(text('SELECT count(*) FROM categories')).scalar()}").created_id
    made: list[int] = []
    when = T0
    for action, pick, minutes in actions:
        when += timedelta(minutes=minutes)
        ticket_id = made[pick % len(made)] if made else None
        try:
            if action == "log" or ticket_id is None:
                made.append(tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="x",
                                               channel=("walk-in", "phone", "email")[pick % 3],
                                               category_id=category, now=when).created_id)
            elif action == "claim":
                tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=when)
            elif action == "solve":
                tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
            elif action == "reopen":
                tickets.reopen(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
            elif action in ("close", "edit"):
                version = session.get(Ticket, ticket_id).version
                fields = {"status": "closed"} if action == "close" else {"subject": f"x {pick}"}
                tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=version,
                                      fields=fields, now=when)
            elif action == "left":
                tickets.mark_left(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
        except errors.InvalidInput:
            pass  # e.g. a walk-away who is already being served
    start = date(2026, 5, 1) + timedelta(days=first_day)
    flt = StatsFilter(start=start, end=start + timedelta(days=6), category_ids=(category,))
    report = compute_stats(session, flt, now=when + timedelta(days=30))
    ends = [int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) + DAY for d in report.days]
    assert report.daily["backlog"].tolist() == replay(session, made, ends)
    solved = [session.get(Ticket, t).solved_at for t in made]
    by_day = [sum(1 for s in solved if s is not None and end - DAY <= s.timestamp() < end) for end in ends]
    assert report.daily["solved"].tolist() == by_day
