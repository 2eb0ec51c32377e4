"""Ratings from the people themselves: when, from whom, credited to which agent.

CSAT must come from people's own ratings (the exit survey on the counter display, an e-mail or
helpdesk survey), never from an agent's word (issue 16, docs/metrics.md "CSAT"). So a rating
now says where it came from:

* ``tickets.satisfaction_source``: ``person`` (the person rated: exit survey, helpdesk survey,
  import) or ``agent`` (an agent typed in what she was told: kept, labelled, left out of CSAT).
* ``tickets.satisfaction_at``: when the rating was given.
* ``tickets.satisfaction_agent_id``: the agent the rating is credited to (who served).
* ``tickets.satisfaction_anonymous``: the person asked for the rating not to carry their name
  (lists of comments show neither name nor ticket number).

Existing ratings: one whose last change was a local edit in the editor (audit action ``update``
with no remote origin) was set by an agent, so it becomes ``agent``; the others (imported,
pulled from the helpdesk, demo data) are the people's own. Their time is that audit row's.

``ix_tickets_stats`` (0003) covers exactly the columns of the facts scan; the scan now reads
the source too, so the index is rebuilt with it.

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STATS_INDEX = """CREATE INDEX ix_tickets_stats ON tickets(
    arrived_at, channel, logged_after_the_fact, left_at, reopen_count, satisfaction, {source}category_id,
    location_id, assignee_id, requester_id, created_at, service_started_at, first_response_at,
    solved_at, status, updated_at)"""


def upgrade() -> None:
    op.execute("ALTER TABLE tickets ADD COLUMN satisfaction_source VARCHAR(6)")
    op.execute("ALTER TABLE tickets ADD COLUMN satisfaction_at INTEGER")
    op.execute("ALTER TABLE tickets ADD COLUMN satisfaction_agent_id INTEGER REFERENCES people(id)")
    op.execute("ALTER TABLE tickets ADD COLUMN satisfaction_anonymous BOOLEAN NOT NULL DEFAULT 0")
    # The last satisfaction row of each rated ticket, read once (not a subquery per ticket).
    op.execute(
        "CREATE TEMP TABLE last_rating AS SELECT e.ticket_id, e.at, e.action, e.origin, e.actor_id"
        " FROM audit_events e JOIN (SELECT ticket_id, max(id) AS id FROM audit_events"
        " WHERE field = 'satisfaction' GROUP BY ticket_id) m ON m.id = e.id"
    )
    op.execute("CREATE UNIQUE INDEX temp.ix_last_rating ON last_rating(ticket_id)")
    op.execute(
        "UPDATE tickets SET satisfaction_source = 'person', satisfaction_agent_id = assignee_id"
        " WHERE satisfaction IS NOT NULL"
    )
    op.execute(
        "UPDATE tickets SET satisfaction_at = (SELECT at FROM last_rating r WHERE r.ticket_id = tickets.id)"
        " WHERE satisfaction IS NOT NULL"
    )
    op.execute(
        "UPDATE tickets SET satisfaction_source = 'agent', satisfaction_agent_id = ("
        "SELECT actor_id FROM last_rating r WHERE r.ticket_id = tickets.id)"
        " WHERE satisfaction IS NOT NULL AND id IN ("
        "SELECT ticket_id FROM last_rating WHERE action = 'update' AND origin IS NULL)"
    )
    op.execute("DROP TABLE last_rating")
    op.execute("DROP INDEX IF EXISTS ix_tickets_stats")
    op.execute(STATS_INDEX.format(source="satisfaction_source, "))


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_tickets_stats")
    op.execute(STATS_INDEX.format(source=""))
    for column in ("satisfaction_anonymous", "satisfaction_agent_id", "satisfaction_at", "satisfaction_source"):
        op.execute(f"ALTER TABLE tickets DROP COLUMN {column}")
