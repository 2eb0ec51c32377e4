"""The fixed vocabularies of the store (statuses, channels, ...), without the ORM.

``desk.core.models`` re-exports them; screens that only need the words (the queue's filter
bar) import them from here so that showing the window does not wait for SQLAlchemy.
"""

from __future__ import annotations

STATUSES = ("new", "open", "pending", "on-hold", "solved", "closed")
OPEN_STATUSES = ("new", "open", "pending", "on-hold")
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("walk-in", "phone", "email", "web")
PERSON_KINDS = ("faculty", "staff", "student", "guest")
AGENT_ROLES = ("student-worker", "staff", "supervisor")
SATISFACTION = ("good", "bad")
