"""A remote ticket that is no longer itself: merged into another, deleted, or moved out of the
synced queue (issue 14). The link is kept (history, and so the ticket is never pulled again as
new) but marked: ``gone`` is "merged", "deleted" or "moved", ``gone_detail`` what a person reads
("merged into RT #12"). A marked link is neither pulled into nor pushed from; the local ticket
stays as it was, never overwritten with the survivor's subject or requester.

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE sync_status ADD COLUMN gone VARCHAR(8)")
    op.execute("ALTER TABLE sync_status ADD COLUMN gone_detail TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE sync_status DROP COLUMN gone_detail")
    op.execute("ALTER TABLE sync_status DROP COLUMN gone")
