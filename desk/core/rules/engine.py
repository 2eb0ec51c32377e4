"""The one hook: what the rules do when an operation is about to commit.

``desk.core.db.unit_of_work`` calls ``after_operation`` before it commits an operation that
wrote audit rows for tickets (``desk.core.ops._audit.record`` notes them). For each such ticket
the triggers run (``triggers.run_triggers``), then its SLA clocks' next due time is worked out
again (``sla.refresh_due``) — in the operation's own transaction, so the operation, its rules'
actions and their audit rows commit or roll back together. No Qt here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from desk.core.business_hours import BusinessCalendar
from desk.core.desk_settings import DeskSettings, load_desk_settings
from desk.core.models import Ticket
from desk.core.ops._audit import PENDING, AuditNote
from desk.core.rules import sla
from desk.core.rules.store import load_rules
from desk.core.rules.triggers import run_triggers


@lru_cache(maxsize=8)
def _calendar(settings: DeskSettings) -> BusinessCalendar:
    return BusinessCalendar.from_settings(settings)


def desk_calendar(session: Session) -> BusinessCalendar:
    """The desk's business calendar (kept while the settings stay the same: building a year
    of open intervals takes milliseconds, an operation must not pay that each time)."""
    return _calendar(load_desk_settings(session))


class LazyCalendar:
    """The desk calendar, loaded on first use: most rules never ask about business hours."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._calendar: BusinessCalendar | None = None

    def __getattr__(self, name: str) -> object:
        if self._calendar is None:
            self._calendar = desk_calendar(self._session)
        return getattr(self._calendar, name)


def after_operation(session: Session) -> None:
    notes: list[AuditNote] = session.info.get(PENDING) or []
    if not notes:
        return
    triggers = load_rules(session, kind="trigger", active_only=True)
    policies = sla.active_policies(session)
    now = max(note.at for note in notes)
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    calendar = LazyCalendar(session)
    by_ticket: dict[int, list[AuditNote]] = {}
    for note in notes:
        by_ticket.setdefault(note.ticket_id, []).append(note)
    touched = [ticket for ticket in (session.get(Ticket, ticket_id) for ticket_id in by_ticket) if ticket is not None]
    if triggers:
        for ticket in touched:
            run_triggers(session, ticket, by_ticket[ticket.id], triggers=triggers, now=now, calendar=calendar)
    clocked = [ticket for ticket in touched if policies or ticket.sla_policy_id is not None]
    # One operation, one ticket: its history is read as it is needed. A bulk one (an import, a
    # sync pull) reads the histories of 500 tickets at a time in two queries.
    if len(clocked) > 1:
        session.flush()  # the histories are read with plain SQL
    for first in range(0, len(clocked), 500):
        chunk = clocked[first:first + 500]
        histories = sla.load_histories(session, [t.id for t in chunk]) if len(chunk) > 1 else {}
        for ticket in chunk:
            sla.refresh_due(session, ticket, policies=policies, now=now, calendar=calendar,  # type: ignore[arg-type]
                            history=histories.get(ticket.id))
    session.info.pop(PENDING, None)
    session.flush()


def refresh_all_due(session: Session, *, now: datetime | None = None) -> int:
    """Work out every open ticket's SLA policy and due time again (policies were added, edited,
    reordered); returns how many tickets changed. Runs inside the caller's unit of work. Closed
    and solved tickets keep the policy they had when they last changed: attainment judges them
    by the promise made at the time (docs/rules.md, "Attainment")."""
    from sqlalchemy import select

    from desk.core.models import utcnow
    from desk.core.vocabulary import OPEN_STATUSES

    now = now or utcnow()
    policies = sla.active_policies(session)
    calendar = desk_calendar(session)
    changed = 0
    query = select(Ticket).where(Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.id)
    batch: list[Ticket] = []

    def work_off() -> int:
        histories = sla.load_histories(session, [ticket.id for ticket in batch])  # two queries a batch
        done = 0
        for ticket in batch:
            before = (ticket.sla_policy_id, ticket.sla_due_at, ticket.sla_due_target)
            sla.refresh_due(session, ticket, policies=policies, now=now, calendar=calendar,
                            history=histories[ticket.id])
            done += before != (ticket.sla_policy_id, ticket.sla_due_at, ticket.sla_due_target)
        batch.clear()
        return done

    for ticket in session.scalars(query):
        batch.append(ticket)
        if len(batch) == 500:
            changed += work_off()
    return changed + work_off()
