"""Per-ticket facts for a period, streamed out of SQLite in one scan.

docs/metrics.md is the written definition of every metric; the code here follows it exactly.
The metric definitions live here, once, as SQL expressions over the integer-epoch columns
(``WAIT_FRT``, ``RESOLUTION``, ``HANDLE`` …). One ``SELECT`` over the period's tickets evaluates
them and hands every ticket's values back packed as characters of a single ``group_concat``
string, which NumPy turns into integer columns without a Python loop (SQLite's own GROUP BY, a
sort per grouping, and per-row fetches are several times slower). Even so a year of a million
tickets takes about a second, so the results are kept per day in the store (``days``) and this
scan runs only for days changed since; ``compute`` then counts, averages and takes percentiles.

The per-row cost is SQLite's bytecode, so the statement is kept lean: each definition is
evaluated once in a sub-select (``LIMIT -1`` keeps SQLite from flattening it and so copying the
expression into every character made from it), characters carry 20 bits (code points
U+10000…U+10FFFF, clear of the UTF-16 surrogates) and a NULL needs no ``coalesce``: ``char()``
turns it into code 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.i18n import _
from desk.core.stats.distributions import member
from desk.core.vocabulary import CHANNELS, DESK_CHANNELS, DESK_CHANNELS_SQL, PERSON_KINDS, SATISFACTION

AT_DESK_INDEXES = np.array([CHANNELS.index(name) for name in DESK_CHANNELS], dtype=np.int64)
UNKNOWN_CHANNEL = len(CHANNELS)  # the code of a channel missing from CHANNELS: never web, never at the desk
HANDLE_CAP = 3600  # a desk ticket solved within this long of service start was handled in one visit

# --- the metric definitions (SQL over table alias t); docs/metrics.md is their one description --
AT_DESK = DESK_CHANNELS_SQL  # people waiting in front of the desk or on the line
# Start of service of a walk-in or call: the first of claim / start serving, the first public
# agent reply and solving it ("Done" on the spot). min() of three coalesces is the smallest
# value that is not NULL (SQLite's min() of a NULL is NULL). docs/metrics.md, "Start of service".
SERVICE_AT = (
    "min(coalesce(t.service_started_at, t.first_response_at, t.solved_at),"
    " coalesce(t.first_response_at, t.solved_at, t.service_started_at),"
    " coalesce(t.solved_at, t.service_started_at, t.first_response_at))"
)
# First response: walk-ins and calls are answered when service starts; e-mail and web requests
# by the first public reply of an agent who is not the requester (comments.insert_comment sets
# first_response_at only for those). docs/metrics.md, "First response" and "Wait".
RESPONSE_AT = f"CASE WHEN {AT_DESK} THEN {SERVICE_AT} ELSE t.first_response_at END"
FIRST_RESPONSE = f"max(({RESPONSE_AT}) - t.arrived_at, 0)"  # from arrival; NULL: never answered
RESOLUTION = "max(t.solved_at - t.created_at, 0)"  # created → last solve; NULL while unsolved
ONE_VISIT = (  # service start → solve, when within the cap; a solve that *was* the start of
    # service ("Done" with no claim) measured no handling, so it gives no handle time
    f"CASE WHEN t.solved_at - t.service_started_at BETWEEN 1 AND {HANDLE_CAP}"
    " THEN t.solved_at - t.service_started_at END"
)
HANDLE = f"CASE WHEN {AT_DESK} THEN {ONE_VISIT} END"  # for desk tickets finished in one visit
# When a ticket without status history left the backlog: solved, walked away, or closed
# unsolved (last edit). Tickets with status history use that instead (``history``).
DONE_AT = (
    "coalesce(t.solved_at, t.left_at, CASE WHEN t.status = 'closed' THEN t.updated_at END)"
)
SOLVED_AFTER = "max(t.solved_at - t.arrived_at, 0)"  # arrival → last solve (the solve date); NULL: unsolved


def channel_code_sql(channels: tuple[str, ...] = CHANNELS) -> str:
    """The index of ``t.channel`` in ``channels``, as an explicit CASE generated from the
    vocabulary; any other value gets ``len(channels)`` (counted as "unknown", never as web)."""
    whens = " ".join(f"WHEN {name!r} THEN {index}" for index, name in enumerate(channels))
    return f"(CASE t.channel {whens} ELSE {len(channels)} END)"


CHANNEL_CODE = channel_code_sql()
assert len(CHANNELS) < 64, "the channel code must fit in the flags below SMALL"
# A walk-away who came back and was reopened is no reopen; without status history a reopened
# ticket that was never walked away from is the best the fields can tell (``history`` decides
# from the history where there is one). docs/metrics.md, "Reopened".
REOPENED = "(t.reopen_count > 0 AND t.left_at IS NULL)"


def rating_code_sql(ratings: tuple[str, ...] = SATISFACTION) -> str:
    """1 + the index of ``t.satisfaction`` in ``ratings`` (good 1, bad 2), as an explicit CASE
    generated from the vocabulary; NULL and any other value get 0 ("not rated"), so a rating
    Desk does not know is never counted as good or bad."""
    whens = " ".join(f"WHEN {name!r} THEN {index + 1}" for index, name in enumerate(ratings))
    return f"(CASE t.satisfaction {whens} ELSE 0 END)"


# CSAT counts people's own ratings only (docs/metrics.md, "CSAT"): an agent-reported one is 0
# here ("not rated"), like no rating.
PEOPLES_RATING = f"(CASE WHEN t.satisfaction_source = 'agent' THEN 0 ELSE {rating_code_sql()} END)"
assert len(SATISFACTION) < 8, "the rating code must fit in its 3 flag bits"
FLAGS = (
    f"t.logged_after_the_fact + 2 * (t.left_at IS NOT NULL) + 4 * {REOPENED}"
    f" + 16 * {PEOPLES_RATING} + 128 * {CHANNEL_CODE}"
)
BITS = 20
MASK = (1 << BITS) - 1
BASE = 0x10000  # a chunk's code is BASE + its 20 bits; code 0 is a NULL
SMALL = 0xD800  # a value known to be below this may be sent as its own code (0 = NULL or 0)
# Every column the scan reads is in the covering index ix_tickets_stats (migration 0003), so
# SQLite reads that index only; a column added here must be added there too (a test checks).


@dataclass(frozen=True)
class StatsFilter:
    """Which tickets: arrived on local dates ``start``..``end`` (inclusive) and matching every
    non-empty filter."""

    start: date
    end: date
    category_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    requester_kinds: tuple[str, ...] = ()
    agent_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise errors.InvalidInput(_('The period ends ({end}) before it starts ({start}).').format(end=self.end, start=self.start))
        for channel in self.channels:
            if channel not in CHANNELS:
                raise errors.InvalidInput(_('Unknown channel {channel!r}.').format(channel=channel))
        for kind in self.requester_kinds:
            if kind not in PERSON_KINDS:
                raise errors.InvalidInput(_('Unknown requester kind {kind!r}.').format(kind=kind))

    def predicate(self) -> tuple[str, dict[str, object]]:
        """SQL conditions (on alias t) for every filter except the period."""
        parts: list[str] = []
        params: dict[str, object] = {}

        def ids(column: str, values: tuple[int, ...]) -> None:
            if values:
                parts.append(f"{column} IN ({', '.join(str(int(v)) for v in values)})")

        def names(column: str, values: tuple[str, ...], prefix: str) -> list[str]:
            keys = []
            for i, value in enumerate(values):
                params[f"{prefix}{i}"] = value
                keys.append(f":{prefix}{i}")
            return keys

        ids("t.category_id", self.category_ids)
        ids("t.assignee_id", self.agent_ids)
        ids("t.location_id", self.location_ids)
        if self.channels:
            parts.append(f"t.channel IN ({', '.join(names('t.channel', self.channels, 'ch'))})")
        if self.requester_kinds:
            keys = ", ".join(names("kind", self.requester_kinds, "kind"))
            parts.append(f"t.requester_id IN (SELECT id FROM people WHERE kind IN ({keys}))")
        return (" AND ".join(parts) or "1"), params


def chunks(expression: str, count: int) -> list[str]:
    """SQL for the characters carrying a value: ``count`` 20-bit chunks (low first) of a
    non-negative value below 2**(20 * count), or with ``count`` 0 the value itself as one code
    (it must be below ``SMALL``). A NULL value gives code 0 in every character."""
    if count == 0:
        return [expression]
    if count == 1:
        return [f"{expression} + {BASE}"]
    return [f"({expression} & {MASK}) + {BASE}" if i == 0 else
            f"(({expression} >> {BITS * i}) & {MASK}) + {BASE}" for i in range(count)]


def unpack(packed: str | None, width: int) -> np.ndarray:
    """The (rows × width) uint32 matrix of character codes from a ``group_concat(char(…))``."""
    if not packed:
        return np.zeros((0, width), dtype=np.uint32)
    return np.frombuffer(packed.encode("utf-32-le"), dtype=np.uint32).reshape(-1, width)


def join_chunks(matrix: np.ndarray, first: int, count: int, null: int | None = -1) -> np.ndarray:
    """The int64 values of a field sent by ``chunks`` (``null`` where it was NULL; with
    ``count`` 0 a NULL reads as 0)."""
    if count == 0:
        return matrix[:, first].astype(np.int64)
    value = matrix[:, first].astype(np.int64) - BASE
    for i in range(1, count):
        value |= (matrix[:, first + i].astype(np.int64) - BASE) << (BITS * i)
    if null is not None:
        value[matrix[:, first] == 0] = null
    return value


@dataclass
class TicketFacts:
    """One entry per ticket that arrived in the period (all arrays aligned)."""

    ticket_id: np.ndarray
    arrived: np.ndarray  # epoch seconds
    channel: np.ndarray  # index into CHANNELS
    late: np.ndarray  # bool: logged after the fact
    left: np.ndarray  # bool: walked away unserved
    reopened: np.ndarray  # bool
    solved: np.ndarray  # bool: solved_at set (currently solved or closed after solving)
    satisfaction: np.ndarray  # 0 none, 1 good, 2 bad
    requester_id: np.ndarray
    kind: np.ndarray  # index into PERSON_KINDS (len = unknown)
    category_id: np.ndarray  # 0 = none
    location_id: np.ndarray  # 0 = none
    assignee_id: np.ndarray  # 0 = none
    first_response: np.ndarray  # seconds, -1 = never answered
    resolution: np.ndarray  # seconds, -1 = not solved
    done: np.ndarray  # epoch seconds it first left the backlog (solved, walked away, closed); -1 = never
    handle: np.ndarray  # seconds, -1 = not a one-visit desk ticket
    solved_time: np.ndarray  # epoch seconds of the last solve; -1 = not solved
    at_desk: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.at_desk = member(self.channel.astype(np.int64), AT_DESK_INDEXES)  # walk-in, phone

    def __len__(self) -> int:
        return len(self.ticket_id)

    @classmethod
    def concatenate(cls, parts: list[TicketFacts]) -> TicketFacts:
        names = [f.name for f in fields(cls) if f.init]
        return cls(**{name: np.concatenate([getattr(part, name) for part in parts]) for name in names})

    def subset(self, mask: np.ndarray) -> TicketFacts:
        names = [f.name for f in fields(self) if f.init]
        return TicketFacts(**{name: getattr(self, name)[mask] for name in names})

    def matching(self, flt: StatsFilter) -> TicketFacts:
        """The tickets passing the filter's non-period conditions."""
        mask = np.ones(len(self), dtype=bool)
        for values, column in (
            (flt.category_ids, self.category_id), (flt.location_ids, self.location_id),
            (flt.agent_ids, self.assignee_id),
            ([CHANNELS.index(c) for c in flt.channels], self.channel),
            ([PERSON_KINDS.index(k) for k in flt.requester_kinds], self.kind),
        ):
            if len(values):
                mask &= member(column, np.array(values, dtype=np.int64))
        return self if mask.all() else self.subset(mask)


def width(largest: int) -> int:
    """20-bit characters needed for values up to ``largest``."""
    return max(1, (max(int(largest), 0).bit_length() + BITS - 1) // BITS)


def id_width(largest: int) -> int:
    """Characters for an id column (0: the id is its own code, NULL and none both 0)."""
    return 0 if largest < SMALL else width(largest)


def largest_id(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())


def layout(session: Session, period_seconds: int) -> tuple[tuple[str, str, int], ...]:
    """(name, SQL, characters as in ``chunks``) per field; ids are their own code while small."""
    people = id_width(largest_id(session, "people"))
    return (("flags", FLAGS, 0),
            ("category_id", "t.category_id", id_width(largest_id(session, "categories"))),
            ("location_id", "t.location_id", id_width(largest_id(session, "locations"))),
            ("assignee_id", "t.assignee_id", people),
            ("requester_id", "t.requester_id", people),
            ("arrived", "t.arrived_at - :start", width(period_seconds)),
            ("first_response", FIRST_RESPONSE, 2),  # NULL: never answered
            ("resolution", RESOLUTION, 2),  # NULL: not solved
            ("handle", f"({ONE_VISIT}) + 1", 0),  # 0: not finished in one visit
            ("done", f"max({DONE_AT} - t.arrived_at, 0)", 2),  # NULL: still open
            ("solved_after", SOLVED_AFTER, 2),  # NULL: not solved
            ("ticket_id", "t.id", id_width(largest_id(session, "tickets"))))


def facts_sql(where: str, fields: tuple[tuple[str, str, int], ...]) -> str:
    inner = ", ".join(f"{sql} AS {name}" for name, sql, _count in fields)
    parts = [part for name, _sql, count in fields for part in chunks(name, count)]
    return (f"SELECT group_concat(char({', '.join(parts)}), '')"
            f" FROM (SELECT {inner} FROM tickets t WHERE {where} LIMIT -1)")


def kinds_by_person(session: Session) -> np.ndarray:
    """person id → index into PERSON_KINDS (len(PERSON_KINDS) for unknown)."""
    kinds = dict(session.execute(text("SELECT id, kind FROM people")).all())
    kind_of = np.full(max(kinds, default=0) + 1, len(PERSON_KINDS), dtype=np.int64)
    for person_id, kind in kinds.items():
        kind_of[person_id] = PERSON_KINDS.index(kind) if kind in PERSON_KINDS else len(PERSON_KINDS)
    return kind_of


def load_facts(session: Session, start: int, end: int) -> TicketFacts:
    """Facts of every ticket that arrived in [start, end) (filters are applied afterwards, in
    NumPy: ``TicketFacts.matching``)."""
    fields = layout(session, end - start)
    packed = session.execute(text(facts_sql("t.arrived_at >= :start AND t.arrived_at < :end", fields)),
                             {"start": start, "end": end}).scalar()
    matrix = unpack(packed, sum(max(count, 1) for _name, _sql, count in fields))
    del packed  # the text is as big as the matrix: let it go before the columns are built
    columns: dict[str, np.ndarray] = {}
    first = 0
    for name, _sql, count in fields:
        columns[name] = join_chunks(matrix, first, count, null=0 if name.endswith("_id") else -1)
        first += max(count, 1)
    del matrix
    flags = columns.pop("flags")
    channel = np.minimum(flags >> 7, UNKNOWN_CHANNEL)  # the code is the index (CHANNEL_CODE)
    resolution = columns["resolution"]
    kind_of = kinds_by_person(session)
    requesters = columns["requester_id"]
    arrived = columns["arrived"] + start
    i8, i16, i32 = np.int8, np.int16, np.int32
    done = columns["done"]
    solved_after = columns["solved_after"]
    return TicketFacts(  # compact types: a year of a million tickets is ~50 MB
        ticket_id=columns["ticket_id"].astype(np.int64 if len(arrived) and columns["ticket_id"].max() >= 2**31 else i32),
        arrived=arrived,
        channel=channel.astype(i8),
        late=(flags & 1) > 0,
        left=(flags & 2) > 0,
        reopened=(flags & 4) > 0,
        solved=resolution >= 0,
        satisfaction=((flags >> 4) & 7).astype(i8),  # the code is 1 + the index (PEOPLES_RATING)
        requester_id=requesters.astype(np.int64 if len(requesters) and requesters.max() >= 2**31 else i32),
        kind=kind_of[np.clip(requesters, 0, len(kind_of) - 1)].astype(i8),
        category_id=columns["category_id"].astype(i32),
        location_id=columns["location_id"].astype(i32),
        assignee_id=columns["assignee_id"],
        first_response=_narrow(columns["first_response"]),
        resolution=_narrow(resolution),
        handle=np.where(member(channel, AT_DESK_INDEXES), columns["handle"] - 1, -1).astype(i16),
        done=np.where(done >= 0, arrived + done, -1),
        solved_time=np.where(solved_after >= 0, arrived + solved_after, -1),
    )


def _narrow(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype(np.int32) if len(seconds) == 0 or seconds.max() < 2**31 else seconds


def load_epochs(session: Session, sql: str, params: dict[str, object], base: int) -> np.ndarray:
    """Epoch seconds ≥ ``base`` selected as ``value`` by ``sql`` (``… AS value …``), packed."""
    packed = session.execute(
        text(f"SELECT group_concat(char({', '.join(chunks('(value - :base)', 2))}), '') FROM ({sql})"),
        {**params, "base": base},
    ).scalar()
    return join_chunks(unpack(packed, 2), 0, 2, null=None) + base
