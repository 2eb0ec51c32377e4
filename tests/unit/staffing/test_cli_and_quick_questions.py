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
