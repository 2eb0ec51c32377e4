"""Is there anything to sync? One small request per remote, so a PC can look every few seconds
for another PC's claim without a full sync each time (issue 14: a claim on one PC shows on the
others within seconds).

``has_news`` is True when the outbox has local work, or a remote says (``changed_since``, one
request) it moved: RT by its newest transaction against the saved pull cursor; Zendesk by the
tickets updated last (List Tickets sorted by ``-updated_at``) against the versions Desk has,
because its incremental export holds back the newest minute — so on Zendesk another PC's
claim, service or walk-away, and a walk-in it logged seconds ago, show in seconds too (the pull
reads the same listing past the export). None when no remote can say. Reads only; no
transaction is held across the requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.db import session_of
from desk.core.models import SyncCursor, SyncOutbox, SyncRemote, SyncStatus, Ticket
from desk.core.sync.remotes.base import Remote, RemoteError
from desk.core.vocabulary import ACTIVE_STATUSES, DESK_CHANNELS

if TYPE_CHECKING:
    from desk.core.db import Store

# The schedule the window follows (desk.ui.settings.sync_action) and the benchmark measures.
DEFAULT_INTERVAL_S = 30  # a full sync this often, by default (configurable, or off)
CHANGE_DELAY_S = 2  # after a local change: a burst of edits goes up as one run
PROBE_S = 5  # how often a PC asks "anything new?" (one request) while syncing automatically


def _agreed(store_or_session: Store | Session, remote_id: int, remote_ids: list[str]) -> dict[str, str | None]:
    with session_of(store_or_session) as session:
        return agreed_versions(session, remote_id, remote_ids)


WATCHED = 100  # live-line tickets a probe asks about by id (Zendesk: one show_many request)


def live_line(session: Session, remote_id: int) -> list[tuple[str, str | None]]:
    """(remote id, version) of the synced tickets in the walk-in line and being served: the ones
    another PC claims, serves or marks as gone."""
    rows = session.execute(
        select(SyncStatus.remote_ticket_id, SyncStatus.remote_version)
        .join(Ticket, Ticket.id == SyncStatus.ticket_id)
        .where(SyncStatus.remote_id == remote_id, SyncStatus.gone.is_(None),
               Ticket.status.in_(ACTIVE_STATUSES), Ticket.channel.in_(DESK_CHANNELS))
        .order_by(Ticket.arrived_at.desc()).limit(WATCHED))
    return [(str(rid), version) for rid, version in rows]


def agreed_versions(session: Session, remote_id: int, remote_ids: list[str]) -> dict[str, str | None]:
    """The remote version Desk last agreed for each of these remote tickets it links (a short
    read, ended at once: no transaction waits across the remote's requests)."""
    try:
        rows = session.execute(select(SyncStatus.remote_ticket_id, SyncStatus.remote_version)
                               .where(SyncStatus.remote_id == remote_id,
                                      SyncStatus.remote_ticket_id.in_(remote_ids[:500])))
        return {str(rid): version for rid, version in rows}
    finally:
        session.rollback()


def has_news(store_or_session: Store | Session, *,
             build: Callable[[SyncRemote], Remote] | None = None) -> bool | None:
    from desk.core.sync.remotes import build_remote

    make = build or build_remote
    with session_of(store_or_session) as session:
        if session.scalar(select(SyncOutbox.id).limit(1)) is not None:
            session.rollback()
            return True
        rows = list(session.scalars(select(SyncRemote).order_by(SyncRemote.name)))
        cursors = {row.id: (c.value if (c := session.get(SyncCursor, (row.id, "pull"))) else None) for row in rows}
        watched = {row.id: live_line(session, row.id) for row in rows}
        for row in rows:
            session.expunge(row)
        session.rollback()
    answer: bool | None = None
    for row in rows:
        remote = make(row)
        try:
            if not remote.capabilities.change_probe:
                continue
            if remote.capabilities.live_line:  # Zendesk: the newest updates, against what Desk has
                remote.versions_of = (  # type: ignore[attr-defined]
                    lambda ids, remote_id=row.id: _agreed(store_or_session, remote_id, ids))
            news = remote.changed_since(cursors[row.id], watched=watched[row.id])  # type: ignore[attr-defined]
            if news:
                return True
            if news is False:
                answer = False
        except RemoteError:
            continue  # unreachable or refusing: the regular sync says what is wrong
        finally:
            remote.close()
    return answer
