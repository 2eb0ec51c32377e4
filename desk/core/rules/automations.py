"""Automations: time-based rules ("solved for 4 days → closed"), run in passes.

A pass (every minute while the window is open, on its DB worker; ``desk automate`` from a
timer) asks each active automation, in order, for the tickets that meet its conditions now and
have not had it fire for this condition yet, and fires it on each:

* **index-driven**: the status, channel and clock conditions become a ``WHERE`` on
  ``tickets(status, status_changed_at)`` / ``(status, arrived_at)`` / ``updated_at``, so a pass
  over a million tickets reads only the few that qualify; the other conditions (and business-
  hours clocks, which only shorten a calendar span) are then checked on those few;
* **once per ticket per condition**: each firing writes a ``rule_firings`` row keyed by the
  rule, the ticket and the condition (the digest of the rule's conditions and the moment its
  clock started, e.g. when the ticket became pending) in the same transaction as its actions.
  A ticket that leaves the condition and meets it again later (pending again next week) is a
  new firing; editing a rule's conditions re-arms it;
* **one transaction per ticket**: a repeated pass fires nothing twice, and a killed one leaves
  every ticket either done (with its firing row) or untouched, for the next pass to finish.

Changes made by automations run no triggers (as triggers do not run on their own changes);
they do move SLA clocks. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import RuleFiring, Ticket, utcnow
from desk.core.rules.definitions import digest
from desk.core.rules.engine import LazyCalendar
from desk.core.rules.matching import matches
from desk.core.rules.store import LoadedRule, load_rules
from desk.core.rules.triggers import run_actions

BATCH = 500  # firings per automation per pass: a backlog (a new rule on an old store) is worked off over passes
ANCHORS = {"hours_since_status": Ticket.status_changed_at, "hours_since_created": Ticket.arrived_at,
           "hours_since_update": Ticket.updated_at}


@dataclass(frozen=True)
class Firing:
    rule_id: int
    rule: str
    ticket_id: int
    subject: str


@dataclass(frozen=True)
class PassResult:
    fired: list[Firing]
    more: bool  # some automation had more tickets than one batch: run another pass
    changes: Changes


def _anchor_column(rule: LoadedRule) -> Any:
    clock = next(c["field"] for c in rule.definition["all"] if c["field"] in ANCHORS)
    return ANCHORS[clock]


def _firing_key(rule: LoadedRule) -> Any:
    """SQL for the ticket's firing key: digest@clock start (seconds)."""
    column = _anchor_column(rule)
    return literal(digest({"all": rule.definition["all"], "any": rule.definition["any"]}) + "@") \
        .concat(func.coalesce(cast(column, Text), ""))


def candidates(session: Session, rule: LoadedRule, *, now: datetime, limit: int,
               calendar: Any = None) -> list[tuple[int, str]]:
    """(ticket id, firing key) of the tickets the rule's indexable conditions let through and on
    which it has not fired for this condition."""
    calendar = calendar if calendar is not None else LazyCalendar(session)
    where = []
    for condition in rule.definition["all"]:
        name, op, value = condition["field"], condition["op"], condition.get("value")
        if name in ("status", "channel", "priority"):
            column = getattr(Ticket, name)
            if op == "is":
                where.append(column == value)
            elif op == "is_not":
                where.append(column != value)
            else:
                where.append(column.in_(value) if op == "in" else column.not_in(value))
        elif name == "assignee" and value == "none" and op in ("is", "is_not"):
            where.append(Ticket.assignee_id.is_(None) if op == "is" else Ticket.assignee_id.is_not(None))
        elif name in ANCHORS:
            # The exact edge, in open hours too (the latest start that is long enough ago), so
            # the index hands over only tickets that qualify, not every one "not yet" each pass.
            hours = timedelta(hours=float(value))
            edge = calendar.latest_start(now, hours) if condition.get("business") else now - hours
            column = ANCHORS[name]
            if edge is None:
                where.append(literal(op != "ge"))  # never that much open time: ge never holds
            else:
                where.append(column <= edge if op == "ge" else column > edge)
    key = _firing_key(rule)
    fired = exists().where(and_(RuleFiring.rule_id == rule.id, RuleFiring.ticket_id == Ticket.id,
                                RuleFiring.condition == key))
    # In the order of the clock's index (status, then when the clock started): ordering by id
    # would let SQLite walk the whole table in rowid order instead.
    query = select(Ticket.id, key).where(*where, ~fired).order_by(_anchor_column(rule)).limit(limit)
    return [(int(row[0]), str(row[1])) for row in session.execute(query)]


def _fire(session: Session, rule: LoadedRule, ticket_id: int, *, now: datetime, calendar: LazyCalendar,
          dry_run: bool) -> Firing | None:
    """Check and fire on one ticket, in its own transaction (dry run: check only)."""
    def check() -> tuple[Ticket, str] | None:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not matches(rule.definition, ticket, event=None, now=now, calendar=calendar):  # type: ignore[arg-type]
            return None
        anchor = getattr(ticket, _anchor_column(rule).key)
        key = digest({"all": rule.definition["all"], "any": rule.definition["any"]}) + "@" + (
            str(int(anchor.timestamp())) if anchor is not None else "")
        if session.get(RuleFiring, (rule.id, ticket_id, key)) is not None:
            return None  # another process fired it a moment ago
        return ticket, key

    found = check()  # read first: a ticket that does not qualify costs no write transaction
    if dry_run or found is None:
        return Firing(rule.id, rule.name, ticket_id, found[0].subject) if found else None
    with unit_of_work(session):
        found = check()
        if found is None:
            return None
        ticket, key = found
        session.add(RuleFiring(rule_id=rule.id, ticket_id=ticket_id, condition=key, fired_at=now))
        run_actions(session, ticket, rule, now=now, kind="automation")
        return Firing(rule.id, rule.name, ticket_id, ticket.subject)


def run_pass(session: Session, *, now: datetime | None = None, dry_run: bool = False,
             batch: int = BATCH) -> PassResult:
    """One pass of every active automation (``dry_run``: say what would fire, change nothing)."""
    now = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    calendar = LazyCalendar(session)
    fired: list[Firing] = []
    more = False
    for rule in load_rules(session, kind="automation", active_only=True):
        found = candidates(session, rule, now=now, limit=batch, calendar=calendar)
        more |= len(found) == batch
        for ticket_id, _key in found:
            firing = _fire(session, rule, ticket_id, now=now, calendar=calendar, dry_run=dry_run)
            if firing is not None:
                fired.append(firing)
    if session.in_transaction():
        session.commit()  # end the read snapshot
    ids = frozenset(firing.ticket_id for firing in fired)
    changes = Changes(ticket_ids=ids, tickets=True, comments=True) if ids and not dry_run else Changes()
    return PassResult(fired=fired, more=more and not dry_run, changes=changes)


def run_until_done(session: Session, *, now: datetime | None = None, dry_run: bool = False,
                   max_passes: int = 1000) -> list[Firing]:
    """Passes until nothing more is due (the CLI; a dry run is one pass, it changes nothing)."""
    fired: list[Firing] = []
    for _ in range(max_passes):
        result = run_pass(session, now=now, dry_run=dry_run)
        fired += result.fired
        if not result.more or not result.fired:
            break
    return fired
