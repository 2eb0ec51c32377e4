"""CSAT from people's own ratings only, the response rate and the low-rating comments, on
hand-built tickets whose answers were worked out by hand (docs/metrics.md, "CSAT")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desk.core.models import Ticket
from desk.core.ops import people, survey, tickets
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats.ratings import ratings_report

DAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Monday
PERIOD = StatsFilter(start=date(2026, 11, 30), end=date(2026, 11, 30))


@pytest.fixture
def rated(session, agent_id: int, other_agent_id: int) -> dict[str, int]:  # noqa: ANN001
    session.execute(__import__("sqlalchemy").text("INSERT INTO settings(key, value) VALUES ('timezone', 'UTC')"))
    session.commit()
    ids = {}
    for index, name in enumerate("ABCDEF"):
        requester = people.ensure_requester(session, email=f"{name.lower()}@uni.test", name=f"Person {name}").created_id
        when = DAY + timedelta(minutes=10 * index)
        ids[name] = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester, subject=name,
                                       now=when).created_id
        if name != "F":  # F is still waiting: it cannot have been asked
            server = agent_id if name in "ABC" else other_agent_id
            tickets.claim(session, ticket_id=ids[name], agent_id=server, now=when + timedelta(minutes=1))
            tickets.solve(session, ticket_id=ids[name], actor_id=server, now=when + timedelta(minutes=5))
    later = DAY + timedelta(hours=2)
    survey.record_rating(session, ticket_id=ids["A"], rating="good", now=later)
    survey.record_rating(session, ticket_id=ids["B"], rating="bad", comment="Waited too long", now=later)
    survey.record_rating(session, ticket_id=ids["C"], rating="bad", comment="Rude", anonymous=True,
                         now=later + timedelta(minutes=1))
    # D: the agent types in "good" (what she was told): agent-reported, never in CSAT
    version = session.get(Ticket, ids["D"]).version
    tickets.update_ticket(session, ticket_id=ids["D"], actor_id=other_agent_id, expected_version=version,
                          fields={"satisfaction": "good"}, now=later)
    return ids


def test_csat_counts_peoples_ratings_only(session, rated) -> None:  # noqa: ANN001
    summary = compute_stats(session, PERIOD).summary
    assert (summary.csat, summary.rated) == (pytest.approx(1 / 3), 3)  # A good; B, C bad; D left out
    report = ratings_report(session, PERIOD)
    assert (report.good, report.rated, report.askable, report.agent_reported) == (1, 3, 5, 1)
    assert report.csat == pytest.approx(1 / 3)
    assert report.response_rate == pytest.approx(3 / 5)  # A, B, C of the five served (F waits)


def test_low_rating_comments_listed_anonymous_without_names(session, rated, agent_id: int) -> None:  # noqa: ANN001
    comments = ratings_report(session, PERIOD).comments
    assert [(c.ticket_id, c.requester, c.agent, c.comment) for c in comments] == [
        (None, None, "Ana Student", "Rude"),  # anonymous: no ticket, no name; newest first
        (rated["B"], "Person B", "Ana Student", "Waited too long"),
    ]


def test_filters_apply_to_ratings(session, rated, other_agent_id: int) -> None:  # noqa: ANN001
    bo = ratings_report(session, StatsFilter(start=PERIOD.start, end=PERIOD.end, agent_ids=(other_agent_id,)))
    assert (bo.rated, bo.askable, bo.agent_reported, bo.csat) == (0, 2, 1, None)


def test_desk_stats_reports_csat_from_peoples_ratings_with_the_response_rate(store, rated, capsys) -> None:  # noqa: ANN001
    from desk.cli.main import main

    assert main(["stats", "--db", str(store.path), "--from", "2026-11-30", "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    lines = {" ".join(line.split()[:-1]): line.split()[-1] for line in out.splitlines() if line.strip()}
    assert lines["CSAT, good of people's ratings (%)"] == "33.3"
    assert lines["Response rate (%)"] == "60"
    assert lines["Agent-reported ratings (not in CSAT)"] == "1"
    assert "Waited too long" in out and "Rude" in out and "Person C" not in out  # C rated anonymously
