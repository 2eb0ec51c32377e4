"""A partial covering index of the audit log's status rows, for the backlog's status history.

Backlog and reopens are taken from each ticket's status history (docs/metrics.md, "Backlog";
``desk.core.stats.history``): the audit rows with ``field = 'status'``. Looking them up through
``ix_audit_ticket`` reads every audit row of the ticket from the wide table (creation, each field
edit, replies, notes); this index holds only the status rows, with the columns read, so the
lookups and the scan after an upgrade read nothing else (``field`` is in it too: SQLite counts an
index as covering only when it holds every column the query names). On the 1M-ticket demo store
(no status rows) it is empty; a store with ~3 status changes per ticket grows by about 50 bytes
per change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_audit_status ON audit_events(ticket_id, at, new, field) WHERE field = 'status'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_audit_status")
