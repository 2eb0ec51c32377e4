"""A message read by IMAP as plain values: sender, subject, thread ids, text, attachments.

Parsing uses the standard library's ``email`` with ``policy.default``, which reads broken MIME
as far as it can and notes defects instead of failing. HTML is turned into text with the
standard library's HTML parser: scripts, styles and everything in ``<head>`` are dropped, only
the text a person would read is kept (the conversation view escapes it again). Attachments are
listed by name and size, not stored. Very long text is cut, saying so; the mail itself stays in
the mailbox (Desk opens the folder read-only), so nothing is lost.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from desk.core import errors
from desk.core.i18n import _

MAX_TEXT = 200_000  # characters of a mail's text kept on the ticket
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SKIP_CONTENT = {"script", "style", "head", "title", "template", "noscript"}
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
           "table", "ul", "ol"}


class Unreadable(errors.DeskError):
    """The message cannot become a comment or a ticket (the reason says why)."""


@dataclass(frozen=True)
class Incoming:
    message_id: str
    sender: str  # the address, lower-case
    sender_name: str
    subject: str
    text: str
    attachments: list[tuple[str, int]] = field(default_factory=list)  # (file name, bytes)
    thread: list[str] = field(default_factory=list)  # In-Reply-To and References ids
    automatic: bool = False  # an auto-reply or bulk mail (answering it could loop)
    broken: bool = False  # the MIME structure had defects; text shown as found
    size: int = 0


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_CONTENT:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _ids(value: object) -> list[str]:
    return _MESSAGE_ID.findall(str(value or ""))


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError, LookupError):  # a header even policy.default cannot read
        return ""


def _decoded(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError, TypeError, AssertionError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload.decode("utf-8", "replace")
        return str(part.get_payload() or "")


def _body_text(message: EmailMessage) -> str:
    body = None
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, TypeError, AttributeError):
        body = None
    if body is None:
        if message.is_multipart():
            return ""
        content = _decoded(message)
        return html_to_text(content) if message.get_content_subtype() == "html" else content
    content = _decoded(body)  # type: ignore[arg-type]
    return html_to_text(content) if body.get_content_subtype() == "html" else content


def _attachments(message: EmailMessage) -> list[tuple[str, int]]:
    found = []
    try:
        parts = list(message.iter_attachments()) if message.is_multipart() else []
    except (KeyError, ValueError, TypeError, AttributeError):
        parts = []
    for part in parts:
        name = part.get_filename() or _("(unnamed {type})").format(type=part.get_content_type())
        payload = part.get_payload(decode=True)
        found.append((" ".join(str(name).split()), len(payload) if isinstance(payload, bytes) else 0))
    return found


def parse(raw: bytes) -> Incoming:
    """``raw`` as an ``Incoming``; ``Unreadable`` when it has no sender to answer."""
    message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    ids = _ids(_header(message, "Message-ID"))
    # Without a Message-ID the message's own bytes name it: reading it again changes nothing.
    message_id = ids[0] if ids else f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@desk.invalid>"
    name, address = parseaddr(_header(message, "Reply-To") or _header(message, "From"))
    if not address or "@" not in address:
        addresses = [addr for _n, addr in getaddresses([_header(message, "From")]) if "@" in addr]
        if not addresses:
            raise Unreadable(_("it has no sender address to answer"))
        address = addresses[0]
    subject = " ".join(_header(message, "Subject").split())
    text = _body_text(message).replace("\r\n", "\n").strip()
    broken = bool(message.defects) or any(part.defects for part in message.walk())
    if broken and not text:
        # Broken structure and no readable part: keep what arrived as text rather than nothing.
        text = raw.split(b"\r\n\r\n", 1)[-1].split(b"\n\n", 1)[-1].decode("utf-8", "replace").strip()
        text = html_to_text(text) if "<" in text else text
    if len(text) > MAX_TEXT:
        cut = len(text) - MAX_TEXT
        text = text[:MAX_TEXT] + "\n\n" + _("[{n} more characters were cut; the whole mail is in the mailbox.]").format(
            n=f"{cut:,}")
    automatic = (_header(message, "Auto-Submitted").strip().lower() not in ("", "no")
                 or _header(message, "Precedence").strip().lower() in ("bulk", "junk", "auto_reply", "list"))
    return Incoming(
        message_id=message_id, sender=address.strip().lower(), sender_name=html.unescape(name).strip(),
        subject=subject, text=text, attachments=_attachments(message),
        thread=_ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References")),
        automatic=automatic, broken=broken, size=len(raw),
    )
