"""Day summaries of the per-ticket stats facts, kept current by marking days dirty.

* ``stats_days``: one row per UTC day (``arrived_at / 86400``) holding the facts of every ticket
  that arrived that day as one packed record array (``desk.core.stats.days``), tagged with the
  version of the metric definitions that made it. Reading a year is then reading ~365 blobs
  instead of evaluating every definition for a million rows (1.3 s -> well under the 1 s budget).
* ``stats_dirty_days``: days whose summary must be rebuilt before it is read. Triggers mark a
  day whenever one of its tickets is inserted, changed or deleted, or a public comment on one
  of them is (replies decide one-touch), or a person becomes or stops being an agent. They run
  in the writer's own transaction, so no writer — this process, another window, the CLI, a
  sync — can change a ticket without its day being rebuilt on the next read.

Existing stores: every day with tickets starts dirty; the first stats computation builds them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MARK = "INSERT OR IGNORE INTO stats_dirty_days (day)"
STATEMENTS = [
    """CREATE TABLE stats_days (
        day INTEGER PRIMARY KEY,
        definition TEXT NOT NULL,
        facts BLOB NOT NULL
    )""",
    "CREATE TABLE stats_dirty_days (day INTEGER PRIMARY KEY) WITHOUT ROWID",
    f"""CREATE TRIGGER stats_days_ticket_insert AFTER INSERT ON tickets BEGIN
        {MARK} VALUES (new.arrived_at / 86400);
    END""",
    f"""CREATE TRIGGER stats_days_ticket_update AFTER UPDATE ON tickets BEGIN
        {MARK} VALUES (old.arrived_at / 86400), (new.arrived_at / 86400);
    END""",
    f"""CREATE TRIGGER stats_days_ticket_delete AFTER DELETE ON tickets BEGIN
        {MARK} VALUES (old.arrived_at / 86400);
    END""",
    f"""CREATE TRIGGER stats_days_comment_insert AFTER INSERT ON comments WHEN new.is_public BEGIN
        {MARK} SELECT arrived_at / 86400 FROM tickets WHERE id = new.ticket_id;
    END""",
    f"""CREATE TRIGGER stats_days_comment_update AFTER UPDATE ON comments
        WHEN old.is_public OR new.is_public BEGIN
        {MARK} SELECT arrived_at / 86400 FROM tickets WHERE id IN (old.ticket_id, new.ticket_id);
    END""",
    f"""CREATE TRIGGER stats_days_comment_delete AFTER DELETE ON comments WHEN old.is_public BEGIN
        {MARK} SELECT arrived_at / 86400 FROM tickets WHERE id = old.ticket_id;
    END""",
    f"""CREATE TRIGGER stats_days_agent_change AFTER UPDATE OF is_agent ON people
        WHEN old.is_agent IS NOT new.is_agent BEGIN
        {MARK} SELECT DISTINCT t.arrived_at / 86400 FROM comments c JOIN tickets t ON t.id = c.ticket_id
            WHERE c.author_id = new.id AND c.is_public;
    END""",
    f"{MARK} SELECT DISTINCT arrived_at / 86400 FROM tickets",
]
TRIGGERS = ("ticket_insert", "ticket_update", "ticket_delete", "comment_insert", "comment_update",
            "comment_delete", "agent_change")


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS stats_days_{name}")
    op.execute("DROP TABLE IF EXISTS stats_dirty_days")
    op.execute("DROP TABLE IF EXISTS stats_days")
