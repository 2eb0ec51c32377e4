"""Audit-event helpers shared by the operations.

``record`` is also where an operation's ticket changes are noted for the rules: each row for a
ticket is kept in ``session.info[PENDING]`` and, when the operation's unit of work is about to
commit, ``desk.core.rules.engine.after_operation`` runs the triggers and refreshes the SLA clocks
of the tickets named there (``desk.core.db.unit_of_work``), inside the same transaction. A row
written while a rule acts (``session.info[ACTING_RULE]``) names that rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from desk.core.models import AuditEvent, Comment, Setting

PENDING = "rules_pending"  # session.info key: [AuditNote, ...] for the rules engine
ACTING_RULE = "rules_acting"  # session.info key: the id of the rule whose actions are running


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
    rule_id = session.info.get(ACTING_RULE)
    event = AuditEvent(
        ticket_id=ticket_id, actor_id=actor_id, at=at, action=action,
        field=field, old=as_text(old), new=as_text(new), origin=origin, rule_id=rule_id,
    )
    session.add(event)
    if ticket_id is not None:
        text = ""
        if action in ("reply", "note"):  # the comment was just added: triggers' "text contains" reads it
            text = " ".join(c.body for c in session.new if isinstance(c, Comment) and c.ticket_id == ticket_id)
        session.info.setdefault(PENDING, []).append(AuditNote(
            ticket_id=ticket_id, at=at, action=action, field=field, old=event.old, new=event.new,
            origin=origin, rule_id=rule_id, text=text))


class AuditNote(NamedTuple):
    """An audit row as the rules engine reads it (``record`` keeps one per ticket row)."""

    ticket_id: int
    at: datetime
    action: str
    field: str | None
    old: str | None
    new: str | None
    origin: str | None
    rule_id: int | None
    text: str


def set_setting_audited(session: Session, *, key: str, text: str, actor_id: int | None, now: datetime) -> bool:
    """Store ``text`` under ``key`` with a "set-setting" audit row; False (and nothing written)
    when the stored text is already that. Inside the caller's unit of work."""
    row = session.get(Setting, key)
    if row is not None and row.value == text:
        return False
    record(session, ticket_id=None, actor_id=actor_id, at=now, action="set-setting", field=key,
           old=row.value if row is not None else None, new=text)
    session.merge(Setting(key=key, value=text))
    return True
