"""Request Tracker 5 REST2 adapter.

Pull: TicketSQL ``LastUpdated >= cursor`` (paged, ``fields=`` so one request brings 100 tickets),
then the Create/Correspond/Comment transactions after the saved transaction id with their text
from the attachments collection (Create = the description, Correspond = public reply, Comment =
internal note). Push: ``POST /ticket`` with the local uuid in a ticket custom field (default
``Desk UUID``) so a retried create is found by TicketSQL instead of duplicated; ``PUT
/ticket/:id`` with ``If-Match`` (412 when stale; a 200 carrying failure messages is an error);
replies and notes through ``/correspond`` and ``/comment`` (never with ``If-Match``), with the
author's own token when they have one (``rt_agents``), else as the sync user with a first line
naming the author. Auth: ``Authorization: token …`` or basic with a password.

RT reads TicketSQL date literals in the API user's time zone (else the server's ``$Timezone``,
which ``server_timezone`` in the remote's config names when it is not UTC): the cursor is
converted into that zone. The fields both ways, the users behind them and the author line:
``rt_fields``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desk.core.i18n import _
from desk.core.sync import validate
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes import rt_agents
from desk.core.sync.remotes.base import (
    Canned,
    Capabilities,
    Http,
    PullPage,
    RemoteAuthError,
    RemoteComment,
    RemoteNotReady,
    RemotePerson,
    RemoteRejected,
    RemoteTicket,
    decode,
    expect,
)
from desk.core.sync.remotes.rt_agents import AgentTokens
from desk.core.sync.remotes.rt_fields import AUTHOR_LINE, RTFields, _author_line

DEFAULT_CONFIG: dict[str, Any] = {
    "queue": "General",
    "uuid_field": "Desk UUID",
    "category_field": "Desk Category",
    "status": {"new": "new", "open": "open", "pending": "stalled", "on-hold": "stalled",
               "solved": "resolved", "closed": "rejected"},
    "status_in": {"new": "new", "open": "open", "stalled": "pending", "resolved": "solved",
                  "rejected": "closed", "deleted": "closed"},
    "priority": {"low": 25, "normal": 50, "high": 75, "urgent": 100},
    "people": {},  # local e-mail -> RT user name, for owners whose RT name is not their e-mail
}
PAGE = 100
FAILURE_WORDS = ("isn't a valid", "permission denied", "couldn't", "could not", "not a valid",
                 "does not exist", "invalid", "failed")
TICKET_FIELDS = "Subject,Status,Priority,Queue,Owner,Requestor,Created,LastUpdated,CustomFields"
# RT records a user's RealName change as a transaction on the user: the newest-transaction look-up
# counts it too, so a rename alone makes the next pull read it (no request when nothing changed).
USER_RENAMES = "(ObjectType = 'RT::User' AND Field = 'RealName')"
NEWEST = f"ObjectType = 'RT::Ticket' OR {USER_RENAMES}"
MAX_RENAMED = 50  # users looked up per pull after a rename (each one GET /user/:id)


def _sql(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _rt_date(iso: str) -> str:
    """RT wants ``YYYY-MM-DD HH:MM:SS`` (UTC); it reports W3CDTF ``…T…Z``."""
    return iso.replace("T", " ").replace("Z", "")


class RTRemote(RTFields):
    kind = "rt"
    # No idempotency key: a retried create is found by the uuid custom field instead. Owners and
    # requesters travel as e-mails/user names inline, so there is no user directory to cache.
    # The pull reads everything since its cursor (no lagging export, no other positions), and
    # one transaction id answers "anything new?".
    capabilities = Capabilities(conditional_updates=True, idempotency_keys=False, comment_authors=True,
                                agent_authors=True, custom_fields=True, user_directory=False,
                                assignee_lookup=False, canned=False, people_names=True, run_notes=True,
                                change_probe=True, live_line=False, extra_cursors=False)

    def __init__(
        self, *, url: str, username: str, auth: str, secret: Secret, config: Mapping[str, Any] | None = None,
        save_secret: Callable[[Secret], None] | None = None,
        agent_secret: Callable[[str], Secret | None] | None = None, remote_name: str = "rt",
        **http_options: Any,
    ) -> None:
        """``agent_secret(email)``: an agent's own token (``credentials.load_agent_secret``), for
        their replies and notes; without it every comment is written by the sync user."""
        self.config = {**DEFAULT_CONFIG, **(config or {})}
        self.username = username
        self.auth = auth
        self._secret = secret
        self.http = Http(url.removesuffix("/REST/2.0"), headers=self._headers, name="Request Tracker",
                         **http_options)
        self.api = "/REST/2.0"
        self.people_out: dict[str, str] = {k.lower(): v for k, v in self.config["people"].items()}
        self.people_in = {v: k for k, v in self.people_out.items()}
        self._zone: str | None = None
        self._staff: dict[str, bool | None] = {}  # RT user name -> privileged
        # For the next page (a paging loop stopped, a cursor refused) and, after the run, what
        # people must see ("not synced: no account on Request Tracker").
        self.notes: list[str] = []
        self.skipped: list[str] = []  # for the next page: items left out and why (sync/validate.py)
        self._queue_fields: set[str] | None = None
        self._queue_ident: str | None = None
        self._owners: dict[str, str | None] = {}  # agent e-mail -> RT user name (None: no account)
        self._logins: dict[str, str | None] = {}  # RT login -> e-mail (None: none known)
        self.seen_people: list[RemotePerson] = []  # users shown with their RealName (sync.people_sync)
        self.agent_tokens = AgentTokens(http=self.http, load=agent_secret, remote=remote_name,
                                        accounts=self.people_out, note=self._note, api=self.api)

    def _note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)

    def _headers(self) -> dict[str, str]:
        if self.auth == "password":
            raw = f"{self.username}:{self._secret.token}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        return {"Authorization": f"token {self._secret.token}"}

    def close(self) -> None:
        self.http.close()

    # --- paging -------------------------------------------------------------------------
    def _collection(self, method: str, path: str, *, params: dict[str, Any],
                    json_body: Any = None) -> Iterator[list[dict[str, Any]]]:
        page = 1
        paging = validate.Paging("Request Tracker", path.strip("/"))
        while True:
            query = {"per_page": PAGE, **params, "page": page}
            if json_body is None:
                data = self.http.json(method, self.api + path, params=query)
            else:
                data = self.http.json(method, self.api + path, params=query, json=json_body)
            expect(isinstance(data, dict) and isinstance(data.get("items"), list), "Request Tracker",
                   f"not a collection page ({path})")
            yield [item for item in data["items"] if isinstance(item, dict)]
            if not data.get("next_page") or not data["items"]:
                return
            stop = paging.step(page)
            if stop is None and isinstance(data.get("pages"), int) and page >= data["pages"]:
                return  # RT says how many pages there are: never ask past the last
            if stop:
                self.notes.append(stop)
                return
            page += 1

    # --- the Remote protocol ------------------------------------------------------------
    def _cursor_state(self, cursor: str | None) -> dict[str, Any]:
        """The saved position; one that cannot be read (hand-edited, another Desk's) means a full
        pull, said in the report, rather than a sync that fails forever."""
        fresh: dict[str, Any] = {"updated": None, "txn": 0}
        if not cursor:
            return fresh
        try:
            state = json.loads(cursor)
            valid = (isinstance(state, dict) and isinstance(state.get("txn"), int) and state["txn"] >= 0
                     and (state.get("updated") is None or (isinstance(state["updated"], str)
                                                           and datetime.strptime(state["updated"], "%Y-%m-%d %H:%M:%S"))))
        except ValueError:
            valid = False
        if valid:
            return state
        self.notes.append(_("Request Tracker: the saved sync position could not be used; Desk pulled everything "
                            "again instead. `desk remote reset-cursor` does this by hand."))
        return fresh

    def _take_notes(self, page: PullPage) -> PullPage:
        page.notes.extend(self.notes)
        page.skipped.extend(self.skipped)
        self.notes, self.skipped = [], []
        return page

    def pull(self, cursor: str | None) -> Iterator[PullPage]:
        state = self._cursor_state(cursor)
        # The newest transaction now: comments are read up to it, so a ticket born after the
        # ticket pass below never has its comments skipped.
        newest = 0
        for items in self._collection("GET", "/transactions", params={
                "query": NEWEST, "orderby": "id", "order": "DESC", "per_page": 1}):
            newest = int(items[0]["id"]) if items else 0
            break
        where = [f"Queue = {_sql(self.config['queue'])}"] if self.config.get("queue") else []
        if state["updated"]:
            where.append(f"LastUpdated >= {_sql(self._in_user_zone(state['updated']))}")
        params = {"query": " AND ".join(where) or "id > 0", "fields": TICKET_FIELDS,
                  "fields[Owner]": "EmailAddress,RealName", "fields[Requestor]": "EmailAddress,RealName",
                  "orderby": "LastUpdated", "order": "ASC"}
        for items in self._collection("GET", "/tickets", params=params):
            page = PullPage()
            for item in items:
                problem = validate.rt_ticket_problem(item)
                if problem:
                    page.skipped.append(validate.skipped("Request Tracker", "ticket", item.get("id"), problem))
                    continue
                page.tickets.append(self._ticket(item))
                if item.get("LastUpdated"):
                    stamp = _rt_date(item["LastUpdated"])
                    state["updated"] = max(state["updated"] or stamp, stamp)
            page.cursor = json.dumps(state)
            yield self._take_notes(page)
        if newest > state["txn"] and state["txn"]:  # a first pull reads every name in the listing
            self._renamed_users(f"id > {int(state['txn'])} AND id <= {newest}")
        if newest > state["txn"]:
            stopped = False
            for page in self._comments(f"id > {int(state['txn'])} AND id <= {newest}"):
                if page.comments:
                    state["txn"] = max(int(c.remote_id) for c in page.comments)
                page.cursor = json.dumps(state)
                stopped = stopped or bool(self.notes)
                yield self._take_notes(page)
            if not stopped:  # a listing cut short resumes after the last transaction it brought
                state["txn"] = newest
            yield self._take_notes(PullPage(cursor=json.dumps(state)))

    def _renamed_users(self, txn_filter: str) -> None:
        """Users whose RealName changed in these transactions, read once each (``GET /user/:id``)."""
        ids: list[str] = []
        for items in self._collection("GET", "/transactions", params={
                "query": f"{USER_RENAMES} AND {txn_filter}", "fields": "ObjectId", "orderby": "id", "order": "ASC"}):
            ids.extend(str(item.get("ObjectId")) for item in items if str(item.get("ObjectId") or "").isdigit())
        for user_id in list(dict.fromkeys(ids))[:MAX_RENAMED]:
            try:
                data = self.http.json("GET", f"{self.api}/user/{user_id}")
            except (RemoteRejected, RemoteAuthError):  # not allowed to see users: names stay as they are
                continue
            if isinstance(data, dict) and data.get("Name"):
                self._observe({"id": data["Name"], "EmailAddress": data.get("EmailAddress"),
                               "RealName": data.get("RealName")})

    def changed_since(self, cursor: str | None, *, watched: Any = ()) -> bool:
        """One request: has anything happened on RT since the pull that saved ``cursor``? (the
        newest transaction id against the one the cursor has read up to). Lets a PC look every
        few seconds for another PC's claim at the cost of one small request."""
        state = json.loads(cursor) if cursor else {"txn": 0}
        for items in self._collection("GET", "/transactions", params={
                "query": NEWEST, "orderby": "id", "order": "DESC", "per_page": 1}):
            return bool(items) and int(items[0]["id"]) > int(state.get("txn") or 0)
        return False

    def _in_user_zone(self, utc_literal: str) -> str:
        """RT reads TicketSQL date literals in the API user's time zone (else the server's):
        convert our UTC cursor into it. The zone is looked up once per adapter."""
        if self._zone is None:
            zone = ""
            if self.username:
                data = self.http.json("GET", f"{self.api}/user/{quote(self.username, safe='@')}")
                zone = str(data.get("Timezone") or "") if isinstance(data, dict) else ""
            self._zone = zone or str(self.config.get("server_timezone") or "UTC")
        if self._zone in ("UTC", "Etc/UTC", "GMT"):
            return utc_literal
        try:
            zone_info = ZoneInfo(self._zone)
        except (ZoneInfoNotFoundError, ValueError):
            return utc_literal
        moment = datetime.strptime(utc_literal, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return moment.astimezone(zone_info).strftime("%Y-%m-%d %H:%M:%S")

    def _comments(self, txn_filter: str, ticket: str | None = None) -> Iterator[PullPage]:
        query = (f"ObjectType = 'RT::Ticket' AND {txn_filter} AND "
                 "(Type = 'Create' OR Type = 'Correspond' OR Type = 'Comment')")
        if ticket is not None:
            query += f" AND ObjectId = {int(ticket)}"
        for items in self._collection("GET", "/transactions", params={
                "query": query, "fields": "ObjectId,Type,Created,Creator",
                "fields[Creator]": "EmailAddress", "orderby": "id", "order": "ASC"}):
            if not items:
                continue
            txns = {}
            for item in items:
                problem = validate.rt_transaction_problem(item)
                if problem:
                    self.skipped.append(validate.skipped("Request Tracker", "transaction", item.get("id"), problem))
                else:
                    txns[str(item["id"])] = item
            if not txns:
                continue
            low, high = min(map(int, txns)), max(map(int, txns))
            texts: dict[str, str] = {}
            for parts in self._collection("POST", "/attachments", params={
                    "fields": "TransactionId,ContentType,Content", "orderby": "id", "order": "ASC"},
                    json_body=[{"field": "TransactionId", "operator": ">=", "value": low},
                               {"field": "TransactionId", "operator": "<=", "value": high,
                                "entry_aggregator": "AND"},  # RT ORs clauses on one field by default
                               {"field": "ContentType", "operator": "=", "value": "text/plain"}]):
                for part in parts:
                    txn = str(part.get("TransactionId"))
                    if txn in txns and txn not in texts:
                        problem = validate.rt_content_problem(part.get("Content"))
                        if problem:
                            self.skipped.append(validate.skipped("Request Tracker", "transaction", txn, problem))
                            del txns[txn]
                            continue
                        texts[txn] = part.get("Content") or ""
            page = PullPage()
            for txn_id, item in txns.items():
                kind = item.get("Type")
                written_by, text = _author_line(texts.get(txn_id, ""))
                page.comments.append(RemoteComment(
                    remote_id=txn_id, ticket_remote_id=str(item.get("ObjectId")), body=text,
                    public=kind != "Comment", author_email=written_by or self._email(item.get("Creator")),
                    author_is_agent=True if written_by else self._privileged(item.get("Creator")),
                    created_at=(datetime.fromisoformat(item["Created"].replace("Z", "+00:00"))
                                if isinstance(item.get("Created"), str) else None),
                    is_description=kind == "Create",
                ))
            page.comments.sort(key=lambda c: int(c.remote_id))
            yield page

    def get(self, remote_id: str) -> RemoteTicket:
        """The ticket, or one marked ``gone``: RT answers a merged ticket's id with the
        survivor (EffectiveId), a deleted one with Status "deleted", and a moved one from
        another queue."""
        response = self.http.request("GET", f"{self.api}/ticket/{int(remote_id)}", ok=(200, 404))
        if response.status_code == 404:
            return RemoteTicket(remote_id=str(remote_id), version=None, fields={}, gone="deleted",
                                gone_detail=_("deleted on Request Tracker"))
        etag = response.headers.get("etag")
        expect(bool(etag), "Request Tracker", "a ticket without an ETag")
        data = decode(response, "Request Tracker")
        ticket = self._ticket(data, version=etag)
        if str(ticket.remote_id) != str(int(remote_id)):
            return RemoteTicket(remote_id=str(remote_id), version=None, fields={}, gone="merged",
                                gone_detail=_("merged into Request Tracker #{id}").format(id=ticket.remote_id))
        queue = data.get("Queue") if isinstance(data, dict) else None
        queue_id = str(queue.get("id")) if isinstance(queue, dict) else None
        if self.config.get("queue") and queue_id and self._queue_id() not in (None, queue_id):
            ticket.gone, ticket.gone_detail = "moved", _("moved out of the queue {queue} on Request Tracker").format(
                queue=self.config["queue"])
        return ticket

    def _queue_id(self) -> str | None:
        if self._queue_ident is None:
            try:
                self.queue_fields()
            except RemoteRejected:
                return None
        return self._queue_ident

    def find_by_uuid(self, uuid: str) -> RemoteTicket | None:
        query = f"CF.{{{self.config['uuid_field']}}} = {_sql(uuid)}"
        for items in self._collection("GET", "/tickets", params={"query": query, "orderby": "id"}):
            return self.get(str(items[0]["id"])) if items else None
        return None

    def queue_fields(self) -> set[str]:
        """The ticket custom fields the synced queue has (global ones included), read once."""
        if self._queue_fields is None:
            queue = self.config["queue"] or "General"
            data = self.http.json("GET", f"{self.api}/queue/{quote(str(queue), safe='')}")
            expect(isinstance(data, dict), "Request Tracker", "a queue that is not an object")
            self._queue_fields = {str(cf.get("name")) for cf in data.get("TicketCustomFields") or []
                                  if isinstance(cf, dict) and cf.get("name")}
            self._queue_ident = str(data.get("id")) if data.get("id") is not None else None
        return self._queue_fields

    def create(self, *, uuid: str, fields: Mapping[str, Any], description: str,
               requester_name: str | None) -> RemoteTicket:
        if self.config["uuid_field"] not in self.queue_fields():
            # Without it a retried create cannot be found again: refuse before writing anything.
            raise RemoteNotReady(_(
                "Request Tracker's queue {queue} has no ticket custom field {field}, so Desk cannot tell "
                "its tickets apart and would create copies; nothing was sent. Run `desk remote check` "
                "for the steps to add it.").format(queue=self.config["queue"], field=self.config["uuid_field"]))
        body = self._out(fields)
        if body.get("Owner") == "Nobody":
            del body["Owner"]
        body["Queue"] = self.config["queue"] or "General"
        if description.strip():  # no first message rather than a made-up one
            body.update(Content=description, ContentType="text/plain")
        body.setdefault("CustomFields", {})[self.config["uuid_field"]] = uuid
        data = self.http.json("POST", f"{self.api}/ticket", json=body, ok=(201,), retry=False)
        expect(isinstance(data, dict) and data.get("id"), "Request Tracker", "create without an id")
        if requester_name and fields.get("requester") and requester_name != fields["requester"]:
            self._set_real_name(str(fields["requester"]), requester_name)
        created = self.get(str(data["id"]))
        if created.uuid != uuid:
            raise RemoteRejected(
                f"Request Tracker does not keep the ticket custom field {self.config['uuid_field']!r}; "
                "create it (Freeform, single value, applied to the queue) so Desk can avoid duplicates."
            )
        return created

    def update(self, remote_id: str, *, version: str | None, changes: Mapping[str, Any]) -> RemoteTicket:
        headers = {"If-Match": version} if version else {}
        data = self.http.json("PUT", f"{self.api}/ticket/{int(remote_id)}", json=self._out(changes),
                              extra_headers=headers, ok=(200,))
        expect(isinstance(data, list), "Request Tracker", "an update answer that is not a list of messages")
        failures = [str(m) for m in data if any(word in str(m).lower() for word in FAILURE_WORDS)]
        if failures:
            raise RemoteRejected(self.http.scrub("Request Tracker refused the change: " + "; ".join(failures)[:300]))
        return self.get(remote_id)

    def add_comment(self, remote_id: str, *, body: str, public: bool, author_email: str | None = None) -> str:
        """Posted with the author's own token when they have one RT takes (RT then records them
        as its Creator); otherwise, or when RT refuses that token, as the API user with the real
        author in a first line RT shows as such and other Desk PCs read back (``_author_line``).
        A refused request wrote nothing, so the fallback never makes a second copy."""
        kind = "correspond" if public else "comment"
        own = self.agent_tokens.for_author(author_email)
        denied: str | None = None  # RT's 400 to the agent's token, blamed on it once the fallback works
        if own is not None and author_email:
            response = self._post_comment(remote_id, kind, body, headers=rt_agents.headers(own),
                                          ok=(201, 400, *rt_agents.REFUSED_STATUSES))
            if response.status_code == 201:
                return self._transaction_of(response)
            detail = rt_agents.refusal_detail(self.http, response, own)
            if response.status_code == 400:
                denied = detail  # "Permission Denied", in the agent's own RT language
            else:
                self.agent_tokens.refused(author_email, detail)
        content = f"{AUTHOR_LINE.format(email=author_email)}\n{body}" if author_email else body
        txn = self._transaction_of(self._post_comment(remote_id, kind, content))
        if denied is not None and author_email:
            self.agent_tokens.refused(author_email, denied)
        return txn

    def _post_comment(self, remote_id: str, kind: str, content: str, *, headers: dict[str, str] | None = None,
                      ok: tuple[int, ...] = (201,)) -> Any:
        return self.http.request("POST", f"{self.api}/ticket/{int(remote_id)}/{kind}",
                                 json={"Content": content, "ContentType": "text/plain"}, ok=ok, retry=False,
                                 extra_headers=headers)

    @staticmethod
    def _transaction_of(response: Any) -> str:
        location = response.headers.get("location", "")
        txn = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        expect("/transaction/" in location and txn.isdigit(), "Request Tracker",
               "a reply without the transaction's Location")
        return txn

    def comments_of(self, remote_id: str) -> list[RemoteComment]:
        return [c for page in self._comments("id > 0", ticket=remote_id) for c in page.comments]

    def canned(self) -> list[Canned]:
        return []  # RT has no macros in REST2; canned responses stay local
