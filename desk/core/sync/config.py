"""Configured remotes: add, list, remove. Secrets are not here (see ``credentials``)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import SyncOutbox, SyncRemote, utcnow
from desk.core.sync import credentials
from desk.core.sync.remotes.base import check_url

KINDS = ("rt", "zendesk")
AUTH_MODES = {"rt": ("token", "password"), "zendesk": ("token", "oauth")}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def get_remote(session: Session, name: str) -> SyncRemote:
    row = session.scalar(select(SyncRemote).where(SyncRemote.name == name))
    if row is None:
        raise errors.NotFound(f"There is no remote named {name!r}; `desk remote list` shows them.")
    return row


def list_remotes(session: Session) -> list[SyncRemote]:
    return list(session.scalars(select(SyncRemote).order_by(SyncRemote.name)))


def add_remote(
    session: Session, *, name: str, kind: str, url: str, username: str = "", auth: str = "token",
    config: dict[str, Any] | None = None,
) -> Changes:
    if not NAME.match(name):
        raise errors.InvalidInput("A remote name is 1-40 letters, digits, '.', '_' or '-'.")
    if kind not in KINDS:
        raise errors.InvalidInput(f"Kind must be one of {', '.join(KINDS)}.")
    if auth not in AUTH_MODES[kind]:
        raise errors.InvalidInput(f"{kind} remotes authenticate with {' or '.join(AUTH_MODES[kind])}.")
    url = check_url(url)
    if kind == "zendesk" and auth == "token" and "@" not in username:
        raise errors.InvalidInput("Zendesk API tokens need --user set to the agent's e-mail address.")
    with unit_of_work(session):
        if session.scalar(select(SyncRemote.id).where(SyncRemote.name == name)) is not None:
            raise errors.InvalidInput(f"A remote named {name!r} exists already.")
        row = SyncRemote(name=name, kind=kind, url=url, username=username, auth=auth,
                         config=json.dumps(config or {}), created_at=utcnow())
        session.add(row)
        session.flush()
        return Changes(settings=True, created_id=row.id)


def set_config(session: Session, *, name: str, config: dict[str, Any]) -> Changes:
    with unit_of_work(session):
        row = get_remote(session, name)
        row.config = json.dumps(config)
        return Changes(settings=True)


def remove_remote(session: Session, *, name: str) -> Changes:
    """Forget a remote, its status, outbox and conflicts, and its token. Tickets stay."""
    with unit_of_work(session):
        row = get_remote(session, name)
        session.delete(row)
    credentials.delete_secret(name)
    return Changes(settings=True, tickets=True)


def pending_count(session: Session, remote_id: int | None = None) -> int:
    query = select(func.count()).select_from(SyncOutbox)
    if remote_id is not None:
        query = query.where(SyncOutbox.remote_id == remote_id)
    return int(session.scalar(query) or 0)


def unsynced_ticket_ids(session: Session) -> set[int]:
    """Tickets with local changes not yet on every remote (the editor and queue mark them)."""
    return set(session.scalars(select(SyncOutbox.ticket_id).distinct()))
