"""Audit events say where a change came from (``origin`` names the remote helpdesk), and the
cache of a remote's users remembers who is staff there (``sync_people.is_agent``).

A reply, note or field change pulled from Zendesk or RT goes through the same core operation as
a local one and writes the same audit rows. When no local person maps to who made it upstream the
actor is empty, so ``origin`` (the remote's configured name, e.g. ``zendesk``) records that the
remote was the actor; local changes leave it NULL. A plain added column: the audit log stays
append-only (its triggers refuse UPDATE and DELETE, not ALTER TABLE).

``sync_people.is_agent``: Zendesk tells an agent's reply from a requester's only through the
author's role; remembering it keeps a pulled reply "by an agent" without asking again each run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE audit_events ADD COLUMN origin TEXT")
    op.execute("ALTER TABLE sync_people ADD COLUMN is_agent BOOLEAN")


def downgrade() -> None:
    op.execute("ALTER TABLE sync_people DROP COLUMN is_agent")
    op.execute("ALTER TABLE audit_events DROP COLUMN origin")
