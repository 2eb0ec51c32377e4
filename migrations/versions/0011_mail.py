"""E-mail for desks without a hosted helpdesk: the durable outbox and the record of mails read.

* ``mail_outbox``: one row per e-mail Desk owes a person (a public reply, or the "we have your
  request" confirmation), written in the same transaction as the reply or the new ticket, so no
  operation can forget it and it survives restarts. ``message_id`` is chosen when the row is
  written, before any attempt: every retry sends the same Message-ID, and replies thread on it.
  ``state`` is queued -> sending -> sent, or failed (permanently, with ``last_error``);
  ``next_attempt_at`` carries the back-off between attempts.
* ``mail_inbox``: each message read from the IMAP folder, by Message-ID (so reading it twice
  changes nothing), with the ticket and comment it became, or why it was skipped.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE mail_outbox (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('reply','confirmation')),
        message_id TEXT NOT NULL UNIQUE,
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        in_reply_to TEXT,
        refs TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
    )""",
    "CREATE INDEX ix_mail_outbox_due ON mail_outbox(state, next_attempt_at)",
    "CREATE INDEX ix_mail_outbox_ticket ON mail_outbox(ticket_id)",
    "CREATE UNIQUE INDEX ix_mail_outbox_comment ON mail_outbox(comment_id) WHERE comment_id IS NOT NULL",
    """CREATE TABLE mail_inbox (
        message_id TEXT PRIMARY KEY,
        ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
        comment_id INTEGER REFERENCES comments(id) ON DELETE SET NULL,
        sender TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        skipped TEXT,
        received_at INTEGER NOT NULL
    )""",
    "CREATE INDEX ix_mail_inbox_ticket ON mail_inbox(ticket_id)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE mail_inbox")
    op.execute("DROP TABLE mail_outbox")
