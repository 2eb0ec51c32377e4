"""A search index of the open tickets alone, kept by the same triggers as the whole one.

The queue's open views (All open, Waiting at the desk, Unassigned, Mine, Pending) are where a
desk searches while a person stands at the counter. Searching them in the index of every ticket
walked every match in the store and kept the open ones: "lecture capture" read 34,000 matches
on a million tickets to show 114 (10 ms), a Korean and English search 22,000 (12 ms), and the
window's budget is 16 ms with the paint. Open tickets are a few thousand however large the store
grows (8,434 of a million on the bench store), so their own index answers in well under a
millisecond and stays that size.

* ``open_fts``: the four indexed columns of ``ticket_fts`` (text without Hangul, migration
  0015), same tokenizer and prefix indexes, for the tickets whose status is open.
* ``open_ko``: their Hangul bigram terms, as ``ticket_ko`` holds them (migration 0009). Both keep
  their content (a few thousand rows), so a row is taken out by its rowid.

Also ``ix_tickets_open_assignee``: the open tickets by assignee in arrival order, so "Mine" and
"Unassigned" read their page from an index (0.5 ms on the bench store) instead of testing every
open ticket's assignee in the table (6 ms for Mine).

Every search trigger of 0015 ends now by copying its tickets' rows again (taken out, then put
back in if the ticket is open), and a new trigger does the same when a status change crosses
between open and done. Each copy is read from ``ticket_fts`` as the trigger left it, so the
order in which SQLite fires two triggers of one statement does not matter.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The open statuses when this migration was written (desk.core.vocabulary.OPEN_STATUSES); a
# migration is frozen, so they are spelled out.
OPEN = "('new','open','pending','on-hold')"
TEXT = ("subject", "description", "comments", "requester")
OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5'"
STATUS_TRIGGER = "open_fts_status"  # "fts" in its name: the demo sets the search triggers aside by it


def _split_index():
    spec = importlib.util.spec_from_file_location(
        "hangul_out", Path(__file__).with_name("0015_hangul_out_of_unicode61.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ticket_ids(rows: str) -> str:
    """The ticket ids of a 0015 trigger's ``ticket_fts`` rows condition as an SQL list:
    "rowid = new.id" -> "(new.id)", "rowid IN (SELECT …)" -> "(SELECT …)". (Not "((SELECT …))":
    that is a scalar subquery, the first ticket only.)"""
    if rows.startswith("rowid IN "):
        return rows.removeprefix("rowid IN ")
    return "(" + rows.removeprefix("rowid = ") + ")"


def refresh(ids: str, *, deleted: bool = False) -> list[str]:
    """Statements that make the open copies of tickets ``ids`` (an SQL list) match ticket_fts."""
    statements = [f"DELETE FROM open_fts WHERE rowid IN {ids}", f"DELETE FROM open_ko WHERE rowid IN {ids}"]
    if not deleted:
        open_ids = f"(SELECT id FROM tickets WHERE id IN {ids} AND status IN {OPEN})"
        statements += [
            f"INSERT INTO open_fts(rowid, {', '.join(TEXT)}) SELECT rowid, {', '.join(TEXT)}"
            f" FROM ticket_fts WHERE rowid IN {open_ids}",
            "INSERT INTO open_ko(rowid, subject, body) SELECT id, s, b FROM (SELECT rowid AS id,"
            " desk_ko_terms(ko_subject) AS s, desk_ko_body(ko_description, ko_comments, ko_requester) AS b"
            f" FROM ticket_fts WHERE rowid IN {open_ids}) WHERE s != '' OR b != ''",
        ]
    return statements


def _body(statements: list[str]) -> str:
    return " ".join(f"{statement};" for statement in statements)


def upgrade() -> None:
    split = _split_index()
    op.execute(f"CREATE VIRTUAL TABLE open_fts USING fts5({', '.join(TEXT)}, {OPTIONS})")
    op.execute("CREATE VIRTUAL TABLE open_ko USING fts5(subject, body, tokenize = 'unicode61 remove_diacritics 0')")
    for statement in refresh(f"(SELECT id FROM tickets WHERE status IN {OPEN})")[2:]:
        op.execute(statement)
    for name, event, statement, rows in split.TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        body = split._korean_trigger(name, event, statement, rows)
        deleted = event.startswith("AFTER DELETE ON tickets")
        op.execute(body.removesuffix(" END") + " " + _body(refresh(_ticket_ids(rows), deleted=deleted)) + " END")
    op.execute(f"CREATE INDEX ix_tickets_open_assignee ON tickets(assignee_id, arrived_at, id) WHERE status IN {OPEN}")
    op.execute(f'CREATE TRIGGER "{STATUS_TRIGGER}" AFTER UPDATE OF status ON tickets'
               f" WHEN (old.status IN {OPEN}) != (new.status IN {OPEN}) BEGIN {_body(refresh('(new.id)'))} END")


def downgrade() -> None:
    split = _split_index()
    op.execute(f'DROP TRIGGER IF EXISTS "{STATUS_TRIGGER}"')
    op.execute("DROP INDEX IF EXISTS ix_tickets_open_assignee")
    for name, event, statement, rows in split.TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        op.execute(split._korean_trigger(name, event, statement, rows))
    op.execute("DROP TABLE open_ko")
    op.execute("DROP TABLE open_fts")
