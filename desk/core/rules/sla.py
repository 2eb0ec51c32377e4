"""SLA policies: which policy a ticket falls under, its clocks, the next due time, attainment.

A policy (a rule of kind ``sla``; the first active one, in order, whose conditions match) sets
targets in business or calendar hours (docs/rules.md, "SLA policies"):

* **first response**: from arrival to the first response (docs/metrics.md, "First response":
  start of service for walk-ins and calls, the first public agent reply otherwise);
* **next reply**: each time the requester writes after an agent's public reply, until the next
  public agent reply;
* **resolution**: from creation to the (last) solve.

No clock runs while the ticket is solved or closed; with the policy's ``pause`` none runs while
it is pending or on hold either. A clock is *breached* when its counted time passed the target
before it stopped (or by now). The queue's "Due" is the earliest due moment of the running
clocks, kept in ``tickets.sla_due_at`` by the hook every operation runs (``engine``), so it
sorts from an index. Sync never touches these: they are the desk's own promises. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.business_hours import BusinessCalendar
from desk.core.models import AuditEvent, Comment, Person, Ticket
from desk.core.rules.matching import matches
from desk.core.rules.store import LoadedRule, load_rules
from desk.core.vocabulary import DESK_CHANNELS, DONE_STATUSES, PAUSED_STATUSES

# A clock stops when the ticket is done (DONE_STATUSES, the same "done" as everywhere) and, when
# the policy pauses, does not count while the ticket waits on someone else (PAUSED_STATUSES).
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Clock:
    target: str  # first_response, next_reply, resolution
    started_at: datetime
    stopped_at: datetime | None  # None: still owed
    limit: timedelta
    business: bool
    elapsed: timedelta  # counted so far (open time when business; pauses left out)
    due_at: datetime | None  # None while paused (and not yet breached) or met without breach
    breached: bool
    paused: bool

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.paused

    @property
    def state(self) -> str:
        if self.breached:
            return "breached"
        if self.stopped_at is not None:
            return "met"
        return "paused" if self.paused else "running"


def policy_for(ticket: Ticket, policies: Iterable[LoadedRule], *, now: datetime,
               calendar: BusinessCalendar) -> LoadedRule | None:
    return next((policy for policy in policies
                 if matches(policy.definition, ticket, event=None, now=now, calendar=calendar)), None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class History:
    """What the clocks read besides the ticket: its status changes (at, old, new) and its public
    comments (created_at, author_id, author is an agent), each in order."""

    statuses: list[tuple[datetime, str | None, str | None]]
    comments: list[tuple[datetime, int | None, bool]]


def _epoch_time(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def load_histories(session: Session, ticket_ids: list[int]) -> dict[int, History]:
    """The histories of many tickets in two indexed queries (``refresh_all_due``)."""
    from sqlalchemy import text

    found: dict[int, History] = {ticket_id: History([], []) for ticket_id in ticket_ids}
    ids = "[" + ",".join(str(int(i)) for i in ticket_ids) + "]"
    for ticket_id, at, old, new in session.execute(text(
            "SELECT ticket_id, at, old, new FROM audit_events WHERE field = 'status' AND ticket_id IN"
            " (SELECT value FROM json_each(:ids)) ORDER BY ticket_id, at, id"), {"ids": ids}):
        found[ticket_id].statuses.append((_epoch_time(at), old, new))
    for ticket_id, at, author, agent in session.execute(text(
            "SELECT c.ticket_id, c.created_at, c.author_id, coalesce(p.is_agent, 0) FROM comments c"
            " LEFT JOIN people p ON p.id = c.author_id WHERE c.is_public AND c.ticket_id IN"
            " (SELECT value FROM json_each(:ids)) ORDER BY c.ticket_id, c.created_at, c.id"), {"ids": ids}):
        found[ticket_id].comments.append((_epoch_time(at), author, bool(agent)))
    return found


def _history(session: Session, ticket: Ticket) -> History:
    statuses = session.execute(
        select(AuditEvent.at, AuditEvent.old, AuditEvent.new)
        .where(AuditEvent.ticket_id == ticket.id, AuditEvent.field == "status")
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    comments = session.execute(
        select(Comment.created_at, Comment.author_id, Person.is_agent)
        .outerjoin(Person, Person.id == Comment.author_id)
        .where(Comment.ticket_id == ticket.id, Comment.is_public.is_(True))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return History([(_aware(a), o, n) for a, o, n in statuses], [(_aware(c), a, bool(g)) for c, a, g in comments])


def status_spans(ticket: Ticket, history: History, *, until: datetime) -> list[tuple[datetime, datetime, str]]:
    """The ticket's statuses over time, from the status history (audit), up to ``until``."""
    rows = history.statuses
    spans: list[tuple[datetime, datetime, str]] = []
    at, status = _aware(ticket.created_at), (rows[0][1] if rows and rows[0][1] else "new") if rows else ticket.status
    for row_at, _old, new in rows:
        moment = max(_aware(row_at), at)
        if moment > at:
            spans.append((at, min(moment, until), status))
        at, status = moment, new or status
    if until > at:
        spans.append((at, until, status))
    return [(a, b, s) for a, b, s in spans if b > a]


def _not_counting(spans: list[tuple[datetime, datetime, str]], *, pause: bool) -> list[Span]:
    stop = DONE_STATUSES + (PAUSED_STATUSES if pause else ())
    return [(a, b) for a, b, status in spans if status in stop]


def _minus(start: datetime, end: datetime, holes: list[Span]) -> list[Span]:
    pieces, at = [], start
    for a, b in holes:
        if b <= at or a >= end:
            continue
        if a > at:
            pieces.append((at, a))
        at = max(at, b)
    if at < end:
        pieces.append((at, end))
    return pieces


def _clock(
    target: str, start: datetime, stop: datetime | None, *, rule: dict[str, Any], holes: list[Span],
    now: datetime, paused_now: bool, calendar: BusinessCalendar,
) -> Clock:
    limit = timedelta(seconds=round(float(rule["hours"]) * 3600))
    business = bool(rule["business"])

    def measure(a: datetime, b: datetime) -> timedelta:
        return calendar.business_duration(a, b) if business else b - a

    def advance(a: datetime, by: timedelta) -> datetime:
        return calendar.add_business_time(a, by) if business else a + by

    end = stop or now
    counted, due = timedelta(0), None
    for a, b in _minus(start, end, holes):
        piece = measure(a, b)
        if due is None and counted + piece >= limit:
            due = advance(a, limit - counted)
        counted += piece
    breached = due is not None and (due < end if stop is not None else due <= now)
    if due is None and stop is None and not paused_now:
        due = advance(now, limit - counted)
    if stop is not None and not breached:
        due = None
    return Clock(target=target, started_at=start, stopped_at=stop, limit=limit, business=business,
                 elapsed=counted, due_at=due, breached=breached, paused=stop is None and paused_now)


def _first_response_at(ticket: Ticket) -> datetime | None:
    if ticket.channel in DESK_CHANNELS:
        moments = [m for m in (ticket.service_started_at, ticket.first_response_at, ticket.solved_at) if m]
        return min(moments) if moments else None
    return ticket.first_response_at


def _reply_cycles(ticket: Ticket, history: History) -> list[tuple[datetime, datetime | None]]:
    """(requester wrote after an agent's public reply, next public agent reply or None)."""
    cycles: list[tuple[datetime, datetime | None]] = []
    answered, waiting_since = False, None
    for created_at, author_id, is_agent in history.comments:
        by_agent = is_agent and author_id != ticket.requester_id
        if by_agent:
            if waiting_since is not None:
                cycles.append((waiting_since, _aware(created_at)))
                waiting_since = None
            answered = True
        elif answered and waiting_since is None and author_id == ticket.requester_id:
            waiting_since = _aware(created_at)
    if waiting_since is not None:
        cycles.append((waiting_since, None))
    return cycles


def clocks(session: Session, ticket: Ticket, policy: LoadedRule, *, now: datetime,
           calendar: BusinessCalendar, history: History | None = None) -> list[Clock]:
    """Every clock of ``policy`` on ``ticket`` (next reply: one per cycle), as of ``now``;
    ``history`` if it was loaded already (``load_histories``)."""
    definition = policy.definition
    history = history if history is not None else _history(session, ticket)
    spans = status_spans(ticket, history, until=now)
    holes = _not_counting(spans, pause=bool(definition.get("pause", True)))
    current = ticket.status  # the history's last span may be empty (changed this very second)
    paused_now = current in DONE_STATUSES or (current in PAUSED_STATUSES and bool(definition.get("pause", True)))
    found: list[Clock] = []
    for target, rule in definition["targets"].items():
        common = dict(rule=rule, holes=holes, now=now, paused_now=paused_now, calendar=calendar)
        if target == "first_response":
            answered = _first_response_at(ticket)
            found.append(_clock(target, _aware(ticket.arrived_at), answered and _aware(answered), **common))
        elif target == "resolution":
            solved = ticket.solved_at if ticket.status in DONE_STATUSES else None
            found.append(_clock(target, _aware(ticket.created_at), solved and _aware(solved), **common))
        else:
            for start, stop in _reply_cycles(ticket, history):
                found.append(_clock(target, start, stop, **common))
    return found


def refresh_due(session: Session, ticket: Ticket, *, policies: list[LoadedRule], now: datetime,
                calendar: BusinessCalendar, history: History | None = None) -> None:
    """Keep ``ticket.sla_policy_id`` / ``sla_due_at`` / ``sla_due_target`` current (no audit row:
    they are worked out from what the audit already says)."""
    policy = policy_for(ticket, policies, now=now, calendar=calendar)
    due, target = None, None
    if policy is not None:
        running = [clock for clock in clocks(session, ticket, policy, now=now, calendar=calendar, history=history)
                   if clock.running and clock.due_at is not None]
        if running:
            first = min(running, key=lambda clock: clock.due_at)  # type: ignore[arg-type, return-value]
            due, target = first.due_at, first.target
    policy_id = policy.id if policy is not None else None
    if (ticket.sla_policy_id, ticket.sla_due_at, ticket.sla_due_target) != (policy_id, due, target):
        ticket.sla_policy_id, ticket.sla_due_at, ticket.sla_due_target = policy_id, due, target


def active_policies(session: Session) -> list[LoadedRule]:
    return load_rules(session, kind="sla", active_only=True)


def ticket_clocks(session: Session, *, ticket_id: int, now: datetime | None = None) -> tuple[str | None, list[Clock]]:
    """The ticket's SLA policy (its name, None when none covers it) and its clocks now: what the
    ticket editor shows."""
    from desk.core.models import utcnow
    from desk.core.rules.engine import desk_calendar

    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return None, []
    now = now or utcnow()
    calendar = desk_calendar(session)
    policy = policy_for(ticket, active_policies(session), now=now, calendar=calendar)
    if policy is None:
        return None, []
    return policy.name, clocks(session, ticket, policy, now=now, calendar=calendar)
