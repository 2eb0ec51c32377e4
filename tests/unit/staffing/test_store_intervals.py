"""Staffing per interval from the store: arrivals with quick questions, patience from walk-aways,
planned agents from the rota and actual agents from the shift log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from desk.core.db import unit_of_work
from desk.core.models import Shift, Ticket
from desk.core.ops.quick_questions import tally_quick_question
from desk.core.ops.rota import replace_plan
from desk.core.settings import TIMEZONE_KEY, set_setting
from desk.core.stats.staffing_intervals import SHRINKAGE_KEY, interval_report, planned_agents

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday; the desk runs on UTC in these tests
WEEKS = 4


def _walk_in(session, requester_id: int, arrived: datetime, *, wait: int, left: bool) -> None:  # noqa: ANN001
    ticket = Ticket(subject="printer", requester_id=requester_id, channel="walk-in", arrived_at=arrived,
                    created_at=arrived, status="closed" if left else "solved")
    if left:
        ticket.left_at = arrived + timedelta(seconds=wait)
    else:
        ticket.service_started_at = arrived + timedelta(seconds=wait)
        ticket.first_response_at = ticket.service_started_at
        ticket.solved_at = ticket.service_started_at + timedelta(seconds=300)
    session.add(ticket)


@pytest.fixture
def desk_history(session, requester_id: int, agent_id: int):  # noqa: ANN001, ANN201
    set_setting(session, key=TIMEZONE_KEY, value="UTC")
    with unit_of_work(session):
        for week in range(WEEKS):
            ten = MONDAY + timedelta(weeks=week, hours=10)
            for minute in range(0, 30, 3):  # 10 walk-ins 10:00–10:30 each Monday
                _walk_in(session, requester_id, ten + timedelta(minutes=minute), wait=60,
                         left=minute in (0, 27))
    for week in range(WEEKS):
        tally_quick_question(session, effort="brief", agent_id=agent_id,
                             now=MONDAY + timedelta(weeks=week, hours=10, minutes=40))
    return session


def test_demand_counts_walk_ins_and_quick_questions_per_slot(desk_history, agent_id: int) -> None:  # noqa: ANN001
    start, end = int(MONDAY.timestamp()), int((MONDAY + timedelta(weeks=WEEKS)).timestamp())
    demand, table = interval_report(desk_history, history_start=start, history_end=end,
                                    week_start=end, interval_minutes=30, shrinkage=0.25)
    assert demand.arrivals_per_hour[0, 20] == pytest.approx(20)  # 10 per half hour
    assert demand.arrivals_per_hour[0, 21] == pytest.approx(2)  # one quick question per half hour
    assert demand.quick_questions == WEEKS
    # 8 walk-aways after 60 s; 32 served after 60 s: θ̂ = 8 / (40 · 60) → 300 s
    assert demand.patience.mean_seconds == pytest.approx(300)
    # handle per arrival: 40 walk-ins at the tickets' 300 s (a walk-away would have needed as
    # long), 4 quick questions at 30 s
    assert demand.handle_seconds == pytest.approx((40 * 300 + 4 * 30) / 44)
    assert table.required[0, 20] >= 1
    assert table.required_shrunk[0, 20] == -(-table.required[0, 20] * 4 // 3)
    assert (table.scheduled == 0).all()
    assert table.difference[0, 20] == -table.required_shrunk[0, 20]


def test_planned_and_signed_in_agents_per_slot(session, agent_id: int, other_agent_id: int) -> None:  # noqa: ANN001
    set_setting(session, key=TIMEZONE_KEY, value="UTC")
    week = MONDAY + timedelta(weeks=10)
    replace_plan(session, start=week, end=week + timedelta(weeks=1), shifts=[
        (agent_id, week + timedelta(hours=9), week + timedelta(hours=12)),
        (other_agent_id, week + timedelta(hours=10, minutes=15), week + timedelta(hours=11)),
    ])
    planned = planned_agents(session, week_start=int(week.timestamp()), interval_minutes=30)
    assert planned[0, 17] == 0 and planned[0, 18] == 1
    assert planned[0, 20] == pytest.approx(1.5)  # the second agent from 10:15
    assert planned[0, 21] == pytest.approx(2)
    assert planned[0, 24] == 0 and planned[1].sum() == 0
    with unit_of_work(session):
        session.add(Shift(agent_id=agent_id, started_at=week + timedelta(hours=9, minutes=30),
                          ended_at=week + timedelta(hours=10)))
    actual = planned_agents(session, week_start=int(week.timestamp()), interval_minutes=60, table="shifts")
    assert actual[0, 9] == pytest.approx(0.5) and np.isclose(actual.sum(), 0.5)


def test_shrinkage_is_a_desk_setting(desk_history) -> None:  # noqa: ANN001
    set_setting(desk_history, key=SHRINKAGE_KEY, value="0.5")
    start, end = int(MONDAY.timestamp()), int((MONDAY + timedelta(weeks=WEEKS)).timestamp())
    _, table = interval_report(desk_history, history_start=start, history_end=end, week_start=end)
    assert table.shrinkage == 0.5
    assert table.required_shrunk[0, 20] == 2 * table.required[0, 20]
