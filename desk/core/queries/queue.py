"""Queue views: which tickets, in what order, a page at a time (keyset pagination).

``page_statements`` returns plain SQL and parameters so the same statement can be timed in raw
sqlite3 by the benchmarks; ``page`` / ``rows_for`` / ``count`` run it through a SQLAlchemy
Session or a plain ``sqlite3.Connection`` (the window's first page: no ORM needed to paint it,
so this module does not import SQLAlchemy).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from desk.core import errors
from desk.core.i18n import N_, _
from desk.core.queries.search import fts_query, ko_query, ticket_number
from desk.core.vocabulary import DONE_SQL, OPEN_SQL, WAITING_AT_DESK_SQL

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Reader = Union["Session", sqlite3.Connection]  # noqa: UP007 - "Session" is only a string here

OPEN = OPEN_SQL
VIEWS: dict[str, tuple[str, str]] = {
    # name: (label, SQL condition on t)
    "all-open": (N_("All open"), f"t.status IN {OPEN}"),
    "waiting": (
        N_("Waiting at the desk"),
        WAITING_AT_DESK_SQL,
    ),
    "unassigned": (N_("Unassigned"), f"t.status IN {OPEN} AND t.assignee_id IS NULL"),
    "mine": (N_("Mine"), f"t.status IN {OPEN} AND t.assignee_id = :agent_id"),
    "pending": (N_("Pending"), "t.status = 'pending'"),
    # likelihood() tells the planner few rows pass, so it walks the solved_at index
    # (2 ms on 1M tickets) instead of scanning by arrival (250 ms).
    "solved-today": (
        N_("Solved today"),
        f"likelihood(t.solved_at >= :day_start, 0.001) AND t.status IN {DONE_SQL}",
    ),
    "all": (N_("All tickets"), "1"),
}
SORTS: dict[str, str] = {
    "id": "t.id",
    "waiting": "t.arrived_at",
    "requester": "coalesce(p.name, '')",
    "subject": "t.subject",
    "category": "coalesce(c.name, '')",
    "channel": "t.channel",
    "status": "t.status",
    "priority": "(CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 "
                "WHEN 'normal' THEN 2 ELSE 3 END)",
    "assignee": "coalesce(a.name, '')",
    "location": "coalesce(l.name, '')",
    "updated": "t.updated_at",
    # The next SLA due time (desk.core.rules.sla keeps it); tickets without a running clock last.
    "due": "coalesce(t.sla_due_at, 9223372036854775807)",
}
# Filters a saved view may hold: name -> SQL condition with a parameter of the same name.
FILTERS: dict[str, str] = {
    "category_id": "t.category_id = :category_id",
    "location_id": "t.location_id = :location_id",
    "channel": "t.channel = :channel",
    "status": "t.status = :status",
    "priority": "t.priority = :priority",
    "assignee_id": "t.assignee_id = :assignee_id",
    "requester_kind": "p.kind = :requester_kind",
}
JOINS = {
    "p": " JOIN people p ON p.id = t.requester_id",
    "a": " LEFT JOIN people a ON a.id = t.assignee_id",
    "c": " LEFT JOIN categories c ON c.id = t.category_id",
    "l": " LEFT JOIN locations l ON l.id = t.location_id",
}
ALL_JOINS = "".join(JOINS.values())
SEARCH = "ticket_fts MATCH :match"
SEARCH_KO = "ticket_ko MATCH :ko_match"  # Korean words only: the bigram index is walked instead
# Korean and other words typed together: ticket_fts is walked and the Korean words are a
# membership test (``+`` so FTS5 is not asked to run the match once per ticket).
KO_ALSO = "+f.rowid IN (SELECT rowid FROM ticket_ko WHERE ticket_ko MATCH :ko_match)"
SEARCHES = (SEARCH, SEARCH_KO, KO_ALSO)


def _search_table(conditions: list[str]) -> str | None:
    """The FTS5 table a statement walks (aliased ``f``), or None when nothing is searched."""
    if SEARCH in conditions:
        return "ticket_fts"
    return "ticket_ko" if SEARCH_KO in conditions else None


def _joins(*sql: str) -> str:
    """Only the joins the statement refers to: a count or page over 1M rows pays for no others."""
    text_ = " ".join(sql)
    return "".join(join for alias, join in JOINS.items() if f"{alias}." in text_)


# QueueFilter and QueueRow are NamedTuples rather than frozen dataclasses: the window defines
# both while it starts, and a dataclass compiles six generated methods per class (~1 ms each
# here); a page also builds its rows faster (a frozen dataclass sets each field through
# object.__setattr__). Change one with ``._replace(...)``.
NO_EXTRA: Mapping[str, object] = MappingProxyType({})


class QueueFilter(NamedTuple):
    view: str = "all-open"
    search: str = ""
    agent_id: int | None = None  # for "mine"
    day_start: datetime | None = None  # for "solved today", in UTC
    extra: Mapping[str, object] = NO_EXTRA  # FILTERS keys (read-only when not given)


class QueueRow(NamedTuple):
    id: int
    uuid: str
    arrived_at: datetime
    requester: str
    requester_kind: str
    subject: str
    category: str | None
    channel: str
    status: str
    priority: str
    assignee: str | None
    assignee_id: int | None
    location: str | None
    updated_at: datetime
    version: int
    service_started_at: datetime | None
    left_at: datetime | None
    unsynced: bool = False
    first_response_at: datetime | None = None
    sla_due_at: datetime | None = None  # the next SLA due time of a running clock (docs/rules.md)
    sla_due_target: str | None = None  # first_response, next_reply or resolution


TICKET_NUMBER = "t.id = :ticket_number"


def _where(queue: QueueFilter) -> tuple[list[str], dict[str, object]]:
    if queue.view not in VIEWS:
        raise errors.InvalidInput(_('Unknown view {view!r}; views are {join}.').format(view=queue.view, join=', '.join(VIEWS)))
    number = ticket_number(queue.search)
    if number is not None and number[1]:
        # "#20001" is that ticket, whatever the view and filters: the person knows which one.
        return [TICKET_NUMBER], {"ticket_number": number[0]}
    conditions = [VIEWS[queue.view][1]]
    params: dict[str, object] = {
        "agent_id": queue.agent_id if queue.agent_id is not None else -1,
        "day_start": int(queue.day_start.timestamp()) if queue.day_start else 0,
    }
    for name, value in queue.extra.items():
        if name not in FILTERS:
            raise errors.InvalidInput(_('Unknown filter {name!r}.').format(name=name))
        if value is not None:
            conditions.append(FILTERS[name])
            params[name] = value
    match, korean_match = fts_query(queue.search), ko_query(queue.search)
    if match:
        conditions.append(SEARCH)
        params["match"] = match
    if korean_match:
        conditions.append(KO_ALSO if match else SEARCH_KO)
        params["ko_match"] = korean_match
    if not match and not korean_match and queue.search.strip():
        conditions.append("0")  # only punctuation typed: nothing can match
    return conditions, params


# Views whose tickets are all open: their searches look in the index of open tickets alone
# (``open_fts``/``open_ko``, migration 0017), a few thousand rows however large the store grows.
OPEN_VIEWS = frozenset({"all-open", "waiting", "unassigned", "mine", "pending"})
OPEN_SEARCHES = {
    SEARCH: "t.id IN (SELECT rowid FROM open_fts WHERE open_fts MATCH :match)",
    SEARCH_KO: "t.id IN (SELECT rowid FROM open_ko WHERE open_ko MATCH :ko_match)",
    KO_ALSO: "t.id IN (SELECT rowid FROM open_ko WHERE open_ko MATCH :ko_match)",
}


def _in_open_index(conditions: list[str]) -> list[str]:
    """An open view's conditions with its searches looked up in the open tickets' index."""
    return [OPEN_SEARCHES.get(condition, condition) for condition in conditions]


def page_statements(
    queue: QueueFilter, *, sort: str = "waiting", descending: bool = False,
    after: tuple[object, int] | None = None, limit: int = 200,
) -> list[tuple[str, dict[str, object]]]:
    """The statements for one page of (sort key, id), in the order to try them.

    A statement's rows are the page when it fills the page or is the last one. Plans:
    * no search: the view's index order;
    * a search over all tickets, newest first: walk the FTS index in rowid order and stop after
      ``limit`` matches (a few ms on a million tickets); other sorts rank every match;
    * a search in an open view, any sort: the matches in the index of open tickets
      (``OPEN_SEARCHES``), each looked up in the tickets table and ranked. Walking the whole
      index instead and keeping the open matches read every match in the store: 10 ms for
      "lecture capture" (114 open among 34,000) on a million tickets, against 0.3 ms here.
    """
    if sort not in SORTS:
        raise errors.InvalidInput(_('Cannot sort by {sort!r}.').format(sort=sort))
    conditions, params = _where(queue)
    table = _search_table(conditions)
    if table is None:
        return [_statement("tickets t", conditions, params, SORTS[sort], descending, after, limit)]
    if queue.view in OPEN_VIEWS:
        return [_statement("tickets t", _in_open_index(conditions), params, SORTS[sort], descending, after, limit)]
    if sort == "id":
        whole = _statement(f"{table} f JOIN tickets t ON t.id = f.rowid", conditions, params,
                           "f.rowid", descending, after, limit, by_rowid=True)
        if KO_ALSO in conditions and descending:
            return [*_newest_windows(conditions, params, after, limit), whole]
        return [whole]
    return [_statement(f"{table} f JOIN tickets t ON t.id = f.rowid", conditions, params,
                       SORTS[sort], descending, after, limit)]


# Korean and other words together, newest first: the Korean words' matches are read into a
# set once per statement, so over all tickets that set can be a tenth of the store (30 ms on a
# million). The newest tickets are tried first, the set bounded to them; a window that fills
# the page is the page, else the next, larger one is tried, and at last every ticket.
MIXED_WINDOWS = (20_000, 200_000)  # ticket ids below the newest (or below the page's last)


def _newest_windows(conditions: list[str], params: dict[str, object], after: tuple[object, int] | None,
                    limit: int) -> list[tuple[str, dict[str, object]]]:
    top = ":after_id" if after is not None else "(SELECT coalesce(max(id), 0) + 1 FROM tickets)"
    statements = []
    for size in MIXED_WINDOWS:
        low = f"{top} - {int(size)}"
        bounded = [f"+f.rowid IN (SELECT rowid FROM ticket_ko WHERE ticket_ko MATCH :ko_match AND rowid >= {low})"
                   if c == KO_ALSO else c for c in conditions] + [f"f.rowid >= {low}"]
        statements.append(_statement("ticket_fts f JOIN tickets t ON t.id = f.rowid", bounded, params,
                                     "f.rowid", True, after, limit, by_rowid=True))
    return statements


def _statement(
    source: str, conditions: list[str], params: dict[str, object], key: str, descending: bool,
    after: tuple[object, int] | None, limit: int, *, by_rowid: bool = False, row_id: str = "t.id",
) -> tuple[str, dict[str, object]]:
    conditions, params = list(conditions), dict(params)
    comparison = "<" if descending else ">"
    if after is not None and by_rowid:  # rowid is unique: a plain bound FTS5 can seek to
        conditions.append(f"f.rowid {comparison} :after_id")
        params.update(after_id=after[1])
    elif after is not None:
        conditions.append(f"({key}, t.id) {comparison} (:after_key, :after_id)")
        params.update(after_key=after[0], after_id=after[1])
    direction = "DESC" if descending else "ASC"
    where = " AND ".join(conditions)
    # A tie-breaker on t.id would stop FTS5 from returning rows in rowid order by itself.
    order = f"{key} {direction}" if by_rowid or key == "t.id" else f"{key} {direction}, t.id {direction}"
    joins = _joins(key, where) if row_id == "t.id" else ""  # "t." only inside the subquery
    sql = (f"SELECT {key} AS sort_key, {row_id} FROM {source}{joins} WHERE {where}"
           f" ORDER BY {order} LIMIT {int(limit)}")
    return sql, params


def _execute(db: Reader, sql: str, params: dict[str, object]) -> Iterable[Any]:
    if isinstance(db, sqlite3.Connection):
        return db.execute(sql, params)
    from sqlalchemy import text

    return db.execute(text(sql), params)


def page(
    session: Reader, queue: QueueFilter, *, sort: str = "waiting", descending: bool = False,
    after: tuple[object, int] | None = None, limit: int = 200,
) -> list[tuple[object, int]]:
    """One page of (sort key, ticket id); pass the last pair back as ``after`` for the next."""
    statements = page_statements(queue, sort=sort, descending=descending, after=after, limit=limit)
    rows: list[tuple[object, int]] = []
    for index, (sql, params) in enumerate(statements):
        rows = [(row[0], row[1]) for row in _execute(session, sql, params)]
        if len(rows) >= limit or index == len(statements) - 1:
            break
    number = ticket_number(queue.search)
    if number is not None and not number[1] and after is None:
        # A bare number may be a ticket's or a word (a room, a phone): that ticket comes first.
        pinned = [(row[0], row[1]) for row in _execute(session, *_ticket_statement(number[0], sort))]
        rows = [*pinned, *[row for row in rows if row[1] != number[0]]][: max(limit, len(pinned))]
    return rows


def _ticket_statement(ticket_id: int, sort: str) -> tuple[str, dict[str, object]]:
    key = SORTS[sort]
    return (f"SELECT {key} AS sort_key, t.id FROM tickets t{_joins(key)} WHERE {TICKET_NUMBER}",
            {"ticket_number": ticket_id})


def count(session: Reader, queue: QueueFilter) -> int:
    conditions, params = _where(queue)
    table = _search_table(conditions)
    if table is not None and queue.view in OPEN_VIEWS:
        conditions, table = _in_open_index(conditions), None
    where = " AND ".join(conditions)
    source = f"{table} f JOIN tickets t ON t.id = f.rowid" if table else "tickets t"
    sql = f"SELECT count(*) FROM {source}{_joins(where)} WHERE {where}"
    return int(next(iter(_execute(session, sql, params)))[0])


_ROW_SQL = (
    "SELECT t.id, t.uuid, t.arrived_at, p.name, p.kind, t.subject, c.name, t.channel, t.status,"
    " t.priority, a.name, t.assignee_id, l.name, t.updated_at, t.version,"
    " t.service_started_at, t.left_at,"
    # Local changes still waiting in the sync outbox (the queue marks such rows).
    " EXISTS (SELECT 1 FROM sync_outbox o WHERE o.ticket_id = t.id), t.first_response_at,"
    " t.sla_due_at, t.sla_due_target"
    f" FROM tickets t{ALL_JOINS} WHERE t.id IN (SELECT value FROM json_each(:ids))"
)


def _to_time(value: int | None) -> datetime | None:
    """Like ``models.Timestamp``: integer epoch seconds -> aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def rows_for(session: Reader, ids: Sequence[int]) -> dict[int, QueueRow]:
    """The display rows for these ids (missing ids are simply absent)."""
    if not ids:
        return {}
    # The JSON array of ids by hand: the json module's import (~2 ms, on the DB worker while the
    # window builds its first screen) is not needed for a list of integers.
    id_list = "[" + ",".join(str(int(ticket_id)) for ticket_id in ids) + "]"
    result: dict[int, QueueRow] = {}
    for row in _execute(session, _ROW_SQL, {"ids": id_list}):
        values = list(row)
        for index in (2, 13, 15, 16, 18, 19):
            values[index] = _to_time(values[index])
        values[17] = bool(values[17])
        result[values[0]] = QueueRow(*values)
    return result


def view_labels() -> dict[str, str]:
    return {name: _(label) for name, (label, _query) in VIEWS.items()}  # N_ above, translated here
