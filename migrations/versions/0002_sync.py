"""Sync with hosted helpdesks: remotes, the status table, the outbox, cursors, conflicts.

* ``sync_remotes``: one row per configured remote (never a secret: tokens live in keyring).
* ``sync_status``: local ticket <-> remote ticket, the remote's version and ``base``, the JSON
  of the field values both sides last agreed on (the ancestor of the three-way merge).
* ``sync_comments``: local comment <-> remote comment (so nothing is pushed or pulled twice).
* ``sync_outbox``: local changes waiting to go up. Filled by triggers in the same transaction as
  the change itself, so no operation can forget it and it survives restarts.
* ``sync_cursors``: where each remote's incremental pull resumes.
* ``sync_conflicts``: a field changed on both sides to different values, kept for a person.
* ``sync_people``: remote user id <-> e-mail cache.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE sync_remotes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('rt','zendesk')),
        url TEXT NOT NULL,
        username TEXT NOT NULL DEFAULT '',
        auth TEXT NOT NULL DEFAULT 'token' CHECK (auth IN ('token','password','oauth')),
        config TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        last_synced_at INTEGER,
        last_error TEXT
    )""",
    """CREATE TABLE sync_status (
        remote_id INTEGER NOT NULL REFERENCES sync_remotes(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        remote_ticket_id TEXT NOT NULL,
        remote_version TEXT,
        base TEXT NOT NULL DEFAULT '{}',
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (remote_id, ticket_id),
        UNIQUE (remote_id, remote_ticket_id)
    )""",
    """CREATE TABLE sync_comments (
        remote_id INTEGER NOT NULL REFERENCES sync_remotes(id) ON DELETE CASCADE,
        comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
        remote_comment_id TEXT NOT NULL,
        PRIMARY KEY (remote_id, remote_comment_id)
    )""",
    "CREATE UNIQUE INDEX ix_sync_comments_local ON sync_comments(remote_id, comment_id)",
    """CREATE TABLE sync_outbox (
        id INTEGER PRIMARY KEY,
        remote_id INTEGER NOT NULL REFERENCES sync_remotes(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('create','update','comment')),
        comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at INTEGER NOT NULL
    )""",
    # One pending 'update' per ticket and remote: the diff is computed against base when sent.
    """CREATE UNIQUE INDEX ix_sync_outbox_one_update ON sync_outbox(remote_id, ticket_id, kind)
        WHERE kind IN ('create','update')""",
    "CREATE INDEX ix_sync_outbox_ticket ON sync_outbox(ticket_id)",
    """CREATE TABLE sync_cursors (
        remote_id INTEGER NOT NULL REFERENCES sync_remotes(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (remote_id, name)
    )""",
    """CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        remote_id INTEGER NOT NULL REFERENCES sync_remotes(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        field TEXT NOT NULL,
        base TEXT,
        mine TEXT,
        theirs TEXT,
        created_at INTEGER NOT NULL,
        resolved_at INTEGER,
        resolution TEXT
    )""",
    "CREATE INDEX ix_sync_conflicts_open ON sync_conflicts(ticket_id) WHERE resolved_at IS NULL",
    """CREATE TABLE sync_people (
        remote_id INTEGER NOT NULL REFERENCES sync_remotes(id) ON DELETE CASCADE,
        remote_user_id TEXT NOT NULL,
        email TEXT COLLATE NOCASE,
        name TEXT,
        PRIMARY KEY (remote_id, remote_user_id)
    )""",
    """CREATE TRIGGER sync_outbox_ticket_insert AFTER INSERT ON tickets BEGIN
        INSERT OR IGNORE INTO sync_outbox(remote_id, ticket_id, kind, created_at)
        SELECT id, new.id, 'create', CAST(strftime('%s','now') AS INTEGER) FROM sync_remotes;
    END""",
    """CREATE TRIGGER sync_outbox_ticket_update AFTER UPDATE OF version ON tickets
    WHEN new.version <> old.version BEGIN
        INSERT OR IGNORE INTO sync_outbox(remote_id, ticket_id, kind, created_at)
        SELECT id, new.id, 'update', CAST(strftime('%s','now') AS INTEGER) FROM sync_remotes;
    END""",
    """CREATE TRIGGER sync_outbox_comment_insert AFTER INSERT ON comments BEGIN
        INSERT INTO sync_outbox(remote_id, ticket_id, kind, comment_id, created_at)
        SELECT id, new.ticket_id, 'comment', new.id, CAST(strftime('%s','now') AS INTEGER)
          FROM sync_remotes;
    END""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("sync_outbox_ticket_insert", "sync_outbox_ticket_update", "sync_outbox_comment_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("sync_people", "sync_conflicts", "sync_cursors", "sync_outbox", "sync_comments",
                  "sync_status", "sync_remotes"):
        op.execute(f"DROP TABLE IF EXISTS {table}")
