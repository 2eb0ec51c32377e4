"""A Hangul bigram index beside the unicode61 search index, kept by the same triggers.

``ticket_ko`` is a contentless FTS5 table (rowid = ticket id) with two columns: ``subject``
and ``body`` (description, comments and the requester's name), holding the overlapping
syllable pairs of their Korean text and, for names, the family name on its own
(``desk.core.korean``). Contentless, because the pairs are only looked up, never shown: the
index costs only its postings. Each search trigger now takes the ticket's terms out of
``ticket_ko`` (computed from the row as it is in ``ticket_fts``), changes ``ticket_fts`` as
before, and puts the new terms in, in that order in one trigger body. The terms are computed
by the functions ``desk_ko_terms``/``desk_ko_body`` that ``desk.core.db`` gives every
connection it opens.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REQUESTER = "(SELECT name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') FROM people WHERE id = {id})"
# The search triggers of 0001, statement by statement: (name, event, the ticket_fts statement,
# which ticket_fts rows it changes).
TRIGGERS = [
    ("tickets_fts_insert", "AFTER INSERT ON tickets",
     "INSERT INTO ticket_fts(rowid, subject, description, comments, requester)"
     f" VALUES (new.id, new.subject, new.description, '', {REQUESTER.format(id='new.requester_id')})",
     "rowid = new.id"),
    ("tickets_fts_update", "AFTER UPDATE OF subject, description, requester_id ON tickets",
     "UPDATE ticket_fts SET subject = new.subject, description = new.description,"
     f" requester = {REQUESTER.format(id='new.requester_id')} WHERE rowid = new.id",
     "rowid = new.id"),
    ("tickets_fts_delete", "AFTER DELETE ON tickets", "DELETE FROM ticket_fts WHERE rowid = old.id",
     "rowid = old.id"),
    ("comments_fts_insert", "AFTER INSERT ON comments",
     "UPDATE ticket_fts SET comments = comments || char(10) || new.body WHERE rowid = new.ticket_id",
     "rowid = new.ticket_id"),
    ("comments_fts_update", "AFTER UPDATE OF body ON comments",
     "UPDATE ticket_fts SET comments = coalesce("
     "(SELECT group_concat(body, char(10)) FROM comments WHERE ticket_id = new.ticket_id), '')"
     " WHERE rowid = new.ticket_id",
     "rowid = new.ticket_id"),
    ("comments_fts_delete", "AFTER DELETE ON comments",
     "UPDATE ticket_fts SET comments = coalesce("
     "(SELECT group_concat(body, char(10)) FROM comments WHERE ticket_id = old.ticket_id), '')"
     " WHERE rowid = old.ticket_id",
     "rowid = old.ticket_id"),
    ("people_fts_update", "AFTER UPDATE OF name, email, phone ON people",
     "UPDATE ticket_fts SET requester = new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, '')"
     " WHERE rowid IN (SELECT id FROM tickets WHERE requester_id = new.id)",
     "rowid IN (SELECT id FROM tickets WHERE requester_id = new.id)"),
]


def _terms(rows: str) -> str:
    """The ticket_ko terms of the ticket_fts rows matching ``rows``, when there are any."""
    return ("SELECT id, s, b FROM (SELECT rowid AS id, desk_ko_terms(subject) AS s,"
            " desk_ko_body(description, comments, requester) AS b"
            f" FROM ticket_fts WHERE {rows}) WHERE s != '' OR b != ''")


def _korean_trigger(name: str, event: str, statement: str, rows: str) -> str:
    take_out = f"INSERT INTO ticket_ko(ticket_ko, rowid, subject, body) SELECT 'delete', * FROM ({_terms(rows)});"
    put_in = f"INSERT INTO ticket_ko(rowid, subject, body) {_terms(rows)};"
    before = "" if event.startswith("AFTER INSERT ON tickets") else take_out
    after = "" if event.startswith("AFTER DELETE ON tickets") else put_in
    return f'CREATE TRIGGER "{name}" {event} BEGIN {before} {statement}; {after} END'


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE ticket_ko USING fts5(subject, body, content = '', columnsize = 0,"
               " tokenize = 'unicode61 remove_diacritics 0')")
    op.execute(f"INSERT INTO ticket_ko(rowid, subject, body) {_terms('1')}")
    for name, event, statement, rows in TRIGGERS:
        op.execute(f'DROP TRIGGER "{name}"')
        op.execute(_korean_trigger(name, event, statement, rows))


def downgrade() -> None:
    for name, event, statement, _rows in TRIGGERS:
        op.execute(f'DROP TRIGGER "{name}"')
        op.execute(f'CREATE TRIGGER "{name}" {event} BEGIN {statement}; END')
    op.execute("DROP TABLE ticket_ko")
