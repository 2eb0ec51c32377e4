"""Core pieces of the front desk: expected resolution, the walk-in line, agents, saved views."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.core import errors
from desk.core.db import open_store
from desk.core.models import utcnow
from desk.core.ops import people, shifts, tickets, views
from desk.core.queries.expectations import expected_resolution
from desk.core.queries.frontdesk import agents, saved_views, walk_in_line


def _nearest_rank(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=25))
def test_expected_resolution_matches_nearest_rank(tmp_path_factory, minutes):
    path = tmp_path_factory.mktemp("exp") / "desk.sqlite3"
    now = utcnow()
    with open_store(path) as store, store.session() as session:
        requester = people.ensure_requester(session, email="r@uni.test", name="R").created_id
        cat = people.ensure_category(session, name="AV").created_id
        other = people.ensure_category(session, name="Other").created_id
        for m in minutes:
            created = now - timedelta(days=2, minutes=m)
            tid = tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="x",
                                     category_id=cat, now=created).created_id
            tickets.solve(session, ticket_id=tid, actor_id=None, now=now - timedelta(days=2))
        # noise: another category, an unsolved ticket, one solved long ago
        tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="y", category_id=other)
        old = tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="z", category_id=cat,
                                 now=now - timedelta(days=200)).created_id
        tickets.solve(session, ticket_id=old, actor_id=None, now=now - timedelta(days=199))
        median, p80, n = expected_resolution(session, cat, now=now)
    seconds = [m * 60 for m in minutes]
    assert n == len(minutes)
    assert median == timedelta(seconds=_nearest_rank(seconds, 0.5))
    assert p80 == timedelta(seconds=_nearest_rank(seconds, 0.8))


def test_expected_resolution_without_history(session):
    assert expected_resolution(session, None) == (None, None, 0)


def test_walk_in_line_order_and_states(session, requester_id, agent_id):
    now = utcnow()

    def log(subject, minutes, channel="walk-in"):
        return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                                  channel=channel, arrived_at=now - timedelta(minutes=minutes)).created_id

    late, early, phone = log("late", 2), log("early", 15), log("phone", 8, "phone")
    log("mail", 30, "email")
    left = log("left", 20)
    tickets.mark_left(session, ticket_id=left, actor_id=None)
    served = log("served", 40)
    tickets.claim(session, ticket_id=served, agent_id=agent_id)
    line = walk_in_line(session)
    assert [e.ticket_id for e in line] == [early, phone, late, served]
    assert [e.waiting for e in line] == [True, True, True, False]
    assert line[-1].assignee == "Ana Student"


def test_agents_show_who_is_on_shift(session, agent_id, other_agent_id):
    shifts.start_shift(session, agent_id=agent_id)
    found = {a.id: a for a in agents(session)}
    assert found[agent_id].on_shift_since is not None
    assert found[other_agent_id].on_shift_since is None
    shifts.end_shift(session, agent_id=agent_id)
    assert all(a.on_shift_since is None for a in agents(session))


def test_saved_views_round_trip(session, agent_id, other_agent_id):
    shared = views.save_view(session, name="AV  tickets", filters={"view": "all-open", "category_id": 3}).created_id
    mine = views.save_view(session, name="My urgent", filters={"view": "mine", "priority": "urgent"},
                           owner_id=agent_id).created_id
    assert views.save_view(session, name="av tickets", filters={"channel": "phone"}).created_id == shared
    names = {v.name: v for v in saved_views(session, owner_id=agent_id)}
    assert set(names) == {"AV tickets", "My urgent"}
    assert names["AV tickets"].filters == {"channel": "phone"}
    assert [v.id for v in saved_views(session, owner_id=other_agent_id)] == [shared]
    views.delete_view(session, view_id=mine)
    assert [v.name for v in saved_views(session, owner_id=agent_id)] == ["AV tickets"]
    with pytest.raises(errors.InvalidInput):
        views.save_view(session, name="bad", filters={"status; DROP": 1})
    with pytest.raises(errors.InvalidInput):
        views.save_view(session, name="  ", filters={})
