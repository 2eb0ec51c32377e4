"""`desk staffing` for one interval, and quick questions tallied as staffing arrivals."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from desk.cli.main import main
from desk.core import errors
from desk.core.models import AuditEvent, Ticket
from desk.core.models_rota import QuickQuestion
from desk.core.ops.quick_questions import tally_quick_question


def test_staffing_command_prints_the_classic_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staffing", "--arrivals", "100", "--interval", "30", "--handle", "180", "--within", "20",
                 "--patience", "300", "--shrinkage", "30", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["traffic_erlangs"] == 10
    assert result["needed_erlang_c"] == 14
    assert result["needed_erlang_a"] == 13
    assert result["needed_with_shrinkage"] == 19
    level = {row["agents"]: row for row in result["levels"]}
    assert level[11]["erlang_c_wait"] == pytest.approx(0.6821, abs=1e-4)
    assert level[13]["erlang_a_walk_away"] < level[12]["erlang_a_walk_away"]


def test_staffing_command_table_without_patience(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staffing", "--arrivals", "200", "--handle", "180", "--within", "20"]) == 0
    out = capsys.readouterr().out
    assert "Agents needed (Erlang C): 14" in out
    assert "Erlang A" not in out


def test_staffing_command_refuses_a_bad_interval(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staffing", "--arrivals", "10", "--handle", "180", "--interval", "45"]) != 0
    assert "30 or 60" in capsys.readouterr().err


def test_quick_question_is_an_arrival_not_a_ticket(session, agent_id: int) -> None:  # noqa: ANN001
    changes = tally_quick_question(session, effort="short", agent_id=agent_id)
    assert changes.quick_questions and not changes.tickets
    row = session.get(QuickQuestion, changes.created_id)
    assert row.effort == "short" and row.agent_id == agent_id
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "quick-question"


def test_quick_question_refuses_an_unknown_effort(session) -> None:  # noqa: ANN001
    with pytest.raises(errors.InvalidInput):
        tally_quick_question(session, effort="huge")
    assert session.scalar(select(func.count()).select_from(QuickQuestion)) == 0


def test_rota_command_sets_availability_suggests_and_exports(tmp_path, capsys) -> None:  # noqa: ANN001
    from datetime import UTC, datetime, timedelta

    from icalendar import Calendar

    from desk.core.db import open_store, unit_of_work
    from desk.core.ops import people
    from desk.core.settings import TIMEZONE_KEY, set_setting

    db = tmp_path / "desk.sqlite3"
    monday = datetime(2026, 12, 7, tzinfo=UTC)
    with open_store(db) as store, store.session() as session:
        set_setting(session, key=TIMEZONE_KEY, value="UTC")
        people.add_agent(session, name="Ana Student", email="ana@desk.test")
        requester = people.ensure_requester(session, email="r@uni.test", name="R", kind="staff").created_id
        with unit_of_work(session):
            for week in range(1, 5):
                for minute in range(0, 60, 10):
                    arrived = monday - timedelta(weeks=week) + timedelta(hours=10, minutes=minute)
                    session.add(Ticket(subject="x", requester_id=requester, channel="walk-in", arrived_at=arrived,
                                       created_at=arrived, status="solved", service_started_at=arrived,
                                       first_response_at=arrived, solved_at=arrived + timedelta(minutes=5)))
    assert main(["rota", "availability", "ana@desk.test", "mon=09:00-13:00", "--max-hours", "10",
                 "--db", str(db)]) == 0
    assert main(["rota", "availability", "ana@desk.test", "monday=9-13", "--db", str(db)]) != 0
    capsys.readouterr()
    assert main(["rota", "suggest", "--week", "2026-12-09", "--json", "--db", str(db)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["week"] == "2026-12-07" and result["shifts"] >= 1 and result["shortfall_interval_agents"] == 0
    assert main(["rota", "export", "--week", "2026-12-07", "--format", "csv", "--out", str(tmp_path / "r.csv"),
                 "--db", str(db)]) == 0
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[1].startswith("Ana Student,2026-12-07,")
    assert main(["rota", "export", "--week", "2026-12-07", "--format", "ics", "--out", str(tmp_path / "ics"),
                 "--db", str(db)]) == 0
    events = Calendar.from_ical((tmp_path / "ics" / "Ana Student.ics").read_bytes()).walk("VEVENT")
    assert len(events) == result["shifts"]
