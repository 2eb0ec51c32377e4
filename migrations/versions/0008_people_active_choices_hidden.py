"""A desk set up for real: agents can be deactivated, requester records merged, categories and
locations hidden.

* ``people.active``: a deactivated agent (someone who left) keeps ``is_agent`` — their old replies
  still count as agent replies in the metrics and their name stays in history — but is no longer
  offered at the desk, in assignee pickers or for take next.
* ``people.merged_into``: a requester record merged into another one. It is kept, not deleted,
  because the append-only audit log may name it as an actor; its tickets, comments, shifts and
  drafts have moved to the kept person, and a look-up by its e-mail leads to the kept person.
* ``categories.hidden``, ``locations.hidden``: no longer offered in quick log, filters or the
  editor; tickets keep the ones they have.

Plain added columns with defaults: existing rows are active, unmerged and shown.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE people ADD COLUMN active BOOLEAN NOT NULL DEFAULT 1")
    op.execute("ALTER TABLE people ADD COLUMN merged_into INTEGER REFERENCES people(id)")
    op.execute("ALTER TABLE categories ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE locations ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE locations DROP COLUMN hidden")
    op.execute("ALTER TABLE categories DROP COLUMN hidden")
    op.execute("ALTER TABLE people DROP COLUMN merged_into")
    op.execute("ALTER TABLE people DROP COLUMN active")
