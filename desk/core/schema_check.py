"""Does a store hold what its schema stamp promises? And putting back what can be rebuilt.

The expected schema of a revision is not written down a second time: it is what the migrations
make. ``expected_schema(revision)`` runs them on a scratch file once per process and reads its
``sqlite_master``; a store is then compared object by object (tables, indexes, triggers, the
full-text index), so a migration added later is checked without touching this module.

* ``schema_problems``: what is missing, and objects of a *newer* schema under an older stamp
  (a store whose stamp was set back by hand or by a broken restore: upgrading it would try to
  create tables that exist, so it is refused instead, see ``db._prepare_schema``).
* ``repair``: rebuilds the search index (``ticket_fts``, from the tickets, replies and people,
  as its triggers would have written it) and puts back missing triggers and indexes, in one
  transaction. Missing tables are never re-created here: their rows are gone, only a backup has
  them.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from desk.core.i18n import _

log = logging.getLogger(__name__)

SEARCH_INDEX = "ticket_fts"
KINDS = ("table", "index", "trigger")


@dataclass(frozen=True)
class SchemaObject:
    kind: str  # table, index or trigger
    name: str
    sql: str


@dataclass(frozen=True)
class SchemaProblem:
    kind: str  # "missing" or "newer"
    object: SchemaObject

    @property
    def repairable(self) -> bool:
        return self.kind == "missing" and (self.object.kind in ("index", "trigger") or self.object.name == SEARCH_INDEX)

    def describe(self) -> str:
        names = {"table": _("table"), "index": _("index"), "trigger": _("trigger"), "column": _("column")}
        what = _("the search index") if self.object.name == SEARCH_INDEX else \
            f"{names.get(self.object.kind, self.object.kind)} {self.object.name}"
        if self.kind == "newer":
            return _("{what} belongs to a newer schema than the store's stamp says").format(what=what)
        return _("{what} is missing").format(what=what)


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], SchemaObject]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    virtual = [name for kind, name, sql in rows if kind == "table" and sql.upper().startswith("CREATE VIRTUAL")]
    found = {}
    for kind, name, sql in rows:
        if kind not in KINDS or name.startswith("sqlite_"):
            continue
        if kind == "table" and any(name.startswith(f"{table}_") for table in virtual):
            continue  # an FTS table's shadow tables come and go with it
        found[(kind, name)] = SchemaObject(kind, name, sql)
    return found


@cache
def expected_schema(revision: str) -> dict[tuple[str, str], SchemaObject]:
    """Every table, index and trigger the migrations up to ``revision`` create (~0.5 s, once)."""
    from desk.core import db

    with tempfile.TemporaryDirectory(prefix="desk-schema-") as folder:
        scratch = Path(folder) / "expected.sqlite3"
        db.build_schema(scratch, revision)
        with closing(sqlite3.connect(scratch)) as conn:
            return _objects(conn)


def schema_problems(conn: sqlite3.Connection, revision: str) -> list[SchemaProblem]:
    """What the store lacks for ``revision``, and what it has of a newer schema."""
    from desk.core import db

    have = _objects(conn)
    expected = expected_schema(revision)
    problems = [SchemaProblem("missing", item) for key, item in expected.items() if key not in have]
    if revision != db.SCHEMA_HEAD:
        newer = expected_schema(db.SCHEMA_HEAD)
        problems += [SchemaProblem("newer", item) for key, item in newer.items()
                     if key in have and key not in expected]
        for key, item in expected.items():  # a column a later migration adds to an existing table
            if item.kind == "table" and key in have and key in newer:
                added = _columns(conn, item.name) - _columns_of_sql(item.name, item.sql)
                problems += [SchemaProblem("newer", SchemaObject("column", f"{item.name}.{name}", ""))
                             for name in sorted(added & _columns_of_sql(item.name, newer[key].sql))]
    return problems


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def _columns_of_sql(table: str, sql: str) -> set[str]:
    with closing(sqlite3.connect(":memory:")) as scratch:
        try:
            scratch.execute(sql)
        except sqlite3.Error:  # a virtual table whose module needs more (not an ordinary table)
            return set()
        return _columns(scratch, table)


def newer_tables(conn: sqlite3.Connection, revision: str) -> list[str]:
    """Tables, indexes, triggers and columns of a newer schema present in a store stamped
    ``revision`` (run only when the stamp is older than this Desk's head: before an upgrade)."""
    return sorted(p.object.name for p in schema_problems(conn, revision) if p.kind == "newer")


# The search indexes: derived from the tickets, so always rebuilt (``desk.core.search_index``).
SEARCH_TABLES = (SEARCH_INDEX, "ticket_ko", "open_fts", "open_ko")


def repair(conn: sqlite3.Connection, revision: str) -> list[str]:
    """Rebuild the search index and put back missing triggers and indexes (one transaction);
    returns what was done, in words. ``conn`` is in autocommit mode (``Store.raw_connection``)."""
    expected = expected_schema(revision)
    done: list[str] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        tables = [expected[("table", name)] for name in SEARCH_TABLES if ("table", name) in expected]
        if tables:
            from desk.core import search_index

            # Their triggers write into them: set them aside while they are rebuilt, put back below.
            for (kind, name), _item in list(_objects(conn).items()):
                if kind == "trigger" and ("trigger", name) in expected and \
                        SEARCH_INDEX in expected[("trigger", name)].sql:
                    conn.execute(f'DROP TRIGGER "{name}"')
            for table in tables:
                conn.execute(f'DROP TABLE IF EXISTS "{table.name}"')
                conn.execute(table.sql)
            search_index.fill(conn)
            count = conn.execute(f"SELECT count(*) FROM {SEARCH_INDEX}").fetchone()[0]
            done.append(_("rebuilt the search index ({count} tickets)").format(count=f"{count:,}"))
        have = _objects(conn)
        for (kind, name), item in expected.items():
            if kind in ("trigger", "index") and (kind, name) not in have:
                conn.execute(item.sql)
                if not (kind == "trigger" and SEARCH_INDEX in item.sql):
                    done.append(_("put back the {kind} {name}").format(kind=kind, name=name))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    log.info("repaired the store: %s", "; ".join(done))
    return done
