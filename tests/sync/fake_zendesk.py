"""A small threaded fake of the Zendesk Support API v2, following the OpenAPI description
(../shared/specs/zendesk-support-openapi.yaml) and REMOTE-APIS.md part A for what Desk uses:

* basic ``{email}/token:{token}`` and ``Bearer`` auth (401 ``{"error":"Couldn't authenticate you"}``),
  ``POST /oauth/tokens`` refresh;
* ``POST /api/v2/tickets`` (201 + Location, ``Idempotency-Key`` with ``x-idempotency-lookup``
  miss/hit and 400 ``IdempotentRequestError`` for a different body), ``GET/PUT /tickets/{id}``
  (partial update, ``tags`` replace, ``comment`` with ``public``, ``safe_update`` +
  ``updated_stamp`` -> 409, closed -> 422), ``GET /tickets?external_id=``;
* ``GET /tickets/{id}/comments`` with cursor pagination;
* ``GET /incremental/tickets/cursor.json`` (opaque cursor, ``end_of_stream``, the newest
  minute excluded) on a virtual clock the tests move (``advance``);
* the updated CSAT's ``GET /guide/survey_responses`` (``survey_response``; empty on a legacy
  account), users show/search (``rename_user``), the incremental user export, ``include=users`` sideloads on the export and
  ``show_many``, ``/macros/active``, ``GET/POST /ticket_fields`` (custom ``custom_fields``
  merged by id on update); 422 for an assignee who is not an agent, or none on a solved ticket;
* injected faults: ``fail_next(kind)`` with kind 429 (text/plain + Retry-After), 500, "drop"
  (connection closed before handling) or "lost" (handled, then the connection is dropped), and
  "echo401" / "echo422" / "echo-html": an error page that repeats the request's credentials;
* ``state.export_mode``: "repeat" (the export answers "more to come" with the same cursor forever)
  or "endless" (a new cursor each time, never the end); a cursor it cannot read is a 422.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

EPOCH0 = 1_800_000_000  # virtual clock start (2027-01-15)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeState:
    email: str = "agent@example.com"
    token: str = "zd-secret-token"
    oauth_token: str = "oauth-access-1"
    refresh_token: str = "oauth-refresh-1"
    now: int = EPOCH0
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    generated: dict[int, int] = field(default_factory=dict)  # ticket id -> generated_timestamp
    idempotency: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    macros: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    method_faults: list[tuple[str, str]] = field(default_factory=list)  # (HTTP method, kind)
    next_id: int = 1
    requests: list[str] = field(default_factory=list)
    page_size: int = 1000
    export_mode: str | None = None  # "repeat" or "endless": a server whose export never ends
    ticket_fields: list[dict[str, Any]] = field(default_factory=list)
    survey_responses: list[dict[str, Any]] = field(default_factory=list)  # the updated CSAT's answers
    user_changed: dict[int, int] = field(default_factory=dict)  # user id -> when last changed (user export)


class FakeZendesk:
    def __init__(self) -> None:
        self.state = FakeState()
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        # A short poll so that stop() (shutdown waits for the loop to look) takes milliseconds.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()
        self.agent_id = self.user("agent@example.com", "Agent Smith", role="agent")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- helpers for tests ------------------------------------------------------------
    def _id(self) -> int:
        with self.lock:
            value = self.state.next_id
            self.state.next_id += 1
            return value

    def advance(self, seconds: int = 61) -> None:
        with self.lock:
            self.state.now += seconds

    def fail_next(self, *kinds: str) -> None:
        with self.lock:
            self.state.faults.extend(kinds)

    def fail_next_on(self, method: str, kind: str) -> None:
        """Fail the next request made with ``method`` (e.g. the reply's PUT)."""
        with self.lock:
            self.state.method_faults.append((method, kind))

    def user(self, email: str, name: str, role: str = "end-user") -> int:
        with self.lock:
            for uid, user in self.state.users.items():
                if user["email"] == email.lower():
                    return uid
            uid = self._id()
            self.state.users[uid] = {"id": uid, "email": email.lower(), "name": name, "role": role}
            self.state.user_changed[uid] = self.state.now
            return uid

    def rename_user(self, uid: int, name: str) -> None:
        """A person's name changed on Zendesk (their tickets are not touched, as on Zendesk)."""
        with self.lock:
            self.state.users[uid]["name"] = name
            self.state.now += 1
            self.state.user_changed[uid] = self.state.now

    def sideload(self, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``include=users``: the requesters, submitters and assignees of ``tickets``."""
        with self.lock:
            ids = {t.get(key) for t in tickets for key in ("requester_id", "submitter_id", "assignee_id")}
            return [dict(self.state.users[uid]) for uid in sorted(i for i in ids if isinstance(i, int))
                    if uid in self.state.users]

    def _touch(self, ticket: dict[str, Any]) -> None:
        # Each change gets its own second, so updated_at is a precise version stamp.
        self.state.now += 1
        ticket["updated_at"] = _iso(self.state.now)
        self.state.generated[ticket["id"]] = self.state.now

    def add_comment(self, ticket_id: int, body: str, public: bool = True, author_id: int | None = None) -> int:
        with self.lock:
            cid = self._id()
            self.state.comments[ticket_id].append({
                "id": cid, "type": "Comment", "body": body, "plain_body": body, "public": public,
                "author_id": author_id or self.agent_id, "created_at": _iso(self.state.now)})
            self._touch(self.state.tickets[ticket_id])
            return cid

    def create_ticket(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            tid = self._id()
            requester = body.get("requester")
            requester_id = body.get("requester_id")
            if isinstance(requester, dict) and requester.get("email"):
                requester_id = self.user(requester["email"], requester.get("name") or requester["email"])
            comment = body.get("comment") or {}
            ticket = {
                "id": tid, "url": f"{self.url}/api/v2/tickets/{tid}.json", "subject": body.get("subject", ""),
                "raw_subject": body.get("subject", ""), "description": comment.get("body", ""),
                "status": body.get("status") or "new", "priority": body.get("priority"),
                "requester_id": requester_id or self.agent_id, "submitter_id": self.agent_id,
                "assignee_id": body.get("assignee_id"), "tags": list(body.get("tags") or []),
                "custom_fields": list(body.get("custom_fields") or []), "external_id": body.get("external_id"),
                "via": {"channel": "api"}, "created_at": _iso(self.state.now + 1),
            }
            self.state.tickets[tid] = ticket
            self.state.comments[tid] = []
            self._touch(ticket)
            self.state.comments[tid].append({
                "id": self._id(), "type": "Comment", "body": comment.get("body", ""),
                "plain_body": comment.get("body", ""), "public": comment.get("public", True),
                "author_id": self.agent_id, "created_at": ticket["created_at"]})
            return ticket

    def update_ticket(self, tid: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            ticket = self.state.tickets.get(tid)
            if ticket is None or ticket["status"] == "deleted":
                return 404, {"error": "RecordNotFound", "description": "Not found"}
            if body.get("safe_update") and body.get("updated_stamp") != ticket["updated_at"]:
                return 409, {"error": "UpdateConflict",
                             "description": "Safe Update prevented the update due to outdated ticket data."}
            if ticket["status"] == "closed":
                return 422, {"error": "RecordInvalid", "description": "Record validation errors",
                             "details": {"status": [{"description": "closed prevents ticket update"}]}}
            events = []
            if isinstance(body.get("custom_fields"), list):
                # Zendesk sets the fields named and keeps the others (unlike tags, which replace).
                merged = {int(item["id"]): item.get("value") for item in ticket.get("custom_fields") or []}
                merged.update({int(item["id"]): item.get("value") for item in body["custom_fields"]})
                body = {**body, "custom_fields": [{"id": k, "value": v} for k, v in sorted(merged.items())]}
            for key in ("subject", "status", "priority", "assignee_id", "requester_id", "tags", "custom_fields"):
                if key in body and ticket.get(key) != body[key]:
                    events.append({"id": self._id(), "type": "Change", "field_name": key,
                                   "value": body[key], "previous_value": ticket.get(key)})
                    ticket[key] = body[key]
            if isinstance(body.get("requester"), dict):
                ticket["requester_id"] = self.user(body["requester"]["email"], body["requester"].get("name", ""))
            if isinstance(body.get("comment"), dict):
                comment = body["comment"]
                cid = self._id()
                self.state.comments[tid].append({
                    "id": cid, "type": "Comment", "body": comment.get("body", ""),
                    "plain_body": comment.get("body", ""), "public": bool(comment.get("public", True)),
                    "author_id": int(comment.get("author_id") or self.agent_id), "created_at": _iso(self.state.now)})
                events.append({"id": cid, "type": "Comment", "body": comment.get("body", ""),
                               "public": bool(comment.get("public", True))})
            if events:
                self._touch(ticket)
            return 200, {"ticket": dict(ticket), "audit": {"id": self._id(), "ticket_id": tid, "events": events}}

    def rate(self, tid: int, score: str, comment: str = "") -> None:
        """The requester answers the satisfaction survey (the ticket's ``satisfaction_rating``)."""
        with self.lock:
            ticket = self.state.tickets[tid]
            ticket["satisfaction_rating"] = {"id": self._id(), "score": score, "comment": comment,
                                             "updated_at": _iso(self.state.now)}
            self._touch(ticket)

    def survey_response(self, tid: int, rating: int | None, *, category: str | None = None, comment: str = "",
                        scale: int = 5, kind: str = "rating_scale_numeric", editable_for: int = 0,
                        shape: dict[str, Any] | None = None) -> str:
        """The requester answers the updated CSAT survey: a survey response shaped as the CSAT
        Survey Responses API documents it (rating-scale answer with ``rating_category``, an
        open-ended comment or a skipped one); the ticket is touched, as Zendesk's audit does.
        ``rating=None``: the person skipped the rating. ``shape`` replaces keys (malformed ones)."""
        with self.lock:
            stamp = datetime.fromtimestamp(self.state.now, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            question = {"id": "01J1WBE8QR0YQVE373K2JDJR0F", "type": kind, "sub_type": "customer_satisfaction",
                        "options": [{"rating": n, "label": {"type": "static", "value": str(n)}}
                                    for n in range(1, scale + 1)]}
            answers: list[dict[str, Any]] = []
            if rating is None:
                answers.append({"type": "skipped", "question": question, "created_at": stamp, "updated_at": stamp})
            else:
                answer = {"type": "rating_scale", "rating": rating, "question": question,
                          "created_at": stamp, "updated_at": stamp}
                if category is not None:
                    answer["rating_category"] = category
                answers.append(answer)
            comment_question = {"id": "01GFYBENPDGN1R6NAA4WRDNVFR", "type": "open_ended", "alias": "comment"}
            answers.append({"type": "open_ended", "value": comment, "question": comment_question,
                            "created_at": stamp, "updated_at": stamp} if comment else
                           {"type": "skipped", "question": comment_question, "created_at": stamp, "updated_at": stamp})
            rid = f"01J{self._id():023d}"  # ULIDs sort by creation
            ticket = self.state.tickets[tid]
            response = {
                "id": rid, "answers": answers, "responder_id": ticket["requester_id"],
                "expires_at": datetime.fromtimestamp(self.state.now + editable_for, UTC).strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"),
                "subject_zrns": [f"zen:ticket:{tid}"],
                "subjects": [{"id": str(tid), "type": "ticket", "zrn": f"zen:ticket:{tid}"}],
                "survey": {"id": "01J58KJ9RAE0D2EK7HRVM7Z8F2", "state": "enabled", "version": 3},
                "_created_ms": self.state.now * 1000,
                **(shape or {}),
            }
            self.state.survey_responses.append(response)
            self._touch(ticket)
            return rid

    def user_export(self, query: dict[str, str]) -> dict[str, Any] | None:
        """``GET /incremental/users/cursor``: users changed since the position, the newest minute
        held back, as the ticket export."""
        with self.lock:
            if query.get("cursor"):
                try:
                    ts, last = map(int, base64.b64decode(query["cursor"]).decode().split("|"))
                except ValueError:
                    return None
            else:
                ts, last = int(query.get("start_time", 0)), 0
            rows = sorted((when, uid) for uid, when in self.state.user_changed.items()
                          if (when, uid) > (ts, last) and when < self.state.now - 60)
            if rows:
                ts, last = rows[-1]
            after = base64.b64encode(f"{ts}|{last}".encode()).decode()
            return {"users": [dict(self.state.users[uid]) for _when, uid in rows], "after_cursor": after,
                    "end_of_stream": True}

    def survey_page(self, query: dict[str, str]) -> dict[str, Any]:
        """``GET /api/v2/guide/survey_responses``: filter[created_at_start] (ms), sort id/-id,
        page[size] and page[after] (cursor pagination with ``meta``)."""
        with self.lock:
            rows = list(self.state.survey_responses)
        since = int(query.get("filter[created_at_start]", 0) or 0)
        rows = [r for r in rows if r.get("_created_ms", 0) >= since]
        rows.sort(key=lambda r: str(r.get("id")), reverse=query.get("sort") == "-id")
        start = int(query.get("page[after]", 0) or 0)
        size = int(query.get("page[size]", 100))
        page = rows[start:start + size]
        return {"survey_responses": [{k: v for k, v in r.items() if not k.startswith("_")} for r in page],
                "meta": {"has_more": start + size < len(rows), "after_cursor": str(start + size),
                         "before_cursor": str(start)}}

    def delete_ticket(self, tid: int) -> None:
        """Deleted by an agent: the export lists it as "deleted", GET answers 404."""
        with self.lock:
            self.state.tickets[tid]["status"] = "deleted"
            self._touch(self.state.tickets[tid])

    def merge_ticket(self, tid: int, into: int) -> None:
        """Zendesk's merge: the source is closed, tagged closed_by_merge, with a note."""
        with self.lock:
            ticket = self.state.tickets[tid]
            ticket["status"] = "closed"
            ticket["tags"] = sorted({*(ticket.get("tags") or []), "closed_by_merge"})
            self.state.comments[tid].append({
                "id": self._id(), "type": "Comment", "body": f"This request was closed and merged into request #{into}.",
                "plain_body": "", "public": False, "author_id": self.agent_id, "created_at": _iso(self.state.now)})
            self._touch(ticket)

    def add_ticket_field(self, title: str, kind: str = "text") -> int:
        with self.lock:
            fid = self._id()
            self.state.ticket_fields.append({"id": fid, "type": kind, "title": title, "active": True,
                                             "removable": True})
            return fid

    def refusal(self, ticket: dict[str, Any] | None, body: dict[str, Any]) -> dict[str, Any] | None:
        """Zendesk's validations Desk meets: the assignee must be an agent, and a solved or
        closed ticket needs one (a 422 RecordInvalid, as the real API answers)."""
        if ticket is not None and "status" not in body and "assignee_id" not in body:
            return None  # e.g. a comment only: a ticket the tests made solved without one stays so
        with self.lock:
            assignee = body["assignee_id"] if "assignee_id" in body else (ticket or {}).get("assignee_id")
            status = body.get("status") or (ticket or {}).get("status")
            if assignee is not None and self.state.users.get(int(assignee), {}).get("role") not in ("agent", "admin"):
                problem = "is not an agent"
            elif status in ("solved", "closed") and assignee is None:
                problem = "is required when the ticket is solved"
            else:
                return None
        return {"error": "RecordInvalid", "description": "Record validation errors",
                "details": {"assignee": [{"description": f"Assignee: {problem}"}]}}

    def export(self, cursor: str | None, start_time: int | None) -> dict[str, Any] | None:
        with self.lock:
            if self.state.export_mode == "repeat":
                return {"tickets": [], "after_cursor": "c2FtZQ==", "end_of_stream": False}
            if self.state.export_mode == "endless":
                self.state.next_id += 1
                after = base64.b64encode(f"{self.state.next_id}|0".encode()).decode()
                return {"tickets": [], "after_cursor": after, "end_of_stream": False}
            if cursor:
                try:
                    ts, last_id = map(int, base64.b64decode(cursor).decode().split("|"))
                except ValueError:
                    return None  # an expired or foreign cursor: 422 (see the route)
            else:
                ts, last_id = int(start_time or 0), 0
            horizon = self.state.now - 60  # the newest minute is never returned
            rows = sorted((gen, tid) for tid, gen in self.state.generated.items()
                          if (gen, tid) > (ts, last_id) and gen < horizon)
            page = rows[: self.state.page_size]
            end = len(rows) <= self.state.page_size
            if page:
                ts, last_id = page[-1]
            after = base64.b64encode(f"{ts}|{last_id}".encode()).decode()
            tickets = [dict(self.state.tickets[tid], generated_timestamp=gen) for gen, tid in page]
            return {"tickets": tickets, "after_cursor": after,
                    "after_url": f"{self.url}/api/v2/incremental/tickets/cursor.json?cursor={after}",
                    "before_cursor": None, "before_url": None, "end_of_stream": end}


def _handler(fake: FakeZendesk) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def date_time_string(self, timestamp: float | None = None) -> str:
            # The Date header tells the fake's own clock, as Zendesk's tells its clock.
            from email.utils import formatdate

            return formatdate(fake.state.now if timestamp is None else timestamp, usegmt=True)

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8"
                             if not isinstance(body, bytes) else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Rate-Limit", "700")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _drop(self) -> None:
            self.close_connection = True
            self.connection.close()

        def _authorized(self) -> bool:
            header = self.headers.get("Authorization", "")
            state = fake.state
            if header.startswith("Bearer "):
                return header[7:] == state.oauth_token
            if header.startswith("Basic "):
                raw = base64.b64decode(header[6:]).decode()
                return raw == f"{state.email}/token:{state.token}"
            return False

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            path = parts.path.removesuffix(".json")
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            with fake.lock:
                fake.state.requests.append(f"{method} {path}")
                fault = fake.state.faults.pop(0) if fake.state.faults else None
                if fault is None and fake.state.method_faults and fake.state.method_faults[0][0] == method:
                    fault = fake.state.method_faults.pop(0)[1]
            if fault == "drop":
                return self._drop()
            if fault == "429":
                return self._send(429, b"You have exceeded the rate limit.", {"Retry-After": "7"})
            if fault == "500":
                return self._send(500, {"error": "InternalError"})
            if fault == "garbage":
                return self._send(200, b"<html>maintenance</html>")
            if fault in ("echo401", "echo422", "echo-html"):  # a server that repeats the credentials
                header = self.headers.get("Authorization", "")
                decoded = base64.b64decode(header[6:]).decode() if header.startswith("Basic ") else ""
                echo = f"Authorization: {header} (user {decoded}, token {fake.state.token})"
                if fault == "echo-html":
                    return self._send(502, f"<html><pre>{echo}</pre></html>".encode())
                return self._send(401 if fault == "echo401" else 422,
                                  {"error": "Invalid", "description": f"Rejected request with {echo}"})
            if path == "/oauth/tokens" and method == "POST":
                body = json.loads(raw or b"{}")
                if body.get("refresh_token") != fake.state.refresh_token:
                    return self._send(401, {"error": "invalid_grant"})
                with fake.lock:
                    n = int(fake.state.oauth_token.rsplit("-", 1)[1]) + 1
                    fake.state.oauth_token = f"oauth-access-{n}"
                    fake.state.refresh_token = f"oauth-refresh-{n}"
                return self._send(200, {"access_token": fake.state.oauth_token,
                                        "refresh_token": fake.state.refresh_token, "token_type": "bearer"})
            if not self._authorized():
                return self._send(401, {"error": "Couldn't authenticate you"})
            status, body, headers = self._route(method, path, query, raw)
            if fault == "lost":
                return self._drop()
            self._send(status, body, headers)

        def _route(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any, dict]:
            segs = path.strip("/").split("/")
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                return 400, {"error": "InvalidJSON"}, {}
            if segs[:2] != ["api", "v2"]:
                return 404, {"error": "InvalidEndpoint", "description": "Not found"}, {}
            segs = segs[2:]
            if segs == ["tickets"] and method == "POST":
                ticket = body.get("ticket") or {}
                if not (ticket.get("comment") or {}).get("body"):
                    return 422, {"error": "RecordInvalid", "description": "Record validation errors",
                                 "details": {"base": [{"description": "Description: cannot be blank",
                                                       "error": "BlankValue"}]}}, {}
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    if key and key in fake.state.idempotency:
                        digest, status, cached = fake.state.idempotency[key]
                        if digest != raw.decode():
                            return 400, {"error": "IdempotentRequestError",
                                         "description": "Request parameters don't match the given idempotency key"}, {}
                        return status, cached, {"x-idempotency-lookup": "hit"}
                    refused = fake.refusal(None, ticket)
                    if refused is not None:
                        return 422, refused, {}
                    created = fake.create_ticket(ticket)
                    answer = {"ticket": dict(created)}
                    if key:
                        fake.state.idempotency[key] = (raw.decode(), 201, answer)
                return 201, answer, {"Location": created["url"], **({"x-idempotency-lookup": "miss"} if key else {})}
            if segs == ["tickets", "show_many"] and method == "GET":
                wanted = {int(x) for x in query.get("ids", "").split(",") if x.strip().isdigit()}
                with fake.lock:
                    found = [dict(t) for tid, t in sorted(fake.state.tickets.items())
                             if tid in wanted and t["status"] != "deleted"]
                sideloads = {"users": fake.sideload(found)} if "users" in query.get("include", "").split(",") else {}
                return 200, {"tickets": found, **sideloads}, {}
            if segs == ["tickets"] and method == "GET" and "sort" in query:
                # List Tickets with cursor pagination, sorted as asked ("updated_at", "-updated_at",
                # "id", "-id"): Zendesk's tickets as they are now (no held-back minute).
                key = query["sort"].lstrip("-")
                if key not in ("updated_at", "id", "status") or "sort_by" in query:
                    return 400, {"error": "InvalidPaginationParameter",
                                 "description": "sort is not valid for cursor pagination"}, {}
                size = min(100, max(1, int(query.get("page[size]", "100") or 100)))
                with fake.lock:
                    listed = sorted((dict(t) for t in fake.state.tickets.values() if t["status"] != "deleted"),
                                    key=lambda t: (str(t[key]), t["id"]), reverse=query["sort"].startswith("-"))
                return 200, {"tickets": listed[:size],
                             "meta": {"has_more": len(listed) > size, "after_cursor": None, "before_cursor": None},
                             "links": {"next": None, "prev": None}}, {}
            if segs == ["tickets"] and method == "GET":
                with fake.lock:
                    found = [dict(t) for t in fake.state.tickets.values() if t["status"] != "deleted"
                             if "external_id" not in query or t.get("external_id") == query["external_id"]]
                return 200, {"tickets": found[:100], "next_page": None, "previous_page": None,
                             "count": len(found)}, {}
            if len(segs) == 2 and segs[0] == "tickets" and segs[1].isdigit():
                tid = int(segs[1])
                if method == "GET":
                    with fake.lock:
                        ticket = fake.state.tickets.get(tid)
                    if ticket is None or ticket["status"] == "deleted":
                        return 404, {"error": "RecordNotFound", "description": "Not found"}, {}
                    return 200, {"ticket": dict(ticket)}, {}
                if method == "PUT":
                    with fake.lock:
                        current = fake.state.tickets.get(tid)
                    refused = fake.refusal(current, body.get("ticket") or {}) if current is not None else None
                    if refused is not None and current is not None and current["status"] != "closed":
                        return 422, refused, {}
                    status, answer = fake.update_ticket(tid, body.get("ticket") or {})
                    return status, answer, {}
            if len(segs) == 3 and segs[0] == "tickets" and segs[2] == "comments" and method == "GET":
                tid = int(segs[1])
                with fake.lock:
                    comments = [dict(c) for c in fake.state.comments.get(tid, [])]
                size = int(query.get("page[size]", 100))
                start = int(query.get("page[after]", 0) or 0)
                page = comments[start:start + size]
                more = start + size < len(comments)
                return 200, {"comments": page, "meta": {"has_more": more, "after_cursor": str(start + size),
                                                        "before_cursor": None}}, {}
            if segs == ["incremental", "tickets", "cursor"] and method == "GET":
                if "cursor" not in query and "start_time" not in query:
                    return 400, {"error": "InvalidValue", "description": "start_time or cursor required"}, {}
                page = fake.export(query.get("cursor"), int(query["start_time"]) if "start_time" in query else None)
                if page is None:
                    return 422, {"error": "InvalidPaginationParameter", "description": "cursor is invalid"}, {}
                if "users" in query.get("include", "").split(","):  # sideloading, as the real export allows
                    page = {**page, "users": fake.sideload(page["tickets"])}
                return 200, page, {}
            if len(segs) == 2 and segs[0] == "users" and segs[1].isdigit():
                with fake.lock:
                    user = fake.state.users.get(int(segs[1]))
                if user is None:
                    return 404, {"error": "RecordNotFound", "description": "Not found"}, {}
                return 200, {"user": dict(user)}, {}
            if segs == ["users", "search"]:
                wanted = query.get("query", "").removeprefix("email:").lower()
                with fake.lock:
                    users = [dict(u) for u in fake.state.users.values() if u["email"] == wanted]
                return 200, {"users": users, "count": len(users), "next_page": None}, {}
            if segs == ["ticket_fields"] and method == "GET":
                with fake.lock:
                    return 200, {"ticket_fields": [dict(f) for f in fake.state.ticket_fields],
                                 "count": len(fake.state.ticket_fields), "next_page": None}, {}
            if segs == ["ticket_fields"] and method == "POST":
                wanted = body.get("ticket_field") or {}
                if not wanted.get("title") or wanted.get("type") not in ("text", "textarea"):
                    return 422, {"error": "RecordInvalid", "description": "Record validation errors"}, {}
                fid = fake.add_ticket_field(str(wanted["title"]), str(wanted["type"]))
                with fake.lock:
                    made = next(f for f in fake.state.ticket_fields if f["id"] == fid)
                return 201, {"ticket_field": dict(made)}, {}
            if segs == ["incremental", "users", "cursor"] and method == "GET":
                page = fake.user_export(query)
                if page is None:
                    return 422, {"error": "InvalidPaginationParameter", "description": "cursor is invalid"}, {}
                return 200, page, {}
            if segs == ["guide", "survey_responses"] and method == "GET":
                return 200, fake.survey_page(query), {}
            if segs == ["macros", "active"]:
                with fake.lock:
                    return 200, {"macros": list(fake.state.macros), "count": len(fake.state.macros),
                                 "next_page": None}, {}
            return 404, {"error": "InvalidEndpoint", "description": "Not found"}, {}

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._handle("PUT")

    return Handler
