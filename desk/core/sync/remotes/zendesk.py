"""Zendesk Support API v2 adapter.

Pull: the cursor-based incremental ticket export (resumable from the saved ``after_cursor``)
plus the comments of changed tickets; requesters and assignees are looked up by id and cached
with their e-mail. Push: ``POST /tickets`` with ``Idempotency-Key`` = the ticket's uuid (also
kept as ``external_id`` so a create older than the key's two hours is still found), updates with
``safe_update`` + ``updated_stamp`` (409 when stale), comments inside an update with ``public``
always sent. Auth: ``{email}/token:{token}`` basic, or an OAuth bearer token refreshed through
``POST /oauth/tokens`` when it expires. The fields both ways, and the users: ``zendesk_fields``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from desk.core.i18n import _
from desk.core.sync import validate
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes import zendesk_csat, zendesk_users
from desk.core.sync.remotes.base import (
    Canned,
    Capabilities,
    Http,
    PullPage,
    RemoteComment,
    RemoteConflict,
    RemotePerson,
    RemoteRejected,
    RemoteTicket,
    decode,
    expect,
)
from desk.core.sync.remotes.zendesk_fields import STATUS_OUT, ZendeskFields, _when
from desk.core.vocabulary import OPEN_STATUSES

# Zendesk's own statuses that need an assignee (a request body is in Zendesk's words, after
# STATUS_OUT, which a remote's settings may change; Desk's DONE_STATUSES name Desk's words).
ZENDESK_DONE = ("solved", "closed")
# Tickets read by List Tickets sorted by -updated_at, past the export's held-back minute: a
# probe asks for the newest few, a pull for one page (a busy account updates fewer in a minute).
RECENT_PROBE = 20
RECENT_PULL = 100
HELD_BACK_S = 60 + 30  # the export's newest minute, and leeway between its request and the listing
DEFAULT_CONFIG: dict[str, Any] = {
    "status": STATUS_OUT,
    # category: {"tag_prefix": "desk_category_"} (tags) or {"field_id": 123} (a custom field)
    "category": {"tag_prefix": "desk_category_"},
}


def _server_time(date_header: str | None) -> float | None:
    """Seconds since the epoch of an HTTP Date header, or None when it is missing or unreadable."""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(date_header).timestamp() if date_header else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _stamp(value: Any) -> float:
    """Seconds since the epoch of a Zendesk time ("2026-12-01T14:05:09Z"); 0 when unreadable."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _deleted(remote_id: str) -> RemoteTicket:
    return RemoteTicket(remote_id=remote_id, version=None, fields={}, gone="deleted",
                        gone_detail=_("deleted on Zendesk"))


class ZendeskRemote(ZendeskFields):
    kind = "zendesk"
    capabilities = Capabilities(conditional_updates=True, idempotency_keys=True, comment_authors=True,
                                agent_authors=True, custom_fields=True, user_directory=True,
                                assignee_lookup=True, canned=True, people_names=True, run_notes=True,
                                change_probe=True, live_line=True, extra_cursors=True)

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
        # Agents whose Zendesk address is not their Desk e-mail (Settings → Remotes → People).
        self.people_out: dict[str, str] = {str(k).lower(): str(v).lower() for k, v in
                                           (self.config.get("people") or {}).items()}
        self.people_in = {v: k for k, v in self.people_out.items()}
        self.users: dict[str, tuple[str | None, str | None]] = {}  # id -> (email, name)
        self.user_ids: dict[str, str | None] = {}  # email -> id
        self.staff: dict[str, bool] = {}  # id -> agent or admin (end-users are not)
        self._tags: dict[str, list[str]] = {}
        self.skipped: list[str] = []  # the page being read: items left out and why (sync/validate.py)
        self._assignees: dict[str, str | None] = {}  # ticket id -> assignee_id as last read
        self._statuses: dict[str, str] = {}  # ticket id -> Zendesk status as last read
        self._raw_requester: dict[str, str | None] = {}  # ticket id -> requester_id as last read
        self._fields: dict[str, int] | None = None  # desk field key -> Zendesk ticket field id
        # (remote id, version) of the live line, set by the engine before a pull (``probe``).
        self.watch: list[tuple[str, str | None]] = []
        # The version Desk last agreed for each remote id asked (None: not linked here), set by
        # the engine and the probe: the newest updates are read past the export's minute.
        self.versions_of: Callable[[list[str]], Mapping[str, str | None]] | None = None
        self.notes: list[str] = []  # shown after the run ("not synced: no account on Zendesk")
        self.seen_people: list[RemotePerson] = []  # users read this run, with their names (sync.people_sync)
        # Sync cursors besides the export's (loaded and saved by the engine): "csat", the survey
        # responses' state (``zendesk_csat``); "users", the user export's (``zendesk_users``).
        self.cursors: dict[str, str | None] = {}
        self.csat = zendesk_csat.SurveyResponses(self.http.request)
        self.user_export = zendesk_users.UserExport(self.http.json)
        self._survey: dict[str, zendesk_csat.SurveyRating] = {}  # ticket id -> the person's survey answer

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

    # --- the Remote protocol ------------------------------------------------------------
    def pull(self, cursor: str | None) -> Iterator[PullPage]:
        start = {"start_time": int(self.config.get("start_time", 0)), "include": "users"}
        params: dict[str, Any] = {"cursor": cursor, "include": "users"} if cursor else start
        paging = validate.Paging("Zendesk", "ticket export")
        # The newer CSAT first (only where the account uses it), so the tickets below carry it.
        self.csat.load(self.cursors.get(zendesk_csat.CURSOR))
        self._survey.update(self.csat.fetch())
        self.cursors[zendesk_csat.CURSOR] = self.csat.dump()
        # Known people renamed without a ticket of theirs changing (at most hourly).
        renamed, self.cursors[zendesk_users.CURSOR] = self.user_export.changed(
            self.cursors.get(zendesk_users.CURSOR), known=self.users)
        for user in renamed:
            self._remember(str(user["id"]), user)
        notes: list[str] = list(self.csat.notes)
        first_skipped = list(self.csat.skipped)
        seen: set[str] = set()
        last = cursor
        while True:
            try:
                data = self.http.json("GET", "/api/v2/incremental/tickets/cursor.json", params=params)
            except RemoteRejected as refused:
                if refused.status not in (400, 422) or "cursor" not in params:
                    raise
                # The saved position is refused (expired, or from another account): a full pull
                # from the start is safe (what is unchanged merges as a no-op) and unblocks sync.
                notes.append(_("Zendesk refused the saved sync position (HTTP {status}); Desk pulled everything "
                               "again from the start instead. `desk remote reset-cursor` does this by hand.").format(
                                   status=refused.status))
                params, cursor = dict(start), None
                continue
            expect(isinstance(data, dict) and isinstance(data.get("tickets"), list)
                   and isinstance(data.get("end_of_stream"), bool), "Zendesk", "not an incremental export page")
            after = data.get("after_cursor") if isinstance(data.get("after_cursor"), str) else None
            page = PullPage(cursor=after or cursor, notes=notes)
            notes = []
            page.skipped.extend(first_skipped)
            first_skipped = []
            self.skipped = page.skipped
            self._sideloaded(data)
            for raw in data["tickets"]:
                if not isinstance(raw, dict):
                    continue
                seen.add(str(raw.get("id")))  # listed, even if skipped as malformed: not read twice
                if raw.get("status") == "deleted":  # marked if we have it, never created
                    page.tickets.append(_deleted(str(raw.get("id"))))
                    continue
                self._read_into(page, raw)
            stop = None if data["end_of_stream"] or not after else paging.step(after)
            if stop:
                page.notes.append(stop)
            seen.update(t.remote_id for t in page.tickets)
            last = page.cursor
            yield page
            if data["end_of_stream"] or not after or stop:
                break
            params = {"cursor": after, "include": "users"}
        # The export holds back the newest minute. The tickets updated last are read below
        # (``versions_of``, set by the engine); without it, the live line's by id, so another PC's
        # claim shows here in seconds either way (the cursor stays the export's).
        versions = dict(self.watch)
        fresh = [] if self.versions_of is not None else [rid for rid, _version in self.watch if rid not in seen][:100]
        if fresh:
            page = self._show_many(fresh, last, changed=lambda raw: raw.get("updated_at") != versions.get(
                str(raw.get("id"))))
            seen.update(t.remote_id for t in page.tickets)
            if page.tickets or page.skipped:
                yield page
        # Rated in a survey but not in the export yet (it lags a minute): read by id, without
        # their comments (the export lists them soon, with their comments).
        rated = [rid for rid in self._survey if rid not in seen]
        for start in range(0, len(rated), 100):
            page = self._show_many(rated[start:start + 100], last, comments=False)
            seen.update(t.remote_id for t in page.tickets)
            if page.tickets or page.skipped:
                yield page
        # And the tickets updated last, for one made or changed on another PC within that minute
        # (a walk-in logged there seconds ago): those Desk has not seen at that version.
        if self.versions_of is not None:
            page = PullPage(cursor=last)
            self.skipped = page.skipped
            for raw in self._news(self._recently_updated(RECENT_PULL), besides=seen):
                if raw.get("status") != "deleted":
                    self._read_into(page, raw)
            if page.tickets or page.skipped:
                yield page

    def _recently_updated(self, size: int) -> list[dict[str, Any]]:
        """The ``size`` tickets updated last, newest first (List Tickets, cursor-sorted by
        ``-updated_at``): read from Zendesk's tickets, not the export, so without its minute."""
        response = self.http.request("GET", "/api/v2/tickets", params={"page[size]": size, "sort": "-updated_at"})
        data = decode(response, "Zendesk")
        expect(isinstance(data, dict) and isinstance(data.get("tickets"), list), "Zendesk", "no tickets list")
        # Only what the export cannot have shown yet: updated within its held-back minute by
        # Zendesk's own clock (its Date header). Older updates come with the export, and a closed
        # ticket (a follow-up's source, one merged away) never changes again.
        horizon = _server_time(response.headers.get("date"))
        return [raw for raw in data["tickets"][:size]
                if isinstance(raw, dict) and raw.get("id") is not None and raw.get("status") not in ("closed", "deleted")
                and (horizon is None or _stamp(raw.get("updated_at")) >= horizon - HELD_BACK_S)]

    def _news(self, listed: list[dict[str, Any]], *, besides: set[str] = frozenset()) -> list[dict[str, Any]]:
        """The listed tickets Desk has not seen at this version (new here, or changed since)."""
        if self.versions_of is None:
            return []
        candidates = [raw for raw in listed if str(raw["id"]) not in besides]
        if not candidates:
            return []
        agreed = self.versions_of([str(raw["id"]) for raw in candidates])
        return [raw for raw in candidates if agreed.get(str(raw["id"])) != raw.get("updated_at")]

    def _show_many(self, ids: list[str], cursor: str | None, *, changed: Callable[[dict[str, Any]], bool] | None = None,
                   comments: bool = True) -> PullPage:
        """Up to 100 tickets by id (``show_many``, their users sideloaded) as a page; ``changed``
        leaves out those that did not change."""
        data = self.http.json("GET", "/api/v2/tickets/show_many", params={"ids": ",".join(ids), "include": "users"})
        expect(isinstance(data, dict) and isinstance(data.get("tickets"), list), "Zendesk", "no tickets list")
        page = PullPage(cursor=cursor)
        self.skipped = page.skipped
        self._sideloaded(data)
        for raw in data["tickets"]:
            if isinstance(raw, dict) and (changed is None or changed(raw)):
                self._read_into(page, raw, comments=comments)
        return page

    def _read_into(self, page: PullPage, raw: dict[str, Any], *, comments: bool = True) -> None:
        """One listed ticket onto ``page``: skipped with its reason when malformed, else with its
        comments (always read: a version stored after a push may already include a reply made
        on the web that was not pulled yet)."""
        problem = validate.zendesk_ticket_problem(raw)
        if problem:
            page.skipped.append(validate.skipped("Zendesk", "ticket", raw.get("id"), problem))
            return
        ticket = self._ticket(raw)
        page.tickets.append(ticket)
        if comments:
            page.comments.extend(self.comments_of(ticket.remote_id))

    def get(self, remote_id: str) -> RemoteTicket:
        response = self.http.request("GET", f"/api/v2/tickets/{remote_id}", ok=(200, 404))
        if response.status_code == 404:  # deleted (or never there): marked, not an error each sync
            return _deleted(remote_id)
        data = decode(response, "Zendesk")
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
        self._solvable(None, body, closing=body.get("status") in ZENDESK_DONE)
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
        closing = body.get("status") in ZENDESK_DONE or (
            "status" not in body and self._statuses.get(remote_id) in ZENDESK_DONE)
        self._solvable(remote_id, body, closing=closing)
        if version:
            body.update(safe_update=True, updated_stamp=version)
        try:
            response = self.http.request("PUT", f"/api/v2/tickets/{remote_id}", json={"ticket": body}, ok=(200,))
        except RemoteRejected as exc:
            reopened = changes.get("status") in OPEN_STATUSES
            if not (reopened and self._statuses.get(remote_id) == "closed" and "closed" in exc.message.lower()):
                raise
            return self._follow_up(remote_id, changes)
        data = decode(response, "Zendesk")
        expect(isinstance(data, dict), "Zendesk", "not a JSON object")
        return self._ticket(data.get("ticket"))

    def changed_since(self, cursor: str | None, *, watched: Sequence[tuple[str, str | None]] = ()) -> bool | None:
        """One request: did a ticket change that Desk has not seen at that version? With
        ``versions_of`` (the probe sets it): the tickets updated last (List Tickets by
        ``-updated_at``), which also shows a ticket another PC made seconds ago; else the live
        line by id (``show_many``). The incremental export would not show either for a minute.
        None when there is nothing to ask about (only the regular sync can tell)."""
        if self.versions_of is not None:
            return bool(self._news(self._recently_updated(RECENT_PROBE)))
        if not watched:
            return None
        ids = ",".join(rid for rid, _version in watched[:100])
        data = self.http.json("GET", "/api/v2/tickets/show_many", params={"ids": ids})
        expect(isinstance(data, dict) and isinstance(data.get("tickets"), list), "Zendesk", "no tickets list")
        now = {str(t.get("id")): t.get("updated_at") for t in data["tickets"] if isinstance(t, dict)}
        return any(now.get(rid) != version for rid, version in watched[:100])

    def _follow_up(self, remote_id: str, changes: Mapping[str, Any]) -> RemoteTicket:
        """Zendesk never reopens a closed ticket: a ticket reopened at the desk becomes a
        follow-up (``via_followup_source_id``), which the engine links instead of the closed one."""
        source = self.get(remote_id)
        fields = {**source.fields, **changes}
        body = self._out(None, {k: v for k, v in fields.items() if k not in ("requester", "assignee")})
        body.update(via_followup_source_id=int(remote_id), external_id=source.uuid,
                    comment={"body": _("Follow-up to #{id}, reopened at the desk.").format(id=remote_id),
                             "public": False})
        source_raw = self._raw_requester.get(remote_id)
        if source_raw:
            body["requester_id"] = int(source_raw)
        if fields.get("assignee"):
            self._assignee_out(fields["assignee"], body, {}, self._field_ids())
        data = self.http.json("POST", "/api/v2/tickets", json={"ticket": body}, ok=(201,), retry=False)
        expect(isinstance(data, dict), "Zendesk", "not a JSON object")
        follow = self._ticket(data.get("ticket"))
        self.notes.append(_("Zendesk ticket #{old} was closed; reopened here, it continues as follow-up #{new}.").format(
            old=remote_id, new=follow.remote_id))
        return follow

    def add_comment(self, remote_id: str, *, body: str, public: bool, author_email: str | None = None) -> str:
        comment: dict[str, Any] = {"body": body, "public": bool(public)}
        author = self._user_id(author_email) if author_email else None
        if author is not None and self.staff.get(author, False):
            comment["author_id"] = int(author)  # the agent who wrote it, not the API user
        data = self.http.json("PUT", f"/api/v2/tickets/{remote_id}", json={"ticket": {"comment": comment}},
                              retry=False)
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
        paging = validate.Paging("Zendesk", f"comments of ticket {remote_id}")
        first = True
        while True:
            data = self.http.json("GET", f"/api/v2/tickets/{remote_id}/comments", params=params)
            expect(isinstance(data, dict) and isinstance(data.get("comments"), list), "Zendesk", "no comments list")
            for raw in data["comments"]:
                problem = validate.zendesk_comment_problem(raw)
                if problem:
                    ident = raw.get("id") if isinstance(raw, dict) else None
                    self.skipped.append(validate.skipped("Zendesk", f"ticket {remote_id} comment", ident, problem))
                    first = False  # the description may be the one skipped: the next is a reply
                    continue
                is_description, first = first, False
                author_id = str(raw["author_id"]) if raw.get("author_id") else None
                author, _id = self._user(author_id) if author_id else (None, None)
                comments.append(RemoteComment(
                    remote_id=str(raw["id"]), ticket_remote_id=remote_id,
                    body=raw.get("plain_body") if raw.get("body") is None else raw["body"],
                    public=bool(raw.get("public", True)), author_email=author,
                    is_description=is_description,
                    author_is_agent=self.staff.get(author_id) if author_id else None,
                    created_at=_when(raw.get("created_at")),
                ))
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            if not meta.get("has_more") or not data["comments"]:
                return comments
            stop = paging.step(meta.get("after_cursor"))
            if stop:
                self.skipped.append(stop)
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
