"""Workers' availability as typed in the planner's Workers dialog, and the one operation that saves
it with the maximum hours."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from desk.core import errors
from desk.core.models import AuditEvent
from desk.core.models_rota import AgentAvailability, AgentLimit
from desk.core.ops.rota import set_worker
from desk.core.staffing.availability import format_day_ranges, parse_day_ranges
from desk.core.staffing.rota_store import worker_settings


@pytest.mark.parametrize(("text", "spans"), [
    ("", []), ("  ", []), ("09:00-13:00", [(540, 780)]), ("9:00 - 13:00", [(540, 780)]),
    ("14:00-17:00, 09:00-12:30", [(540, 750), (840, 1020)]),
    ("09:00-12:00; 11:00-13:00", [(540, 780)]),  # overlapping ranges are one
    ("09:00-12:00, 12:00-13:00", [(540, 780)]),  # touching ones too
    ("20:00-24:00", [(1200, 1440)]), ("09:00–10:00", [(540, 600)]),  # an en dash, as a word processor types it
])
def test_parse_day_ranges(text: str, spans: list[tuple[int, int]]) -> None:
    assert parse_day_ranges(text) == spans


@pytest.mark.parametrize("text", ["13:00-09:00", "09:00-09:00", "9-13", "09:60-10:00", "24:30-25:00", "mon"])
def test_unreadable_or_backwards_ranges_are_refused(text: str) -> None:
    with pytest.raises(errors.InvalidInput, match="HH:MM-HH:MM"):
        parse_day_ranges(text)


@given(st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda r: r[0] < r[1]), max_size=6))
def test_written_ranges_read_back_the_same(spans: list[tuple[int, int]]) -> None:
    joined = parse_day_ranges(format_day_ranges(spans))
    assert parse_day_ranges(format_day_ranges(joined)) == joined
    covered = {m for s, e in spans for m in range(s, e)}
    assert covered == {m for s, e in joined for m in range(s, e)}


def test_set_worker_saves_availability_and_limit_in_one_operation(session, agent_id: int) -> None:  # noqa: ANN001
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    set_worker(session, agent_id=agent_id, ranges=[(1, 540, 720), (0, 600, 660)], max_hours=12.5)
    rows = sorted((r.weekday, r.start_minute, r.end_minute) for r in session.scalars(select(AgentAvailability)))
    assert rows == [(0, 600, 660), (1, 540, 720)]
    assert session.get(AgentLimit, agent_id).max_hours_per_week == 12.5
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id).offset(before)).all()
    assert actions == ["availability", "max-hours"]
    settings = next(w for w in worker_settings(session) if w.agent_id == agent_id)
    assert settings.availability == ((0, 600, 660), (1, 540, 720)) and settings.max_hours == 12.5


def test_a_wrong_limit_changes_nothing(session, agent_id: int) -> None:  # noqa: ANN001
    set_worker(session, agent_id=agent_id, ranges=[(0, 600, 660)], max_hours=10)
    with pytest.raises(errors.InvalidInput):
        set_worker(session, agent_id=agent_id, ranges=[(2, 540, 720)], max_hours=200)
    session.rollback()
    rows = [(r.weekday, r.start_minute, r.end_minute) for r in session.scalars(select(AgentAvailability))]
    assert rows == [(0, 600, 660)]  # the availability written first in the failed operation was rolled back
    assert session.get(AgentLimit, agent_id).max_hours_per_week == 10


def test_agents_without_availability_are_listed_to_be_given_one(session, agent_id: int) -> None:  # noqa: ANN001
    settings = {w.agent_id: w for w in worker_settings(session)}
    assert settings[agent_id].availability == () and settings[agent_id].max_hours is None
