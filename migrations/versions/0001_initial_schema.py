"""Initial schema: tickets, comments, people, categories, locations, tags, canned responses,
shifts, drafts, saved views, settings, an append-only audit log and the FTS5 search index.

Written as plain SQLite DDL so the schema is exactly what is shipped. Times are INTEGER
UTC epoch seconds.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT UNIQUE COLLATE NOCASE,
    phone TEXT,
    kind TEXT NOT NULL DEFAULT 'guest' CHECK (kind IN ('faculty','staff','student','guest')),
    is_agent BOOLEAN NOT NULL DEFAULT 0,
    role TEXT CHECK (role IS NULL OR role IN ('student-worker','staff','supervisor')),
    created_at INTEGER NOT NULL
);
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE locations (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new','open','pending','on-hold','solved','closed')),
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high','urgent')),
    channel TEXT NOT NULL DEFAULT 'walk-in' CHECK (channel IN ('walk-in','phone','email','web')),
    category_id INTEGER REFERENCES categories(id),
    location_id INTEGER REFERENCES locations(id),
    requester_id INTEGER NOT NULL REFERENCES people(id),
    assignee_id INTEGER REFERENCES people(id),
    logged_by_id INTEGER REFERENCES people(id),
    logged_after_the_fact BOOLEAN NOT NULL DEFAULT 0,
    arrived_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    service_started_at INTEGER,
    first_response_at INTEGER,
    solved_at INTEGER,
    left_at INTEGER,
    updated_at INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction IN ('good','bad')),
    satisfaction_comment TEXT,
    expected_resolution TEXT
);
CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (ticket_id, tag_id)
) WITHOUT ROWID;
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES people(id),
    is_public BOOLEAN NOT NULL DEFAULT 1,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets(id),
    actor_id INTEGER REFERENCES people(id),
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old TEXT,
    new TEXT
);
CREATE TABLE canned_responses (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    actions TEXT NOT NULL DEFAULT '[]',
    owner_id INTEGER REFERENCES people(id),
    usage_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES people(id),
    started_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE TABLE drafts (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES people(id),
    body TEXT NOT NULL DEFAULT '',
    is_public BOOLEAN NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    filters TEXT NOT NULL DEFAULT '{}',
    owner_id INTEGER REFERENCES people(id)
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

INDEXES = """
CREATE INDEX ix_tickets_status_arrived ON tickets(status, arrived_at);
CREATE INDEX ix_tickets_assignee_status ON tickets(assignee_id, status);
CREATE INDEX ix_tickets_requester ON tickets(requester_id, status);
CREATE INDEX ix_tickets_arrived ON tickets(arrived_at);
-- The open views sort by arrival; a partial index keeps them fast however many tickets are closed.
-- Queries must spell the condition exactly like this for SQLite to use it.
CREATE INDEX ix_tickets_open_arrived ON tickets(arrived_at, id)
    WHERE status IN ('new','open','pending','on-hold');
CREATE INDEX ix_tickets_solved ON tickets(solved_at);
CREATE INDEX ix_tickets_updated ON tickets(updated_at);
CREATE INDEX ix_comments_ticket ON comments(ticket_id, id);
CREATE INDEX ix_audit_ticket ON audit_events(ticket_id, id);
CREATE INDEX ix_shifts_agent ON shifts(agent_id, started_at);
CREATE INDEX ix_shifts_started ON shifts(started_at);
CREATE INDEX ix_ticket_tags_tag ON ticket_tags(tag_id);
"""

# The search index: one row per ticket (rowid = ticket id), kept current by triggers.
SEARCH = """
CREATE VIRTUAL TABLE ticket_fts USING fts5(
    subject, description, comments, requester,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_fts(rowid, subject, description, comments, requester)
    VALUES (new.id, new.subject, new.description, '',
            (SELECT name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')
               FROM people WHERE id = new.requester_id));
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, requester_id ON tickets BEGIN
    UPDATE ticket_fts SET subject = new.subject, description = new.description,
        requester = (SELECT name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')
                       FROM people WHERE id = new.requester_id)
    WHERE rowid = new.id;
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_fts WHERE rowid = old.id;
END;
CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
    UPDATE ticket_fts SET comments = comments || char(10) || new.body WHERE rowid = new.ticket_id;
END;
CREATE TRIGGER comments_fts_update AFTER UPDATE OF body ON comments BEGIN
    UPDATE ticket_fts SET comments = coalesce(
        (SELECT group_concat(body, char(10)) FROM comments WHERE ticket_id = new.ticket_id), '')
    WHERE rowid = new.ticket_id;
END;
CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
    UPDATE ticket_fts SET comments = coalesce(
        (SELECT group_concat(body, char(10)) FROM comments WHERE ticket_id = old.ticket_id), '')
    WHERE rowid = old.ticket_id;
END;
CREATE TRIGGER people_fts_update AFTER UPDATE OF name, email, phone ON people BEGIN
    UPDATE ticket_fts
       SET requester = new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, '')
     WHERE rowid IN (SELECT id FROM tickets WHERE requester_id = new.id);
END;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""


def _run(script: str) -> None:
    # Triggers contain semicolons inside BEGIN … END, so split on the statement terminators
    # that end a line with nothing open.
    statement: list[str] = []
    depth = 0
    for line in script.strip().splitlines():
        statement.append(line)
        stripped = line.strip().upper()
        if stripped.startswith("CREATE TRIGGER"):
            depth += 1
        if stripped == "END;":
            depth -= 1
        if line.rstrip().endswith(";") and depth == 0:
            op.execute("\n".join(statement))
            statement = []


def upgrade() -> None:
    _run(TABLES)
    _run(INDEXES)
    _run(SEARCH)


def downgrade() -> None:
    for table in (
        "ticket_fts", "settings", "saved_views", "drafts", "shifts", "canned_responses",
        "audit_events", "comments", "ticket_tags", "tickets", "tags", "locations",
        "categories", "people",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")
