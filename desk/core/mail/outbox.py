"""The durable outbox: e-mails owed to people, queued in the transaction of what they tell of.

``queue_reply`` (from the editor's Send) and ``queue_confirmation`` (from logging a request) run
inside the caller's unit of work: the reply and its e-mail are written together or not at all,
and a queued mail survives a closed window or a lost network. Each row has its Message-ID before
the first attempt. ``claim`` moves a due row to ``sending`` with a conditional UPDATE, so two
senders (the window and ``desk mail send``) never both take it; the result is recorded after the
attempt (``record_sent`` / ``record_failure``, with back-off).

What a reply became (``reply_states``): recorded only (no channel to the person), queued (maybe
retrying, with why), sent, failed (and why).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, literal, select, union_all, update
from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.mail import compose
from desk.core.mail.settings import MailSettings, load_mail_settings
from desk.core.models import Comment, MailInbox, MailOutbox, Person, Setting, SyncRemote, Ticket, utcnow
from desk.core.ops._audit import record

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 20  # about a day of trying at the longest wait, then "failed"
STALE_SENDING = timedelta(minutes=10)  # a "sending" row this old: its sender died mid-attempt
MAX_REFERENCES = 20
STATES = ("queued", "sending", "sent", "failed")


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour between attempts."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


# --- which channel reaches the person --------------------------------------------------------------


def has_remote(session: Session) -> bool:
    return session.scalar(select(SyncRemote.id).limit(1)) is not None


def channel(session: Session, *, requester_email: str | None, settings: MailSettings | None = None) -> str | None:
    """"remote" when a hosted helpdesk tells people (it mails them itself), "email" when Desk's
    own mail is set up and the person has an address, else None: a reply is only recorded."""
    if has_remote(session):
        return "remote"
    settings = settings or load_mail_settings(session)
    if settings.sending and requester_email:
        return "email"
    return None


def _desk_name(session: Session) -> str:
    return session.scalar(select(Setting.value).where(Setting.key == "desk_name")) or ""


def _thread(session: Session, ticket_id: int) -> list[tuple[str, bool]]:
    """(Message-ID, read from the person?) of the ticket's mail so far, oldest first: one query."""
    sent = select(MailOutbox.message_id, MailOutbox.created_at.label("at"), literal(False).label("inbound")) \
        .where(MailOutbox.ticket_id == ticket_id)
    read = select(MailInbox.message_id, MailInbox.received_at.label("at"), literal(True).label("inbound")) \
        .where(MailInbox.ticket_id == ticket_id, MailInbox.skipped.is_(None))
    both = union_all(sent, read).subquery()
    return [(message_id, bool(inbound)) for message_id, inbound in
            session.execute(select(both.c.message_id, both.c.inbound).order_by(both.c.at))]


def thread_ids(session: Session, ticket_id: int) -> list[str]:
    """Message-IDs of the ticket's mail so far, oldest first (what we sent and what we read)."""
    return [message_id for message_id, _inbound in _thread(session, ticket_id)]


def _queue(session: Session, *, ticket: Ticket, comment_id: int | None, kind: str, to: str, subject: str,
           body: str, settings: MailSettings, now: datetime) -> MailOutbox:
    thread = _thread(session, ticket.id)
    inbound = [message_id for message_id, from_person in thread if from_person]
    # Answer the person's latest mail if there is one, else continue our own thread.
    in_reply_to = inbound[-1] if inbound else (thread[-1][0] if thread else None)
    row = MailOutbox(ticket_id=ticket.id, comment_id=comment_id, kind=kind,
                     message_id=compose.new_message_id(settings), to_address=to, subject=subject, body=body,
                     in_reply_to=in_reply_to, refs=" ".join(message_id for message_id, _i in thread[-MAX_REFERENCES:]),
                     state="queued", attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    record(session, ticket_id=ticket.id, actor_id=None, at=now, action="mail-queued", field=kind, new=to)
    return row


def _sending_settings(session: Session, requester_email: str | None) -> MailSettings | None:
    """The mail settings when Desk's own e-mail reaches this person; cheapest checks first, so
    a desk without e-mail pays one small query per reply or ticket."""
    if not requester_email:
        return None
    settings = load_mail_settings(session)
    if not settings.sending or has_remote(session):
        return None
    return settings


def queue_reply(session: Session, *, ticket: Ticket, comment: Comment, now: datetime) -> bool:
    """Inside the reply's transaction: queue its e-mail when Desk's mail is the channel."""
    requester: Person = ticket.requester
    settings = _sending_settings(session, requester.email)
    if settings is None:
        return False
    session.flush()  # the comment's id
    _queue(session, ticket=ticket, comment_id=comment.id, kind="reply", to=str(requester.email),
           subject=compose.reply_subject(ticket_id=ticket.id, subject=ticket.subject),
           body=compose.reply_body(body=comment.body, ticket_id=ticket.id, desk_name=_desk_name(session)),
           settings=settings, now=now)
    return True


def _confirmation_text(session: Session, ticket: Ticket, requester: Person) -> str:
    from desk.core.templating import expected_resolution_text

    return compose.confirmation_body(
        ticket_id=ticket.id, first_name=requester.first_name, subject=ticket.subject,
        description=ticket.description, expected=expected_resolution_text(session, ticket),
        desk_name=_desk_name(session))


def queue_confirmation(session: Session, *, ticket: Ticket, now: datetime) -> bool:
    """Inside the new ticket's transaction: "we have your request", with what to expect. Its
    words are written again when it is sent (``claim``), so a promise the agent typed on the
    ticket meanwhile is the one the person reads."""
    requester = session.get(Person, ticket.requester_id)
    settings = _sending_settings(session, requester.email if requester else None)
    if requester is None or settings is None:
        return False
    body = _confirmation_text(session, ticket, requester)
    _queue(session, ticket=ticket, comment_id=None, kind="confirmation", to=str(requester.email),
           subject=compose.confirmation_subject(ticket_id=ticket.id, subject=ticket.subject), body=body,
           settings=settings, now=now)
    return True


# --- sending: claim, then record what happened ---------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """A queued mail as plain values (what the sender needs, off any session)."""

    id: int
    ticket_id: int
    to: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str | None
    references: str
    automatic: bool
    attempts: int


def due_ids(session: Session, *, now: datetime, limit: int = 50) -> list[int]:
    return list(session.scalars(select(MailOutbox.id)
                                .where(MailOutbox.state == "queued", MailOutbox.next_attempt_at <= now)
                                .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(limit)))


def next_due(session: Session) -> datetime | None:
    return session.scalar(select(func.min(MailOutbox.next_attempt_at)).where(MailOutbox.state == "queued"))


def claim(session: Session, *, mail_id: int, now: datetime) -> Outgoing | None:
    """Take a due row for one attempt (state ``sending``); None if another sender has it."""
    with unit_of_work(session):
        taken = session.execute(
            update(MailOutbox)
            .where(MailOutbox.id == mail_id, MailOutbox.state == "queued", MailOutbox.next_attempt_at <= now)
            .values(state="sending", attempts=MailOutbox.attempts + 1, next_attempt_at=now)
        ).rowcount
        if not taken:
            return None
        row = session.get(MailOutbox, mail_id)
        session.refresh(row)
        assert row is not None
        ticket = session.get(Ticket, row.ticket_id)
        if row.kind == "confirmation" and row.attempts == 1 and ticket is not None:
            row.body = _confirmation_text(session, ticket, ticket.requester)  # the promise as it is now
        return Outgoing(id=row.id, ticket_id=row.ticket_id, to=row.to_address, subject=row.subject,
                        body=row.body, message_id=row.message_id, in_reply_to=row.in_reply_to,
                        references=row.refs, automatic=row.kind == "confirmation", attempts=row.attempts)


def record_sent(session: Session, *, mail_id: int, now: datetime | None = None) -> Changes:
    now = now or utcnow()
    with unit_of_work(session):
        row = session.get(MailOutbox, mail_id)
        if row is None:
            return Changes()
        row.state, row.sent_at, row.last_error = "sent", now, None
        record(session, ticket_id=row.ticket_id, actor_id=None, at=now, action="mail-sent", field=row.kind,
               new=row.to_address)
        return Changes.for_ticket(row.ticket_id, comments=True)


def record_failure(session: Session, *, mail_id: int, error: str, permanent: bool,
                   now: datetime | None = None) -> Changes:
    """A failed attempt: queued again after the back-off, or failed for good (permanent, or
    too many attempts). ``error`` is said to the user; it never holds the password."""
    now = now or utcnow()
    with unit_of_work(session):
        row = session.get(MailOutbox, mail_id)
        if row is None:
            return Changes()
        row.last_error = error[:500]
        if permanent or row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            record(session, ticket_id=row.ticket_id, actor_id=None, at=now, action="mail-failed",
                   field=row.kind, new=row.last_error)
        else:
            row.state, row.next_attempt_at = "queued", now + backoff(row.attempts)
        return Changes.for_ticket(row.ticket_id, comments=True)


def recover_interrupted(session: Session, *, now: datetime | None = None) -> Changes:
    """Rows left ``sending`` by a sender that died mid-attempt go back to the queue. The server
    may have taken the mail already; it is sent again with the same Message-ID, so the person's
    mail program shows it once."""
    now = now or utcnow()
    with unit_of_work(session):
        rows = list(session.scalars(select(MailOutbox).where(MailOutbox.state == "sending",
                                                             MailOutbox.next_attempt_at <= now - STALE_SENDING)))
        for row in rows:
            row.state, row.last_error = "queued", "interrupted while sending"
        return Changes(ticket_ids=frozenset(row.ticket_id for row in rows), comments=bool(rows))


def retry(session: Session, *, mail_id: int, actor_id: int | None) -> Changes:
    """A person asks for a failed mail to be tried again now."""
    now = utcnow()
    with unit_of_work(session):
        row = session.get(MailOutbox, mail_id)
        if row is None or row.state not in ("failed", "queued"):
            return Changes()
        row.state, row.next_attempt_at, row.attempts = "queued", now, 0
        record(session, ticket_id=row.ticket_id, actor_id=actor_id, at=now, action="mail-retry", field=row.kind)
        return Changes.for_ticket(row.ticket_id, comments=True)


# --- what became of each reply -------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    state: str  # queued | sending | sent | failed
    attempts: int
    error: str | None
    at: datetime | None  # sent at, or the next attempt
    via: str = "email"  # "email", or the name of the hosted helpdesk that carries it


def reply_states(session: Session, ticket_id: int) -> dict[int | None, Delivery]:
    """comment id -> its e-mail's state; the key None is the ticket's confirmation."""
    rows = session.execute(select(MailOutbox.comment_id, MailOutbox.state, MailOutbox.attempts, MailOutbox.last_error,
                                  MailOutbox.sent_at, MailOutbox.next_attempt_at)
                           .where(MailOutbox.ticket_id == ticket_id).order_by(MailOutbox.id)).all()
    return {comment_id: Delivery(state=state, attempts=attempts, error=error,
                                 at=sent_at if state == "sent" else next_at)
            for comment_id, state, attempts, error, sent_at, next_at in rows}


def deliveries(session: Session, ticket_id: int) -> dict[int | None, Delivery]:
    """What became of each public reply of the ticket: its e-mail, or its trip to a hosted
    helpdesk (waiting in the sync outbox = queued; known upstream = sent, the helpdesk mails it)."""
    from desk.core.models import SyncComment, SyncOutbox

    found = reply_states(session, ticket_id)
    remotes = dict(session.execute(select(SyncRemote.id, SyncRemote.name)).all())
    if not remotes:
        return found
    public = list(session.scalars(select(Comment.id).where(Comment.ticket_id == ticket_id, Comment.is_public.is_(True))))
    for remote_id, name in remotes.items():  # by (remote, comment): the index of sync_comments
        for comment_id in session.scalars(select(SyncComment.comment_id).where(
                SyncComment.remote_id == remote_id, SyncComment.comment_id.in_(public))):
            found.setdefault(comment_id, Delivery(state="sent", attempts=0, error=None, at=None, via=name))
    for comment_id, remote_id, attempts, error in session.execute(
            select(SyncOutbox.comment_id, SyncOutbox.remote_id, SyncOutbox.attempts, SyncOutbox.last_error)
            .where(SyncOutbox.ticket_id == ticket_id, SyncOutbox.kind == "comment")):
        found[comment_id] = Delivery(state="queued", attempts=attempts, error=error, at=None,
                                     via=remotes.get(remote_id, ""))
    return found


def counts(session: Session) -> dict[str, int]:
    found = dict(session.execute(select(MailOutbox.state, func.count()).group_by(MailOutbox.state)).all())
    return {state: int(found.get(state, 0)) for state in STATES}


def waiting_problem(session: Session) -> str | None:
    """Why the mail still waiting did not go yet (the latest attempt's error), if it failed."""
    return session.scalar(select(MailOutbox.last_error)
                          .where(MailOutbox.state == "queued", MailOutbox.last_error.is_not(None))
                          .order_by(MailOutbox.id.desc()).limit(1))


def listing(session: Session, *, states: Iterable[str] = STATES, limit: int = 100) -> list[MailOutbox]:
    return list(session.scalars(select(MailOutbox).where(MailOutbox.state.in_(list(states)))
                                .order_by(MailOutbox.id.desc()).limit(limit)))
