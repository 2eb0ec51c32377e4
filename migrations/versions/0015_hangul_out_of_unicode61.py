"""Hangul only in the bigram index: ``ticket_fts`` indexes the text without its Hangul.

Korean words are looked up only in ``ticket_ko`` (migration 0009), yet ``ticket_fts`` indexed
them too, each with its particle and its 3-, 4- and 5-letter starts: on a Korean desk the
bigram index made the search index 34% larger (budget 25%). Now the four indexed columns of
``ticket_fts`` hold ``desk_plain(text)`` (Hangul runs replaced by spaces) and four UNINDEXED
columns ``ko_*`` hold ``desk_hangul(text)`` (only the Hangul syllables), from which the
triggers compute the ``ticket_ko`` terms to take out and put in, as before from the whole
text. The terms are the same (``desk.core.korean.hangul_text``), so ``ticket_ko`` is kept as
it is. On a 100,000-ticket Korean demo the search index (both tables) is 22% smaller than
``ticket_fts`` alone was before Korean search; on an English desk nothing changes but four
empty columns.

Side effect, wanted: a Latin word written against Hangul ("USB포트", "HDMI케이블") is now its
own token in ``ticket_fts``, so it is found as a whole word too (before only as a prefix).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TEXT = ("subject", "description", "comments", "requester")
KO = tuple(f"ko_{column}" for column in TEXT)
OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5'"
REQUESTER = "(SELECT name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') FROM people WHERE id = {id})"
COMMENTS = "coalesce((SELECT group_concat(body, char(10)) FROM comments WHERE ticket_id = {id}), '')"
PERSON = "new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, '')"
TRIGGER_NAMES = ("tickets_fts_insert", "tickets_fts_update", "tickets_fts_delete", "comments_fts_insert",
                 "comments_fts_update", "comments_fts_delete", "people_fts_update")


def _set(column: str, value: str) -> str:
    """Both halves of a text column: the indexed text without Hangul, the unindexed Hangul."""
    return f"{column} = desk_plain({value}), ko_{column} = desk_hangul({value})"


# (name, event, the ticket_fts statement, which ticket_fts rows it changes), as in 0009 with
# every text written in its two halves.
TRIGGERS = [
    ("tickets_fts_insert", "AFTER INSERT ON tickets",
     f"INSERT INTO ticket_fts(rowid, {', '.join(TEXT)}, {', '.join(KO)})"
     " SELECT new.id, desk_plain(new.subject), desk_plain(new.description), '', desk_plain(r),"
     " desk_hangul(new.subject), desk_hangul(new.description), '', desk_hangul(r)"
     f" FROM (SELECT {REQUESTER.format(id='new.requester_id')} AS r)",
     "rowid = new.id"),
    ("tickets_fts_update", "AFTER UPDATE OF subject, description, requester_id ON tickets",
     f"UPDATE ticket_fts SET {_set('subject', 'new.subject')}, {_set('description', 'new.description')},"
     f" {_set('requester', REQUESTER.format(id='new.requester_id'))} WHERE rowid = new.id",
     "rowid = new.id"),
    ("tickets_fts_delete", "AFTER DELETE ON tickets", "DELETE FROM ticket_fts WHERE rowid = old.id",
     "rowid = old.id"),
    ("comments_fts_insert", "AFTER INSERT ON comments",
     "UPDATE ticket_fts SET comments = comments || char(10) || desk_plain(new.body),"
     " ko_comments = ko_comments || char(10) || desk_hangul(new.body) WHERE rowid = new.ticket_id",
     "rowid = new.ticket_id"),
    ("comments_fts_update", "AFTER UPDATE OF body ON comments",
     f"UPDATE ticket_fts SET {_set('comments', COMMENTS.format(id='new.ticket_id'))} WHERE rowid = new.ticket_id",
     "rowid = new.ticket_id"),
    ("comments_fts_delete", "AFTER DELETE ON comments",
     f"UPDATE ticket_fts SET {_set('comments', COMMENTS.format(id='old.ticket_id'))} WHERE rowid = old.ticket_id",
     "rowid = old.ticket_id"),
    ("people_fts_update", "AFTER UPDATE OF name, email, phone ON people",
     f"UPDATE ticket_fts SET {_set('requester', PERSON)}"
     " WHERE rowid IN (SELECT id FROM tickets WHERE requester_id = new.id)",
     "rowid IN (SELECT id FROM tickets WHERE requester_id = new.id)"),
]


def _terms(rows: str) -> str:
    """The ticket_ko terms of the ticket_fts rows matching ``rows``, from their Hangul halves."""
    return ("SELECT id, s, b FROM (SELECT rowid AS id, desk_ko_terms(ko_subject) AS s,"
            " desk_ko_body(ko_description, ko_comments, ko_requester) AS b"
            f" FROM ticket_fts WHERE {rows}) WHERE s != '' OR b != ''")


def _korean_trigger(name: str, event: str, statement: str, rows: str) -> str:
    take_out = f"INSERT INTO ticket_ko(ticket_ko, rowid, subject, body) SELECT 'delete', * FROM ({_terms(rows)});"
    put_in = f"INSERT INTO ticket_ko(rowid, subject, body) {_terms(rows)};"
    before = "" if event.startswith("AFTER INSERT ON tickets") else take_out
    after = "" if event.startswith("AFTER DELETE ON tickets") else put_in
    return f'CREATE TRIGGER "{name}" {event} BEGIN {before} {statement}; {after} END'


def upgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    columns = ", ".join([*TEXT, *(f"{column} UNINDEXED" for column in KO)])
    op.execute(f"CREATE VIRTUAL TABLE ticket_fts_split USING fts5({columns}, {OPTIONS})")
    op.execute(f"INSERT INTO ticket_fts_split (rowid, {', '.join(TEXT)}, {', '.join(KO)})"
               f" SELECT rowid, {', '.join(f'desk_plain({c})' for c in TEXT)},"
               f" {', '.join(f'desk_hangul({c})' for c in TEXT)} FROM ticket_fts")
    op.execute("DROP TABLE ticket_fts")
    op.execute("ALTER TABLE ticket_fts_split RENAME TO ticket_fts")
    for name, event, statement, rows in TRIGGERS:
        op.execute(_korean_trigger(name, event, statement, rows))


def downgrade() -> None:
    # Back to 0009's triggers and one ticket_fts with the whole text, rebuilt from the tickets.
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("korean_index", Path(__file__).with_name("0009_korean_search_index.py"))
    korean_index = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(korean_index)
    for name in TRIGGER_NAMES:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    op.execute(f"CREATE VIRTUAL TABLE ticket_fts_whole USING fts5({', '.join(TEXT)}, {OPTIONS})")
    op.execute(f"INSERT INTO ticket_fts_whole (rowid, {', '.join(TEXT)})"
               f" SELECT t.id, t.subject, t.description, {COMMENTS.format(id='t.id')}, {REQUESTER.format(id='t.requester_id')}"
               " FROM tickets t")
    op.execute("DROP TABLE ticket_fts")
    op.execute("ALTER TABLE ticket_fts_whole RENAME TO ticket_fts")
    for name, event, statement, rows in korean_index.TRIGGERS:
        op.execute(korean_index._korean_trigger(name, event, statement, rows))
