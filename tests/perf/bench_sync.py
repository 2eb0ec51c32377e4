"""Sync benchmark against a real RT 5 on loopback.

* initial pull of 10,000 tickets (with their first messages) into an empty store, as a ratio to
  fetching the same pages with plain HTTP (httpx, no parsing beyond JSON) in the same run;
* the number of requests a sync with nothing to do makes;
* propagation (issue 14): two stores on one fresh RT, each following the window's default
  schedule (``desk.core.sync.probe``: a probe every 5 s, a sync when it says so, a full sync
  every 30 s, 2 s after a local change); PC A claims a walk-in (confirmed with RT first, as the
  window does) at a random moment, and the time until PC B's store has the claim is measured.
  The window repaints from that run's Changes (the counter budget is 1 s on top).

The RT database with the tickets is built once (RT's Perl API, scrips removed) and cached.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from desk.core.db import open_store
from desk.core.sync import config, engine
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.rt import NEWEST, PAGE, TICKET_FIELDS, RTRemote
from tests.sync import rt_server

QUEUE = "Bench"


def _database(ctx: Any, tickets: int) -> tuple[Path, str]:
    cached = Path(ctx.cache) / f"rt-{tickets}"
    if not (cached / "token").exists():
        shutil.rmtree(cached, ignore_errors=True)
        partial = cached.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        print(f"bench: building an RT database with {tickets:,} tickets (once)…", flush=True)
        rt_server.init_database(partial)
        rt_server.fill(partial, tickets, QUEUE)
        partial.rename(cached)
    return cached, (cached / "token").read_text().strip()


def _plain_pages(server: rt_server.RTServer) -> tuple[float, int]:
    """The same collection pages the adapter reads, fetched with bare httpx."""
    start = time.perf_counter()
    requests = 0
    with httpx.Client(base_url=server.url + "/REST/2.0", timeout=120,
                      headers={"Authorization": f"token {server.token}"}) as client:
        def pages(method: str, path: str, params: dict[str, Any], body: Any = None) -> list[dict[str, Any]]:
            nonlocal requests
            items: list[dict[str, Any]] = []
            page = 1
            while True:
                query = {"per_page": PAGE, **params, "page": page}
                response = (client.get(path, params=query) if body is None
                            else client.post(path, params=query, json=body))
                requests += 1
                data = response.json()
                items.extend(data["items"])
                if not data.get("next_page") or not data["items"]:
                    return items
                page += 1

        client.get("/transactions", params={"query": NEWEST, "orderby": "id",
                                            "order": "DESC", "per_page": 1})
        requests += 1
        pages("GET", "/tickets", {"query": f"Queue = '{QUEUE}'", "fields": TICKET_FIELDS,
                                  "fields[Owner]": "EmailAddress,RealName", "fields[Requestor]": "EmailAddress,RealName",
                                  "orderby": "LastUpdated", "order": "ASC"})
        txns = pages("GET", "/transactions", {
            "query": "ObjectType = 'RT::Ticket' AND id > 0 AND (Type = 'Create' OR Type = 'Correspond' "
                     "OR Type = 'Comment')", "fields": "ObjectId,Type,Created,Creator",
            "fields[Creator]": "EmailAddress", "orderby": "id", "order": "ASC"})
        for low in range(0, len(txns), PAGE):
            chunk = [int(t["id"]) for t in txns[low:low + PAGE]]
            pages("POST", "/attachments", {"fields": "TransactionId,ContentType,Content", "orderby": "id"},
                  [{"field": "TransactionId", "operator": ">=", "value": min(chunk)},
                   {"field": "TransactionId", "operator": "<=", "value": max(chunk), "entry_aggregator": "AND"},
                   {"field": "ContentType", "operator": "=", "value": "text/plain"}])
    return time.perf_counter() - start, requests


def _pc(store: Any, server: rt_server.RTServer, queue: str) -> Any:
    """A PC's sync loop as the window runs it by default, on a thread, until ``stop`` is set."""
    import threading

    from desk.core.sync import probe

    def adapter(_row: Any = None) -> RTRemote:
        return RTRemote(url=server.url, username="root", auth="token", secret=Secret(token=server.token),
                        config={"queue": queue})

    class Loop:
        def __init__(self) -> None:
            self.stop = threading.Event()
            self.synced = threading.Event()
            self.runs = 0
            self.probe_requests = 0
            self.thread = threading.Thread(target=self.loop, daemon=True)

        def sync(self) -> None:
            with store.session() as session:
                remote = adapter()
                try:
                    engine.sync(session, "rt", remote=remote)
                finally:
                    remote.close()
            self.runs += 1
            self.synced.set()

        def loop(self) -> None:
            last_full = time.monotonic()
            self.sync()  # on start
            while not self.stop.wait(probe.PROBE_S):
                self.probe_requests += 1
                if probe.has_news(store, build=adapter) or time.monotonic() - last_full >= probe.DEFAULT_INTERVAL_S:
                    self.sync()
                    last_full = time.monotonic()

    return Loop()


def propagation(work: Path, samples: int = 15) -> dict[str, Any]:
    import random

    from desk.core.models import Ticket
    from desk.core.ops import people
    from desk.core.ops import tickets as ticket_ops
    from desk.core.sync import probe
    from desk.core.sync.confirm import confirm_claim

    (work / "live").mkdir()
    server = rt_server.start(work / "live")
    queue = "Front desk"
    try:
        with server.client() as client:
            client.post("/queue", json={"Name": queue})
            client.post("/user", json={"Name": "bo", "EmailAddress": "bo@desk.test", "Privileged": 1})
        stores = [open_store(work / f"pc-{name}.sqlite3") for name in "ab"]
        try:
            agents = []
            for store in stores:
                with store.session() as session:
                    config.add_remote(session, name="rt", kind="rt", url=server.url, username="root",
                                      config={"queue": queue})
                    agents.append(people.add_agent(session, name="Bo", email="bo@desk.test").created_id)
            with stores[0].session() as session:
                who = people.ensure_requester(session, email="kim@uni.test", name="Kim").created_id
                ids = [ticket_ops.log_ticket(session, actor_id=agents[0], requester_id=who,
                                             subject=f"Walk-in {n}", channel="walk-in").created_id
                       for n in range(samples)]
            pc_a, pc_b = _pc(stores[0], server, queue), _pc(stores[1], server, queue)
            pc_a.sync()
            pc_b.thread.start()
            pc_b.synced.wait(120)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with stores[1].session() as session:
                    if session.query(Ticket).count() == samples:
                        break
                time.sleep(0.2)
            latencies: list[float] = []
            build = lambda _row: RTRemote(url=server.url, username="root", auth="token",  # noqa: E731
                                          secret=Secret(token=server.token), config={"queue": queue})
            for tid in ids:
                time.sleep(random.uniform(0, probe.PROBE_S))  # a random moment in B's schedule
                with stores[0].session() as session:
                    subject = session.get(Ticket, tid).subject
                    confirm_claim(session, ticket_id=tid, agent_id=agents[0], build=build)
                    ticket_ops.claim(session, ticket_id=tid, agent_id=agents[0])
                start = time.monotonic()
                threading_a = _after_change(pc_a)
                while True:
                    with stores[1].session() as session:
                        row = session.query(Ticket).filter(Ticket.subject == subject).one()
                        if row.assignee_id is not None:
                            break
                    if time.monotonic() - start > 120:
                        break
                    pc_b.synced.wait(0.5)
                    pc_b.synced.clear()
                latencies.append(time.monotonic() - start)
                threading_a.join()
            pc_b.stop.set()
            pc_b.thread.join(60)
            with stores[1].session() as session:
                remote = build(None)
                noop = engine.sync(session, "rt", remote=remote)
                remote.close()
                remote = build(None)
                noop = engine.sync(session, "rt", remote=remote)
                remote.close()
        finally:
            for store in stores:
                store.close()
    finally:
        server.stop()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
    return {"rt_claim_a_to_b_seconds_p50": round(latencies[len(latencies) // 2], 2),
            "rt_claim_a_to_b_seconds_p95": round(p95, 2),
            "rt_claim_a_to_b_seconds_max": round(latencies[-1], 2),
            "rt_claim_a_to_b_samples": len(latencies),
            "rt_two_pc_noop_sync_requests": noop.requests,
            "rt_probe_requests": 1}


def _after_change(pc: Any) -> Any:
    """PC A's own sync, CHANGE_DELAY_S after the claim (as the window does)."""
    import threading

    from desk.core.sync import probe

    def later() -> None:
        time.sleep(probe.CHANGE_DELAY_S)
        pc.sync()

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread


def run(ctx: Any) -> dict[str, Any]:
    if not rt_server.available():
        return {"skipped": "Request Tracker 5 is not installed (request-tracker5, rt5-db-sqlite)"}
    if getattr(ctx, "only_propagation", False):
        work = Path(tempfile.mkdtemp(prefix="desk-bench-live-"))
        try:
            return propagation(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    tickets = min(10_000, getattr(ctx, "scale", 10_000))
    cached, token = _database(ctx, tickets)
    work = Path(tempfile.mkdtemp(prefix="desk-bench-sync-"))
    try:
        shutil.copy(cached / "rt.db", work / "rt.db")
        server = rt_server.launch(work, token)
        try:
            plain_seconds, plain_requests = _plain_pages(server)
            with open_store(work / "desk.sqlite3") as store, store.session() as session:
                config.add_remote(session, name="rt", kind="rt", url=server.url, username="root",
                                  config={"queue": QUEUE})

                def remote() -> RTRemote:
                    return RTRemote(url=server.url, username="root", auth="token", secret=Secret(token=token),
                                    config={"queue": QUEUE})

                adapter = remote()
                start = time.perf_counter()
                first = engine.sync(session, "rt", remote=adapter)
                pull_seconds = time.perf_counter() - start
                adapter.close()
                adapter = remote()
                noop = engine.sync(session, "rt", remote=adapter)
                adapter.close()
        finally:
            server.stop()
        live = propagation(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        **live,
        "rt_initial_pull_tickets": first.created_local,
        "rt_initial_pull_seconds": round(pull_seconds, 2),
        "rt_plain_http_same_pages_seconds": round(plain_seconds, 2),
        "rt_initial_pull_ratio_to_plain_http": round(pull_seconds / plain_seconds, 2),
        "rt_initial_pull_requests": first.requests,
        "rt_plain_http_requests": plain_requests,
        "rt_noop_sync_requests": noop.requests,
    }
