"""Deliver what is due in the outbox: claim a row, send it with no transaction open, record.

Used by ``desk mail send`` and by the window's mail worker (a thread with its own Session).
Each row is claimed by a conditional UPDATE first, so it goes out once even with two senders;
the result is recorded right after the attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.mail import compose, outbox, smtp
from desk.core.mail.settings import MailSettings, load_mail_settings, load_password
from desk.core.models import utcnow

Send = Callable[[MailSettings, str, EmailMessage], None]


@dataclass
class Delivered:
    sent: list[int] = field(default_factory=list)
    retrying: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


def deliver_due(
    session: Session, *, password: str | None = None, now: Callable[[], datetime] = utcnow,
    send: Send = smtp.deliver, settings: MailSettings | None = None, limit: int = 50,
) -> Delivered:
    """Send every due mail once. ``password`` None reads it from the keyring (call off the UI
    thread). One unreachable server stops the run: the rest would fail the same way."""
    result = Delivered()
    settings = settings or load_mail_settings(session)
    if not settings.sending:
        return result
    result.changes |= outbox.recover_interrupted(session, now=now())
    ids = outbox.due_ids(session, now=now(), limit=limit)
    session.commit()  # no read snapshot held while talking to the server
    if not ids:
        return result
    if password is None:
        password = load_password(settings)
    for mail_id in ids:
        mail = outbox.claim(session, mail_id=mail_id, now=now())
        if mail is None:
            continue  # another sender took it
        message = compose.build_message(settings, to=mail.to, subject=mail.subject, body=mail.body,
                                        message_id=mail.message_id, in_reply_to=mail.in_reply_to,
                                        references=mail.references, automatic=mail.automatic)
        try:
            send(settings, password, message)
        except smtp.MailFailure as exc:
            result.changes |= outbox.record_failure(session, mail_id=mail.id, error=exc.message,
                                                    permanent=exc.permanent, now=now())
            (result.failed if exc.permanent else result.retrying).append((mail.id, exc.message))
            if not exc.permanent:
                _postpone_rest(session, ids[ids.index(mail_id) + 1:], exc.message, now())
                break
            continue
        result.changes |= outbox.record_sent(session, mail_id=mail.id, now=now())
        result.sent.append(mail.id)
    return result


def _postpone_rest(session: Session, ids: list[int], error: str, now: datetime) -> None:
    """The server is unreachable: the others wait too (each keeps its attempt count)."""
    from sqlalchemy import update

    from desk.core.db import unit_of_work
    from desk.core.models import MailOutbox

    if not ids:
        return
    with unit_of_work(session):
        session.execute(update(MailOutbox).where(MailOutbox.id.in_(ids), MailOutbox.state == "queued")
                        .values(next_attempt_at=now + outbox.FIRST_RETRY, last_error=error[:500]))
