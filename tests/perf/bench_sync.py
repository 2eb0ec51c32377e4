"""Sync benchmark against a real RT 5 on loopback.

* initial pull of 10,000 tickets (with their first messages) into an empty store, as a ratio to
  fetching the same pages with plain HTTP (httpx, no parsing beyond JSON) in the same run;
* the number of requests a sync with nothing to do makes.

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
from desk.core.sync.remotes.rt import PAGE, TICKET_FIELDS, RTRemote
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

        client.get("/transactions", params={"query": "ObjectType = 'RT::Ticket'", "orderby": "id",
                                            "order": "DESC", "per_page": 1})
        requests += 1
        pages("GET", "/tickets", {"query": f"Queue = '{QUEUE}'", "fields": TICKET_FIELDS,
                                  "fields[Owner]": "EmailAddress", "fields[Requestor]": "EmailAddress",
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


def run(ctx: Any) -> dict[str, Any]:
    if not rt_server.available():
        return {"skipped": "Request Tracker 5 is not installed (request-tracker5, rt5-db-sqlite)"}
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
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "rt_initial_pull_tickets": first.created_local,
        "rt_initial_pull_seconds": round(pull_seconds, 2),
        "rt_plain_http_same_pages_seconds": round(plain_seconds, 2),
        "rt_initial_pull_ratio_to_plain_http": round(pull_seconds / plain_seconds, 2),
        "rt_initial_pull_requests": first.requests,
        "rt_plain_http_requests": plain_requests,
        "rt_noop_sync_requests": noop.requests,
    }
