"""Rules figures on the big store (docs/rules.md; budgets from DESIGN.md):

* ``triggers_added_p95_ms``: logging a walk-in and updating a ticket with 50 active triggers
  (a realistic mix: text contains, changed to, tags, channel, business hours), minus the same
  with none. Budget ≤ 2 ms p95 added.
* ``automation_pass``: one pass of the default automations once the backlog a new rule finds on
  an old store is worked off (what every minute costs), and the first pass's firing rate.
  Budget ≤ 1 s for a pass.
* ``due_sort``: the open queue sorted by the SLA "Due" column (a page of 100), with the default
  SLA policy on every open ticket. Budget p95 ≤ 30 ms (the queue budget of the issue).

Run alone: ``python -m tests.perf.run --only rules``.
"""

from __future__ import annotations

import time
from contextlib import closing

from sqlalchemy import func, select

from desk.core.db import open_store
from desk.core.models import Person, Ticket, utcnow
from desk.core.ops import tickets
from desk.core.queries import queue
from desk.core.rules import automations
from desk.core.rules import ops as rules
from desk.core.rules.engine import refresh_all_due
from tests.perf.run import BenchContext, summary_ms, timed

REPEATS = 60
WORDS = ("projector", "eduroam", "zoom", "printer", "password", "laptop", "exam", "lecture", "vpn", "badge")


def _fifty_triggers() -> list[dict]:
    made = []
    for index in range(50):
        word = WORDS[index % len(WORDS)]
        kind = index % 5
        if kind == 0:
            conditions = [{"field": "update", "op": "is", "value": "create"},
                          {"field": "text", "op": "contains", "value": f"{word}-{index}"}]
        elif kind == 1:
            conditions = [{"field": "status", "op": "changed_to", "value": "pending"},
                          {"field": "tags", "op": "includes", "value": [f"t{index}"]}]
        elif kind == 2:
            conditions = [{"field": "channel", "op": "is", "value": "email"},
                          {"field": "priority", "op": "is", "value": "urgent"},
                          {"field": "text", "op": "contains", "value": f"never-{index}"}]
        elif kind == 3:
            conditions = [{"field": "business_hours", "op": "is", "value": False},
                          {"field": "requester_kind", "op": "is", "value": "guest"},
                          {"field": "category", "op": "is", "value": f"nothing {index}"}]
        else:
            conditions = [{"field": "priority", "op": "changed_from", "value": "low"},
                          {"field": "text", "op": "contains", "value": word}]
        made.append({"all": conditions, "actions": [{"action": "tags_add", "value": [f"rule{index}"]}]})
    return made


def _log_and_update(session, requester_id: int) -> list[float]:  # noqa: ANN001
    samples = []
    for index in range(REPEATS):
        start = time.perf_counter()
        made = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=f"Bench {index} desk",
                                  channel="walk-in").created_id
        samples.append(time.perf_counter() - start)
        version = session.get(Ticket, made).version
        start = time.perf_counter()
        tickets.update_ticket(session, ticket_id=made, actor_id=None, expected_version=version,
                              fields={"status": "open", "priority": "high"})
        samples.append(time.perf_counter() - start)
    return samples


def run(ctx: BenchContext) -> dict[str, object]:
    path = ctx.copy_of(ctx.scale)
    results: dict[str, object] = {"tickets": ctx.scale}
    with open_store(path) as store, store.session() as session:
        requester_id = session.scalar(select(Person.id).where(Person.is_agent.is_(False)).limit(1))
        _log_and_update(session, requester_id)  # warm the caches
        without = _log_and_update(session, requester_id)
        for index, definition in enumerate(_fifty_triggers()):
            rules.add_rule(session, actor_id=None, kind="trigger", name=f"Bench {index}", definition=definition)
        _log_and_update(session, requester_id)
        with_rules = _log_and_update(session, requester_id)
        base, loaded = summary_ms(without), summary_ms(with_rules)
        results["triggers"] = {"none": base, "fifty": loaded,
                               "added_p95_ms": round(loaded["p95_ms"] - base["p95_ms"], 3), "budget_added_p95_ms": 2}

        rules.install_defaults(session)  # three automations and the Standard SLA policy
        _log_and_update(session, requester_id)
        with_sla = summary_ms(_log_and_update(session, requester_id))
        results["triggers"]["fifty_and_standard_sla"] = with_sla
        results["triggers"]["added_p50_ms"] = round(loaded["p50_ms"] - base["p50_ms"], 3)
        results["triggers"]["sla_added_p50_ms"] = round(with_sla["p50_ms"] - loaded["p50_ms"], 3)
        started = time.perf_counter()
        fired = automations.run_until_done(session)
        backlog_seconds = time.perf_counter() - started
        session.commit()
        passes = timed(lambda: automations.run_pass(session), 5)
        dry = timed(lambda: automations.run_pass(session, dry_run=True), 5)
        results["automation_pass"] = {
            "steady_pass": summary_ms(passes), "dry_run": summary_ms(dry), "budget_ms": 1000,
            "backlog_fired": len(fired), "backlog_seconds": round(backlog_seconds, 2),
            "firings_per_second": round(len(fired) / backlog_seconds, 1) if backlog_seconds else None,
        }

        from desk.core.db import unit_of_work

        started = time.perf_counter()
        with unit_of_work(session):
            refresh_all_due(session, now=utcnow())
        refresh_seconds = time.perf_counter() - started
        refreshed = session.scalar(select(func.count(Ticket.id)).where(Ticket.sla_due_at.is_not(None)))
        with closing(store.raw_connection()) as conn:
            flt = queue.QueueFilter(view="all-open")
            sorted_by_due = timed(lambda: queue.page(conn, flt, sort="due", limit=100), 40)
            by_arrival = timed(lambda: queue.page(conn, flt, sort="waiting", limit=100), 40)
        results["due_sort"] = {"open_tickets_with_due": refreshed, "refresh_all_seconds": round(refresh_seconds, 2),
                               "page": summary_ms(sorted_by_due), "by_arrival_for_comparison": summary_ms(by_arrival),
                               "budget_p95_ms": 30}
    path.unlink(missing_ok=True)
    return results
