"""Copies of the store for analysts: a tidy SQLite file (sqlite-utils) and an XLSX of tickets.

The SQLite copy opens in Datasette, pandas (``read_sql``) or Excel's Power Query: one table per
kind of row (tickets, comments, people, categories, locations, audit) with foreign keys, times
as ``YYYY-MM-DD HH:MM:SS`` UTC text (what SQLite's date functions and pandas read), and views
for the per-ticket metrics of docs/metrics.md. The views reuse the very SQL definitions of
``desk.core.stats.facts`` over the times turned back into epoch seconds, so a figure computed
from the copy is the figure the Stats panel shows.

Both files are written whole or not at all (``desk.core.files``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core import errors, files
from desk.core.i18n import _
from desk.core.stats.facts import AT_DESK, FIRST_RESPONSE, HANDLE, RESOLUTION, SERVICE_AT

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
TIMES = ("arrived_at", "created_at", "service_started_at", "first_response_at", "solved_at", "left_at",
         "updated_at")


def tickets_sql(*, time: str = "datetime(t.{name}, 'unixepoch')", extra: str = "") -> str:
    """Tickets with the names of their category, location and people, a page at a time;
    ``time`` shapes each time column, ``extra`` adds columns."""
    return f"""
SELECT t.id, t.uuid, t.subject, t.description, t.status, t.priority, t.channel,
       t.category_id, c.name AS category, t.location_id, l.name AS location,
       t.requester_id, r.name AS requester_name, r.kind AS requester_kind,
       t.assignee_id, a.name AS assignee_name, t.logged_by_id, t.logged_after_the_fact,
       {", ".join(time.format(name=name) + f" AS {name}" for name in TIMES)},
       t.reopen_count, t.version, t.satisfaction, t.satisfaction_comment, t.satisfaction_source,
       t.expected_resolution,
       (SELECT group_concat(g.name, ' ') FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
         WHERE tt.ticket_id = t.id) AS tags {extra}
FROM tickets t LEFT JOIN categories c ON c.id = t.category_id LEFT JOIN locations l ON l.id = t.location_id
JOIN people r ON r.id = t.requester_id LEFT JOIN people a ON a.id = t.assignee_id
WHERE t.id > :last ORDER BY t.id LIMIT :size
"""


TABLES = {  # reporting table: (SELECT over the store keyed by id, foreign keys)
    "people": ("SELECT id, uuid, name, email, phone, kind, is_agent, role, datetime(created_at, 'unixepoch')"
               " AS created_at FROM people WHERE id > :last ORDER BY id LIMIT :size", []),
    "categories": ("SELECT id, name FROM categories WHERE id > :last ORDER BY id LIMIT :size", []),
    "locations": ("SELECT id, name FROM locations WHERE id > :last ORDER BY id LIMIT :size", []),
    "tickets": (tickets_sql(), [("category_id", "categories", "id"), ("location_id", "locations", "id"),
                              ("requester_id", "people", "id"), ("assignee_id", "people", "id"),
                              ("logged_by_id", "people", "id")]),
    "comments": ("SELECT id, uuid, ticket_id, author_id, is_public, body, datetime(created_at, 'unixepoch')"
                 " AS created_at FROM comments WHERE id > :last ORDER BY id LIMIT :size",
                 [("ticket_id", "tickets", "id"), ("author_id", "people", "id")]),
    "audit": ("SELECT id, ticket_id, actor_id, datetime(at, 'unixepoch') AS at, action, field, old, new, origin"
              " FROM audit_events WHERE id > :last ORDER BY id LIMIT :size",
              [("ticket_id", "tickets", "id"), ("actor_id", "people", "id")]),
}
# Wait (docs/metrics.md): walk-ins and calls, arrival → start of service, after-the-fact left out.
WAIT = f"CASE WHEN {AT_DESK} AND NOT t.logged_after_the_fact THEN max(({SERVICE_AT}) - t.arrived_at, 0) END"
_EPOCH = ", ".join(f"unixepoch({name}) AS {name}" for name in TIMES)
# Per ticket, the durations of docs/metrics.md (seconds; NULL where the metric does not apply).
METRICS_VIEW = f"""
SELECT t.id AS ticket_id, t.channel, t.status, t.category_id, t.requester_kind, t.assignee_id,
       datetime(t.arrived_at, 'unixepoch') AS arrived_at,
       {AT_DESK} AS at_desk, t.logged_after_the_fact,
       {WAIT} AS wait_seconds,
       {FIRST_RESPONSE} AS first_response_seconds,
       {RESOLUTION} AS resolution_seconds,
       {HANDLE} AS handle_seconds,
       t.left_at IS NOT NULL AS walked_away,
       t.reopen_count > 0 AND t.left_at IS NULL AS reopened,
       CASE WHEN t.satisfaction_source = 'agent' THEN NULL ELSE t.satisfaction END AS satisfaction
FROM (SELECT id, channel, status, category_id, requester_kind, assignee_id, logged_after_the_fact,
             reopen_count, satisfaction, satisfaction_source, {_EPOCH} FROM tickets) AS t
"""
DAILY_VIEW = """
SELECT date(arrived_at) AS day, count(*) AS tickets,
       sum(walked_away) AS walked_away,
       round(avg(wait_seconds)) AS mean_wait_seconds,
       round(avg(first_response_seconds)) AS mean_first_response_seconds,
       sum(satisfaction = 'good') AS good_ratings, sum(satisfaction IS NOT NULL) AS ratings
FROM ticket_metrics GROUP BY date(arrived_at) ORDER BY day
"""


def _pages(session: Session, sql: str, *, size: int = 2000) -> Iterator[list[dict[str, object]]]:
    last = 0
    while True:
        rows = [dict(row) for row in session.execute(text(sql), {"last": last, "size": size}).mappings()]
        if not rows:
            return
        yield rows
        last = int(rows[-1]["id"])  # type: ignore[call-overload]


def _total(session: Session) -> int:
    return sum(session.scalar(text(f"SELECT count(*) FROM {name}")) or 0
               for name in ("people", "categories", "locations", "tickets", "comments", "audit_events"))


def export_sqlite(session: Session, *, path: Path, progress: Progress | None = None) -> int:
    """The reporting copy at ``path``; returns the number of tickets."""
    import sqlite_utils

    with files.atomic_path(path, what="export") as temp:
        temp.unlink(missing_ok=True)  # sqlite-utils creates the database file itself
        db = sqlite_utils.Database(temp)
        try:
            tickets = _fill(db, session, progress)
        except sqlite3.Error as exc:  # writing the copy failed (disk full...): the copy's trouble, not the store's
            log.warning("sqlite export to %s failed: %s", path, exc)
            raise errors.FileError(_('The export {path} was not written: {exc}. Nothing was left half-written; free some space or choose another folder, then try again.').format(path=path, exc=exc),
                                   path=str(path), reason=str(exc)) from exc
        finally:
            db.close()
    return tickets


def _fill(db: sqlite_utils.Database, session: Session, progress: Progress | None) -> int:
    total, done, tickets = (_total(session) if progress else 0), 0, 0
    for name, (sql, foreign_keys) in TABLES.items():
        table = db.table(name)
        for rows in _pages(session, sql):
            table.insert_all(rows, pk="id", foreign_keys=foreign_keys, batch_size=500)
            done += len(rows)
            tickets += len(rows) if name == "tickets" else 0
            if progress:
                progress(done, total)
        if not table.exists():  # an empty store still gets every table, for the views
            _empty_table(db, name, session, sql)
    db.create_view("ticket_metrics", METRICS_VIEW)
    db.create_view("daily", DAILY_VIEW)
    db["tickets"].create_index(["arrived_at"], if_not_exists=True)
    db["comments"].create_index(["ticket_id"], if_not_exists=True)
    db["audit"].create_index(["ticket_id"], if_not_exists=True)
    return tickets


def _empty_table(db: sqlite_utils.Database, name: str, session: Session, sql: str) -> None:
    columns = list(session.execute(text(sql), {"last": 0, "size": 0}).keys())
    db.table(name).create({column: str for column in columns}, pk="id")


XLSX_COLUMNS = (
    "id", "uuid", "subject", "status", "priority", "channel", "category", "location", "requester_name",
    "requester_kind", "assignee_name", "tags", *TIMES, "wait_seconds", "first_response_seconds",
    "resolution_seconds", "reopen_count", "satisfaction",
)


def export_xlsx(session: Session, *, path: Path, progress: Progress | None = None) -> int:
    """Tickets as one sheet: times as Excel dates (UTC), durations and counts as numbers.
    The sheet is streamed (write-only) into the temporary file, so a big store fits in memory."""
    from openpyxl import Workbook

    with files.atomic_path(path, what="export") as temp:  # a path that cannot be written fails first
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Tickets")
        try:
            count = _fill_sheet(sheet, session, progress)
            book.save(temp)
        except BaseException:
            with suppress(Exception):  # else openpyxl's row writer complains when collected
                sheet.close()
            raise
    return count


def _fill_sheet(sheet: object, session: Session, progress: Progress | None) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet.freeze_panes = "A2"  # type: ignore[attr-defined]
    header = []
    for name in XLSX_COLUMNS:
        cell = WriteOnlyCell(sheet, value=f"{name} (UTC)" if name in TIMES else name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)  # type: ignore[attr-defined]
    sql = tickets_sql(time="t.{name}", extra=f""", {WAIT} AS wait_seconds,
        {FIRST_RESPONSE} AS first_response_seconds, {RESOLUTION} AS resolution_seconds""")
    total = session.scalar(text("SELECT count(*) FROM tickets")) if progress else 0
    count = 0
    for rows in _pages(session, sql):
        for row in rows:
            values = []
            for name in XLSX_COLUMNS:
                value = row.get(name)
                if name in TIMES and value is not None:  # Excel dates carry no zone: UTC, said in the header
                    value = datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)  # type: ignore[call-overload]
                values.append(value)
            sheet.append(values)  # type: ignore[attr-defined]
        count += len(rows)
        if progress:
            progress(count, total or 0)
    return count
