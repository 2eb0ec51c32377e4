"""Filling the search indexes from the tickets, as their triggers would have written them.

Four FTS5 tables (migrations 0005, 0009, 0015, 0017):
* ``ticket_fts``: every ticket's subject, description, replies and notes, and the requester's
  name, e-mail and phone, without their Hangul (``desk_plain``); the Hangul halves kept
  unindexed (``ko_*``, ``desk_hangul``) for ``ticket_ko``;
* ``ticket_ko``: the Hangul bigram terms (contentless);
* ``open_fts`` / ``open_ko``: the same for the open tickets alone, which the queue's open
  views search.

Used by the demo (which inserts with the triggers set aside) and by ``desk check --repair``.
The functions ``desk_plain``/``desk_hangul``/``desk_ko_terms``/``desk_ko_body`` are on every
connection Desk opens (``desk.core.korean.register``).
"""

from __future__ import annotations

import sqlite3

from desk.core.vocabulary import OPEN_SQL

TEXT = ("subject", "description", "comments", "requester")
_KO_TERMS = ("SELECT id, s, b FROM (SELECT rowid AS id, desk_ko_terms(ko_subject) AS s,"
             " desk_ko_body(ko_description, ko_comments, ko_requester) AS b FROM ticket_fts{where})"
             " WHERE s != '' OR b != ''")
_OPEN = f" WHERE rowid IN (SELECT id FROM tickets WHERE status IN {OPEN_SQL})"


def fill(conn: sqlite3.Connection) -> None:
    """Empty the four indexes and fill them again, in the caller's transaction."""
    conn.execute("DELETE FROM ticket_fts")
    conn.execute(
        "CREATE TEMP TABLE search_comment_text AS SELECT ticket_id, group_concat(body, char(10)) AS body"
        " FROM (SELECT ticket_id, body FROM comments ORDER BY ticket_id, id) GROUP BY ticket_id"
    )
    conn.execute("CREATE INDEX temp.ix_search_comment_text ON search_comment_text(ticket_id)")
    conn.execute(
        f"INSERT INTO ticket_fts (rowid, {', '.join(TEXT)}, {', '.join(f'ko_{c}' for c in TEXT)})"
        f" SELECT id, {', '.join(f'desk_plain({c})' for c in TEXT)}, {', '.join(f'desk_hangul({c})' for c in TEXT)}"
        " FROM (SELECT t.id, t.subject, t.description, coalesce(char(10) || d.body, '') AS comments,"
        "              p.name || ' ' || coalesce(p.email, '') || ' ' || coalesce(p.phone, '') AS requester"
        "       FROM tickets t LEFT JOIN people p ON p.id = t.requester_id"
        "       LEFT JOIN search_comment_text d ON d.ticket_id = t.id)"
    )
    conn.execute("DROP TABLE temp.search_comment_text")
    conn.execute("INSERT INTO ticket_ko(ticket_ko) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO ticket_ko (rowid, subject, body) {_KO_TERMS.format(where='')}")
    fill_open(conn)


def fill_open(conn: sqlite3.Connection) -> None:
    """The open tickets' copies, from ``ticket_fts`` as it is."""
    conn.execute("DELETE FROM open_fts")
    conn.execute("DELETE FROM open_ko")
    conn.execute(f"INSERT INTO open_fts (rowid, {', '.join(TEXT)}) SELECT rowid, {', '.join(TEXT)} FROM ticket_fts{_OPEN}")
    conn.execute(f"INSERT INTO open_ko (rowid, subject, body) {_KO_TERMS.format(where=_OPEN)}")


def open_index_drift(conn: sqlite3.Connection) -> int:
    """How many tickets the open index has wrong: open tickets missing from it, plus rows of
    tickets that are not open (or gone)."""
    missing = conn.execute(f"SELECT count(*) FROM tickets WHERE status IN {OPEN_SQL}"
                           " AND id NOT IN (SELECT rowid FROM open_fts)").fetchone()[0]
    extra = conn.execute(f"SELECT count(*) FROM open_fts WHERE rowid NOT IN"
                         f" (SELECT id FROM tickets WHERE status IN {OPEN_SQL})").fetchone()[0]
    return int(missing) + int(extra)
