"""Rules: SLA policies, triggers and automations, the automations' fired-table, desk notices.

* ``rules``: one row per rule, ``kind`` trigger, automation or sla; ``position`` orders each kind
  (triggers run, and SLA policies are matched, in that order); ``definition`` is the rule's JSON
  (conditions, actions or targets; ``desk.core.rules.definitions`` validates it).
* ``rule_firings``: an automation fired on a ticket for a condition (its digest and the moment
  the condition's clock started), so a pass fires it at most once per ticket per condition and
  a repeated or killed pass fires nothing twice.
* ``desk_notices``: "notify the desk" messages from rules, shown by the window until seen.
* ``tickets.status_changed_at``: when the status last changed (automations' "pending for 3
  days"; indexed with the status so one pass reads only the tickets that qualify); filled from
  the status history, else the creation time.
* ``tickets.sla_policy_id``, ``sla_due_at``, ``sla_due_target``: the matching SLA policy and
  the next due moment of its running clocks (NULL while paused or when none runs), kept by the
  operations so the queue can show and sort "Due" from an index. Local only: sync never sends
  them (they change no ``version``).
* ``audit_events.rule_id``: the rule that made a change (NULL: a person or a remote).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE = (
    """CREATE TABLE rules (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('trigger', 'automation', 'sla')),
        name TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,
        active BOOLEAN NOT NULL DEFAULT 1,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (kind, name)
    )""",
    "CREATE INDEX ix_rules_kind ON rules(kind, active, position)",
    """CREATE TABLE rule_firings (
        rule_id INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        condition TEXT NOT NULL,
        fired_at INTEGER NOT NULL,
        PRIMARY KEY (rule_id, ticket_id, condition)
    )""",
    "CREATE INDEX ix_rule_firings_ticket ON rule_firings(ticket_id)",
    """CREATE TABLE desk_notices (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
        rule_id INTEGER REFERENCES rules(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        seen_at INTEGER
    )""",
    "CREATE INDEX ix_desk_notices_unseen ON desk_notices(id) WHERE seen_at IS NULL",
    "ALTER TABLE tickets ADD COLUMN status_changed_at INTEGER",
    """UPDATE tickets SET status_changed_at = coalesce(
        (SELECT max(a.at) FROM audit_events a WHERE a.ticket_id = tickets.id AND a.field = 'status'),
        created_at)""",
    "CREATE INDEX ix_tickets_status_changed ON tickets(status, status_changed_at)",
    "ALTER TABLE tickets ADD COLUMN sla_policy_id INTEGER REFERENCES rules(id) ON DELETE SET NULL",
    "ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER",
    "ALTER TABLE tickets ADD COLUMN sla_due_target TEXT",
    "CREATE INDEX ix_tickets_sla_due ON tickets(sla_due_at, id) WHERE sla_due_at IS NOT NULL",
    # The queue's "Due" sort of the open views, read in order from an index (no sort of every
    # open ticket); the expression and the WHERE are spelled exactly as desk.core.queries.queue's.
    """CREATE INDEX ix_tickets_open_due ON tickets(coalesce(sla_due_at, 9223372036854775807), id)
        WHERE status IN ('new','open','pending','on-hold')""",
    "ALTER TABLE audit_events ADD COLUMN rule_id INTEGER REFERENCES rules(id)",
)


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("ALTER TABLE audit_events DROP COLUMN rule_id")
    op.execute("DROP INDEX IF EXISTS ix_tickets_open_due")
    op.execute("DROP INDEX IF EXISTS ix_tickets_sla_due")
    for column in ("sla_due_target", "sla_due_at", "sla_policy_id"):
        op.execute(f"ALTER TABLE tickets DROP COLUMN {column}")
    op.execute("DROP INDEX IF EXISTS ix_tickets_status_changed")
    op.execute("ALTER TABLE tickets DROP COLUMN status_changed_at")
    for table in ("desk_notices", "rule_firings", "rules"):
        op.execute(f"DROP TABLE {table}")
