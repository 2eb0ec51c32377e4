"""Zendesk Support API v2 adapter.

Pull: the cursor-based incremental ticket export (resumable from the saved ``after_cursor``)
plus the comments of changed tickets; requesters and assignees are looked up by id and cached
with their e-mail. Push: ``POST /tickets`` with ``Idempotency-Key`` = the ticket's uuid (also
kept as ``external_id`` so a create older than the key's two hours is still found), updates with
``safe_update`` + ``updated_stamp`` (409 when stale), comments inside an update with ``public``
always sent. Auth: ``{email}/token:{token}`` basic, or an OAuth bearer token refreshed through
``POST /oauth/tokens`` when it expires.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from desk.core.i18n import _
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import (
    Canned,
    Capabilities,
    Http,
    PullPage,
    RemoteComment,
    RemoteConflict,
    RemoteRejected,
    RemoteTicket,
    decode,
    expect,
)

STATUS_OUT = {"new": "new", "open": "open", "pending": "pending", "on-hold": "hold",
              "solved": "solved", "closed": "closed"}
PRIORITIES = ("low", "normal", "high", "urgent")
STAFF_ROLES = ("agent", "admin")  # Zendesk user roles; "end-user" is a requester
DEFAULT_CONFIG: dict[str, Any] = {
    "status": STATUS_OUT,
    # category: {"tag_prefix": "desk_category_"} (tags) or {"field_id": 123} (a custom field)
    "category": {"tag_prefix": "desk_category_"},
}


def _when(stamp: Any) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if isinstance(stamp, str) else None


def _slug(name: str) -> str:
    return "_".join(name.strip().lower().split())


class ZendeskRemote:
    kind = "zendesk"
    capabilities = Capabilities(conditional_updates=True, idempotency_keys=True, comment_authors=True,
                                agent_authors=True, custom_fields=True, user_directory=True,
                                assignee_lookup=True, canned=True)

    def __init__(
        self, *, url: str, username: str, auth: str, secret: Secret, config: Mapping[str, Any] | None = None,
        save_secret: Callable[[Secret], None] | None = None, **http_options: Any,
    ) -> None:
        self.config = {**DEFAULT_CONFIG, **(config or {})}
        self.status_out: dict[str, str] = dict(self.config["status"])
        self.status_in = {remote: local for local, remote in reversed(list(self.status_out.items()))}
        self.username = username
        self.auth = auth
        self._secret = secret
        self._save_secret = save_secret
        self.http = Http(url, headers=self._headers, name="Zendesk",
                         on_unauthorized=self._refresh if auth == "oauth" else None, **http_options)
        self.users: dict[str, tuple[str | None, str | None]] = {}  # id -> (email, name)
        self.user_ids: dict[str, str | None] = {}  # email -> id
        self.staff: dict[str, bool] = {}  # id -> agent or admin (end-users are not)
        self._tags: dict[str, list[str]] = {}

    # --- auth ---------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        if self.auth == "oauth":
            return {"Authorization": f"Bearer {self._secret.token}"}
        raw = f"{self.username}/token:{self._secret.token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def _refresh(self) -> bool:
        """Swap an expired OAuth access token for a new one; False when there is no way to."""
        if not self._secret.refresh_token:
            return False
        response = self.http._client.post(  # noqa: SLF001 - no auth header on the token endpoint
            self.http.url("/oauth/tokens"),
            json={"grant_type": "refresh_token", "refresh_token": self._secret.refresh_token,
                  "client_id": self._secret.client_id, "client_secret": self._secret.client_secret},
        )
        self.http.requests += 1
        if response.status_code != 200:
            return False
        data = decode(response, "Zendesk")
        expect(isinstance(data, dict) and isinstance(data.get("access_token"), str), "Zendesk",
               "the OAuth refresh answer has no access_token")
        self._secret = Secret(token=data["access_token"],
                              refresh_token=str(data.get("refresh_token") or self._secret.refresh_token),
                              client_id=self._secret.client_id, client_secret=self._secret.client_secret)
        if self._save_secret is not None:
            self._save_secret(self._secret)
        return True

    def close(self) -> None:
        self.http.close()

    # --- mapping ------------------------------------------------------------------------
    def normalize(self, field: str, value: Any) -> Any:
        if field == "status":
            return self.status_in.get(self.status_out.get(value, value), value)
        if field == "category" and value is not None and "tag_prefix" in self.config["category"]:
            return _slug(value)
        if field in ("requester", "assignee") and isinstance(value, str):
            return value.lower()
        if field == "priority" and value is None:
            return "normal"
        return value

    def maps(self, field: str, value: Any, *, lookup: bool = False) -> bool:
        """False for an assignee with no Zendesk account: that field is left alone both ways
        (sending it would unassign the ticket upstream). Without ``lookup`` only the cache is
        consulted (no network inside a transaction)."""
        if field != "assignee" or not value:
            return True
        email = str(value).lower()
        if lookup:
            self._user_id(email)
        return self.user_ids.get(email, "") is not None

    def _user(self, user_id: Any) -> tuple[str | None, str | None]:
        if user_id is None:
            return None, None
        key = str(user_id)
        if key not in self.users:
            data = self.http.json("GET", f"/api/v2/users/{key}")
            expect(isinstance(data, dict) and isinstance(data.get("user"), dict), "Zendesk", "no user object")
            email = data["user"].get("email")
            self.users[key] = (email.lower() if isinstance(email, str) else None, data["user"].get("name"))
            self.staff[key] = data["user"].get("role") in STAFF_ROLES
            if email:
                self.user_ids[email.lower()] = key
        return self.users[key]

    def _user_id(self, email: str | None) -> str | None:
        if not email:
            return None
        email = email.lower()
        if email not in self.user_ids:
            data = self.http.json("GET", "/api/v2/users/search", params={"query": f"email:{email}"})
            expect(isinstance(data, dict) and isinstance(data.get("users"), list), "Zendesk", "no users list")
            found = [user for user in data["users"] if str(user.get("email", "")).lower() == email]
            self.user_ids[email] = str(found[0]["id"]) if found else None
            if found:
                self.users[str(found[0]["id"])] = (email, found[0].get("name"))
                self.staff[str(found[0]["id"])] = found[0].get("role") in STAFF_ROLES
        return self.user_ids[email]

    def _ticket(self, data: Any) -> RemoteTicket:
        expect(isinstance(data, dict) and "id" in data and "status" in data, "Zendesk", "a ticket without id/status")
        remote_id = str(data["id"])
        tags = [str(tag) for tag in data.get("tags") or []]
        self._tags[remote_id] = tags
        category: str | None = None
        cat = self.config["category"]
        if "field_id" in cat:
            for item in data.get("custom_fields") or []:
                if isinstance(item, dict) and str(item.get("id")) == str(cat["field_id"]):
                    category = item.get("value") or None
        else:
            prefix = cat.get("tag_prefix", "desk_category_")
            matches = sorted(tag[len(prefix):] for tag in tags if tag.startswith(prefix))
            category = matches[0] if matches else None
        requester_email, requester_name = self._user(data.get("requester_id"))
        assignee_email, _id = self._user(data.get("assignee_id"))
        created = data.get("created_at")
        return RemoteTicket(
            remote_id=remote_id, version=data.get("updated_at"),
            fields={
                "subject": data.get("subject") or data.get("raw_subject") or "(no subject)",
                "status": self.status_in.get(data["status"], "open"),
                "priority": data.get("priority") if data.get("priority") in PRIORITIES else "normal",
                "category": category,
                "requester": requester_email,
                "assignee": assignee_email,
            },
            uuid=data.get("external_id") or None, description=data.get("description") or "",
            requester_name=requester_name,
            created_at=_when(created),
        )

    def _out(self, remote_id: str | None, changes: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "subject":
                body["subject"] = value
            elif name == "status":
                body["status"] = self.status_out.get(value, "open")
            elif name == "priority":
                body["priority"] = value
            elif name == "assignee":
                body["assignee_id"] = int(uid) if (uid := self._user_id(value)) else None
            elif name == "requester" and value:
                uid = self._user_id(value)
                if uid:
                    body["requester_id"] = int(uid)
                else:
                    body["requester"] = {"email": value, "name": value.split("@")[0]}
            elif name == "category":
                cat = self.config["category"]
                if "field_id" in cat:
                    body["custom_fields"] = [{"id": int(cat["field_id"]), "value": value}]
                else:
                    prefix = cat.get("tag_prefix", "desk_category_")
                    tags = [t for t in self._tags.get(remote_id or "", []) if not t.startswith(prefix)]
                    if value:
                        tags.append(prefix + _slug(value))
                    body["tags"] = tags  # tags replace the whole list: keep the others
        return body

    # --- the Remote protocol ------------------------------------------------------------
    def pull(self, cursor: str | None) -> Iterator[PullPage]:
        params: dict[str, Any] = {"cursor": cursor} if cursor else {"start_time": int(self.config.get("start_time", 0))}
        while True:
            data = self.http.json("GET", "/api/v2/incremental/tickets/cursor.json", params=params)
            expect(isinstance(data, dict) and isinstance(data.get("tickets"), list)
                   and isinstance(data.get("end_of_stream"), bool), "Zendesk", "not an incremental export page")
            page = PullPage(cursor=data.get("after_cursor") or cursor)
            for raw in data["tickets"]:
                if not isinstance(raw, dict) or raw.get("status") == "deleted":
                    continue
                ticket = self._ticket(raw)
                page.tickets.append(ticket)
                # Always read the comments of a changed ticket: a version we stored after a push
                # may already include a reply made on the web that we have not pulled yet.
                page.comments.extend(self.comments_of(ticket.remote_id))
            yield page
            if data["end_of_stream"] or not data.get("after_cursor"):
                return
            params = {"cursor": data["after_cursor"]}

    def get(self, remote_id: str) -> RemoteTicket:
        data = self.http.json("GET", f"/api/v2/tickets/{remote_id}")
        expect(isinstance(data, dict), "Zendesk", "not a JSON object")
        return self._ticket(data.get("ticket"))

    def find_by_uuid(self, uuid: str) -> RemoteTicket | None:
        data = self.http.json("GET", "/api/v2/tickets", params={"external_id": uuid})
        expect(isinstance(data, dict) and isinstance(data.get("tickets"), list), "Zendesk", "no tickets list")
        found = sorted((t for t in data["tickets"] if isinstance(t, dict) and t.get("external_id") == uuid),
                       key=lambda t: int(t["id"]))
        return self._ticket(found[0]) if found else None

    def create(self, *, uuid: str, fields: Mapping[str, Any], description: str,
               requester_name: str | None) -> RemoteTicket:
        body = self._out(None, {k: v for k, v in fields.items() if k != "requester"})
        body.update(external_id=uuid, comment={"body": description.strip() or fields["subject"], "public": True})
        if fields.get("requester"):
            body["requester"] = {"email": fields["requester"],
                                 "name": requester_name or fields["requester"].split("@")[0]}
        try:
            data = self.http.json("POST", "/api/v2/tickets", json={"ticket": body},
                                  extra_headers={"Idempotency-Key": uuid})
        except RemoteRejected as exc:
            if "IdempotentRequestError" not in exc.message and "idempotency" not in exc.message.lower():
                raise
            found = self.find_by_uuid(uuid)  # the same key was used with an older body
            if found is None:
                raise
            return found
        expect(isinstance(data, dict), "Zendesk", "not a JSON object")
        return self._ticket(data.get("ticket"))

    def update(self, remote_id: str, *, version: str | None, changes: Mapping[str, Any]) -> RemoteTicket:
        body = self._out(remote_id, changes)
        if version:
            body.update(safe_update=True, updated_stamp=version)
        response = self.http.request("PUT", f"/api/v2/tickets/{remote_id}", json={"ticket": body}, ok=(200,))
        data = decode(response, "Zendesk")
        expect(isinstance(data, dict), "Zendesk", "not a JSON object")
        return self._ticket(data.get("ticket"))

    def add_comment(self, remote_id: str, *, body: str, public: bool) -> str:
        data = self.http.json("PUT", f"/api/v2/tickets/{remote_id}",
                              json={"ticket": {"comment": {"body": body, "public": bool(public)}}}, retry=False)
        expect(isinstance(data, dict), "Zendesk", "not a JSON object")
        events = (data.get("audit") or {}).get("events") or []
        ids = [str(e["id"]) for e in events if isinstance(e, dict) and e.get("type") == "Comment" and "id" in e]
        if ids:
            return ids[-1]
        for comment in reversed(self.comments_of(remote_id)):  # no audit: find it
            if comment.body == body and comment.public == bool(public):
                return comment.remote_id
        raise RemoteConflict(_("Zendesk did not confirm the comment; it will be checked on the next sync."))

    def comments_of(self, remote_id: str) -> list[RemoteComment]:
        comments: list[RemoteComment] = []
        params: dict[str, Any] = {"page[size]": 100}
        while True:
            data = self.http.json("GET", f"/api/v2/tickets/{remote_id}/comments", params=params)
            expect(isinstance(data, dict) and isinstance(data.get("comments"), list), "Zendesk", "no comments list")
            for raw in data["comments"]:
                expect(isinstance(raw, dict) and "id" in raw, "Zendesk", "a comment without id")
                author_id = str(raw["author_id"]) if raw.get("author_id") else None
                author, _id = self._user(author_id) if author_id else (None, None)
                comments.append(RemoteComment(
                    remote_id=str(raw["id"]), ticket_remote_id=remote_id,
                    body=raw.get("plain_body") if raw.get("body") is None else raw["body"],
                    public=bool(raw.get("public", True)), author_email=author,
                    is_description=not comments,
                    author_is_agent=self.staff.get(author_id) if author_id else None,
                    created_at=_when(raw.get("created_at")),
                ))
            meta = data.get("meta") or {}
            if not meta.get("has_more") or not data["comments"]:
                return comments
            params = {"page[size]": 100, "page[after]": meta.get("after_cursor")}

    def canned(self) -> list[Canned]:
        data = self.http.json("GET", "/api/v2/macros/active")
        expect(isinstance(data, dict) and isinstance(data.get("macros"), list), "Zendesk", "no macros list")
        result = []
        for macro in data["macros"]:
            actions = [a for a in macro.get("actions") or [] if isinstance(a, dict)]
            body = next((str(a.get("value")) for a in actions if a.get("field") == "comment_value"), "")
            result.append(Canned(remote_id=str(macro["id"]), title=str(macro.get("title") or "Macro"),
                                 body=body, actions=[a for a in actions if a.get("field") != "comment_value"]))
        return result
