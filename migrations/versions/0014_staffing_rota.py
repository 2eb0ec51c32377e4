"""Staffing with walk-aways and a rota planner.

* ``quick_questions``: "where is room 204?" tallied at the front desk with one key. Each row is one
  arrival for staffing (with an effort level standing for its handle time) that never becomes a
  ticket, so the ticket metrics stay about tickets.
* ``agent_availability``: when a student worker can work, per local weekday as minute ranges.
* ``agent_limits``: a worker's maximum hours per week (contract or visa rules), None = no limit.
* ``planned_shifts``: the rota. A draft row came from "Suggest" or an edit and is not yet
  published; planned shifts are the "scheduled" line of staffing, signed-in ``shifts`` the actual.

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE quick_questions (
        id INTEGER PRIMARY KEY,
        arrived_at INTEGER NOT NULL,
        effort TEXT NOT NULL CHECK (effort IN ('brief', 'short', 'long')),
        agent_id INTEGER REFERENCES people(id),
        location_id INTEGER REFERENCES locations(id)
    )""",
    "CREATE INDEX ix_quick_questions_arrived ON quick_questions (arrived_at)",
    """CREATE TABLE agent_availability (
        id INTEGER PRIMARY KEY,
        agent_id INTEGER NOT NULL REFERENCES people(id),
        weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
        start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
        end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
        CHECK (start_minute < end_minute)
    )""",
    "CREATE INDEX ix_agent_availability_agent ON agent_availability (agent_id)",
    """CREATE TABLE agent_limits (
        agent_id INTEGER PRIMARY KEY REFERENCES people(id),
        max_hours_per_week REAL CHECK (max_hours_per_week IS NULL OR max_hours_per_week >= 0)
    )""",
    """CREATE TABLE planned_shifts (
        id INTEGER PRIMARY KEY,
        agent_id INTEGER NOT NULL REFERENCES people(id),
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        draft BOOLEAN NOT NULL DEFAULT 1,
        CHECK (starts_at < ends_at)
    )""",
    "CREATE INDEX ix_planned_shifts_starts ON planned_shifts (starts_at)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("planned_shifts", "agent_limits", "agent_availability", "quick_questions"):
        op.execute(f"DROP TABLE {table}")
