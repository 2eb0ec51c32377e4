"""Core side of issue 12 (the front desk in the first hour): release back to the line, undo of
"Left without service", Done with a note, ticket-number search, the similar-subject words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desk.core import errors
from desk.core.models import AuditEvent, Comment, Ticket
from desk.core.ops import comments, tickets
from desk.core.queries import queue
from desk.core.queries.frontdesk import walk_in_line
from desk.core.queries.search import subject_words, ticket_number
from desk.core.queries.tickets import similar_recent
from desk.core.settings import set_setting
from desk.core.stats import StatsFilter, compute_stats
from desk.core.vocabulary import counted

T0 = datetime(2026, 5, 4, 10, tzinfo=UTC)  # Monday 10:00


def _log(session, requester_id, subject="Projector", *, at=T0, channel="walk-in"):  # noqa: ANN001, ANN202
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                              channel=channel, arrived_at=at, now=at).created_id


def _audit(session, ticket_id):  # noqa: ANN001, ANN202
    return [(e.action, e.field, e.old, e.new) for e in
            session.query(AuditEvent).filter_by(ticket_id=ticket_id).order_by(AuditEvent.id)]


def test_release_before_any_reply_puts_the_walk_in_back_at_their_arrival_place(session, requester_id, agent_id):
    first = _log(session, requester_id, "Password reset", at=T0)
    second = _log(session, requester_id, "Printer", at=T0 + timedelta(minutes=5))
    tickets.claim(session, ticket_id=first, agent_id=agent_id, now=T0 + timedelta(minutes=6))
    assert [e.ticket_id for e in walk_in_line(session, now=T0 + timedelta(minutes=6)) if e.waiting] == [second]
    tickets.release(session, ticket_id=first, actor_id=agent_id, now=T0 + timedelta(minutes=7))
    ticket = session.get(Ticket, first)
    assert (ticket.status, ticket.assignee_id, ticket.service_started_at) == ("new", None, None)
    line = walk_in_line(session, now=T0 + timedelta(minutes=7))
    assert [e.ticket_id for e in line if e.waiting] == [first, second]  # first arrived first
    assert tickets.oldest_waiting_id(session) == first
    # the interrupted start stays in the audit
    assert ("release", "service_started_at", (T0 + timedelta(minutes=6)).isoformat(), None) in _audit(session, first)
    assert ("release", "status", "open", "new") in _audit(session, first)


def test_a_released_claim_is_not_the_start_of_service(session, requester_id, agent_id):
    """docs/metrics.md, "Start of service": the wait runs on to the claim that stays."""
    set_setting(session, key="timezone", value="UTC")
    walk_in = _log(session, requester_id, at=T0)
    tickets.claim(session, ticket_id=walk_in, agent_id=agent_id, now=T0 + timedelta(minutes=1))
    tickets.release(session, ticket_id=walk_in, actor_id=agent_id, now=T0 + timedelta(minutes=2))
    tickets.claim(session, ticket_id=walk_in, agent_id=agent_id, now=T0 + timedelta(minutes=4))
    report = compute_stats(session, StatsFilter(start=date(2026, 5, 4), end=date(2026, 5, 8)),
                           now=datetime(2026, 6, 30, tzinfo=UTC))
    assert (report.wait.n, report.wait.median) == (1, 240)  # 10:00 -> 10:04, not 10:01


def test_release_after_a_reply_only_gives_the_ticket_back(session, requester_id, agent_id):
    answered = _log(session, requester_id, at=T0)
    tickets.claim(session, ticket_id=answered, agent_id=agent_id, now=T0 + timedelta(minutes=1))
    comments.add_comment(session, ticket_id=answered, author_id=agent_id, body="On it.", public=True,
                         now=T0 + timedelta(minutes=2))
    tickets.release(session, ticket_id=answered, actor_id=agent_id, now=T0 + timedelta(minutes=3))
    ticket = session.get(Ticket, answered)
    assert (ticket.status, ticket.assignee_id) == ("open", None)
    assert ticket.service_started_at == T0 + timedelta(minutes=1)
    email = _log(session, requester_id, "By mail", channel="email")
    tickets.claim(session, ticket_id=email, agent_id=agent_id, now=T0 + timedelta(minutes=1))
    tickets.release(session, ticket_id=email, actor_id=agent_id, now=T0 + timedelta(minutes=2))
    assert session.get(Ticket, email).status == "open"  # not a desk ticket: no line to go back to


def test_undo_left_reopens_with_audit_rows(session, requester_id, agent_id):
    walk_in = _log(session, requester_id, at=T0)
    tickets.mark_left(session, ticket_id=walk_in, actor_id=agent_id, now=T0 + timedelta(minutes=3))
    assert walk_in_line(session, now=T0 + timedelta(minutes=3)) == []
    tickets.undo_left(session, ticket_id=walk_in, actor_id=agent_id, now=T0 + timedelta(minutes=3, seconds=5))
    ticket = session.get(Ticket, walk_in)
    assert (ticket.status, ticket.left_at, ticket.reopen_count, ticket.solved_at) == ("new", None, 0, None)
    assert [e.ticket_id for e in walk_in_line(session, now=T0 + timedelta(minutes=4))] == [walk_in]
    trail = _audit(session, walk_in)
    assert trail[-3:] == [("left", "status", "new", "closed"), ("undo-left", "status", "closed", "new"),
                          ("undo-left", "left_at", (T0 + timedelta(minutes=3)).isoformat(), None)]
    with pytest.raises(errors.InvalidInput, match="not marked as left"):
        tickets.undo_left(session, ticket_id=walk_in, actor_id=agent_id)


def test_done_with_a_note_is_one_operation(session, requester_id, agent_id):
    walk_in = _log(session, requester_id, at=T0)
    changes = tickets.solve(session, ticket_id=walk_in, actor_id=agent_id, note="  Reset the toner. ",
                            now=T0 + timedelta(minutes=2))
    assert changes.comments and changes.tickets
    ticket = session.get(Ticket, walk_in)
    assert ticket.status == "solved"
    notes = session.query(Comment).filter_by(ticket_id=walk_in).all()
    assert [(n.body, n.is_public, n.author_id) for n in notes] == [("Reset the toner.", False, agent_id)]
    assert ticket.first_response_at is None  # a note is no response
    plain = _log(session, requester_id, at=T0)
    assert not tickets.solve(session, ticket_id=plain, actor_id=agent_id, note="  ").comments


def test_ticket_number_search(session, requester_id):
    wanted = _log(session, requester_id, "Wi-Fi")
    tickets.solve(session, ticket_id=wanted, actor_id=None)
    room = _log(session, requester_id, f"Projector in room {wanted}")
    other = _log(session, requester_id, "Printer")

    def found(text, view="all-open", sort="waiting"):  # noqa: ANN001, ANN202
        return [i for _k, i in queue.page(session, queue.QueueFilter(view=view, search=text), sort=sort)]

    assert found(f"#{wanted}") == [wanted]  # that ticket, though it is not open
    assert found(f" # {wanted} ", view="waiting") == [wanted]
    assert found(str(wanted)) == [wanted, room]  # the ticket first, then the text matches
    assert found(str(wanted), view="all", sort="id") == [wanted, room]
    assert found(f"#{other + 100}") == []
    assert queue.count(session, queue.QueueFilter(view="all-open", search=f"#{wanted}")) == 1
    assert ticket_number("#20001") == (20001, True)
    assert ticket_number("20001") == (20001, False)
    assert ticket_number("room 101") is None


def test_subject_words_leave_out_stop_words_and_particles():
    assert subject_words("The projector in the lab is not working") == ["projector", "lab", "working"]
    assert subject_words("프린터가 안 돼요") == ["프린터"]
    assert subject_words("회의실에서 프로젝터를 켜는 방법") == ["회의실", "프로젝터", "켜는", "방법"]
    assert subject_words("in the") == []
    assert subject_words("Room 2 and room 101") == ["room", "101"]


def test_similar_subjects_ignore_common_words(session, requester_id):
    now = datetime.now(UTC)
    projector = _log(session, requester_id, "Projector in the lecture hall", at=now - timedelta(minutes=5))
    printer = _log(session, requester_id, "프린터를 못 써요", at=now - timedelta(minutes=5))
    _log(session, requester_id, "Password in the portal", at=now - timedelta(minutes=5))

    def similar(subject):  # noqa: ANN001, ANN202
        return [t.id for t in similar_recent(session, subject)]

    assert similar("Screen in the office") == []  # "in", "the" are shared, nothing else
    assert similar("The projector is dim") == [projector]
    assert similar("프린터가 안 돼요") == [printer]  # the same word with another particle
    assert similar("이 가 을") == []


def test_counted_words():
    assert counted(1, "match", "matches") == "1 match"
    assert counted(0, "match", "matches") == "0 matches"
    assert counted(12345, "ticket", "tickets") == "12,345 tickets"
    assert counted(1, "person", "people") == "1 person"


