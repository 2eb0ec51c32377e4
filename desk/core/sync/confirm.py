"""Claim and Take next, confirmed with the helpdesk first (issue 14: two PCs, one line).

Before a claim is made here, each remote the ticket is synced with is asked, in a conditional
update (Zendesk ``safe_update``, RT ``If-Match``), to make the agent the assignee. If another PC
already took the person (or they left, or the ticket is closed there) the claim is refused with
``TakenElsewhere`` and nothing is claimed anywhere: the student is told at once and the next
sync brings the other PC's claim. Offline (``RemoteUnavailable``) the claim is made locally and
any conflict shows at the next sync, as before.

Runs off the DB worker (the GUI's network pool; the CLI inline): reads the links in a short
read transaction of its own session, then talks to the remotes with no transaction open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.db import session_of
from desk.core.i18n import _
from desk.core.models import Person, SyncRemote, SyncStatus, Ticket, utcnow
from desk.core.ops.tickets import AlreadyClaimed
from desk.core.sync.desk_fields import time_out
from desk.core.sync.remotes.base import Remote, RemoteConflict, RemoteUnavailable
from desk.core.vocabulary import DONE_STATUSES

if TYPE_CHECKING:
    from desk.core.db import Store

MAX_RACES = 3


class TakenElsewhere(AlreadyClaimed):
    """Another PC (or someone on the helpdesk) has the person already; nothing was claimed."""


@dataclass(frozen=True)
class Confirmed:
    remotes: tuple[str, ...] = ()  # where the claim is already recorded
    offline: tuple[str, ...] = ()  # not reachable: claimed locally, checked at the next sync


def confirm_claim(
    store_or_session: Store | Session, *, ticket_id: int, agent_id: int,
    build: Callable[[SyncRemote], Remote] | None = None,
) -> Confirmed:
    """Claim ``ticket_id`` for ``agent_id`` on every remote it is synced with, or raise
    ``TakenElsewhere`` (nothing claimed). Call the local ``claim`` afterwards."""
    from desk.core.sync.remotes import build_remote

    make = build or build_remote
    with session_of(store_or_session) as session:
        agent = session.get(Person, agent_id)
        ticket = session.get(Ticket, ticket_id)
        if agent is None or ticket is None or not agent.email:
            session.rollback()
            return Confirmed()
        email = agent.email.lower()
        new = ticket.status == "new"
        links = [(row, status.remote_ticket_id) for status, row in session.execute(
            select(SyncStatus, SyncRemote).join(SyncRemote, SyncRemote.id == SyncStatus.remote_id)
            .where(SyncStatus.ticket_id == ticket_id))]
        for row, _rid in links:
            session.expunge(row)
        session.rollback()  # no read snapshot held across the network calls
    done: list[str] = []
    offline: list[str] = []
    started = time_out(utcnow())
    for row, remote_ticket_id in links:
        remote = make(row)
        try:
            _claim_on(remote, row.name, remote_ticket_id, email=email, new=new, started=started)
            done.append(row.name)
        except RemoteUnavailable:
            offline.append(row.name)
        finally:
            remote.close()
    return Confirmed(remotes=tuple(done), offline=tuple(offline))


def _claim_on(remote: Remote, name: str, remote_ticket_id: str, *, email: str, new: bool, started: str | None) -> None:
    for _race in range(MAX_RACES):
        fresh = remote.get(remote_ticket_id)
        _refuse_if_taken(fresh.fields, name=name, email=email)
        if fresh.fields.get("assignee") == email:
            return  # ours already (claimed here before, or by this agent elsewhere)
        changes: dict[str, Any] = {"assignee": email}
        if new and fresh.fields.get("status") == "new":
            changes["status"] = "open"
        if "service_started_at" in fresh.fields and not fresh.fields.get("service_started_at"):
            changes["service_started_at"] = started
        try:
            remote.update(remote_ticket_id, version=fresh.version, changes=changes)
            return
        except RemoteConflict:
            continue  # changed meanwhile (maybe claimed by the other PC): read again
    raise TakenElsewhere(_("The person kept changing on {remote}; nothing was claimed. Try again.").format(remote=name))


def _refuse_if_taken(fields: dict[str, Any], *, name: str, email: str) -> None:
    holder = fields.get("assignee")
    if holder and holder != email:
        raise TakenElsewhere(_("Already taken on another PC: {holder} has this person ({remote}). Nothing was "
                               "claimed.").format(holder=holder, remote=name))
    if fields.get("left_at"):
        raise TakenElsewhere(_("Another PC recorded that this person left without service ({remote}). Nothing "
                               "was claimed.").format(remote=name))
    if fields.get("status") in DONE_STATUSES:
        raise TakenElsewhere(_("This ticket was already finished on {remote}. Nothing was claimed.").format(
            remote=name))
