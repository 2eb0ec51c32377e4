"""Reading the desk's IMAP folder (standard library ``imaplib``), read-only.

The folder is opened with EXAMINE and messages fetched with ``BODY.PEEK[]``: Desk never marks,
moves or deletes anything, so a message it cannot file is still there for a person. New
messages are those after the saved cursor (UIDVALIDITY and the last UID read); a mail larger
than the limit is not downloaded at all (its size comes first, from ``RFC822.SIZE``).
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from desk.core.i18n import _
from desk.core.mail.settings import MailSettings
from desk.core.mail.smtp import MailFailure

TIMEOUT = 30.0
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")


@dataclass
class Folder:
    client: imaplib.IMAP4
    validity: str

    def uids_after(self, last_uid: int) -> list[int]:
        status, data = self.client.uid("SEARCH", f"UID {last_uid + 1}:*")
        if status != "OK":
            raise MailFailure(_("The mail server would not list the folder's messages."))
        # "n:*" always matches the last message, even when its UID is below n.
        return sorted(uid for uid in (int(item) for item in (data[0] or b"").split()) if uid > last_uid)

    def size(self, uid: int) -> int:
        status, data = self.client.uid("FETCH", str(uid), "(RFC822.SIZE)")
        found = _SIZE.search(data[0] if data and isinstance(data[0], bytes) else b"") if status == "OK" else None
        return int(found.group(1)) if found else 0

    def fetch(self, uid: int, *, headers_only: bool = False) -> bytes:
        status, data = self.client.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])" if headers_only else "(BODY.PEEK[])")
        for item in data or ():
            if isinstance(item, tuple) and len(item) >= 2:
                return bytes(item[1])
        raise MailFailure(_("The mail server did not send message {uid}.").format(uid=uid))


@contextmanager
def open_folder(settings: MailSettings, password: str, *, timeout: float = TIMEOUT) -> Iterator[Folder]:
    where = f"{settings.imap_host}:{settings.imap_port}"
    try:
        if settings.imap_security == "ssl":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port, timeout=timeout,
                                                      ssl_context=ssl.create_default_context())
        else:
            client = imaplib.IMAP4(settings.imap_host, settings.imap_port, timeout=timeout)
            if settings.imap_security == "starttls":
                client.starttls(ssl_context=ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailFailure(_("The IMAP server {where} cannot be reached ({why}).")
                          .format(where=where, why=type(exc).__name__)) from None
    try:
        try:
            client.login(settings.username, password)
        except imaplib.IMAP4.error:
            raise MailFailure(_("The IMAP server {where} refused the user name or password.")
                              .format(where=where)) from None
        status, _data = client.select(_quoted(settings.imap_folder), readonly=True)
        if status != "OK":
            raise MailFailure(_("The IMAP folder {folder!r} does not exist on {where}.")
                              .format(folder=settings.imap_folder, where=where))
        validity = client.untagged_responses.get("UIDVALIDITY", [b"0"])[0]
        yield Folder(client=client, validity=validity.decode() if isinstance(validity, bytes) else str(validity))
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise MailFailure(_("The connection to the IMAP server {where} was lost ({why}).")
                          .format(where=where, why=type(exc).__name__)) from None
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            client.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
