"""Audit-event helpers shared by the operations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desk.core.models import AuditEvent


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value) or None
    return str(value)


def record(
    session: Session,
    *,
    ticket_id: int | None,
    actor_id: int | None,
    at: datetime,
    action: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
    origin: str | None = None,
) -> None:
    """One audit row; ``origin`` names the remote a pulled change came from (None = local)."""
    session.add(
        AuditEvent(
            ticket_id=ticket_id, actor_id=actor_id, at=at, action=action,
            field=field, old=as_text(old), new=as_text(new), origin=origin,
        )
    )
