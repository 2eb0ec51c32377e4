"""The counter display's core: masking, positions, the wait estimate as a range (worked out by
hand on hand-built tickets), the open/closed screen, and the exit survey's rating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.core import errors
from desk.core.desk_settings import save_desk_settings
from desk.core.models import AuditEvent, Ticket
from desk.core.ops import people, shifts, survey, tickets
from desk.core.queries import counter, wait_estimate
from desk.core.queries.wait_estimate import WaitRange, estimate_wait

# Tuesday 1 December 2026, 10:00 in Seoul (UTC+9, no daylight saving): inside 09:00-18:00.
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def seoul(session):  # noqa: ANN001, ANN201
    save_desk_settings(session, actor_id=None, values={"timezone": "Asia/Seoul", "phone": "02-880-1234"})


def person(session, name: str) -> int:  # noqa: ANN001
    return people.ensure_requester(session, email=f"{name.split()[0].lower()}@uni.test", name=name).created_id


def served(session, *, agent_id: int, minutes: float, done_at: datetime, name: str = "Served Person") -> int:  # noqa: ANN001
    """A walk-in served for ``minutes`` and Done at ``done_at``."""
    started = done_at - timedelta(minutes=minutes)
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, name),
                                   subject="help", now=started - timedelta(minutes=1)).created_id
    tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=started)
    tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=done_at)
    return ticket_id


def test_names_are_masked_as_the_desk_chose() -> None:
    assert counter.shown_name("Kim Lee Park", style="first-initial") == "Kim P."
    assert counter.shown_name("Kim", style="first-initial") == "Kim"
    assert counter.shown_name("Kim Lee Park", style="first") == "Kim"
    assert counter.shown_name("Kim Lee Park", style="none") == ""


def test_estimate_is_a_range_from_the_middle_half_of_service_times() -> None:
    # 12 services of 1..12 minutes: 25th percentile 3.75 min, 75th 9.25 min (linear).
    times = [minute * 60.0 for minute in range(1, 13)]
    first = estimate_wait(position=1, service_times=times, servers=1, basis="recent")
    assert first == WaitRange(low=180, high=600, basis="recent", sample=12)  # 3 min .. 10 min, outward
    third_of_two = estimate_wait(position=3, service_times=times, servers=2, basis="recent")
    assert third_of_two == WaitRange(low=300, high=840, basis="recent", sample=12)  # 1.5 × (3.75, 9.25) min


def test_small_samples_widen_the_range_and_tiny_ones_give_none() -> None:
    # 5 equal services of 4 min: no spread at all, yet the range is 2 minutes wide, never a point.
    assert estimate_wait(position=1, service_times=[240.0] * 5, servers=1, basis="history") == \
        WaitRange(240, 360, "history", 5)
    # 6 services of 2..7 min: 10th percentile 2.5 min, 90th 6.5 min (the wide band below 12).
    assert estimate_wait(position=1, service_times=[m * 60.0 for m in range(2, 8)], servers=1,
                         basis="recent") == WaitRange(120, 420, "recent", 6)
    assert estimate_wait(position=1, service_times=[240.0] * 4, servers=1, basis="recent") is None


@given(position=st.integers(1, 40), servers=st.integers(1, 6),
       times=st.lists(st.floats(1, 4 * 3600), min_size=5, max_size=30))
def test_every_estimate_is_an_honest_range(position: int, servers: int, times: list[float]) -> None:
    found = estimate_wait(position=position, service_times=times, servers=servers, basis="recent")
    assert found is not None
    assert found.high - found.low >= wait_estimate.MIN_SPREAD_S
    scale = position / servers  # the band holds at least the middle half of the scaled times
    assert found.low <= scale * wait_estimate.percentile(times, 0.25)
    assert found.high >= scale * wait_estimate.percentile(times, 0.75)


def test_board_positions_names_estimate_and_now_serving(session, agent_id: int, seoul) -> None:  # noqa: ANN001
    shifts.start_shift(session, agent_id=agent_id, now=NOW - timedelta(hours=2))
    for index, minutes in enumerate((4, 6, 8, 10, 12)):  # five recent services: 4..12 min
        served(session, agent_id=agent_id, minutes=minutes, done_at=NOW - timedelta(minutes=10 + 15 * index))
    first = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Minji Kim"),
                               subject="laptop", now=NOW - timedelta(minutes=12)).created_id
    tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Jae Park"),
                       subject="printer", now=NOW - timedelta(minutes=5))
    being_served = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Soo Lee"),
                                      subject="wifi", now=NOW - timedelta(minutes=20)).created_id
    tickets.claim(session, ticket_id=being_served, agent_id=agent_id, now=NOW - timedelta(minutes=2))

    board = counter.counter_board(session, now=NOW)
    assert [(w.position, w.name, w.ticket_id) for w in board.waiting][0] == (1, "Minji K.", first)
    assert [w.name for w in board.waiting] == ["Minji K.", "Jae P."]
    # five services of 4, 6, 8, 10, 12 min (< 12: the 10th-90th band): 4.8 .. 11.2 min
    assert board.waiting[0].estimate == WaitRange(240, 720, "recent", 5)
    assert board.waiting[1].estimate == WaitRange(540, 1380, "recent", 5)  # 9.6 .. 22.4 min
    assert [(s.name, s.agent) for s in board.serving] == [("Soo L.", "Ana")]
    assert board.opening.is_open and board.opening.phone == "02-880-1234"


def test_without_recent_services_the_weekday_hour_history_is_used(session, agent_id: int, seoul) -> None:  # noqa: ANN001
    for weeks in range(1, 6):  # Tuesdays at 10:xx Seoul time, 3 to 7 minutes
        served(session, agent_id=agent_id, minutes=2 + weeks, done_at=NOW - timedelta(weeks=weeks) + timedelta(minutes=20))
    served(session, agent_id=agent_id, minutes=30, done_at=NOW - timedelta(weeks=1, hours=3))  # another hour
    tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Minji Kim"), subject="x",
                       now=NOW - timedelta(minutes=3))
    [waiting] = counter.counter_board(session, now=NOW).waiting
    assert waiting.estimate == WaitRange(180, 420, "history", 5)  # 3.4 .. 6.6 min, outward


def test_no_estimate_without_enough_history(session, agent_id: int, seoul) -> None:  # noqa: ANN001
    served(session, agent_id=agent_id, minutes=5, done_at=NOW - timedelta(minutes=30))
    tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Minji Kim"), subject="x",
                       now=NOW - timedelta(minutes=3))
    assert counter.counter_board(session, now=NOW).waiting[0].estimate is None


def test_names_setting_applies_to_the_board(session, agent_id: int, seoul) -> None:  # noqa: ANN001
    save_desk_settings(session, actor_id=None, values={"counter_names": "none"})
    tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Minji Kim"), subject="x",
                       now=NOW - timedelta(minutes=3))
    assert counter.counter_board(session, now=NOW).waiting[0].name == ""
    with pytest.raises(errors.InvalidInput):
        save_desk_settings(session, actor_id=None, values={"counter_names": "full"})


def test_closed_outside_hours_and_on_closed_days(session, seoul) -> None:  # noqa: ANN001
    evening = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 19:30 in Seoul
    closed = counter.counter_board(session, now=evening).opening
    assert not closed.is_open
    assert closed.next_open == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # Wednesday 09:00 Seoul
    save_desk_settings(session, actor_id=None, values={"closed_days": ["2026-12-01", "2026-12-02"]})
    holiday = counter.counter_board(session, now=NOW).opening
    assert not holiday.is_open and holiday.next_open == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def test_survey_rating_is_the_persons_credited_to_the_serving_agent(session, agent_id: int, other_agent_id: int,
                                                                    seoul) -> None:  # noqa: ANN001
    ticket_id = served(session, agent_id=agent_id, minutes=5, done_at=NOW, name="Minji Kim")
    mark = 0
    [done] = counter.done_since(session, audit_id=mark, now=NOW)
    assert (done.ticket_id, done.name, done.agent) == (ticket_id, "Minji K.", "Ana")
    survey.record_rating(session, ticket_id=ticket_id, rating="bad", comment="  too   slow ", now=NOW)
    ticket = session.get(Ticket, ticket_id)
    assert (ticket.satisfaction, ticket.satisfaction_source, ticket.satisfaction_agent_id) == ("bad", "person", agent_id)
    assert ticket.satisfaction_comment == "too slow" and ticket.satisfaction_at == NOW
    assert counter.done_since(session, audit_id=mark, now=NOW) == []  # asked once
    call = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Caller Person"),
                              subject="phone", channel="phone", now=NOW - timedelta(minutes=3)).created_id
    tickets.solve(session, ticket_id=call, actor_id=agent_id, now=NOW)
    assert counter.done_since(session, audit_id=mark, now=NOW) == []  # a caller is not at the screen
    with pytest.raises(errors.InvalidInput):
        survey.record_rating(session, ticket_id=ticket_id, rating="good", now=NOW)
    # the agent cannot replace the person's rating through the editor
    with pytest.raises(errors.InvalidInput):
        tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id, expected_version=ticket.version,
                              fields={"satisfaction": "good"})
    rows = session.query(AuditEvent).filter_by(ticket_id=ticket_id, action="rate").all()
    assert {(row.field, row.actor_id) for row in rows} == {("satisfaction", ticket.requester_id),
                                                           ("satisfaction_comment", ticket.requester_id)}


def test_anonymous_good_rating_names_nobody_and_drops_no_comment(session, agent_id: int, seoul) -> None:  # noqa: ANN001
    ticket_id = served(session, agent_id=agent_id, minutes=5, done_at=NOW)
    survey.record_rating(session, ticket_id=ticket_id, rating="good", comment="ignored", anonymous=True, now=NOW)
    ticket = session.get(Ticket, ticket_id)
    assert ticket.satisfaction_comment is None and ticket.satisfaction_anonymous
    assert {row.actor_id for row in session.query(AuditEvent).filter_by(ticket_id=ticket_id, action="rate")} == {None}


def test_agent_reported_rating_is_labelled_as_such(session, agent_id: int, requester_id: int) -> None:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="x").created_id
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=1,
                          fields={"satisfaction": "good"})
    ticket = session.get(Ticket, ticket_id)
    assert (ticket.satisfaction_source, ticket.satisfaction_agent_id) == ("agent", agent_id)
    with pytest.raises(errors.InvalidInput):  # not done yet: nothing to rate
        survey.record_rating(session, ticket_id=ticket_id, rating="good")


def test_upgrade_to_0012_tells_agents_ratings_from_peoples(tmp_path) -> None:  # noqa: ANN001
    """An older store: a rating last set in the editor becomes agent-reported (out of CSAT); one
    pulled from the helpdesk or imported stays the person's, credited to the assignee."""
    import sqlite3
    from contextlib import closing

    from desk.core import db

    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0008")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO people (id, uuid, name, is_agent, role, created_at) VALUES (1, 'a', 'Ana', 1, 'staff', 0)")
        conn.execute("INSERT INTO people (id, uuid, name, kind, created_at) VALUES (2, 'r', 'Kim Lee', 'student', 0)")
        for ticket_id, rating in ((1, "good"), (2, "bad"), (3, "good"), (4, None)):
            conn.execute(
                "INSERT INTO tickets (id, uuid, subject, description, status, priority, channel, requester_id,"
                " assignee_id, arrived_at, created_at, updated_at, reopen_count, version, satisfaction,"
                " logged_after_the_fact) VALUES (?, ?, 's', '', 'solved', 'normal', 'walk-in', 2, 1, 100, 100, 100,"
                " 0, 1, ?, 0)", (ticket_id, f"t{ticket_id}", rating))
        audit = ("INSERT INTO audit_events (ticket_id, actor_id, at, action, field, old, new, origin)"
                 " VALUES (?, ?, ?, ?, 'satisfaction', NULL, ?, ?)")
        conn.execute(audit, (1, 1, 500, "update", "good", None))  # typed in by Ana in the editor
        conn.execute(audit, (2, 1, 400, "update", "good", None))  # Ana typed good, then the helpdesk said bad
        conn.execute(audit, (2, None, 600, "pull", "bad", "zd"))
        conn.commit()  # ticket 3: imported, no audit row
    with db.open_store(path) as store, store.session() as session:
        found = {t.id: (t.satisfaction_source, t.satisfaction_agent_id, t.satisfaction_at)
                 for t in session.query(Ticket).order_by(Ticket.id)}
    assert found == {
        1: ("agent", 1, datetime.fromtimestamp(500, UTC)),
        2: ("person", 1, datetime.fromtimestamp(600, UTC)),
        3: ("person", 1, None),
        4: (None, None, None),
    }
