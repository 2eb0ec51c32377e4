"""Counter display figures (DESIGN.md budget: the display follows a change in the same store ≤ 1 s).

* ``board_read``: the display's read (the board with positions, names and wait ranges, plus the
  Done's for the exit survey) on the big store, p50/p95 over repeated reads; it runs once per
  change, so it is most of the time a change takes to show after the data_version poll sees it.
* ``change_to_display``: in one process on a writable copy of the 100k store, a walk-in claimed
  through another connection (as another Desk would), until the display has shown the new "now
  serving" line: the poll's wait (every second) plus the read. Budget p95 ≤ 1 s.

Run alone: ``python -m tests.perf.run --only counter``.
"""

from __future__ import annotations

import time

ROUNDS = 8
READS = 30


def run(ctx) -> dict[str, object]:  # noqa: ANN001 - tests.perf.run.BenchContext
    import os

    from tests.perf.run import summary_ms, timed

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desk.core.db import open_store
    from desk.core.queries.counter import counter_board, done_since, last_audit_id

    with open_store(ctx.demo_store(ctx.scale), migrate=False) as store, store.session() as session:
        mark = max(0, last_audit_id(session) - 200)
        reads = timed(lambda: (counter_board(session), done_since(session, audit_id=mark)), READS)
    return {
        "board_read": {"tickets": ctx.scale, **summary_ms(reads)},
        "change_to_display": _change_to_display(ctx.copy_of(100_000), min(100_000, ctx.scale)),
    }


def _change_to_display(path, size: int) -> dict[str, object]:  # noqa: ANN001 - Path
    from PySide6.QtWidgets import QApplication

    from desk.core.db import open_store
    from desk.core.ops import people, tickets
    from desk.ui.counter.display import CounterDisplay
    from desk.ui.tasks import Tasks
    from tests.perf.run import summary_ms

    app = QApplication.instance() or QApplication([])
    samples = []
    with open_store(path) as store, open_store(path) as other, other.session() as session:
        tasks = Tasks(store)
        display = CounterDisplay(tasks)
        display.resize(1280, 800)
        display.show()
        shown: list[float] = []
        display.called.connect(lambda _ticket_id: shown.append(time.perf_counter()))
        agent = people.add_agent(session, name="Bench Agent", email="bench-counter@desk.test").created_id
        for index in range(ROUNDS):
            requester = people.ensure_requester(session, email=f"bench{index}@uni.test", name=f"Bench {index}").created_id
            ticket_id = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="bench").created_id
            _settle(app, tasks)
            shown.clear()
            started = time.perf_counter()
            tickets.claim(session, ticket_id=ticket_id, agent_id=agent)
            deadline = started + 10
            while not shown and time.perf_counter() < deadline:
                app.processEvents()
                time.sleep(0.002)
            samples.append((shown[0] if shown else deadline) - started)
            tickets.solve(session, ticket_id=ticket_id, actor_id=agent)
        display.close()
        tasks.shutdown()
    return {"tickets": size, "rounds": ROUNDS, **summary_ms(samples), "budget_p95_ms": 1000}


def _settle(app, tasks) -> None:  # noqa: ANN001
    """Let the display take in the previous change (one poll, one read) before the next."""
    end = time.perf_counter() + 1.5
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)
    while tasks.pending:
        app.processEvents()
