"""What every remote helpdesk adapter provides, the typed errors they raise, and the one HTTP
client they share (HTTPS unless loopback, TLS verified, 429 + Retry-After obeyed, timeouts and
5xx retried with backoff, malformed answers turned into ``RemoteProtocolError``).

Values crossing this boundary are in *local* terms: a ticket's ``fields`` are
``subject, status, priority, category, requester, assignee`` with Desk's status and priority
names and people as e-mail addresses; each adapter maps to and from its own vocabulary.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from ipaddress import ip_address
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from desk.core import errors
from desk.core.i18n import _
from desk.core.sync.desk_fields import DESK_KEYS

# The helpdesk's own fields, then the desk's work (``desk_fields``). A remote that cannot carry
# a field leaves it out of ``RemoteTicket.fields``; the merge then leaves it alone both ways.
SYNCED_FIELDS = ("subject", "status", "priority", "category", "requester", "assignee", *DESK_KEYS)
USER_AGENT = "desk-sync/1.0"  # never a browser UA: RT answers those with a login redirect


class RemoteError(errors.DeskError):
    """Talking to the remote helpdesk failed; the message says what to do. Never holds a secret."""


class RemoteUnavailable(RemoteError):
    """Offline, timed out or the server kept failing (after retries)."""


class RemoteAuthError(RemoteError):
    pass


class RemoteProtocolError(RemoteError):
    """The server answered something this adapter cannot understand; nothing was stored."""


class RemoteRejected(RemoteError):
    """The server refused a request (validation, permission); the outbox keeps a change.
    ``status`` is the HTTP status (422: a saved pull cursor the server no longer takes)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RemoteConflict(RemoteError):
    """A conditional update lost the race (Zendesk 409, RT 412)."""


class RemoteNotReady(RemoteRejected):
    """The remote lacks what Desk needs to write safely (the uuid field above all: without it a
    retried create cannot be found, so every sync would add another copy). Nothing was written;
    ``desk remote check NAME`` lists what is missing and how to add it."""


class MassChangeRefused(RemoteError):
    """A run would close, overwrite or unlink more of the store than a sync ever should at once (a
    remote that suddenly answers with everything closed or deleted, or another helpdesk behind the
    same address).
    Nothing was applied; the message says how to go ahead anyway."""


@dataclass(frozen=True)
class Capabilities:
    """What a remote kind can do; the engine asks these instead of probing the adapter.

    ``conditional_updates``: an update carries the version read and loses a race (409/412).
    ``idempotency_keys``: the server itself drops a retried create (Zendesk ``Idempotency-Key``);
    without it a retried create is found by the uuid kept upstream (``find_by_uuid``).
    ``comment_authors``: comments name their author (an e-mail); ``agent_authors``: and say
    whether that author is staff upstream (``RemoteComment.author_is_agent``).
    ``custom_fields``: the uuid and category travel in fields of their own.
    ``user_directory``: people are remote user ids resolved through the adapter's ``users``,
    ``user_ids`` and ``staff`` caches (seeded from and saved to ``sync_people``).
    ``assignee_lookup``: ``maps(field, value, lookup=...)`` says whether a local assignee exists
    upstream (an unknown one is left alone both ways).
    ``canned``: the remote's macros come down as canned responses.
    ``people_names``: the adapter collects the users it was shown, with their names, in
    ``seen_people`` (``people_sync`` follows a rename there).
    ``run_notes``: the adapter leaves what people must see after the run in ``notes``.
    ``change_probe``: ``changed_since(cursor, watched=...)`` says in one request whether anything
    moved (``probe.has_news``).
    ``live_line``: the adapter reads the live line's tickets by id (``watch``) against the versions
    Desk agreed (``versions_of``), both set by the engine and the probe: Zendesk's export holds back
    the newest minute.
    ``extra_cursors``: positions besides the pull's, in ``cursors`` (loaded from and saved to
    ``sync_cursors`` by the engine).
    """

    conditional_updates: bool = True
    idempotency_keys: bool = False
    comment_authors: bool = True
    agent_authors: bool = False
    custom_fields: bool = False
    user_directory: bool = False
    assignee_lookup: bool = False
    canned: bool = False
    people_names: bool = False
    run_notes: bool = False
    change_probe: bool = False
    live_line: bool = False
    extra_cursors: bool = False


@dataclass
class RemoteTicket:
    remote_id: str
    version: str | None
    fields: dict[str, Any]
    uuid: str | None = None
    description: str | None = None
    requester_name: str | None = None
    created_at: datetime | None = None
    # No longer this ticket upstream: "merged" (into another), "deleted", or "moved" (out of the
    # synced queue); ``gone_detail`` says so in words. Such a ticket is marked, never merged in.
    gone: str | None = None
    gone_detail: str | None = None
    # The requester's remote user key (Zendesk user id, RT login): ties a requester the remote
    # knows by name only (no e-mail) to the local person, so a rename there follows here.
    requester_ref: str | None = None


@dataclass(frozen=True)
class RemotePerson:
    """A remote user as the remote showed them during this run (a listing, a look-up, a create's
    answer): ``key`` is the Zendesk user id or the RT login, ``name`` their name there. Adapters
    collect them in ``seen_people``; ``sync.people_sync`` compares each with the name last seen."""

    key: str
    email: str | None
    name: str


@dataclass
class RemoteComment:
    remote_id: str
    ticket_remote_id: str
    body: str
    public: bool
    author_email: str | None = None
    created_at: datetime | None = None
    is_description: bool = False  # RT's Create transaction: the ticket's first message
    author_is_agent: bool | None = None  # staff upstream (Zendesk agent/admin, RT privileged); None = unknown


@dataclass
class PullPage:
    """A batch of remote changes and the cursor to save once it is applied."""

    tickets: list[RemoteTicket] = field(default_factory=list)
    comments: list[RemoteComment] = field(default_factory=list)
    cursor: str | None = None
    skipped: list[str] = field(default_factory=list)  # items not used, each with why (sync/validate.py)
    notes: list[str] = field(default_factory=list)  # a paging loop stopped, a cursor was refused...


@dataclass
class Canned:
    remote_id: str
    title: str
    body: str
    actions: list[dict[str, Any]]


class Remote(Protocol):
    """A hosted helpdesk. Every method may raise a ``RemoteError``."""

    kind: str
    capabilities: Capabilities
    http: Http  # the one client; its ``requests`` count goes into the report

    def pull(self, cursor: str | None) -> Iterator[PullPage]: ...

    def get(self, remote_id: str) -> RemoteTicket: ...

    def find_by_uuid(self, uuid: str) -> RemoteTicket | None: ...

    def create(self, *, uuid: str, fields: Mapping[str, Any], description: str,
               requester_name: str | None) -> RemoteTicket: ...

    def update(self, remote_id: str, *, version: str | None, changes: Mapping[str, Any]) -> RemoteTicket: ...

    def normalize(self, field: str, value: Any) -> Any:
        """``value`` as it comes back after a round trip through the remote (lossy mappings)."""
        ...

    def add_comment(self, remote_id: str, *, body: str, public: bool, author_email: str | None = None) -> str:
        """``author_email``: who wrote it here; the adapter keeps them as its author upstream
        where it can (Zendesk ``author_id`` for an agent with an account)."""
        ...

    def comments_of(self, remote_id: str) -> list[RemoteComment]: ...

    def canned(self) -> list[Canned]: ...

    def close(self) -> None: ...


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The base URL without a trailing slash; HTTPS is required except on loopback."""
    try:
        parts = urlsplit(url.strip())
        hostname, _port = parts.hostname, parts.port  # a broken IPv6 literal or port raises here
    except ValueError:
        hostname = None
    if hostname is None or parts.scheme not in ("http", "https"):
        raise errors.InvalidInput(f"{url!r} is not a web address (expected https://host/...).")
    if parts.scheme == "http" and not is_loopback(hostname):
        raise errors.InvalidInput(
            f"{hostname} must be reached over HTTPS (plain HTTP is only allowed on this computer)."
        )
    if parts.username or parts.password or parts.query:
        raise errors.InvalidInput(_("Put the user in --user and the token in the keyring, not in the URL."))
    return url.strip().rstrip("/")


@dataclass
class RetryPolicy:
    attempts: int = 5  # tries per request, the first included
    backoff: float = 0.5  # seconds, doubled each time
    max_wait: float = 120.0  # longest Retry-After we obey before giving up
    timeout: float = 30.0


class Http:
    """An httpx client with the retry rules every remote needs. ``sleep`` is injectable so
    tests can see the waits without waiting."""

    def __init__(
        self, base_url: str, *, headers: Callable[[], dict[str, str]], name: str,
        policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
        on_unauthorized: Callable[[], bool] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = check_url(base_url)
        self.name = name
        self.policy = policy or RetryPolicy()
        self._headers = headers
        self._sleep = sleep
        self._on_unauthorized = on_unauthorized
        self.requests = 0  # how many HTTP requests were sent (benchmarks, tests)
        self.waits: list[float] = []
        self._client = httpx.Client(
            verify=True, timeout=self.policy.timeout, follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"}, transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self._sleep(seconds)

    def request(
        self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201, 204),
        extra_headers: Mapping[str, str] | None = None, retry: bool = True, **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries; returns a response whose status is in ``ok`` or raises a typed error.

        ``retry=False`` is for requests that are not idempotent (an RT create, a reply): after a
        timeout, a dropped connection or a 5xx they may have been applied, so they are not sent
        again here; the engine looks for them on the next run instead. A 429 is always retried
        (the server did nothing)."""
        url = self.url(path)
        refreshed = False
        delay = self.policy.backoff
        attempt = 0
        while True:
            attempt += 1
            try:
                self.requests += 1
                response = self._client.request(method, url, headers={**self._headers(), **(extra_headers or {})}, **kwargs)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as exc:
                problem = f"could not be reached ({type(exc).__name__})"
            else:
                status = response.status_code
                if status in ok:
                    return response
                if status == 429 or (status == 503 and "retry-after" in response.headers):
                    wait = _retry_after(response.headers.get("retry-after"), delay)
                    if wait > self.policy.max_wait or attempt >= self.policy.attempts + 3:
                        raise RemoteUnavailable(
                            f"{self.name} asks Desk to wait {wait:.0f} s (rate limit); sync again later."
                        )
                    self._wait(wait)
                    continue
                if status >= 500:
                    problem = f"answered HTTP {status}"
                elif status == 401 and self._on_unauthorized is not None and not refreshed:
                    refreshed = True
                    if self._on_unauthorized():
                        continue
                    raise self.error(response)
                else:
                    raise self.error(response)
            if attempt >= self.policy.attempts or not retry:
                raise RemoteUnavailable(
                    f"{self.name} {problem} ({method} {urlsplit(url).path}); "
                    "Desk will try again on the next sync."
                ) from None
            self._wait(delay)
            delay *= 2

    def scrub(self, text: str) -> str:
        """``text`` (from the server) without the credentials this client sends (``validate.scrub``)."""
        from desk.core.sync.validate import scrub, secrets_in_headers

        try:
            headers = self._headers()
        except Exception:  # noqa: BLE001 - no headers to read: the generic patterns still apply
            headers = {}
        return scrub(text, secrets=secrets_in_headers(headers))

    def describe(self, response: httpx.Response) -> str:
        """The server's reason in a refusing ``response`` (its message or text), scrubbed."""
        return self.scrub(_detail(response))

    def error(self, response: httpx.Response) -> RemoteError:
        status = response.status_code
        where = f"{response.request.method} {urlsplit(str(response.request.url)).path}"
        detail = self.scrub(_detail(response))
        if status in (401, 403):
            return RemoteAuthError(
                _("{name} refused Desk's credentials (HTTP {status}{value}). Check the user and set the token again with `desk remote set-token`.").format(name=self.name, status=status, value=': ' + detail if detail else '')
            )
        if status in (409, 412):
            return RemoteConflict(f"{self.name}: the ticket changed meanwhile ({where}, HTTP {status}).")
        return RemoteRejected(f"{self.name} refused {where} (HTTP {status}{': ' + detail if detail else ''}).",
                              status=status)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return decode(response, self.name)


def decode(response: httpx.Response, name: str) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise RemoteProtocolError(
            _('{name} sent a response Desk cannot read (HTTP {status_code}, {get}) for {path}. Nothing was changed locally.').format(name=name, status_code=response.status_code, get=response.headers.get('content-type', 'no content type'), path=urlsplit(str(response.request.url)).path)
        ) from None


def expect(condition: bool, name: str, what: str) -> None:
    if not condition:
        raise RemoteProtocolError(_('{name} sent an unexpected response ({what}). Nothing was changed locally.').format(name=name, what=what))


def _retry_after(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        return default


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(body, dict):
        if isinstance(body.get("details"), dict):
            parts = [
                f"{key}: {item.get('description', item)}" if isinstance(item, dict) else f"{key}: {item}"
                for key, items in body["details"].items() for item in (items if isinstance(items, list) else [items])
            ]
            return "; ".join(parts)[:300]
        for key in ("description", "message", "error"):
            if isinstance(body.get(key), str):
                return body[key][:300]
        if isinstance(body.get("error"), dict):
            return str(body["error"].get("message", ""))[:300]
    return str(body)[:200]
