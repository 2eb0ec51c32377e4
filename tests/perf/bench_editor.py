"""Ticket editor figures.

* ``open``: in a fresh process on the 1M-ticket store, the time from creating a
  ``TicketEditor`` for a random ticket until it shows the ticket (view read on the DB worker,
  conversation, fields and history filled). p50/p95.
* ``ticket_view``: the same read alone (``desk.core.queries.editor.ticket_view``), no Qt.
* ``writes``: on a writable copy of the 100k store: ``send_reply`` with a field change (the
  editor's Send: comment, FTS trigger, audit, version check, draft removal), ``save_draft``
  (what typing triggers), ``apply_canned`` (render + actions + usage count). p50/p95.

* ``large``: in a fresh process on a small store, opening a ticket with one 300,000-character
  unbroken reply and one with a 10 MB conversation: the longest gap between a 16 ms timer's
  callbacks while each opens and is painted (budget: no frame over 100 ms), and the time to shown.

Run alone: ``python -m tests.perf.run --only editor``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

OPENS = 30
WRITES = 60


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 2)}


def run(ctx) -> dict[str, object]:  # noqa: ANN001 - tests.perf.run.BenchContext
    big = ctx.demo_store(ctx.scale)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = subprocess.run([sys.executable, "-m", "tests.perf.bench_editor", "open", str(big)],
                         check=True, capture_output=True, text=True, env=env).stdout
    opened = json.loads(out.strip().splitlines()[-1])
    writes = _writes(ctx.copy_of(100_000))
    out = subprocess.run([sys.executable, "-m", "tests.perf.bench_editor", "large"],
                         check=True, capture_output=True, text=True, env=env).stdout
    large = json.loads(out.strip().splitlines()[-1])
    return {"tickets": ctx.scale, **opened, "writes_100k": writes, "large": large}


def _large() -> None:
    """The longest frame while opening very large conversations (see the module docstring)."""
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desk.core.db import open_store
    from desk.core.ops import comments, people, tickets
    from desk.ui.editor.editor import TicketEditor
    from desk.ui.tasks import Tasks

    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="desk-bench-large-"))
    store = open_store(folder / "large.sqlite3")
    with store.session() as session:
        agent = people.add_agent(session, name="Ana", email="ana@desk.test").created_id
        requester = people.ensure_requester(session, email="wei@uni.test", name="Wei").created_id
        unbroken = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="Log").created_id
        comments.add_comment(session, ticket_id=unbroken, author_id=agent, body="x" * 300_000, public=True)
        huge = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="Loop",
                                  description="loop " * 200_000).created_id
        for number in range(9):
            comments.add_comment(session, ticket_id=huge, author_id=agent, public=True,
                                 body=f"Bounce {number}: " + "bounced mail header " * 55_000)
        small = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="Small").created_id
        comments.add_comment(session, ticket_id=small, author_id=agent, body="Fixed the lamp.", public=True)
        session.commit()
    tasks = Tasks(store, watch_interval_ms=0)
    result: dict[str, object] = {}
    # A small ticket first and last: the floor (creating and first painting an editor) in the same run.
    for name, ticket_id in (("small_ticket", small), ("unbroken_300k", unbroken), ("conversation_10mb", huge),
                            ("small_ticket_again", small)):
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick(gaps: list[float] = gaps, last: list[float] = last) -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(16)
        timer.timeout.connect(tick)
        start = time.perf_counter()
        timer.start()
        editor = TicketEditor(tasks, ticket_id, lambda: agent)
        editor.resize(1280, 800)
        editor.show()
        while editor.view is None:
            app.processEvents()
        shown = time.perf_counter() - start
        end = time.perf_counter() + 0.3  # the paints after it is shown count too
        while time.perf_counter() < end:
            app.processEvents()
        timer.stop()
        result[name] = {"shown_ms": round(shown * 1000, 1), "longest_frame_ms": round(max(gaps) * 1000, 1),
                        "frames": len(gaps), "budget_ms": 100}
        editor.close()
        editor.deleteLater()
        while tasks.pending:
            app.processEvents()
    tasks.shutdown()
    store.close()
    print(json.dumps(result))


def _writes(path: Path) -> dict[str, object]:
    from sqlalchemy import func, select

    from desk.core import canned_io
    from desk.core.db import open_store
    from desk.core.models import Person, Ticket
    from desk.core.ops import canned, drafts, replies
    from desk.core.queries.canned import list_canned

    rng = random.Random(2)
    with open_store(path) as store, store.session() as session:
        agent = session.scalar(select(Person.id).where(Person.is_agent.is_(True)).limit(1))
        top = session.scalar(select(func.max(Ticket.id)))
        canned_io.install_defaults(session)
        canned_ids = [row.id for row in list_canned(session, agent_id=agent)]
        send, draft, apply = [], [], []
        for _ in range(WRITES):
            ticket_id = rng.randint(1, top)
            version = canned.ticket_version(session, ticket_id)
            start = time.perf_counter()
            drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent, body="Checking the projector now.")
            draft.append(time.perf_counter() - start)
            start = time.perf_counter()
            replies.send_reply(session, ticket_id=ticket_id, author_id=agent, body="Fixed: the lamp was loose.",
                               public=True, expected_version=version, fields={"priority": "high"})
            send.append(time.perf_counter() - start)
            version = canned.ticket_version(session, ticket_id)
            start = time.perf_counter()
            canned.apply_canned(session, canned_id=rng.choice(canned_ids), ticket_id=ticket_id,
                                agent_id=agent, expected_version=version)
            apply.append(time.perf_counter() - start)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {"save_draft": _ms(draft), "send_reply": _ms(send), "apply_canned": _ms(apply)}


def _open(path: str) -> None:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from desk.core.db import open_store
    from desk.core.models import Person, Ticket
    from desk.core.queries.editor import ticket_view
    from desk.ui.editor.editor import TicketEditor
    from desk.ui.tasks import Tasks

    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = open_store(path, migrate=False)
    with store.session() as session:
        top = session.scalar(select(func.max(Ticket.id)))
        agent = session.scalar(select(Person.id).where(Person.is_agent.is_(True)).limit(1))
        rng = random.Random(1)
        reads = []
        for _ in range(OPENS):
            start = time.perf_counter()
            ticket_view(session, ticket_id=rng.randint(1, top), agent_id=agent)
            reads.append(time.perf_counter() - start)
            session.rollback()
    tasks = Tasks(store, watch_interval_ms=0)
    opens = []
    for _ in range(OPENS):
        ticket_id = rng.randint(1, top)
        start = time.perf_counter()
        editor = TicketEditor(tasks, ticket_id, lambda: agent)
        editor.resize(1280, 800)
        editor.show()
        while editor.view is None:
            app.processEvents()
        app.processEvents()  # the paint
        opens.append(time.perf_counter() - start)
        editor.close()
        editor.deleteLater()
        while tasks.pending:
            app.processEvents()
    tasks.shutdown()
    store.close()
    print(json.dumps({"open": _ms(opens), "ticket_view": _ms(reads)}))


if __name__ == "__main__":
    if sys.argv[1] == "open":
        _open(sys.argv[2])
    elif sys.argv[1] == "large":
        _large()
