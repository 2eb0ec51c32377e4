"""Every row of a store as text, to prove that something changed nothing (or leaked nothing).

``Connection.iterdump`` cannot be used since migration 0009: it scans each virtual table, and the
contentless FTS5 table of Korean bigrams (``ticket_ko``) refuses scanning. The virtual tables'
data lives in their shadow tables (``ticket_ko_data``, ``ticket_fts_content``…), which are plain
tables and are dumped here with everything else.
"""

from __future__ import annotations

import sqlite3


def dump_rows(connection: sqlite3.Connection) -> list[str]:
    tables = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    lines: list[str] = []
    for name, sql in tables:
        lines.append(sql)
        if sql.upper().startswith("CREATE VIRTUAL TABLE"):
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        for row in connection.execute(f"SELECT * FROM {quoted} ORDER BY 1"):  # noqa: S608 - names from sqlite_master
            lines.append(f"{name}: {row!r}")
    return lines
