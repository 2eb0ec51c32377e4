"""Replies and new requests read from a real IMAP server (dovecot on loopback), one op each."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import delete, select

from desk.core.mail import intake, reader, sender
from desk.core.models import Comment, MailInbox, MailOutbox, Person, Setting, Ticket
from desk.core.ops import replies, tickets
from tests.mail.servers import ImapServer

MB = 1024 * 1024


def _mail(*, sender_address: str = "prof.chen@uni.test", subject: str = "Re: lamp", body: str = "Thanks!",
          message_id: str = "<answer-1@uni.test>", in_reply_to: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Wei Chen <{sender_address}>"
    message["To"] = "help@desk.test"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message


def _comments(session, ticket_id: int) -> list[Comment]:  # noqa: ANN001
    session.expire_all()
    return list(session.scalars(select(Comment).where(Comment.ticket_id == ticket_id).order_by(Comment.id)))


def _answered_ticket(session, requester_id: int, agent_id: int) -> tuple[int, str]:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Projector in B12", channel="walk-in").created_id
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Lamp ordered.", public=True,
                       expected_version=1, fields={"status": "solved"})
    sender.deliver_due(session)
    message_id = session.scalar(select(MailOutbox.message_id).where(MailOutbox.ticket_id == ticket_id))
    return ticket_id, message_id


def test_a_persons_answer_is_threaded_back_onto_its_ticket_once(
        session, full_mail_desk, imap_server: ImapServer, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id, sent_id = _answered_ticket(session, requester_id, agent_id)
    imap_server.append(_mail(subject="Re: your mail", body="It still flickers.", in_reply_to=sent_id))

    first = reader.read_new(session)
    again = reader.read_new(session)
    session.execute(delete(Setting).where(Setting.key == intake.CURSOR_KEY))  # a lost cursor reads all again
    session.commit()
    third = reader.read_new(session)

    assert first.landed == [ticket_id] and again.landed == [] and third.landed == []
    answer = _comments(session, ticket_id)[-1]
    assert answer.body == "It still flickers." and answer.is_public and answer.author_id == requester_id
    assert session.get(Ticket, ticket_id).status == "open"  # solved, answered: open again
    assert imap_server.count() == 1  # read, never moved or deleted

    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Swapping it today.", public=True)
    row = session.scalars(select(MailOutbox).where(MailOutbox.ticket_id == ticket_id)
                          .order_by(MailOutbox.id.desc())).first()
    assert row.in_reply_to == "<answer-1@uni.test>" and sent_id in row.refs


def test_the_ticket_number_in_the_subject_is_enough(
        session, full_mail_desk, imap_server: ImapServer, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id, _sent = _answered_ticket(session, requester_id, agent_id)
    imap_server.append(_mail(subject=f"Fwd: [Desk #{ticket_id}] Projector in B12", body="Also the cable.",
                             message_id="<fwd-1@uni.test>"))
    assert reader.read_new(session).landed == [ticket_id]
    assert _comments(session, ticket_id)[-1].body == "Also the cable."


def test_an_unknown_sender_becomes_a_new_email_ticket_with_a_confirmation(
        session, full_mail_desk, imap_server: ImapServer) -> None:  # noqa: ANN001
    imap_server.append(_mail(sender_address="new.person@uni.test", subject="Printer on 3rd floor jams",
                             body="Every second page.", message_id="<new-1@uni.test>"))
    [ticket_id] = reader.read_new(session).landed
    ticket = session.get(Ticket, ticket_id)
    assert (ticket.channel, ticket.subject, ticket.description) == ("email", "Printer on 3rd floor jams",
                                                                    "Every second page.")
    assert ticket.requester.email == "new.person@uni.test" and ticket.requester.name == "Wei Chen"
    confirmation = session.scalar(select(MailOutbox).where(MailOutbox.ticket_id == ticket_id))
    assert confirmation.kind == "confirmation" and confirmation.in_reply_to == "<new-1@uni.test>"


def test_a_10_mb_mail_lands_with_its_attachment_listed_not_stored(
        session, full_mail_desk, imap_server: ImapServer, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id, sent_id = _answered_ticket(session, requester_id, agent_id)
    message = _mail(body="The photo of the error.", in_reply_to=sent_id, message_id="<big-1@uni.test>")
    message.add_attachment(b"\x89PNG" + bytes(10 * MB), maintype="image", subtype="png", filename="error.png")
    imap_server.append(message)

    assert reader.read_new(session).landed == [ticket_id]
    body = _comments(session, ticket_id)[-1].body
    assert body.startswith("The photo of the error.")
    assert "error.png (10.0 MB)" in body and len(body) < 1000


def test_a_mail_over_the_limit_is_skipped_with_its_reason_and_stays_in_the_mailbox(
        session, full_mail_desk, imap_server: ImapServer) -> None:  # noqa: ANN001
    message = _mail(sender_address="huge@uni.test", subject="Scans", message_id="<huge-1@uni.test>")
    message.add_attachment(bytes(6 * MB), maintype="application", subtype="pdf", filename="scans.pdf")
    imap_server.append(message)

    result = reader.read_new(session, max_bytes=5 * MB)

    assert result.landed == [] and len(result.skipped) == 1 and "larger than 5 MB" in result.skipped[0]
    [row] = intake.skipped(session)
    assert (row.message_id, row.sender, row.subject) == ("<huge-1@uni.test>", "huge@uni.test", "Scans")
    assert session.scalar(select(Ticket.id)) is None and imap_server.count() == 1


def test_malformed_mime_is_kept_as_text_or_skipped_with_a_reason(
        session, full_mail_desk, imap_server: ImapServer) -> None:  # noqa: ANN001
    broken = (b"From: Broken Client <broken@uni.test>\r\nSubject: Help\r\nMessage-ID: <broken-1@uni.test>\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\n"
              b"My monitor is black.\r\n")
    no_sender = b"Subject: Who am I\r\nMessage-ID: <anon-1@uni.test>\r\n\r\nNo From header at all.\r\n"
    imap_server.append(broken)
    imap_server.append(no_sender)

    result = reader.read_new(session)

    [ticket_id] = result.landed
    ticket = session.get(Ticket, ticket_id)
    assert "My monitor is black." in ticket.description and "damaged" in ticket.description
    assert result.skipped == ["cannot be read: it has no sender address to answer"]
    assert session.scalar(select(MailInbox.skipped).where(MailInbox.skipped.is_not(None))) == result.skipped[0]
    assert imap_server.count() == 2


def test_html_with_scripts_becomes_plain_text(session, full_mail_desk, imap_server: ImapServer) -> None:  # noqa: ANN001
    message = EmailMessage()
    message["From"] = "html@uni.test"
    message["Subject"] = "Formatted"
    message["Message-ID"] = "<html-1@uni.test>"
    message.set_content("<html><head><style>p {color: red}</style><script>alert('head')</script></head><body>"
                        "<p>Hello <b>desk</b>,</p><script>document.location='http://evil.test'</script>"
                        "<p onclick=\"steal()\">the <a href=\"javascript:x()\">room</a> is 3.14 &amp; up</p>"
                        "<img src=\"http://tracker.test/pixel.gif\"></body></html>", subtype="html")
    imap_server.append(message)

    [ticket_id] = reader.read_new(session).landed

    text = session.get(Ticket, ticket_id).description
    assert text == "Hello desk,\n\nthe room is 3.14 & up"
    for gone in ("alert", "script", "evil", "steal", "javascript", "tracker", "color"):
        assert gone not in text


def test_our_own_mail_and_auto_replies_make_no_tickets(session, full_mail_desk, imap_server: ImapServer) -> None:  # noqa: ANN001
    own = _mail(sender_address="help@desk.test", subject="copy", message_id="<own-1@desk.test>")
    away = _mail(sender_address="away@uni.test", subject="Out of office", message_id="<away-1@uni.test>")
    away["Auto-Submitted"] = "auto-replied"
    imap_server.append(own)
    imap_server.append(away)
    result = reader.read_new(session)
    assert result.landed == [] and session.scalar(select(Ticket.id)) is None
    assert sorted(row.skipped for row in intake.skipped(session)) == ["an automatic reply or bulk mail",
                                                                      "sent by this desk"]
    assert session.scalar(select(Person.id).where(Person.email == "away@uni.test")) is None
