"""The rota suggestion: constraints under Hypothesis (availability, maximum hours, shift lengths,
one shift a day), optimality on small cases, and the store round trip with exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.core.staffing.rota import RotaRules, Worker, candidates, coverage, suggest_rota

SLOTS = 48


@st.composite
def desks(draw: st.DrawFn) -> tuple[np.ndarray, list[Worker], RotaRules]:
    interval = draw(st.sampled_from([30, 60]))
    per_day = 1440 // interval
    rules = RotaRules(interval, draw(st.sampled_from([60, 120, 180])), draw(st.sampled_from([240, 360, 480])))
    required = np.zeros((7, per_day), dtype=np.int64)
    for day in draw(st.sets(st.integers(0, 6), min_size=1, max_size=3)):
        first = draw(st.integers(8 * 60 // interval, 12 * 60 // interval))
        length = draw(st.integers(1, 8 * 60 // interval))
        required[day, first:first + length] = draw(st.lists(st.integers(0, 3), min_size=length,
                                                            max_size=length))
    workers = []
    for agent in range(draw(st.integers(1, 5))):
        availability = []
        for day in draw(st.sets(st.integers(0, 6), max_size=4)):
            start = draw(st.integers(6 * 4, 14 * 4)) * 15  # quarter hours: not always on a boundary
            availability.append((day, start, min(start + draw(st.integers(1, 40)) * 15, 1440)))
        workers.append(Worker(agent + 1, f"W{agent}", tuple(availability),
                              draw(st.one_of(st.none(), st.sampled_from([2.0, 5.0, 10.0, 20.0])))))
    return required, workers, rules


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desks())
def test_suggested_rota_keeps_every_constraint(desk: tuple[np.ndarray, list[Worker], RotaRules]) -> None:
    required, workers, rules = desk
    result = suggest_rota(required=required, workers=workers, rules=rules)
    by_id = {worker.agent_id: worker for worker in workers}
    days = set()
    for shift in result.shifts:
        worker = by_id[shift.agent_id]
        assert any(d == shift.weekday and s <= shift.start_minute and shift.end_minute <= e
                   for d, s, e in worker.availability), "outside availability"
        assert rules.min_shift_minutes <= shift.end_minute - shift.start_minute <= rules.max_shift_minutes
        assert shift.start_minute % rules.interval_minutes == 0
        assert (shift.agent_id, shift.weekday) not in days, "two shifts in a day"
        days.add((shift.agent_id, shift.weekday))
    for worker in workers:
        hours = sum(s.hours for s in result.shifts if s.agent_id == worker.agent_id)
        assert worker.max_hours is None or hours <= worker.max_hours + 1e-9
    grid = coverage(result.shifts, rules.interval_minutes)
    assert (result.coverage == grid).all()
    assert result.shortfall == int(np.maximum(required - grid, 0).sum())
    assert result.hours >= result.lower_bound_hours - 1e-6


def test_rota_meets_the_requirement_at_the_least_hours() -> None:
    required = np.zeros((7, SLOTS), dtype=np.int64)
    required[0, 18:22] = 1  # Monday 9:00–11:00 one agent
    required[0, 20:22] = 2  # … 10:00–11:00 two
    early = Worker(1, "Early", ((0, 8 * 60, 12 * 60),))
    late = Worker(2, "Late", ((0, 10 * 60, 16 * 60),))
    result = suggest_rota(required=required, workers=[early, late], rules=RotaRules(30, 60, 480))
    assert result.shortfall == 0
    assert result.hours == 3  # 9–11 and 10–11
    assert {(s.agent_id, s.start_minute, s.end_minute) for s in result.shifts} == {(1, 540, 660), (2, 600, 660)}
    assert result.status == "optimal" and result.lower_bound_hours == pytest.approx(3)


def test_minimum_shift_length_can_cost_hours_but_is_kept() -> None:
    required = np.zeros((7, SLOTS), dtype=np.int64)
    required[2, 24] = 1  # Wednesday 12:00–12:30
    worker = Worker(1, "A", ((2, 9 * 60, 17 * 60),))
    result = suggest_rota(required=required, workers=[worker], rules=RotaRules(30, 120, 480))
    assert result.hours == 2 and result.shortfall == 0


def test_maximum_hours_leave_a_shortfall_rather_than_break_the_limit() -> None:
    required = np.zeros((7, SLOTS), dtype=np.int64)
    required[:5, 18:26] = 1  # 9:00–13:00 on weekdays: 20 hours
    worker = Worker(1, "A", tuple((d, 8 * 60, 14 * 60) for d in range(5)), max_hours=12)
    result = suggest_rota(required=required, workers=[worker], rules=RotaRules(30, 120, 480))
    assert result.hours == 12
    assert result.shortfall == 16  # 8 hours = 16 half-hour intervals left uncovered


def test_candidates_fit_inside_ranges_off_the_boundaries() -> None:
    worker = Worker(1, "A", ((0, 9 * 60 + 10, 11 * 60 + 50),))  # 9:10–11:50 → 9:30–11:30 usable
    found = candidates(worker, RotaRules(30, 60, 120))
    assert {(s.start_minute, s.end_minute) for s in found} == {
        (570, 630), (570, 660), (570, 690), (600, 660), (600, 690), (630, 690)}


def _history(session, requester_id: int, monday: datetime, weeks: int) -> None:  # noqa: ANN001
    from desk.core.db import unit_of_work
    from desk.core.models import Ticket

    with unit_of_work(session):
        for week in range(1, weeks + 1):
            start = monday - timedelta(weeks=week) + timedelta(hours=10)
            for minute in range(0, 120, 10):  # 10:00–12:00 each Monday, 6 an hour
                arrived = start + timedelta(minutes=minute)
                session.add(Ticket(subject="laptop", requester_id=requester_id, channel="walk-in",
                                   arrived_at=arrived, created_at=arrived, status="solved",
                                   service_started_at=arrived + timedelta(minutes=1),
                                   first_response_at=arrived + timedelta(minutes=1),
                                   solved_at=arrived + timedelta(minutes=6)))


def test_suggest_save_export_and_parse_back(session, requester_id: int, agent_id: int,  # noqa: ANN001
                                            other_agent_id: int) -> None:
    from icalendar import Calendar

    from desk.core.ops.rota import replace_plan, set_availability, set_max_hours
    from desk.core.settings import TIMEZONE_KEY, set_setting
    from desk.core.staffing.planning import plan_weeks, requirement, suggest_for
    from desk.core.staffing.rota_store import planned_rows, rota_csv, rota_icalendars
    from desk.core.stats.staffing_intervals import planned_agents

    set_setting(session, key=TIMEZONE_KEY, value="Asia/Seoul")
    weeks = plan_weeks(session, first_day=date(2026, 12, 9), weeks=2)  # a Wednesday → Monday 7 Dec
    assert weeks.monday == date(2026, 12, 7)
    assert weeks.start == datetime(2026, 12, 6, 15, tzinfo=UTC)  # Seoul midnight
    _history(session, requester_id, weeks.start, 8)
    set_availability(session, agent_id=agent_id, ranges=[(0, 9 * 60, 13 * 60)])
    set_availability(session, agent_id=other_agent_id, ranges=[(0, 10 * 60, 18 * 60), (2, 9 * 60, 17 * 60)])
    set_max_hours(session, agent_id=other_agent_id, hours=3)
    _, table = requirement(session, weeks=weeks)
    assert table.required_shrunk[0, 20:24].min() >= 1 and table.required_shrunk[1:].sum() == 0
    suggestion, shifts = suggest_for(session, weeks=weeks, table=table)
    assert suggestion.shortfall == 0
    assert len(shifts) == 2 * len(suggestion.shifts)
    replace_plan(session, start=weeks.start, end=weeks.end, shifts=shifts)
    _, after = requirement(session, weeks=weeks)
    assert (after.difference[0, 20:24] >= 0).all()  # planned shifts are the "scheduled" line
    assert planned_agents(session, week_start=int(weeks.start.timestamp()), weeks=2).sum() > 0

    from desk.core.settings import desk_timezone
    rows = planned_rows(session, start=weeks.start, end=weeks.end, zone=desk_timezone(session))
    lines = list(csv.DictReader(io.StringIO(rota_csv(rows))))
    assert len(lines) == len(shifts)
    assert {line["date"] for line in lines} == {"2026-12-07", "2026-12-14"}
    assert all(line["start"] >= "09:00" and line["end"] <= "18:00" for line in lines)
    calendars = rota_icalendars(rows, desk_name="Tech Desk", summary="Desk shift")
    assert set(calendars) <= {agent_id, other_agent_id}
    parsed_events = 0
    for agent, payload in calendars.items():
        calendar = Calendar.from_ical(payload)
        events = calendar.walk("VEVENT")
        mine = [row for row in rows if row.agent_id == agent]
        assert len(events) == len(mine)
        for event, row in zip(sorted(events, key=lambda e: e.decoded("dtstart")), mine, strict=True):
            assert event.decoded("dtstart") == row.starts_at
            assert event.decoded("dtend") == row.ends_at
            assert str(event["status"]) == "TENTATIVE"
            assert str(event["uid"]) == f"planned-shift-{row.id}@desk"
        parsed_events += len(events)
    assert parsed_events == len(shifts)
    other_hours = sum((r.ends_at - r.starts_at).total_seconds() / 3600 for r in rows if r.agent_id == other_agent_id)
    assert other_hours <= 2 * 3  # max 3 hours a week, over two weeks
