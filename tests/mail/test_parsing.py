"""Parsing whatever arrives: never a crash, scripts never reach the text, attachments listed."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desk.core.mail import outbox, sender
from desk.core.mail.parsing import Unreadable, html_to_text, parse
from desk.core.models import MailOutbox, utcnow
from desk.core.ops import replies, tickets

HEADER_LINES = st.sampled_from([
    b"From: a@b.test", b"From: <broken", b"From: =?utf-8?q?=E2=82=AC?= <x@y.test>", b"Subject: =?bad?=",
    b"Message-ID: <m@x>", b"Message-ID: not an id", b"Content-Type: multipart/mixed; boundary=\"b\"",
    b"Content-Type: text/html; charset=nonsense", b"Content-Transfer-Encoding: base64",
    b"In-Reply-To: <a@b> <c@d>", b"Auto-Submitted: auto-replied", b"Content-Type: text/plain; charset=utf-8",
])


@settings(max_examples=150, deadline=None)
@given(headers=st.lists(HEADER_LINES, max_size=8), body=st.binary(max_size=400))
def test_any_bytes_become_a_message_or_a_reason(headers: list[bytes], body: bytes) -> None:
    raw = b"\r\n".join(headers) + b"\r\n\r\n" + body
    try:
        mail = parse(raw)
    except Unreadable as exc:
        assert exc.message
        return
    assert "@" in mail.sender and mail.message_id.startswith("<") and mail.size == len(raw)
    assert parse(raw).message_id == mail.message_id  # the same bytes, the same identity


@settings(max_examples=100, deadline=None)
@given(before=st.text(alphabet="abc >/&;\n", max_size=30), secret=st.text(alphabet="xyz", min_size=3, max_size=10),
       opening=st.sampled_from(["<script>", "<SCRIPT>", '<script type="text/javascript">', "<style>",
                                "<script\n>", "<noscript>"]))
def test_script_and_style_content_never_reaches_the_text(before: str, secret: str, opening: str) -> None:
    # (Text glued to a "<" before the tag, as in "<a<script>", is one odd tag name to a browser
    # too; there the "script" is no script, and its words are text.)
    closing = "</" + opening[1:].split()[0].split(">")[0].lower() + ">"
    text = html_to_text(f"{before}{opening}{secret}{closing}<p>kept</p>")
    assert secret not in text
    assert "kept" in text


def test_a_plain_mail_with_two_attachments() -> None:
    message = EmailMessage()
    message["From"] = "Kim Lee <kim@uni.test>"
    message["Subject"] = "Logs"
    message.set_content("See attached.")
    message.add_attachment(b"x" * 2048, maintype="text", subtype="plain", filename="log.txt")
    message.add_attachment(b"y" * 10, maintype="application", subtype="octet-stream")
    mail = parse(message.as_bytes())
    assert (mail.sender, mail.sender_name, mail.text) == ("kim@uni.test", "Kim Lee", "See attached.")
    assert mail.attachments == [("log.txt", 2048), ("(unnamed application/octet-stream)", 10)]
    assert mail.message_id.startswith("<sha256-")  # none given: named by its bytes


def test_a_sender_that_died_mid_attempt_is_retried_with_the_same_message_id(
        session, mail_desk, smtp_server, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Mic").created_id
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Swapped.", public=True)
    row = session.scalar(select(MailOutbox))
    assert outbox.claim(session, mail_id=row.id, now=utcnow()) is not None  # … and then the process died
    assert sender.deliver_due(session).sent == []  # "sending" a moment ago: not taken again yet

    later = utcnow() + outbox.STALE_SENDING + timedelta(seconds=1)
    assert sender.deliver_due(session, now=lambda: later).sent == [row.id]
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
