"""Quick log as one operation (window and ``desk log``), and the shared vocabulary."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from desk.core import errors, vocabulary
from desk.core.models import AuditEvent, Category, Person, Ticket, utcnow
from desk.core.ops import intake
from desk.core.queries import queue


def count(session, model) -> int:  # noqa: ANN001
    value = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return int(value)


def test_new_requester_and_ticket_in_one_operation(session, agent_id):
    arrived = utcnow() - timedelta(minutes=3)
    changes = intake.log_request(
        session, actor_id=agent_id, subject="Laptop will not charge", channel="phone",
        requester=intake.NewRequester(name="Min-su Kim", email="MINSU@uni.edu", phone="010-1234", kind="student"),
        category_name="Hardware", location_name="Room 101", arrived_at=arrived,
    )
    ticket = session.get(Ticket, changes.created_id)
    assert ticket.requester.name == "Min-su Kim" and ticket.requester.email == "minsu@uni.edu"
    assert ticket.requester.kind == "student" and ticket.requester.phone == "010-1234"
    assert ticket.category.name == "Hardware" and ticket.location.name == "Room 101"
    assert ticket.arrived_at == arrived and ticket.channel == "phone"
    # what the screens need to refresh: the new person, the new choices, the new ticket
    assert changes.people and changes.choices and changes.tickets and changes.ticket_ids == {ticket.id}


def test_known_email_reuses_the_person_and_known_category_is_no_new_choice(session, agent_id, requester_id):
    known = session.get(Person, requester_id).email
    first = intake.log_request(session, actor_id=agent_id, requester=intake.NewRequester(email=known.upper()),
                               subject="Printer jam", category_name="Printing")
    second = intake.log_request(session, actor_id=agent_id, requester=intake.NewRequester(email=known),
                                subject="Printer jam again", category_name="printing")
    assert session.get(Ticket, second.created_id).requester_id == requester_id
    assert session.get(Ticket, first.created_id).category_id == session.get(Ticket, second.created_id).category_id
    assert first.choices and not second.choices and not second.people


def test_a_failed_log_leaves_no_half_written_person(session, agent_id):
    people_before, categories_before = count(session, Person), count(session, Category)
    audit_before = count(session, AuditEvent)  # adding the agent (the fixture) is audited
    with pytest.raises(errors.InvalidInput):
        intake.log_request(session, actor_id=agent_id, requester=intake.NewRequester(name="Ghost"),
                           subject="   ", category_name="Never made")
    assert count(session, Person) == people_before and count(session, Category) == categories_before
    assert count(session, AuditEvent) == audit_before


def test_one_transaction_means_one_commit(store, agent_id):
    """Both writes land in one commit: another connection sees the data version move once."""
    watcher = sqlite3.connect(store.path)
    before = watcher.execute("PRAGMA data_version").fetchone()[0]
    with store.session() as session:
        commits = []
        from sqlalchemy import event

        event.listen(session, "after_commit", lambda _s: commits.append(1))
        intake.log_request(session, actor_id=agent_id, requester=intake.NewRequester(name="Walk-in Wanda"),
                           subject="Forgot password", category_name="Accounts", location_name="Front desk")
    assert len(commits) == 1
    assert watcher.execute("PRAGMA data_version").fetchone()[0] != before
    watcher.close()


def test_vocabulary_sql_matches_the_partial_index_spelling():
    # ix_tickets_open_arrived's WHERE is spelled with this list; a different spelling loses the index
    assert vocabulary.OPEN_SQL == "('new','open','pending','on-hold')"
    assert queue.VIEWS["all-open"][1] == f"t.status IN {vocabulary.OPEN_SQL}"
    assert vocabulary.DESK_CHANNELS_SQL in queue.VIEWS["waiting"][1]
    assert set(vocabulary.DESK_CHANNELS) < set(vocabulary.CHANNELS)
    assert set(vocabulary.OPEN_STATUSES) | set(vocabulary.DONE_STATUSES) == set(vocabulary.STATUSES)


@pytest.mark.parametrize(("seconds", "text"), [
    (-5, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (3600, "1 h 00"), (3 * 3600 + 5 * 60, "3 h 05"),
    (86400 + 4 * 3600 + 59, "1 d 4 h"),
])
def test_age_text(seconds, text):
    assert vocabulary.format_age(seconds) == text


def test_waiting_at_desk_in_python_and_sql_agree(session, agent_id, requester_id):
    """The predicate used on rows in memory picks the same tickets as the SQL view."""
    from desk.core.ops import tickets

    ids = {}
    for channel in vocabulary.CHANNELS:
        ids[channel] = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                          subject=f"via {channel}", channel=channel).created_id
    tickets.claim(session, ticket_id=ids["phone"], agent_id=agent_id)
    sql = set(session.scalars(text(f"SELECT t.id FROM tickets t WHERE {vocabulary.WAITING_AT_DESK_SQL}")))
    in_memory = {t.id for t in session.scalars(select(Ticket)) if vocabulary.is_waiting_at_desk(
        status=t.status, assignee_id=t.assignee_id, service_started_at=t.service_started_at,
        left_at=t.left_at, channel=t.channel)}
    assert sql == in_memory == {ids["walk-in"]}


def test_desk_log_is_one_operation_and_refuses_without_leftovers(tmp_path, capsys):
    from desk.cli.main import main
    from desk.core.db import open_store

    db = str(tmp_path / "cli.sqlite3")
    assert main(["init", db]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["--db", db, "log", "--requester", "new@uni.example", "--name", "New Person", "--category",
                 "Brand new category", "--subject", "   "]) != 0
    assert "subject" in capsys.readouterr().err.lower()
    with open_store(db) as store, store.session() as session:
        assert count(session, Person) == 0 and count(session, Category) == 0
    assert main(["--db", db, "log", "--requester", "new@uni.example", "--name", "New Person", "--category",
                 "Brand new category", "--location", "Annex", "--subject", "Mouse broken"]) == 0
    with open_store(db) as store, store.session() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.requester.name, ticket.category.name, ticket.location.name) == (
            "New Person", "Brand new category", "Annex")
