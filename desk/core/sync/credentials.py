"""Secrets for remotes, kept only in the OS keyring (``keyring``).

A secret is never printed, logged, written to the store or put in an exception message. It is
either a plain string (an API token, an RT auth token or a password) or, for OAuth, a JSON
object ``{"access_token": ..., "refresh_token": ..., "client_id": ..., "client_secret": ...}``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from desk.core import errors
from desk.core.i18n import _

SERVICE = "desk-sync"


class MissingSecret(errors.DeskError):
    pass


@dataclass(repr=False)
class Secret:
    """The credential of one remote. ``repr`` never shows the values."""

    token: str = ""
    refresh_token: str = ""
    client_id: str = ""
    client_secret: str = ""

    def __repr__(self) -> str:
        return "Secret(<hidden>)"

    __str__ = __repr__

    def dumps(self) -> str:
        if not (self.refresh_token or self.client_id or self.client_secret):
            return self.token
        return json.dumps({"access_token": self.token, "refresh_token": self.refresh_token,
                           "client_id": self.client_id, "client_secret": self.client_secret})

    @classmethod
    def loads(cls, text: str) -> Secret:
        text = text.strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                raise errors.InvalidInput(_("The OAuth credential is not valid JSON.")) from None
            if not isinstance(data, dict) or not data.get("access_token"):
                raise errors.InvalidInput(_("An OAuth credential needs at least an \"access_token\"."))
            return cls(token=str(data["access_token"]), refresh_token=str(data.get("refresh_token") or ""),
                       client_id=str(data.get("client_id") or ""),
                       client_secret=str(data.get("client_secret") or ""))
        if not text:
            raise errors.InvalidInput(_("The token is empty."))
        return cls(token=text)


def _account(remote_name: str) -> str:
    return f"remote:{remote_name}"


def store_secret(remote_name: str, secret: Secret) -> None:
    try:
        keyring.set_password(SERVICE, _account(remote_name), secret.dumps())
    except KeyringError as exc:
        raise errors.DeskError(
            _('The system keyring refused to store the token for {remote_name} ({name__}). Unlock or install a keyring (e.g. GNOME Keyring, KWallet) and try again.').format(remote_name=remote_name, name__=type(exc).__name__)
        ) from None


def load_secret(remote_name: str) -> Secret:
    try:
        text = keyring.get_password(SERVICE, _account(remote_name))
    except KeyringError as exc:
        raise errors.DeskError(
            _('The system keyring could not be read ({name__}); unlock it and sync again.').format(name__=type(exc).__name__)
        ) from None
    if not text:
        raise MissingSecret(
            _('No token is stored for remote {remote_name}. Run `desk remote set-token {remote_name}` and type or pipe the token.').format(remote_name=remote_name)
        )
    return Secret.loads(text)


def delete_secret(remote_name: str) -> None:
    """Forget the remote's secret and its agents' tokens (none stored is fine). A keyring that
    refuses is said, not swallowed: the token would otherwise stay behind unseen."""
    for email in agents_with_secrets(remote_name):
        delete_agent_secret(remote_name, email)
    try:
        keyring.delete_password(SERVICE, _account(remote_name))
    except (PasswordDeleteError, NoKeyringError):
        return  # nothing was stored (without a keyring nothing could be)
    except KeyringError as exc:
        raise errors.DeskError(
            _('The system keyring could not forget the token for {remote_name} ({name__}). Unlock it, or delete the entry {account!r} of {SERVICE!r} in it by hand.').format(remote_name=remote_name, name__=type(exc).__name__, account=_account(remote_name), SERVICE=SERVICE)
        ) from None


def has_secret(remote_name: str) -> bool:
    try:
        return bool(keyring.get_password(SERVICE, _account(remote_name)))
    except KeyringError:
        return False


# --- per-agent tokens (RT: each reply written upstream by its own author) ----------------------
# Kept beside the remote's own token: one entry per agent (keyed by remote and e-mail) and one
# index entry naming the agents that have one (not a secret, but a keyring cannot be listed; the
# index lets `desk remote token NAME` list them and removing the remote forget them all).
_INDEX_LOCK = threading.Lock()  # the index is read-modify-written; two pool threads may set tokens


def _agent_account(remote_name: str, email: str) -> str:
    return f"remote:{remote_name}:agent:{email.strip().lower()}"


def _index_account(remote_name: str) -> str:
    return f"remote:{remote_name}:agents"


def _read_index(remote_name: str) -> list[str]:
    text = keyring.get_password(SERVICE, _index_account(remote_name))
    try:
        emails = json.loads(text) if text else []
    except json.JSONDecodeError:
        return []  # hand-edited: the agents' entries are still there, only the listing forgets them
    return sorted({str(e).lower() for e in emails if isinstance(e, str)}) if isinstance(emails, list) else []


def _write_index(remote_name: str, emails: list[str]) -> None:
    if emails:
        keyring.set_password(SERVICE, _index_account(remote_name), json.dumps(sorted(set(emails))))
        return
    with contextlib.suppress(PasswordDeleteError):
        keyring.delete_password(SERVICE, _index_account(remote_name))


def store_agent_secret(remote_name: str, email: str, secret: Secret) -> None:
    """Keep ``email``'s own token for ``remote_name`` (replacing one stored before)."""
    email = email.strip().lower()
    try:
        with _INDEX_LOCK:
            keyring.set_password(SERVICE, _agent_account(remote_name, email), secret.dumps())
            index = _read_index(remote_name)
            if email not in index:
                _write_index(remote_name, [*index, email])
    except KeyringError as exc:
        raise errors.DeskError(
            _("The system keyring refused to store {email}'s token for {remote_name} ({name__}). Unlock or "
              "install a keyring (e.g. GNOME Keyring, KWallet) and try again.").format(
                  email=email, remote_name=remote_name, name__=type(exc).__name__)
        ) from None


def load_agent_secret(remote_name: str, email: str) -> Secret | None:
    """``email``'s own token for ``remote_name``, or None when the agent has none."""
    try:
        text = keyring.get_password(SERVICE, _agent_account(remote_name, email))
    except KeyringError as exc:
        raise errors.DeskError(
            _("The system keyring could not be read ({name__}); unlock it and sync again.").format(
                name__=type(exc).__name__)
        ) from None
    return Secret.loads(text) if text and text.strip() else None


def delete_agent_secret(remote_name: str, email: str) -> None:
    """Forget ``email``'s token for ``remote_name`` (none stored is fine)."""
    email = email.strip().lower()
    try:
        with _INDEX_LOCK:
            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(SERVICE, _agent_account(remote_name, email))
            index = _read_index(remote_name)
            if email in index:
                _write_index(remote_name, [e for e in index if e != email])
    except NoKeyringError:
        return
    except KeyringError as exc:
        raise errors.DeskError(
            _("The system keyring could not forget {email}'s token for {remote_name} ({name__}). Unlock it, "
              "or delete the entry {account!r} of {SERVICE!r} in it by hand.").format(
                  email=email, remote_name=remote_name, name__=type(exc).__name__,
                  account=_agent_account(remote_name, email), SERVICE=SERVICE)
        ) from None


def agents_with_secrets(remote_name: str) -> list[str]:
    """The e-mails of the agents with a token of their own for ``remote_name`` (never a token)."""
    try:
        return _read_index(remote_name)
    except KeyringError:
        return []
