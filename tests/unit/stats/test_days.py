"""Day summaries (``stats_days``): every writer marks the days it changes, a read rebuilds
exactly those, and what is read always equals a build from scratch."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from desk.core import errors
from desk.core.models import Ticket
from desk.core.ops import comments, tickets
from desk.core.stats import days
from desk.core.stats.facts import TicketFacts

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
START, END = int(T0.timestamp()), int((T0 + timedelta(days=10)).timestamp())


def dirty(session) -> set[int]:  # noqa: ANN001
    return {row[0] for row in session.execute(text("SELECT day FROM stats_dirty_days"))}


def day_of(moment: datetime) -> int:
    return int(moment.timestamp()) // 86_400


def by_ticket(facts: TicketFacts) -> dict[str, list[int]]:
    order = np.argsort(facts.ticket_id)
    return {f.name: getattr(facts, f.name)[order].astype(np.int64).tolist() for f in fields(facts)}


def from_scratch(session) -> tuple[dict[str, list[int]], list[int]]:  # noqa: ANN001
    """The period's facts from the tickets themselves (no saved day is used or changed)."""
    stale = [row[0] for row in session.execute(text("SELECT DISTINCT arrived_at / 86400 FROM tickets"))]
    built = days.build(session, stale).values()
    records = np.concatenate([np.zeros(0, dtype=days.RECORD), *(part[0] for part in built)])
    records = records[(records["arrived"] >= START) & (records["arrived"] < END)]
    facts = days.to_facts(records, days.F.kinds_by_person(session))
    return by_ticket(facts), sorted(records["ticket_id"][records["replies"] == 1].tolist())


def read(session) -> tuple[dict[str, list[int]], list[int]]:  # noqa: ANN001
    facts, one_reply, _steps = days.period_facts(session, START, END)
    return by_ticket(facts), sorted(one_reply.tolist())


def log(session, requester_id: int, when: datetime, channel: str = "walk-in") -> int:  # noqa: ANN001
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="printer",
                              channel=channel, arrived_at=when, now=when).created_id


def test_every_writer_marks_the_day_it_changes(session, agent_id, requester_id) -> None:  # noqa: ANN001
    monday, friday = T0, T0 + timedelta(days=4)
    first = log(session, requester_id, monday)
    second = log(session, requester_id, friday)
    assert dirty(session) == {day_of(monday), day_of(friday)}
    days.period_facts(session, START, END)
    assert dirty(session) == set()

    session.execute(text("INSERT INTO comments (uuid, ticket_id, author_id, is_public, body, created_at)"
                         " VALUES ('c1', :t, :a, 0, 'internal', :at)"), {"t": first, "a": agent_id, "at": START})
    assert dirty(session) == set()  # an internal note alone changes no metric
    comments.add_comment(session, ticket_id=first, author_id=agent_id, body="Hello", public=True,
                         now=monday + timedelta(hours=1))
    assert dirty(session) == {day_of(monday)}
    days.period_facts(session, START, END)

    tickets.claim(session, ticket_id=second, agent_id=agent_id, now=friday + timedelta(minutes=3))
    assert dirty(session) == {day_of(friday)}
    days.period_facts(session, START, END)

    session.execute(text("UPDATE people SET is_agent = 0 WHERE id = :id"), {"id": agent_id})
    assert dirty(session) == {day_of(monday)}  # the days of tickets the person replied on
    session.execute(text("UPDATE tickets SET arrived_at = arrived_at - 86400 WHERE id = :id"), {"id": second})
    assert dirty(session) == {day_of(monday), day_of(friday), day_of(friday) - 1}
    session.commit()


def test_a_read_rebuilds_exactly_the_dirty_days(session, agent_id, requester_id, monkeypatch) -> None:  # noqa: ANN001
    ids = [log(session, requester_id, T0 + timedelta(days=d, hours=2)) for d in range(5)]
    days.period_facts(session, START, END)
    tickets.claim(session, ticket_id=ids[3], agent_id=agent_id, now=T0 + timedelta(days=3, hours=3))
    built: list[int] = []
    original = days.build
    monkeypatch.setattr(days, "build", lambda s, stale: (built.extend(stale), original(s, stale))[1])
    summaries = read(session)
    assert built == [day_of(T0 + timedelta(days=3))]
    assert summaries == from_scratch(session)


def test_summaries_made_by_other_definitions_are_rebuilt(session, requester_id) -> None:  # noqa: ANN001
    log(session, requester_id, T0)
    days.period_facts(session, START, END)
    session.execute(text("UPDATE stats_days SET definition = 'older', facts = x''"))
    session.commit()
    assert read(session) == from_scratch(session)
    assert session.execute(text("SELECT DISTINCT definition FROM stats_days")).scalars().all() == [days.DEFINITION]


@pytest.mark.parametrize("problem", [errors.StoreLocked, errors.StoreReadOnly])
def test_a_store_that_cannot_be_written_still_gets_correct_numbers(
    session, requester_id, monkeypatch, problem  # noqa: ANN001
) -> None:
    log(session, requester_id, T0)
    expected = from_scratch(session)

    def refuse(_session):  # noqa: ANN001, ANN202
        raise problem("the store cannot be written")

    monkeypatch.setattr(days, "unit_of_work", refuse)
    assert read(session) == expected
    assert dirty(session) == {day_of(T0)}  # nothing was saved: the next writable read rebuilds it


ACTIONS = st.lists(st.tuples(
    st.sampled_from(["log", "claim", "reply", "note", "solve", "reopen", "left", "rate", "move"]),
    st.integers(0, 9), st.integers(0, 8 * 24 * 60)), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(ACTIONS, min_size=1, max_size=3))
def test_what_is_read_always_equals_a_build_from_scratch(session, agent_id, requester_id, batches) -> None:  # noqa: ANN001
    made: list[int] = []  # (tickets of earlier examples stay: the store is per test, not per example)
    for batch in batches:
        for action, pick, minutes in batch:
            when = T0 + timedelta(minutes=minutes)
            ticket_id = made[pick % len(made)] if made else None
            try:
                if action == "log" or ticket_id is None:
                    made.append(log(session, requester_id, when, ("walk-in", "phone", "email", "web")[pick % 4]))
                elif action == "claim":
                    tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=when)
                elif action in ("reply", "note"):
                    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body="ok",
                                         public=action == "reply", now=when)
                elif action == "solve":
                    tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
                elif action == "reopen":
                    tickets.reopen(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
                elif action == "left":
                    tickets.mark_left(session, ticket_id=ticket_id, actor_id=agent_id, now=when)
                elif action == "rate":
                    version = session.get(Ticket, ticket_id).version
                    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=None, expected_version=version,
                                          fields={"satisfaction": ("good", "bad")[pick % 2]}, now=when)
                elif action == "move":
                    session.execute(text("UPDATE tickets SET arrived_at = :at WHERE id = :id"),
                                    {"at": int(when.timestamp()), "id": ticket_id})
                    session.commit()
            except errors.InvalidInput:
                pass  # e.g. solving a ticket that is already solved
        assert read(session) == from_scratch(session)
