"""Read what is new in the IMAP folder and file each message (``intake.receive``), one op each.

Used by ``desk mail fetch`` and the window's mail worker (its own thread and Session). The
cursor is saved with each message's op, so an interrupted read resumes after the last message
filed; a message read twice changes nothing (its Message-ID is known).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.i18n import _
from desk.core.mail import imap, intake
from desk.core.mail.parsing import Incoming, Unreadable, parse
from desk.core.mail.settings import MailSettings, load_mail_settings, load_password

MAX_MAIL = 25 * 1024 * 1024  # bytes: the usual limit of mail servers; larger ones are listed, not read


@dataclass
class Read:
    landed: list[int] = field(default_factory=list)  # ticket ids
    skipped: list[str] = field(default_factory=list)  # reasons
    changes: Changes = field(default_factory=Changes)


def _position(stored: str | None, validity: str) -> int:
    if stored and stored.partition(":")[0] == validity:
        try:
            return int(stored.partition(":")[2])
        except ValueError:
            return 0
    return 0  # a new folder (or one rebuilt by the server): read it all, Message-IDs keep it once


def read_new(
    session: Session, *, password: str | None = None, settings: MailSettings | None = None,
    max_bytes: int = MAX_MAIL, open_folder: Callable[..., object] = imap.open_folder,
) -> Read:
    result = Read()
    settings = settings or load_mail_settings(session)
    if not settings.receiving:
        return result
    if password is None:
        password = load_password(settings)
    last = intake.cursor(session)
    session.commit()
    with open_folder(settings, password) as folder:  # type: ignore[attr-defined]
        start = _position(last, folder.validity)
        for uid in folder.uids_after(start):
            cursor = f"{folder.validity}:{uid}"
            size = folder.size(uid)
            if size > max_bytes:
                reason = _("larger than {limit} MB ({size:.1f} MB); read it in a mail program").format(
                    limit=max_bytes // (1024 * 1024), size=size / (1024 * 1024))
                head = _head(folder.fetch(uid, headers_only=True), fallback=f"<uid-{folder.validity}-{uid}@desk.invalid>")
                result.changes |= intake.skip(session, message_id=head.message_id, sender=head.sender,
                                              subject=head.subject, size=size, reason=reason, cursor=cursor)
                result.skipped.append(reason)
                continue
            raw = folder.fetch(uid)
            try:
                mail = parse(raw)
            except Unreadable as exc:
                reason = _("cannot be read: {why}").format(why=exc.message)
                result.changes |= intake.skip(session, message_id=f"<uid-{folder.validity}-{uid}@desk.invalid>",
                                              sender="", subject="", size=len(raw), reason=reason, cursor=cursor)
                result.skipped.append(reason)
                continue
            changes = intake.receive(session, mail=mail, cursor=cursor)
            result.changes |= changes
            if changes.created_id is not None:
                result.landed.append(changes.created_id)
    return result


def _head(raw: bytes, *, fallback: str) -> Incoming:
    """Who sent a mail too large to read, and about what (from its header alone)."""
    try:
        head = parse(raw)
    except Unreadable:
        return Incoming(message_id=fallback, sender="", sender_name="", subject="", text="")
    return head if not head.message_id.startswith("<sha256-") else Incoming(
        message_id=fallback, sender=head.sender, sender_name=head.sender_name, subject=head.subject, text="")
