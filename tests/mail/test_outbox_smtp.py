"""The outbox against a real SMTP server (aiosmtpd on loopback): sent once, threaded, retried."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from desk.core.mail import compose, outbox, sender
from desk.core.models import MailOutbox, utcnow
from desk.core.ops import intake, people, replies, tickets
from tests.mail.servers import SmtpServer


def _ticket(session, requester_id: int, agent_id: int, subject: str = "Projector in B12 is dead") -> int:  # noqa: ANN001
    return tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject=subject,
                              channel="walk-in").created_id


def _rows(session) -> list[MailOutbox]:  # noqa: ANN001
    session.expire_all()
    return list(session.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def test_a_public_reply_is_sent_once_threaded_with_the_ticket_number(
        session, mail_desk, smtp_server: SmtpServer, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = _ticket(session, requester_id, agent_id)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="A new lamp is on its way.",
                       public=True)
    [row] = _rows(session)
    assert (row.state, row.kind, row.to_address) == ("queued", "reply", "prof.chen@uni.test")
    assert outbox.reply_states(session, ticket_id)[row.comment_id].state == "queued"

    first = sender.deliver_due(session)
    again = sender.deliver_due(session, now=lambda: utcnow() + timedelta(days=1))

    assert first.sent == [row.id] and again.sent == []
    [message] = smtp_server.messages
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == f"Re: [Desk #{ticket_id}] Projector in B12 is dead"
    assert message["To"] == "prof.chen@uni.test" and "help@desk.test" in message["From"]
    assert "A new lamp is on its way." in message.get_content()
    assert outbox.reply_states(session, ticket_id)[row.comment_id].state == "sent"

    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="It is fixed.", public=True)
    sender.deliver_due(session)
    second = smtp_server.messages[1]
    assert second["In-Reply-To"] == row.message_id
    assert row.message_id in second["References"]


def test_internal_notes_and_the_requesters_own_words_send_nothing(
        session, mail_desk, smtp_server: SmtpServer, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = _ticket(session, requester_id, agent_id)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Lamp ordered.", public=False)
    replies.send_reply(session, ticket_id=ticket_id, author_id=requester_id, body="Thanks!", public=True)
    assert _rows(session) == []


def test_the_server_stopped_then_restarted_the_reply_waits_and_goes_once(
        session, mail_desk, smtp_server: SmtpServer, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = _ticket(session, requester_id, agent_id)
    smtp_server.stop()
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Coming at 3.", public=True)

    down = sender.deliver_due(session)

    [row] = _rows(session)
    assert down.sent == [] and len(down.retrying) == 1
    assert row.state == "queued" and row.attempts == 1 and "cannot be reached" in (row.last_error or "")
    assert row.next_attempt_at > utcnow()
    assert sender.deliver_due(session).sent == []  # not due yet: the back-off holds it
    state = outbox.reply_states(session, ticket_id)[row.comment_id]
    assert state.state == "queued" and "cannot be reached" in (state.error or "")

    smtp_server.start()
    later = utcnow() + timedelta(minutes=5)
    up = sender.deliver_due(session, now=lambda: later)
    sender.deliver_due(session, now=lambda: later + timedelta(hours=2))

    assert up.sent == [row.id]
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
    [row] = _rows(session)
    assert row.state == "sent" and row.attempts == 2


def test_two_senders_never_take_the_same_mail(session, mail_desk, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = _ticket(session, requester_id, agent_id)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="On it.", public=True)
    [row] = _rows(session)
    now = utcnow()
    assert outbox.claim(session, mail_id=row.id, now=now) is not None
    assert outbox.claim(session, mail_id=row.id, now=now) is None


def test_a_refused_address_fails_for_good_and_says_why(session, mail_desk, smtp_server: SmtpServer,  # noqa: ANN001
                                                        agent_id) -> None:
    from desk.core.mail.smtp import MailFailure

    person = people.ensure_requester(session, email="nobody@nowhere.test", name="No Body").created_id
    ticket_id = _ticket(session, person, agent_id)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Hello.", public=True)

    def refuse(settings, password, message):  # noqa: ANN001, ANN202 - the server's 550, as smtplib reports it
        raise MailFailure("The mail server refused the address: 550 no such user", permanent=True)

    result = sender.deliver_due(session, send=refuse)
    [row] = _rows(session)
    assert result.failed and row.state == "failed" and "550" in (row.last_error or "")
    assert outbox.reply_states(session, ticket_id)[row.comment_id].state == "failed"


def test_we_have_your_request_says_the_number_what_was_asked_and_what_to_expect(
        session, mail_desk, smtp_server: SmtpServer, agent_id) -> None:  # noqa: ANN001
    # Five solved tickets of the category: the estimate the confirmation repeats.
    start = utcnow() - timedelta(days=30)
    for n in range(5):
        done = intake.log_request(session, actor_id=agent_id, requester=intake.NewRequester(name=f"P {n}"),
                                  subject=f"Laptop {n}", category_name="Repairs", arrived_at=start, now=start)
        tickets.solve(session, ticket_id=done.created_id, actor_id=agent_id, now=start + timedelta(days=7))
    logged = intake.log_request(
        session, actor_id=agent_id, subject="Laptop screen cracked", category_name="Repairs",
        description="Dropped it on the stairs.",
        requester=intake.NewRequester(name="Mina Park", email="mina@uni.test"))

    [row] = _rows(session)
    assert row.kind == "confirmation" and row.ticket_id == logged.created_id
    sender.deliver_due(session)
    [message] = smtp_server.messages
    text = message.get_content()
    assert message["Subject"] == f"[Desk #{logged.created_id}] We have your request: Laptop screen cracked"
    assert message["Auto-Submitted"] == "auto-replied"
    assert f"#{logged.created_id}" in text and "Dropped it on the stairs." in text and "Hello Mina," in text
    assert "What to expect: this usually takes about 7 days." in text


def test_confirmation_body_without_an_estimate_promises_nothing() -> None:
    text = compose.confirmation_body(ticket_id=7, first_name="Jo", subject="Wi-Fi", description="", expected=None,
                                     desk_name="Tech Desk")
    assert "#7" in text and "Wi-Fi" in text and "usually takes" not in text and "[Desk #7]" in text


def test_no_channel_no_mail(session, requester_id, agent_id) -> None:  # noqa: ANN001
    """No e-mail set up (and no hosted helpdesk): a reply is recorded only, nothing queued."""
    ticket_id = _ticket(session, requester_id, agent_id)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Noted.", public=True)
    assert _rows(session) == [] and outbox.channel(session, requester_email="prof.chen@uni.test") is None


def test_a_requester_without_an_address_gets_no_mail(session, mail_desk, agent_id) -> None:  # noqa: ANN001
    walk_in = people.ensure_requester(session, email=None, name="Walk In").created_id
    ticket_id = _ticket(session, walk_in, agent_id)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Done at the desk.", public=True)
    assert _rows(session) == [] and outbox.channel(session, requester_email=None) is None


def test_a_promise_typed_before_the_confirmation_goes_is_the_one_it_makes(
        session, mail_desk, smtp_server: SmtpServer, agent_id) -> None:  # noqa: ANN001
    logged = intake.log_request(session, actor_id=agent_id, subject="New laptop",
                                requester=intake.NewRequester(name="Mina Park", email="mina@uni.test"))
    tickets.update_ticket(session, ticket_id=logged.created_id, actor_id=agent_id, expected_version=1,
                          fields={"expected_resolution": "about a week"})
    sender.deliver_due(session)
    [message] = smtp_server.messages
    assert "What to expect: this usually takes about a week." in message.get_content()
    assert "about a week" in _rows(session)[0].body  # what was sent is what is recorded
