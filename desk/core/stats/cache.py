"""A small in-process cache of a period's ticket facts, so changing a filter, the staffing
target or reopening the panel does not scan the store again.

An entry is reused only while the store's fingerprint for the period is unchanged: the last
audit event and comment ids (every operation writes an audit event, in this process or any
other), and the count, sum and maximum of ``updated_at`` of tickets updated since the period
began (read from the ``updated_at`` index; catches bulk writes that bypass the operations). Filters are applied afterwards
in NumPy (``TicketFacts.matching``).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from desk.core.stats import facts as F

MAX_ENTRIES = 2
MAX_SLICES = 4
PARALLEL_FROM_SECONDS = 60 * 86_400  # shorter periods are quick enough in one scan
MAX_TICKETS = 1_500_000  # ~50 bytes each; beyond this only the newest entry is kept
_lock = threading.Lock()
_entries: OrderedDict[tuple[str, int, int], tuple[tuple, F.TicketFacts, np.ndarray]] = OrderedDict()


def fingerprint(session: Session, start: int) -> tuple:
    row = session.execute(text(
        "SELECT count(*), total(updated_at), max(updated_at), max(id) FROM tickets WHERE updated_at >= :start"
    ), {"start": start}).one()
    others = session.execute(text(
        "SELECT (SELECT max(id) FROM audit_events), (SELECT max(id) FROM comments),"
        " (SELECT total(id) FROM people WHERE is_agent)")).one()
    return (*tuple(row), *tuple(others))


def one_reply_ticket_ids(session: Session, start: int) -> np.ndarray:
    """Tickets with exactly one public reply by an agent (replies come after arrival ≥ start)."""
    ids = F.load_epochs(
        session,
        "SELECT c.ticket_id AS value FROM comments c WHERE c.created_at >= :start AND c.is_public"
        " AND c.author_id IN (SELECT id FROM people WHERE is_agent)",
        {"start": start}, 0,
    )
    if len(ids) == 0:
        return ids
    keys, counts = np.unique(ids, return_counts=True)
    return keys[counts == 1]


def period_facts(session: Session, start: int, end: int) -> tuple[F.TicketFacts, np.ndarray]:
    """(facts of every ticket that arrived in [start, end), ids of one-reply tickets)."""
    key = (str(session.get_bind().url.database), start, end)
    stamp = fingerprint(session, start)
    with _lock:
        hit = _entries.get(key)
        if hit is not None and hit[0] == stamp:
            _entries.move_to_end(key)
            return hit[1], hit[2]
    loaded = _load(session, start, end)
    with _lock:
        _entries[key] = (stamp, *loaded)
        while len(_entries) > MAX_ENTRIES or (
            len(_entries) > 1 and sum(len(entry[1]) for entry in _entries.values()) > MAX_TICKETS
        ):
            _entries.popitem(last=False)
    return loaded


def _load(session: Session, start: int, end: int) -> tuple[F.TicketFacts, np.ndarray]:
    """Load the period's facts and the one-reply ids. On a multi-core machine the period is
    split into slices scanned at the same time on separate connections (sqlite3 lets go of the
    GIL while SQLite works), together with the replies scan."""
    bind = session.get_bind()
    slices = min(MAX_SLICES, os.cpu_count() or 1)
    if not isinstance(bind, Engine) or slices < 2 or end - start < PARALLEL_FROM_SECONDS:
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
