"""Prefix indexes on the search index for 3-, 4- and 5-letter word starts.

Search matches the last word typed as a prefix, so results appear while typing. Without a
prefix index SQLite's FTS5 answers ``reset*`` by merging the lists of every indexed word that
starts with it — 12–19 ms on a million tickets for "password reset", and more for short,
common starts. With ``prefix='3 4 5'`` a start of 3 to 5 letters is one lookup (0.1 ms);
longer starts match few words; a last word of one or two letters is matched exactly
(``desk.core.queries.search``). The search index grows about 2.8 times (on the 1M-ticket
demo store from ~210 MB to ~590 MB, ~27% of the store).

FTS5 cannot add a prefix index to an existing table, so the table is rebuilt from its own
content and its triggers are set aside meanwhile and put back unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = "subject, description, comments, requester"


def _rebuild(options: str) -> None:
    conn = op.get_bind()
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%ticket_fts%'").fetchall()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    op.execute(f"CREATE VIRTUAL TABLE ticket_fts_rebuilt USING fts5({COLUMNS}, {options})")
    op.execute(f"INSERT INTO ticket_fts_rebuilt (rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM ticket_fts")
    op.execute("DROP TABLE ticket_fts")
    op.execute("ALTER TABLE ticket_fts_rebuilt RENAME TO ticket_fts")
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    _rebuild("tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5'")


def downgrade() -> None:
    _rebuild("tokenize = 'unicode61 remove_diacritics 2'")
