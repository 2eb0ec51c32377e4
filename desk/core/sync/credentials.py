"""Secrets for remotes, kept only in the OS keyring (``keyring``).

A secret is never printed, logged, written to the store or put in an exception message. It is
either a plain string (an API token, an RT auth token or a password) or, for OAuth, a JSON
object ``{"access_token": ..., "refresh_token": ..., "client_id": ..., "client_secret": ...}``.
"""

from __future__ import annotations

import json
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
    """Forget the remote's secret (none stored is fine). A keyring that refuses is said, not
    swallowed: the token would otherwise stay behind unseen."""
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
