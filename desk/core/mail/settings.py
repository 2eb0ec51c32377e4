"""The desk's mail account: SMTP to send, IMAP to read replies.

Kept as rows of the ``settings`` table (``mail.*`` keys, never a secret) and read and written as
one typed ``MailSettings``. The password lives only in the OS keyring (``keyring``) under
``desk-mail``; like the remotes' tokens it is stored or read off the DB worker (the keyring may
block on an unlock prompt), never printed, logged, kept in the store or put in an exception.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Setting, utcnow
from desk.core.ops._audit import set_setting_audited

SECURITY = ("starttls", "ssl", "none")
SERVICE = "desk-mail"
PREFIX = "mail."
NUMBERS = ("smtp_port", "imap_port")


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls | ssl | none (none: only for a server on loopback)
    username: str = ""  # the mailbox's login, for SMTP and IMAP alike ("" = SMTP without login)
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"
    imap_folder: str = "INBOX"
    from_address: str = ""  # what people see and answer to, e.g. help@school.example
    from_name: str = ""  # e.g. "School Tech Desk"

    @property
    def sending(self) -> bool:
        """Enough is set to send: a server and an address to send from."""
        return bool(self.smtp_host and self.from_address)

    @property
    def receiving(self) -> bool:
        return bool(self.imap_host and self.username)


FIELDS = tuple(item.name for item in dataclasses.fields(MailSettings))


def _host(value: object, what: str) -> str:
    text = str(value or "").strip()
    if any(char.isspace() for char in text) or len(text) > 253:
        raise errors.InvalidInput(_("{what} is not a host name.").format(what=what))
    return text


def _port(value: object, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 0 < number < 65536:
        raise errors.InvalidInput(_("{what} must be a port number from 1 to 65535.").format(what=what))
    return number


def _security(value: object, what: str) -> str:
    text = str(value or "").strip().lower()
    if text not in SECURITY:
        raise errors.InvalidInput(_("{what} must be one of {choices}.").format(what=what, choices=", ".join(SECURITY)))
    return text


def check_address(value: object) -> str:
    text = str(value or "").strip()
    _name, address = parseaddr(text)
    if text and (address != text or "@" not in address or "\n" in text):
        raise errors.InvalidInput(_("{value!r} is not an e-mail address.").format(value=text))
    return text


def validated(values: Mapping[str, object], *, base: MailSettings) -> MailSettings:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise errors.InvalidInput(_("Unknown mail setting(s): {names}.").format(names=", ".join(sorted(unknown))))
    new = dict(dataclasses.asdict(base))
    for name, value in values.items():
        if name in ("smtp_host", "imap_host"):
            new[name] = _host(value, name.replace("_", " "))
        elif name in NUMBERS:
            new[name] = _port(value, name.replace("_", " "))
        elif name in ("smtp_security", "imap_security"):
            new[name] = _security(value, name.replace("_", " "))
        elif name == "from_address":
            new[name] = check_address(value)
        else:
            text = " ".join(str(value or "").split())
            if len(text) > 200:
                raise errors.InvalidInput(_("{what} is too long.").format(what=name.replace("_", " ")))
            new[name] = text or ("INBOX" if name == "imap_folder" else "")
    return MailSettings(**new)


def load_mail_settings(session: Session) -> MailSettings:
    """The mail account as stored; defaults for what was never set (or no longer validates)."""
    # A key range, not LIKE: SQLite walks the primary key's index for it.
    rows = session.execute(select(Setting.key, Setting.value)
                           .where(Setting.key >= PREFIX, Setting.key < PREFIX[:-1] + "/")).all()
    stored = {key[len(PREFIX):]: value for key, value in rows if key[len(PREFIX):] in FIELDS}
    settings = MailSettings()
    for name, value in stored.items():
        try:
            settings = validated({name: value}, base=settings)
        except errors.InvalidInput:
            continue
    return settings


def save_mail_settings(session: Session, *, actor_id: int | None, values: Mapping[str, object]) -> Changes:
    """Validate and save the given fields; one audit row per changed key."""
    now = utcnow()
    with unit_of_work(session):
        new = validated(values, base=load_mail_settings(session))
        changed = [set_setting_audited(session, key=PREFIX + name, text=str(getattr(new, name)),
                                       actor_id=actor_id, now=now) for name in values]
    return Changes(settings=True) if any(changed) else Changes()


# --- the password: keyring only ----------------------------------------------------------------


def _account(settings: MailSettings) -> str:
    return f"mail:{settings.username}"


def store_password(settings: MailSettings, password: str) -> None:
    import keyring  # here, not at the top: replies and ticket logging import this module
    from keyring.errors import KeyringError

    if not password:
        raise errors.InvalidInput(_("The password is empty."))
    try:
        keyring.set_password(SERVICE, _account(settings), password)
    except KeyringError as exc:
        raise errors.DeskError(_(
            "The system keyring refused to store the mail password ({kind}). Unlock or install a keyring "
            "(e.g. GNOME Keyring, KWallet) and try again.").format(kind=type(exc).__name__)) from None


def load_password(settings: MailSettings) -> str:
    """The mail password, or "" when none is stored (a server may take mail without a login)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, _account(settings)) or ""
    except KeyringError as exc:
        raise errors.DeskError(_("The system keyring could not be read ({kind}); unlock it and try again.")
                               .format(kind=type(exc).__name__)) from None


def has_password(settings: MailSettings) -> bool:
    import keyring
    from keyring.errors import KeyringError

    try:
        return bool(keyring.get_password(SERVICE, _account(settings)))
    except KeyringError:
        return False


def delete_password(settings: MailSettings) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, _account(settings))
    except (PasswordDeleteError, NoKeyringError):
        return
    except KeyringError as exc:
        raise errors.DeskError(_("The system keyring could not forget the mail password ({kind}).")
                               .format(kind=type(exc).__name__)) from None
