"""A rating the vocabulary does not know is counted as no rating: never as good or bad, and never
spilling into the channel (the ratings were once coded by the length of their word: 'okay' read
as good, 'meh' as bad, and a word of 8 letters or more carried into the channel's bits).

The desk is in UTC; Monday 2026-05-04 is the day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from desk.core.ops import survey, tickets
from desk.core.settings import set_setting
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats import facts as F

DAY = StatsFilter(start=date(2026, 5, 4), end=date(2026, 5, 4))
LATER = datetime(2026, 6, 30, 12, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, 4, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _utc_desk(session) -> None:  # noqa: ANN001
    set_setting(session, key="timezone", value="UTC")


def solved_walk_in(session, requester: int, agent: int, hour: int) -> int:  # noqa: ANN001
    ticket = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="projector",
                                channel="walk-in", now=at(hour)).created_id
    tickets.solve(session, ticket_id=ticket, actor_id=agent, now=at(hour, 5))
    return ticket


def rate_unknown(session, ticket_id: int, rating: str) -> None:  # noqa: ANN001
    """A store written by a newer Desk that knows more ratings (its CHECK allows them)."""
    session.execute(text("PRAGMA ignore_check_constraints = ON"))
    session.execute(text("UPDATE tickets SET satisfaction = :r, satisfaction_source = 'person' WHERE id = :id"),
                    {"r": rating, "id": ticket_id})
    session.commit()
    session.execute(text("PRAGMA ignore_check_constraints = OFF"))


def test_rating_codes_come_from_the_vocabulary_and_a_new_one_is_no_rating(session) -> None:  # noqa: ANN001
    grown = (*F.SATISFACTION, "okay", "meh")  # as long as 'good' and 'bad'
    sql = F.rating_code_sql(grown)
    for index, name in enumerate(grown):
        code = session.execute(text(f"SELECT {sql} FROM (SELECT :r AS satisfaction) t"), {"r": name}).scalar_one()
        assert code == index + 1
    for unknown in ("okay", "meh", "terrible", ""):
        code = session.execute(text(f"SELECT {F.rating_code_sql()} FROM (SELECT :r AS satisfaction) t"),
                               {"r": unknown}).scalar_one()
        assert code == 0


def test_an_unknown_rating_is_counted_as_none_and_leaves_the_channel_alone(session, agent_id, requester_id) -> None:  # noqa: ANN001
    # Four walk-ins solved on Monday: one rated good by the person, three with ratings Desk does
    # not know ('okay' is as long as 'good', 'meh' as 'bad', 'terrible' has 8 letters).
    good = solved_walk_in(session, requester_id, agent_id, 9)
    survey.record_rating(session, ticket_id=good, rating="good", now=at(12))
    for hour, rating in ((10, "okay"), (11, "meh"), (13, "terrible")):
        rate_unknown(session, solved_walk_in(session, requester_id, agent_id, hour), rating)
    report = compute_stats(session, DAY, now=LATER)
    # one rating Desk knows, and it is good: CSAT 1/1 (not 2/3 with okay and meh counted)
    assert report.summary.csat == 1.0
    assert int(report.daily["csat_rated"].sum()) == 1
    assert int(report.daily["csat_good"].sum()) == 1
    # all four are walk-ins (none counted as a call because of its rating)
    assert [(row.name, row.tickets) for row in report.by_channel] == [("walk-in", 4)]
    assert report.summary.desk_arrivals == 4
