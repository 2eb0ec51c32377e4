"""A message read by IMAP lands on its ticket, or becomes a new e-mail ticket: one op each.

Matching, in order: a Message-ID in In-Reply-To/References that Desk sent or read before for a
ticket, then ``[Desk #N]`` in the subject. A match becomes a public comment from the sender (a
solved or pending ticket opens again); no match becomes a new ticket with channel e-mail, and
its "we have your request" is queued in the same transaction. Every message is recorded in
``mail_inbox`` by Message-ID, so reading it again changes nothing; a message that cannot land
is recorded with why (``skip``) and stays in the mailbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.mail import compose, outbox
from desk.core.mail.parsing import Incoming
from desk.core.mail.settings import load_mail_settings
from desk.core.models import MailInbox, MailOutbox, Setting, Ticket, utcnow
from desk.core.ops import people
from desk.core.ops._audit import record
from desk.core.vocabulary import REOPENED_BY_ANSWER

CURSOR_KEY = "mail.imap_cursor"  # "<UIDVALIDITY>:<last UID read>"


def already_read(session: Session, message_id: str) -> bool:
    return session.get(MailInbox, message_id) is not None


def _size(n: int) -> str:
    for unit, step in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= step:
            return f"{n / step:.1f} {unit}"
    return f"{n} B"


def comment_text(mail: Incoming) -> str:
    text = mail.text or _("(The mail has no text.)")
    if mail.broken:
        text += "\n\n" + _("[This mail's MIME structure is damaged; its text is shown as it arrived.]")
    if mail.attachments:
        listed = "\n".join(f"• {name} ({_size(size)})" for name, size in mail.attachments)
        text += "\n\n" + _("Attachments (not kept in Desk; the mail stays in the mailbox):") + "\n" + listed
    return text


def match_ticket(session: Session, mail: Incoming) -> int | None:
    if mail.thread:
        found = session.scalar(select(MailOutbox.ticket_id).where(MailOutbox.message_id.in_(mail.thread)).limit(1))
        if found is None:
            found = session.scalar(select(MailInbox.ticket_id).where(MailInbox.message_id.in_(mail.thread),
                                                                     MailInbox.ticket_id.is_not(None)).limit(1))
        if found is not None and session.get(Ticket, found) is not None:
            return found
    number = compose.ticket_in_subject(mail.subject)
    if number is not None and session.get(Ticket, number) is not None:
        return number
    return None


def _save_cursor(session: Session, cursor: str | None) -> None:
    if cursor is not None:
        session.merge(Setting(key=CURSOR_KEY, value=cursor))


def receive(session: Session, *, mail: Incoming, cursor: str | None = None, now: datetime | None = None) -> Changes:
    """File one message (see the module's docstring). ``cursor`` is where the next read resumes,
    saved in the same transaction. ``created_id`` is the ticket it landed on."""
    from desk.core.ops.comments import insert_comment
    from desk.core.ops.intake import NewRequester, log_request
    from desk.core.ops.tickets import _apply, bump_version

    now = now or utcnow()
    with unit_of_work(session):
        if already_read(session, mail.message_id):
            _save_cursor(session, cursor)
            return Changes()
        own = load_mail_settings(session).from_address.lower()
        if mail.automatic or (own and mail.sender == own) or \
                session.scalar(select(MailOutbox.id).where(MailOutbox.message_id == mail.message_id)) is not None:
            reason = _("an automatic reply or bulk mail") if mail.automatic else _("sent by this desk")
            return skip(session, message_id=mail.message_id, sender=mail.sender, subject=mail.subject,
                        size=mail.size, reason=reason, cursor=cursor, now=now)
        ticket_id = match_ticket(session, mail)
        text = comment_text(mail)
        if ticket_id is None:
            changes = log_request(session, actor_id=None, requester=NewRequester(name=mail.sender_name or None,
                                                                                 email=mail.sender),
                                  subject=mail.subject or _("(no subject)"), channel="email", description=text,
                                  now=now, confirm=False)
            ticket_id, comment_id = changes.created_id, None
        else:
            found = people.ensure_requester(session, email=mail.sender, name=mail.sender_name or None)
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            comment, _implied = insert_comment(session, ticket, author_id=found.created_id, body=text, public=True,
                                               now=now, status=None)
            if ticket.status in REOPENED_BY_ANSWER:
                _apply(session, ticket, {"status": "open"}, actor_id=found.created_id, now=now, action="mail-reply")
            bump_version(ticket, now)
            session.flush()
            comment_id = comment.id
            changes = found | Changes.for_ticket(ticket_id, comments=True)
        session.add(MailInbox(message_id=mail.message_id, ticket_id=ticket_id, comment_id=comment_id,
                              sender=mail.sender, subject=mail.subject[:500], size=mail.size, received_at=now))
        if comment_id is None:  # a new ticket: "we have your request", answering the person's mail
            session.flush()
            outbox.queue_confirmation(session, ticket=session.get(Ticket, ticket_id), now=now)  # type: ignore[arg-type]
        record(session, ticket_id=ticket_id, actor_id=None, at=now, action="mail-received", field="from",
               new=mail.sender)
        _save_cursor(session, cursor)
        return Changes(ticket_ids=changes.ticket_ids | {ticket_id}, tickets=True, comments=True,
                       people=changes.people, created_id=ticket_id)


def skip(session: Session, *, message_id: str, sender: str, subject: str, size: int, reason: str,
         cursor: str | None = None, now: datetime | None = None) -> Changes:
    """Remember a message that cannot land, and why; it stays in the mailbox."""
    now = now or utcnow()
    with unit_of_work(session):
        if not already_read(session, message_id):
            session.add(MailInbox(message_id=message_id, sender=sender, subject=subject[:500], size=size,
                                  skipped=reason[:500], received_at=now))
            record(session, ticket_id=None, actor_id=None, at=now, action="mail-skipped", field="from",
                   new=f"{sender}: {reason}"[:500])
        _save_cursor(session, cursor)
        return Changes()


def skipped(session: Session, *, limit: int = 50) -> list[MailInbox]:
    return list(session.scalars(select(MailInbox).where(MailInbox.skipped.is_not(None))
                                .order_by(MailInbox.received_at.desc()).limit(limit)))


def cursor(session: Session) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == CURSOR_KEY))
