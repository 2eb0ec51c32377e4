"""A remote user's last-seen name is tied to the local person it stands for
(``sync_people.person_id``), so a renamed remote user is renamed here too.

``sync_people`` already holds, per remote, a remote user (Zendesk user id; for Request Tracker
the user's login) with the e-mail and the name last seen there. A rename upstream is applied to
the local person only when the remote name changed since it was last seen, and a name edited
here while the remote one stayed the same is kept (``desk.core.sync.people_sync``). The person
is found by e-mail; ``person_id`` also ties a requester RT knows by name only (no e-mail), and
keeps the tie when the e-mail changes. ``ON DELETE SET NULL``: a person removed here leaves the
remote user's row as a plain cache entry.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE sync_people ADD COLUMN person_id INTEGER REFERENCES people(id) ON DELETE SET NULL")
    op.execute("CREATE INDEX ix_sync_people_person ON sync_people(person_id) WHERE person_id IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX ix_sync_people_person")
    op.execute("ALTER TABLE sync_people DROP COLUMN person_id")
