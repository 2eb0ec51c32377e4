"""Day summaries: the per-ticket stats facts kept in the store, one packed blob per UTC day.

Evaluating every metric definition for a year of a million tickets takes SQLite about a second
however lean the statement (``facts.load_facts``). The facts of a ticket depend on nothing but
its own row and its public replies, so they are computed once and kept: ``stats_days`` holds,
per UTC day of arrival (``arrived_at / 86400``), the records of that day's tickets as a NumPy
record array. Triggers (migration 0004) put a day in ``stats_dirty_days`` whenever one of its
tickets, or a public comment on one, changes — in the writer's own transaction, whoever writes.
Reading a period rebuilds its dirty days first (under the write lock, so a change cannot slip
between the rebuild and the clearing of its mark) and then reads ~365 blobs.

A blob is a small header (the record count), the records column by column (so a period's
columns are joined without a strided copy per field), then the STEP records of those tickets'
later backlog transitions (re-entries and exits after the first one, from the status history:
``history``). Each blob is tagged with ``DEFINITION``, a digest of the SQL definitions and the record layout:
after an upgrade that changes a definition, old blobs count as dirty and are rebuilt on use.
A store that cannot be written (read-only file, another writer holding the lock) still gets
correct numbers: the dirty days are computed in memory and simply not saved.

Rebuilding every day of a big store (after an upgrade or a large import: ~3.6 s for a million
tickets) can report ``progress(days done, days to rebuild)`` and be stopped by ``cancel()``,
both looked at once per month. A cancel raises ``StatsCancelled`` between months: each month
is its own transaction, so the months rebuilt stay saved and nothing is half-written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.db import unit_of_work
from desk.core.stats import facts as F
from desk.core.stats import history
from desk.core.stats.distributions import DAY, member

FORMAT = 3  # bump when the packing below changes
RECORD = np.dtype([
    ("ticket_id", "<i8"), ("arrived", "<i8"), ("requester_id", "<i8"), ("assignee_id", "<i8"),
    ("category_id", "<i4"), ("location_id", "<i4"), ("first_response", "<i4"), ("resolution", "<i4"),
    ("done_after", "<i4"), ("solved_after", "<i4"), ("handle", "<i2"), ("channel", "i1"), ("flags", "u1"),
    ("satisfaction", "i1"), ("replies", "u1"),
])
HEADER = np.dtype("<i8")  # records in the blob; their columns and then the STEP records follow
# widest first, so that every column starts aligned to its own width after the 8-byte header
COLUMNS = tuple(sorted(RECORD.names, key=lambda name: -RECORD.fields[name][0].itemsize))
LATE, LEFT, REOPENED, SOLVED = 1, 2, 4, 8  # bits of "flags"
# A reply counts for one-touch when it is public and by an agent who is not the requester
# (docs/metrics.md, "One-touch"); part of DEFINITION so old counts are rebuilt.
REPLY_RULE = "public, author is an agent, author is not the requester"
DEFINITION = hashlib.sha256(repr((
    FORMAT, RECORD.descr, history.STEP.descr, F.FLAGS, F.RESPONSE_AT, F.FIRST_RESPONSE, F.RESOLUTION,
    F.ONE_VISIT, F.DONE_AT, F.SOLVED_AFTER, F.HANDLE_CAP, history.STATUS_CODE, REPLY_RULE,
)).encode()).hexdigest()[:16]
BATCH_DAYS = 31
Progress = Callable[[int, int], None]  # (days rebuilt so far, days to rebuild)
Cancel = Callable[[], bool]  # True: stop before the next month
REPLIES_BY_ID_UP_TO = 200_000  # more tickets than this: one scan of all public comments instead


class StatsCancelled(errors.DeskError):
    """The person stopped the rebuilding of day summaries: no report was computed; the months
    already rebuilt are saved, the rest stay marked and are rebuilt by the next computation."""

    def __init__(self, message: str = "The statistics were not computed: working out the days was cancelled.") -> None:
        super().__init__(message)


def sqlite_days(epochs: np.ndarray) -> np.ndarray:
    """The day numbers the triggers compute (SQLite's integer division truncates toward zero)."""
    return np.where(epochs >= 0, epochs // DAY, -(-epochs // DAY))


Columns = dict[str, np.ndarray]  # RECORD's fields as separate, contiguous arrays


def pack(records: np.ndarray, steps: np.ndarray) -> bytes:
    parts = [np.array([len(records)], dtype=HEADER).tobytes()]
    parts += [np.ascontiguousarray(records[name]).tobytes() for name in COLUMNS]
    return b"".join([*parts, steps.tobytes()])


def unpack(blob: bytes) -> tuple[Columns, np.ndarray]:
    count = int(np.frombuffer(blob, dtype=HEADER, count=1)[0])
    columns, offset = {}, HEADER.itemsize
    for name in COLUMNS:
        dtype = RECORD.fields[name][0]
        columns[name] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
        offset += count * dtype.itemsize
    return columns, np.frombuffer(blob, dtype=history.STEP, offset=offset)


def _as_columns(records: np.ndarray) -> Columns:
    return {name: records[name] for name in COLUMNS}


def period_facts(
    session: Session, start: int, end: int, *, progress: Progress | None = None, cancel: Cancel | None = None,
) -> tuple[F.TicketFacts, np.ndarray, np.ndarray]:
    """(facts of every ticket that arrived in [start, end), ids of tickets with exactly one
    public agent reply, the STEP records of those tickets' later backlog transitions).
    ``progress``/``cancel`` follow the rebuilding of stale days (module docstring); neither is
    called when no day is stale."""
    first, last = (int(d) for d in sqlite_days(np.array([start, end - 1], dtype=np.int64)))
    unsaved = _rebuild_stale(session, first, last, progress=progress, cancel=cancel)
    rows = session.execute(
        text("SELECT day, facts FROM stats_days WHERE day BETWEEN :first AND :last AND definition = :definition"
             " ORDER BY day"), {"first": first, "last": last, "definition": DEFINITION})
    parts = [(day, *unpack(blob)) for day, blob in rows if day not in unsaved]
    parts += [(day, _as_columns(records), steps) for day, (records, steps) in unsaved.items()]
    chosen: list[Columns] = [_as_columns(np.zeros(0, dtype=RECORD))]
    chosen_steps = [np.zeros(0, dtype=history.STEP)]
    for day, columns, steps in parts:
        if day * DAY < start or (day + 1) * DAY > end:  # a UTC day at an edge of the local period
            keep = (columns["arrived"] >= start) & (columns["arrived"] < end)
            columns = {name: values[keep] for name, values in columns.items()}
            steps = steps[member(steps["ticket_id"], columns["ticket_id"])]
        chosen.append(columns)
        chosen_steps.append(steps)
    joined = {name: np.concatenate([part[name] for part in chosen]) for name in COLUMNS}
    steps = np.concatenate(chosen_steps)
    return to_facts(joined, F.kinds_by_person(session)), joined["ticket_id"][joined["replies"] == 1], steps


def _stale_days(session: Session, first: int, last: int) -> list[int]:
    return [row[0] for row in session.execute(text(
        "SELECT day FROM stats_dirty_days WHERE day BETWEEN :first AND :last"
        " UNION SELECT day FROM stats_days WHERE day BETWEEN :first AND :last AND definition != :definition"),
        {"first": first, "last": last, "definition": DEFINITION})]


def _rebuild_stale(
    session: Session, first: int, last: int, *, progress: Progress | None, cancel: Cancel | None,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Rebuild and save the period's stale days; returns {} — or, when the store cannot be
    written, the rebuilt days' records by day (to use without saving)."""
    stale = _stale_days(session, first, last)
    try:
        _rebuild(session, stale, progress=progress, cancel=cancel)
        return {}
    except (errors.StoreReadOnly, errors.StoreLocked):
        return build(session, _stale_days(session, first, last))


def rebuild_all(session: Session, *, progress: Progress | None = None, cancel: Cancel | None = None) -> int:
    """Build every stale day now (after a bulk load, e.g. the demo); returns the days built."""
    stale = _stale_days(session, -(2**62), 2**62)
    _rebuild(session, stale, progress=progress, cancel=cancel)
    return len(stale)


def _rebuild(session: Session, stale: list[int], *, progress: Progress | None = None,
             cancel: Cancel | None = None) -> None:
    """Rebuild ``stale`` days a month at a time, each month in its own write transaction (the
    days are read under the write lock, so no change can land between reading a day and
    clearing its mark; a month keeps the lock short for other windows and the CLI). Progress
    is told (0, total) first and after every month; cancel is asked before every month."""
    stale = sorted(stale)
    if stale and progress is not None:
        progress(0, len(stale))
    for at in range(0, len(stale), BATCH_DAYS):
        if cancel is not None and cancel():
            raise StatsCancelled()  # between transactions: the months done stay saved
        batch = stale[at:at + BATCH_DAYS]
        with unit_of_work(session):
            still = _stale_days(session, batch[0], batch[-1])
            save(session, still, build(session, still))
        if progress is not None:
            progress(min(at + BATCH_DAYS, len(stale)), len(stale))


def build(session: Session, days: Iterable[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """(records, STEP records) of the tickets that arrived on ``days``, by day (a day without
    tickets maps to empty arrays)."""
    days = sorted(set(days))
    nothing = (np.zeros(0, dtype=RECORD), np.zeros(0, dtype=history.STEP))
    built: dict[int, tuple[np.ndarray, np.ndarray]] = {day: nothing for day in days}
    for run_first, run_last in _runs(days):
        facts, steps = history.apply(session, F.load_facts(session, run_first * DAY, (run_last + 1) * DAY))
        records = to_records(facts)
        if not len(records):
            continue
        records["replies"] = np.minimum(_reply_counts(session, records["ticket_id"], records["requester_id"]), 255)
        record_days = sqlite_days(records["arrived"])
        order = np.argsort(record_days, kind="stable")
        records, record_days = records[order], record_days[order]
        by_id = np.argsort(records["ticket_id"])
        step_days = record_days[by_id[np.searchsorted(records["ticket_id"], steps["ticket_id"], sorter=by_id)]]
        edges = np.flatnonzero(np.diff(record_days)) + 1
        for chunk in np.split(records, edges):
            day = int(sqlite_days(chunk["arrived"][:1])[0])
            built[day] = (chunk, steps[step_days == day])
    return built


def save(session: Session, days: list[int], built: dict[int, tuple[np.ndarray, np.ndarray]]) -> None:
    """Store the built days and clear their dirty marks (inside the caller's unit of work)."""
    rows = [{"day": day, "definition": DEFINITION, "facts": pack(*built[day])} for day in days if len(built[day][0])]
    if rows:
        session.execute(text("INSERT OR REPLACE INTO stats_days (day, definition, facts)"
                             " VALUES (:day, :definition, :facts)"), rows)
    empty = [int(day) for day in days if not len(built[day][0])]
    if empty:
        session.execute(text("DELETE FROM stats_days WHERE day IN (SELECT value FROM json_each(:days))"),
                        {"days": json.dumps(empty)})
    session.execute(text("DELETE FROM stats_dirty_days WHERE day IN (SELECT value FROM json_each(:days))"),
                    {"days": json.dumps([int(day) for day in days])})


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive days grouped: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _reply_counts(session: Session, ticket_ids: np.ndarray, requester_ids: np.ndarray) -> np.ndarray:
    """Public replies per ticket by an agent who is not its requester (REPLY_RULE; aligned
    with ``ticket_ids``). Few tickets are looked up by id; many are counted from one scan of
    the public comments' covering index."""
    if len(ticket_ids) <= REPLIES_BY_ID_UP_TO:
        where = "c.is_public AND c.ticket_id IN (SELECT value FROM json_each(:ids))"
        params = {"ids": json.dumps(ticket_ids.tolist())}
    else:
        where, params = "c.is_public", {}
    tickets, people = F.width(F.largest_id(session, "tickets")), F.id_width(F.largest_id(session, "people"))
    parts = [*F.chunks("c.ticket_id", tickets), *F.chunks("c.author_id", people)]
    packed = session.execute(
        text(f"SELECT group_concat(char({', '.join(parts)}), '') FROM comments c WHERE {where}"), params).scalar()
    matrix = F.unpack(packed, tickets + max(people, 1))
    del packed
    agents = np.array([row[0] for row in session.execute(text("SELECT id FROM people WHERE is_agent"))],
                      dtype=np.int64)
    on, by = F.join_chunks(matrix, 0, tickets, null=None), F.join_chunks(matrix, tickets, people, null=0)
    by_id = np.argsort(ticket_ids)
    where = by_id[np.clip(np.searchsorted(ticket_ids, on, sorter=by_id), 0, max(len(ticket_ids) - 1, 0))]
    own = (ticket_ids[where] == on) & (requester_ids[where] == by)  # an agent on her own ticket
    replied = on[member(by, agents) & ~own]
    ids, counts = np.unique(replied, return_counts=True)
    where_in = np.clip(np.searchsorted(ids, ticket_ids), 0, max(len(ids) - 1, 0))
    found = (ids[where_in] == ticket_ids) if len(ids) else np.zeros(len(ticket_ids), dtype=bool)
    return np.where(found, counts[where_in] if len(ids) else 0, 0)


def to_records(facts: F.TicketFacts) -> np.ndarray:
    records = np.zeros(len(facts), dtype=RECORD)
    for name in ("ticket_id", "arrived", "requester_id", "assignee_id", "category_id", "location_id",
                 "handle", "channel", "satisfaction"):
        records[name] = getattr(facts, name)
    for name in ("first_response", "resolution"):
        records[name] = np.minimum(getattr(facts, name), np.iinfo(np.int32).max)
    largest = np.iinfo(np.int32).max
    records["done_after"] = np.where(facts.done >= 0, np.clip(facts.done - facts.arrived, 0, largest), -1)
    records["solved_after"] = np.where(facts.solved_time >= 0, np.clip(facts.solved_time - facts.arrived, 0, largest), -1)
    records["flags"] = (facts.late * LATE) | (facts.left * LEFT) | (facts.reopened * REOPENED) | (facts.solved * SOLVED)
    return records


def to_facts(records: np.ndarray | Columns, kind_of: np.ndarray) -> F.TicketFacts:
    """Facts from records, or from their columns (``unpack``)."""

    def column(name: str) -> np.ndarray:
        return np.ascontiguousarray(records[name])

    arrived, flags, done_after = column("arrived"), column("flags"), column("done_after").astype(np.int64)
    solved_after = column("solved_after").astype(np.int64)
    requesters = column("requester_id")
    return F.TicketFacts(
        ticket_id=column("ticket_id"), arrived=arrived, channel=column("channel"),
        late=(flags & LATE) > 0, left=(flags & LEFT) > 0, reopened=(flags & REOPENED) > 0,
        solved=(flags & SOLVED) > 0, satisfaction=column("satisfaction"), requester_id=requesters,
        kind=kind_of[np.clip(requesters, 0, len(kind_of) - 1)].astype(np.int8),
        category_id=column("category_id"), location_id=column("location_id"),
        assignee_id=column("assignee_id"), first_response=column("first_response"),
        resolution=column("resolution"), done=np.where(done_after >= 0, arrived + done_after, -1),
        handle=column("handle"), solved_time=np.where(solved_after >= 0, arrived + solved_after, -1),
    )
