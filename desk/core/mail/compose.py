"""What an e-mail from the desk says and how it threads.

The subject carries the ticket number as ``[Desk #123]`` so that an answer lands on its ticket
even from a mail program that drops the thread headers; Message-IDs are made once, when the
mail is queued, so every attempt sends the same one and answers can name it in In-Reply-To.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from desk.core.i18n import _
from desk.core.mail.settings import MailSettings
from desk.core.models import utcnow

TICKET_TAG = re.compile(r"\[Desk #(\d{1,12})\]", re.IGNORECASE)
MAX_QUOTED = 2000  # characters of the request repeated in the confirmation


def tag(ticket_id: int) -> str:
    return f"[Desk #{ticket_id}]"


def ticket_in_subject(subject: str) -> int | None:
    found = TICKET_TAG.search(subject or "")
    return int(found.group(1)) if found else None


def new_message_id(settings: MailSettings) -> str:
    domain = settings.from_address.rpartition("@")[2] or "desk.invalid"
    return make_msgid(domain=domain)


def reply_subject(*, ticket_id: int, subject: str) -> str:
    return f"Re: {tag(ticket_id)} {subject}"


def confirmation_subject(*, ticket_id: int, subject: str) -> str:
    return _("{tag} We have your request: {subject}").format(tag=tag(ticket_id), subject=subject)


def confirmation_body(
    *, ticket_id: int, first_name: str, subject: str, description: str, expected: str | None, desk_name: str,
) -> str:
    asked = subject if not description.strip() else f"{subject}\n\n{description.strip()[:MAX_QUOTED]}"
    quoted = "\n".join(f"> {line}" if line else ">" for line in asked.splitlines())
    parts = [
        _("Hello {name},").format(name=first_name),
        _("we have your request. Its number is #{id}. You asked:").format(id=ticket_id),
        quoted,
    ]
    if expected:
        parts.append(_("What to expect: this usually takes {estimate}.").format(estimate=expected))
    parts.append(_("To add something, answer this e-mail; keep {tag} in the subject.").format(tag=tag(ticket_id)))
    if desk_name:
        parts.append(desk_name)
    return "\n\n".join(parts) + "\n"


def reply_body(*, body: str, ticket_id: int, desk_name: str) -> str:
    signature = f"{desk_name} · {tag(ticket_id)}" if desk_name else tag(ticket_id)
    return f"{body.rstrip()}\n\n-- \n{signature}\n"


def build_message(
    settings: MailSettings, *, to: str, subject: str, body: str, message_id: str,
    in_reply_to: str | None, references: str, automatic: bool,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.from_name, settings.from_address)) if settings.from_name \
        else settings.from_address
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    if automatic:
        # RFC 3834: an automatic answer; mail programs and auto-responders do not answer it back.
        message["Auto-Submitted"] = "auto-replied"
    message.set_content(body)
    return message
