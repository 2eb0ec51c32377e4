"""Backlog membership and reopens from each ticket's status history (the audit log).

docs/metrics.md, "Backlog" and "Reopened": a ticket is in the backlog from its arrival until a
status change takes it to solved or closed, and again from each change back to an open status.
Its current fields cannot tell that (a ticket solved on Thursday and reopened on Friday has no
``solved_at`` any more; a ticket closed unsolved has only its last edit time), so the history is
read from ``audit_events`` rows with ``field = 'status'`` (the operations write one for every
status change, walk-aways included). A ticket with no status rows at all (the demo, an import)
falls back to its fields (``facts.DONE_AT``, ``facts.REOPENED``).

Everything here is vectorised (NumPy over packed audit rows) because the day summaries of a
year are rebuilt from it after an upgrade.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.stats import facts as F
from desk.core.vocabulary import OPEN_STATUSES, STATUSES

STEP = np.dtype([("ticket_id", "<i8"), ("at", "<i8"), ("delta", "i1")])  # +1 enters, -1 leaves
# Status codes sent by SQL: index + 1 in STATUSES (0: a value outside the vocabulary, taken as
# open — the ticket is not known to be done).
STATUS_CODE = ("(CASE a.new " + " ".join(f"WHEN {name!r} THEN {i + 1}" for i, name in enumerate(STATUSES))
               + " ELSE 0 END)")
OPEN_CODES = np.array([0] + [STATUSES.index(name) + 1 for name in OPEN_STATUSES], dtype=np.int64)
SOLVED_CODE = STATUSES.index("solved") + 1
BY_ID_UP_TO = 200_000  # more tickets than this: one scan of every status row instead


@dataclass(frozen=True)
class Histories:
    """The transitions of the tickets that have a status history."""

    ticket_ids: np.ndarray  # sorted, unique: the tickets with at least one status row
    first_exit: np.ndarray  # per ticket_ids: when it first left the backlog; -1 never
    reopened: np.ndarray  # per ticket_ids: solved at least once, then back to an open status
    later: np.ndarray  # STEP records: every transition after the first exit, by ticket then time


def status_rows(session: Session, ticket_ids: np.ndarray) -> np.ndarray:
    """(ticket_id, at, audit id, status code) rows of the tickets' status changes, packed."""
    if len(ticket_ids) == 0:
        return np.zeros((0, 4), dtype=np.int64)
    if len(ticket_ids) <= BY_ID_UP_TO:
        where = "a.ticket_id IN (SELECT value FROM json_each(:ids)) AND a.field = 'status'"
        params: dict[str, object] = {"ids": json.dumps(np.asarray(ticket_ids).tolist())}
    else:
        where, params = "a.field = 'status' AND a.ticket_id IS NOT NULL", {}
    tickets = F.width(F.largest_id(session, "tickets"))
    events = F.width(F.largest_id(session, "audit_events"))
    parts = [*F.chunks("a.ticket_id", tickets), *F.chunks("max(a.at, 0)", 2), *F.chunks("a.id", events),
             STATUS_CODE]
    packed = session.execute(
        # the partial covering index of the status rows (migration 0006); SQLite would rather
        # take ix_audit_ticket, which reads every audit row of the ticket from the table
        text(f"SELECT group_concat(char({', '.join(parts)}), '') FROM audit_events a INDEXED BY ix_audit_status"
             f" WHERE {where}"),
        params).scalar()
    matrix = F.unpack(packed, tickets + 2 + events + 1)
    del packed
    columns = [F.join_chunks(matrix, 0, tickets, null=None), F.join_chunks(matrix, tickets, 2, null=None),
               F.join_chunks(matrix, tickets + 2, events, null=None), matrix[:, -1].astype(np.int64)]
    rows = np.stack(columns, axis=1) if len(matrix) else np.zeros((0, 4), dtype=np.int64)
    if len(ticket_ids) > BY_ID_UP_TO:
        rows = rows[F.member(rows[:, 0], np.asarray(ticket_ids, dtype=np.int64))]
    return rows


def histories(rows: np.ndarray) -> Histories:
    """The transitions in ``status_rows`` output. A ticket starts in the backlog (it is created
    ``new``); each row whose status is open after a done one enters it, and the reverse leaves."""
    if len(rows) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Histories(empty, empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=STEP))
    rows = rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]  # by ticket, time, audit id
    ticket, at, code = rows[:, 0], rows[:, 1], rows[:, 3]
    first_of_ticket = np.r_[True, ticket[1:] != ticket[:-1]]
    is_open = F.member(code, OPEN_CODES)
    was_open = np.where(first_of_ticket, True, np.r_[True, is_open[:-1]])
    changes = is_open != was_open  # rows that cross the backlog's edge
    # solved before this row (within the same ticket): a running count reset at each ticket
    solved = np.cumsum(code == SOLVED_CODE)
    starts = np.flatnonzero(first_of_ticket)
    group = np.cumsum(first_of_ticket) - 1
    solved_before = solved - (code == SOLVED_CODE) - (solved[starts] - (code[starts] == SOLVED_CODE))[group]
    ids = ticket[starts]
    reopened = np.zeros(len(ids), dtype=bool)
    reopened[group[changes & is_open & (solved_before > 0)]] = True
    exits = changes & ~is_open
    first_exit = np.full(len(ids), -1, dtype=np.int64)
    exit_rows = np.flatnonzero(exits)
    first_rows = exit_rows[np.r_[True, group[exit_rows][1:] != group[exit_rows][:-1]]] if len(exit_rows) else exit_rows
    first_exit[group[first_rows]] = at[first_rows]
    after_first = changes.copy()
    after_first[first_rows] = False
    # a row can only enter after a first exit (the ticket starts open), so every other change counts
    later = np.zeros(int(after_first.sum()), dtype=STEP)
    later["ticket_id"], later["at"] = ticket[after_first], at[after_first]
    later["delta"] = np.where(is_open[after_first], 1, -1)
    return Histories(ids, first_exit, reopened, later)


def apply(session: Session, facts: F.TicketFacts) -> tuple[F.TicketFacts, np.ndarray]:
    """``facts`` with ``done`` and ``reopened`` taken from the status history where a ticket
    has one, and the STEP records of their later transitions (re-entries and exits)."""
    found = histories(status_rows(session, facts.ticket_id))
    if len(found.ticket_ids) == 0:
        return facts, found.later
    position = np.searchsorted(found.ticket_ids, facts.ticket_id)
    position = np.clip(position, 0, len(found.ticket_ids) - 1)
    has = found.ticket_ids[position] == facts.ticket_id
    facts.done = np.where(has, found.first_exit[position], facts.done)
    facts.reopened = np.where(has, found.reopened[position], facts.reopened)
    return facts, found.later


def in_backlog_at(moment: int, arrived: np.ndarray, first_exit: np.ndarray,
                  steps: np.ndarray) -> int:
    """How many of these tickets were in the backlog at ``moment`` (changes at ``moment`` or
    later not yet applied): arrived before it, minus first exits before it, plus the later
    steps before it."""
    entered = arrived < moment
    left = entered & (first_exit >= 0) & (first_exit < moment)
    return int(entered.sum() - left.sum() + steps["delta"][steps["at"] < moment].astype(np.int64).sum())
