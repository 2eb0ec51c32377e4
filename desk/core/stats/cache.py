"""A small in-process cache of a period's ticket facts, so changing a filter or the staffing
target, reopening the panel, or a few tickets changing does not scan the whole period again.

Each entry remembers the store's fingerprint when it was made: the count, sum and maximum of
``updated_at`` of tickets updated since the period began (from the ``updated_at`` index), the
last audit-event and comment ids, and the agents. When the fingerprint moves, only the tickets
touched since are read again — those with an audit event or a comment after the remembered
ids (every operation writes an audit event, in this process or any other) or an ``updated_at``
at or after the remembered maximum (bulk writers) — and merged in; when that is most of the
period, or the ticket count does not add up, or the agents changed, the period is read afresh.
Filters are applied afterwards in NumPy (``TicketFacts.matching``).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from desk.core.stats import facts as F
from desk.core.stats.distributions import member, singles

MAX_ENTRIES = 2
MAX_SLICES = 4
PARALLEL_FROM_SECONDS = 60 * 86_400  # shorter periods are quick enough in one scan
MAX_TICKETS = 1_500_000  # ~50 bytes each; beyond this only the newest entry is kept
MAX_TOUCHED = 20_000  # more changed tickets than this: read the whole period again


@dataclass(frozen=True)
class Stamp:
    tickets: int
    updated_total: float
    updated_max: int | None
    ticket_max: int | None
    audit_max: int | None
    comment_max: int | None
    agents: float


@dataclass(frozen=True)
class Entry:
    stamp: Stamp
    facts: F.TicketFacts
    one_reply: np.ndarray  # ids of tickets with exactly one public agent reply


_lock = threading.Lock()
_entries: OrderedDict[tuple[str, int, int], Entry] = OrderedDict()


def fingerprint(session: Session, start: int) -> Stamp:
    row = session.execute(text(
        "SELECT count(*), total(updated_at), max(updated_at), max(id) FROM tickets WHERE updated_at >= :start"
    ), {"start": start}).one()
    others = session.execute(text(
        "SELECT (SELECT max(id) FROM audit_events), (SELECT max(id) FROM comments),"
        " (SELECT total(id) FROM people WHERE is_agent)")).one()
    return Stamp(*tuple(row), *tuple(others))


def one_reply_ticket_ids(session: Session, start: int, extra: str = "") -> np.ndarray:
    """Tickets with exactly one public reply by an agent since ``start`` (replies come after
    arrival ≥ start), among the comments matching the SQL condition ``extra`` (on alias c).

    The scan sends each public comment's ticket and author; whether the author is an agent is
    looked up in NumPy (cheaper per row than SQLite's ``IN (SELECT …)``)."""
    def largest(table: str) -> int:
        return int(session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())

    tickets, people = F.width(largest("tickets")), F.id_width(largest("people"))
    parts = [*F.chunks("c.ticket_id", tickets), *F.chunks("c.author_id", people)]
    where = f"c.created_at >= :start AND c.is_public AND ({extra})" if extra else "c.created_at >= :start AND c.is_public"
    packed = session.execute(
        text(f"SELECT group_concat(char({', '.join(parts)}), '') FROM comments c WHERE {where}"), {"start": start}
    ).scalar()
    matrix = F.unpack(packed, tickets + max(people, 1))
    del packed
    authors = F.join_chunks(matrix, tickets, people, null=0)
    agents = np.array([row[0] for row in session.execute(text("SELECT id FROM people WHERE is_agent"))], dtype=np.int64)
    by_agent = member(authors, agents)
    return singles(F.join_chunks(matrix, 0, tickets, null=None)[by_agent])


def period_facts(session: Session, start: int, end: int) -> tuple[F.TicketFacts, np.ndarray]:
    """(facts of every ticket that arrived in [start, end), ids of one-reply tickets)."""
    key = (str(session.get_bind().url.database), start, end)
    stamp = fingerprint(session, start)
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    if entry is not None and entry.stamp == stamp:
        return entry.facts, entry.one_reply
    fresh = None
    if entry is not None and entry.stamp.agents == stamp.agents:
        fresh = _refresh(session, entry, stamp, start, end)
    if fresh is None:
        facts, one_reply = _load(session, start, end)
        fresh = Entry(stamp, facts, one_reply)
    with _lock:
        _entries[key] = fresh
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES or (
            len(_entries) > 1 and sum(len(e.facts) for e in _entries.values()) > MAX_TICKETS
        ):
            _entries.popitem(last=False)
    return fresh.facts, fresh.one_reply


def _refresh(session: Session, entry: Entry, stamp: Stamp, start: int, end: int) -> Entry | None:
    """The entry with the tickets touched since it was made read again, or None when reading
    the whole period is the better (or the only safe) choice."""
    old = entry.stamp
    touched = F.load_epochs(
        session,
        "SELECT id AS value FROM tickets WHERE updated_at >= :since"
        " UNION SELECT ticket_id FROM audit_events WHERE id > :audit AND ticket_id IS NOT NULL"
        " UNION SELECT ticket_id FROM comments WHERE id > :comment",
        {"since": old.updated_max or 0, "audit": old.audit_max or 0, "comment": old.comment_max or 0}, 0)
    if len(touched) > min(MAX_TOUCHED, max(1000, len(entry.facts) // 5)):
        return None
    listed = ", ".join(str(int(i)) for i in touched) or "NULL"
    fresh = F.load_facts(session, None, start, end, extra=f"t.id IN ({listed})")
    kept = entry.facts.subset(~member(entry.facts.ticket_id, touched))
    merged = F.TicketFacts.concatenate([kept, fresh])
    count = session.execute(text("SELECT count(*) FROM tickets WHERE arrived_at >= :start AND arrived_at < :end"),
                            {"start": start, "end": end}).scalar_one()
    if count != len(merged):  # e.g. tickets deleted or moved in time by a bulk writer
        return None
    replies = one_reply_ticket_ids(session, start, f"c.ticket_id IN ({listed})")
    one_reply = np.concatenate([entry.one_reply[~member(entry.one_reply, touched)], replies])
    return Entry(stamp, merged, one_reply)


def _load(session: Session, start: int, end: int) -> tuple[F.TicketFacts, np.ndarray]:
    """Load the period's facts and the one-reply ids. On a multi-core machine the period is
    split into slices scanned at the same time on separate connections (sqlite3 lets go of the
    GIL while SQLite works), together with the replies scan."""
    bind = session.get_bind()
    cores = os.cpu_count() or 1
    # Two slices per core: they and the replies scan finish closer together (and a core that
    # other programs keep busy holds up a smaller share of the work).
    slices = min(MAX_SLICES, 2 * cores)
    if not isinstance(bind, Engine) or cores < 2 or end - start < PARALLEL_FROM_SECONDS:
        return F.load_facts(session, None, start, end), one_reply_ticket_ids(session, start)
    edges = [start + (end - start) * i // slices for i in range(slices)] + [end]

    def facts(a: int, b: int) -> F.TicketFacts:
        with Session(bind) as own:
            return F.load_facts(own, None, a, b)

    def replies() -> np.ndarray:
        with Session(bind) as own:
            return one_reply_ticket_ids(own, start)

    with ThreadPoolExecutor(max_workers=slices + 1, thread_name_prefix="desk-stats") as pool:
        reply_job = pool.submit(replies)
        parts = [pool.submit(facts, a, b) for a, b in zip(edges, edges[1:], strict=False)]
        loaded = [job.result() for job in parts]
        return F.TicketFacts.concatenate(loaded), reply_job.result()


def clear() -> None:
    with _lock:
        _entries.clear()
