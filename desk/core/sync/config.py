"""Configured remotes: add, list, remove. Secrets are not here (see ``credentials``).

Adding, changing and removing a remote are operations like any other: one transaction with an
audit row (``ticket_id`` None), returning ``Changes(remotes=True)``. They touch only the store:
the keyring may block on an unlock prompt, so callers store or forget the token afterwards,
off the DB worker (the GUI on the network pool, the CLI after the operation) with
``credentials.store_secret`` / ``credentials.delete_secret``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import SyncConflict, SyncOutbox, SyncRemote, utcnow
from desk.core.ops._audit import record
from desk.core.sync.remotes.base import check_url

KINDS = ("rt", "zendesk")
AUTH_MODES = {"rt": ("token", "password"), "zendesk": ("token", "oauth")}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def get_remote(session: Session, name: str) -> SyncRemote:
    row = session.scalar(select(SyncRemote).where(SyncRemote.name == name))
    if row is None:
        raise errors.NotFound(_('There is no remote named {name!r}; `desk remote list` shows them.').format(name=name))
    return row


def list_remotes(session: Session) -> list[SyncRemote]:
    return list(session.scalars(select(SyncRemote).order_by(SyncRemote.name)))


def add_remote(
    session: Session, *, name: str, kind: str, url: str, username: str = "", auth: str = "token",
    config: dict[str, Any] | None = None, actor_id: int | None = None,
) -> Changes:
    if not NAME.match(name):
        raise errors.InvalidInput(_("A remote name is 1-40 letters, digits, '.', '_' or '-'."))
    if kind not in KINDS:
        raise errors.InvalidInput(_('Kind must be one of {join}.').format(join=', '.join(KINDS)))
    if auth not in AUTH_MODES[kind]:
        raise errors.InvalidInput(_('{kind} remotes authenticate with {join}.').format(kind=kind, join=' or '.join(AUTH_MODES[kind])))
    url = check_url(url)
    if kind == "zendesk" and auth == "token" and "@" not in username:
        raise errors.InvalidInput(_("Zendesk API tokens need --user set to the agent's e-mail address."))
    with unit_of_work(session):
        if session.scalar(select(SyncRemote.id).where(SyncRemote.name == name)) is not None:
            raise errors.InvalidInput(_('A remote named {name!r} exists already.').format(name=name))
        now = utcnow()
        row = SyncRemote(name=name, kind=kind, url=url, username=username, auth=auth,
                         config=json.dumps(config or {}), created_at=now)
        session.add(row)
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="remote-add", field="remote",
               new=f"{name} ({kind}, {url})")
        return Changes(remotes=True, created_id=row.id)


def set_config(session: Session, *, name: str, config: dict[str, Any], actor_id: int | None = None) -> Changes:
    with unit_of_work(session):
        row = get_remote(session, name)
        old, row.config = row.config, json.dumps(config)
        record(session, ticket_id=None, actor_id=actor_id, at=utcnow(), action="remote-config",
               field=f"remote:{name}"[:32], old=old, new=row.config)
        return Changes(remotes=True)


def people_map(session: Session, *, name: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The remote's map of agents (local e-mail -> their account upstream, when it is not found
    by the same e-mail) and every active agent here as (e-mail, name). Reads only."""
    from desk.core.models import Person

    row = get_remote(session, name)
    mapping = {str(k).lower(): str(v) for k, v in (json.loads(row.config or "{}").get("people") or {}).items()}
    agents = [(str(email).lower(), str(agent_name)) for email, agent_name in session.execute(
        select(Person.email, Person.name).where(Person.is_agent.is_(True), Person.active.is_(True),
                                                Person.email.is_not(None)).order_by(Person.name))]
    session.rollback()
    return mapping, agents


def set_people_map(session: Session, *, name: str, mapping: dict[str, str], actor_id: int | None = None) -> Changes:
    """Set the agents' accounts upstream (empty = matched by e-mail, the default): RT user names
    or Zendesk e-mails for agents whose account there is not their Desk e-mail."""
    with unit_of_work(session):
        row = get_remote(session, name)
        current = json.loads(row.config or "{}")
        clean = {k.strip().lower(): v.strip() for k, v in mapping.items() if k.strip() and v.strip()}
        if clean:
            current["people"] = clean
        else:
            current.pop("people", None)
        old, row.config = row.config, json.dumps(current)
        record(session, ticket_id=None, actor_id=actor_id, at=utcnow(), action="remote-config",
               field=f"remote:{name}"[:32], old=old, new=row.config)
        return Changes(remotes=True)


def remove_remote(session: Session, *, name: str, actor_id: int | None = None) -> Changes:
    """Forget a remote, its status, outbox and conflicts. Tickets stay.

    The token stays in the keyring: the caller forgets it afterwards with
    ``credentials.delete_secret(name)``, off the DB worker (see the module notes).
    """
    with unit_of_work(session):
        row = get_remote(session, name)
        record(session, ticket_id=None, actor_id=actor_id, at=utcnow(), action="remote-remove",
               field="remote", old=f"{row.name} ({row.kind}, {row.url})")
        session.delete(row)
    # tickets: the queue and editors drop their "not yet synced" marks for this remote
    return Changes(remotes=True, tickets=True)


def reset_cursor(session: Session, *, name: str, actor_id: int | None = None) -> Changes:
    """Forget where the remote's pull got to (the ticket export and the survey responses): the
    next sync pulls everything again (what is unchanged merges as a no-op). The way out when the
    server refuses the saved position."""
    from sqlalchemy import delete

    from desk.core.models import SyncCursor

    with unit_of_work(session):
        row = get_remote(session, name)
        old = session.scalar(select(SyncCursor.value).where(SyncCursor.remote_id == row.id, SyncCursor.name == "pull"))
        # Every position: the export's and the survey responses' ("csat": asked again, read again).
        session.execute(delete(SyncCursor).where(SyncCursor.remote_id == row.id))
        record(session, ticket_id=None, actor_id=actor_id, at=utcnow(), action="remote-reset-cursor",
               field="remote", old=f"{row.name}: {(old or 'none')[:200]}", new=f"{row.name}: none")
        row.last_error = None
    return Changes(remotes=True)


def record_failure(session: Session, *, remote_id: int, message: str) -> Changes:
    """A sync run of the remote failed: ``message`` (the core's words, scrubbed of secrets by the
    caller) becomes its ``last_error``, which the window shows at its next start and `desk remote
    list` prints, until a run that ends well clears it. Its own transaction, so it stays whatever
    the failed run left undone; no audit row, as for ``last_synced_at``: it is the remote's
    state, not anyone's change, and an offline PC fails every 30 s."""
    with unit_of_work(session):
        row = session.get(SyncRemote, remote_id)
        if row is not None:  # removed meanwhile: nothing to remember it by
            row.last_error = message[:500]
    return Changes(remotes=True)


def pending_count(session: Session, remote_id: int | None = None) -> int:
    query = select(func.count()).select_from(SyncOutbox)
    if remote_id is not None:
        query = query.where(SyncOutbox.remote_id == remote_id)
    return int(session.scalar(query) or 0)


def unsynced_ticket_ids(session: Session) -> set[int]:
    """Tickets with local changes not yet on every remote (the editor and queue mark them)."""
    return set(session.scalars(select(SyncOutbox.ticket_id).distinct()))


def unsynced_remote_names(session: Session, ticket_id: int) -> list[str]:
    """Names of the remotes this ticket has local changes waiting for (the editor header)."""
    query = (select(SyncRemote.name).join(SyncOutbox, SyncOutbox.remote_id == SyncRemote.id)
             .where(SyncOutbox.ticket_id == ticket_id).distinct().order_by(SyncRemote.name))
    return list(session.scalars(query))


@dataclass(frozen=True)
class OpenConflict:
    """A field both sides changed, as the editor shows it (values decoded from JSON)."""

    id: int
    remote: str
    field: str
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class TicketSyncState:
    remotes: tuple[str, ...]  # every configured remote
    unsynced: tuple[str, ...]  # remotes this ticket's local changes have not reached yet
    conflicts: tuple[OpenConflict, ...]


def ticket_sync_state(session: Session, ticket_id: int) -> TicketSyncState:
    """What the editor shows about sync for one ticket: waiting changes and open conflicts."""
    remotes = tuple(row.name for row in list_remotes(session))
    if not remotes:
        return TicketSyncState((), (), ())
    rows = session.execute(
        select(SyncConflict, SyncRemote.name).join(SyncRemote, SyncRemote.id == SyncConflict.remote_id)
        .where(SyncConflict.ticket_id == ticket_id, SyncConflict.resolved_at.is_(None))
        .order_by(SyncConflict.id))
    conflicts = tuple(
        OpenConflict(id=c.id, remote=name, field=c.field, mine=_decode(c.mine), theirs=_decode(c.theirs))
        for c, name in rows)
    return TicketSyncState(remotes, tuple(unsynced_remote_names(session, ticket_id)), conflicts)


@dataclass(frozen=True)
class SyncCounts:
    remotes: int
    unsynced: int  # tickets with local changes not yet on every remote
    conflicts: int  # open sync conflicts


def sync_counts(session: Session) -> SyncCounts:
    """What the status bar shows next to "last synced"."""
    remotes = session.scalar(select(func.count()).select_from(SyncRemote)) or 0
    unsynced = session.scalar(select(func.count(SyncOutbox.ticket_id.distinct()))) or 0
    conflicts = session.scalar(select(func.count()).select_from(SyncConflict)
                               .where(SyncConflict.resolved_at.is_(None))) or 0
    return SyncCounts(int(remotes), int(unsynced), int(conflicts))


def _decode(value: str | None) -> Any:
    return json.loads(value) if value is not None else None
