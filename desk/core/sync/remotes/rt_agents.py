"""Per-agent Request Tracker tokens: each reply and note is written upstream by its own author.

REST 2 has no "on behalf of": a comment belongs to the user whose token sent it. An agent with a
token of their own (kept in the OS keyring, ``credentials.store_agent_secret``) has their replies
and notes posted with it, so RT records them as the Creator and every other Desk PC maps that
Creator back to the agent by e-mail. Everyone else is written by Desk's sync user with the first
line ``[Desk: written by <e-mail>]`` (``rt_fields.AUTHOR_LINE``). Ticket field updates always use the
sync token.

Before its first use in a run a token is tried once: an RT auth token reads
``1-<user id>-<32 hex digits>`` (RT::AuthToken's format; the user id is not the secret part), so
``GET /user/<id>`` sent *with that token* both says whether RT accepts it and whose it is. A token
RT refuses, one of another RT user (a copy-paste slip would credit the wrong person) or one that
cannot be read is not used: the comment goes up with the sync token and the author line, and the
run's report says which agent and why. Nothing is lost and nothing is sent twice (a refused
request wrote nothing). The token itself is never in a message, a log line or the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from desk.core import errors
from desk.core.i18n import _
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import Http, RemoteProtocolError, RemoteRejected, decode
from desk.core.sync.validate import scrub

TOKEN_FORMAT = re.compile(r"^1-(\d+)-[0-9a-f]{32}$", re.IGNORECASE)
REFUSED_STATUSES = (401, 403)


def token_user_id(token: str) -> int | None:
    """The RT user id an auth token names, or None when it is not in RT's token format."""
    match = TOKEN_FORMAT.match(token.strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class TokenState:
    """What RT said about one agent's token. ``state``: ``valid``, ``refused`` (401/403),
    ``mismatch`` (another RT user's), ``unreadable`` (not an RT auth token), ``missing`` (listed
    but no longer in the keyring). ``detail`` is RT's own words, without any token."""

    email: str
    state: str
    login: str | None = None
    rt_email: str | None = None
    privileged: bool | None = None
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.state == "valid"


def headers(secret: Secret) -> dict[str, str]:
    return {"Authorization": f"token {secret.token}"}


def refusal_detail(http: Http, response: httpx.Response, secret: Secret) -> str:
    """RT's reason for refusing a request sent with ``secret`` and its HTTP status, with neither
    token in it."""
    reason = scrub(http.describe(response), secrets=[secret.token])
    return f"{reason} (HTTP {response.status_code})" if reason else f"HTTP {response.status_code}"


def probe(http: Http, *, email: str, secret: Secret | None, account: str | None = None,
          api: str = "/REST/2.0") -> TokenState:
    """One GET with the agent's own token: is it valid, and is it theirs? ``account`` is the RT
    login the remote's people map names for ``email`` (otherwise matched by EmailAddress)."""
    email = email.strip().lower()
    if secret is None:
        return TokenState(email=email, state="missing")
    user_id = token_user_id(secret.token)
    if user_id is None:
        return TokenState(email=email, state="unreadable")
    response = http.request("GET", f"{api}/user/{user_id}", extra_headers=headers(secret),
                            ok=(200, 404, *REFUSED_STATUSES))
    if response.status_code != 200:
        return TokenState(email=email, state="refused", detail=refusal_detail(http, response, secret))
    data = decode(response, http.name)
    data = data if isinstance(data, dict) else {}
    login = str(data.get("Name") or data.get("id") or "") or None
    rt_email = str(data.get("EmailAddress") or "").strip().lower() or None
    privileged = str(data.get("Privileged") or "") not in ("", "0")
    theirs = rt_email == email or (account is not None and login == account)
    return TokenState(email=email, state="valid" if theirs else "mismatch", login=login, rt_email=rt_email,
                      privileged=privileged)


def explain(state: TokenState, *, remote: str) -> str:
    """Why a token was not used, in the words the sync report shows (no token in them)."""
    how = _("set a new one with `desk remote token {remote} --agent {email}`").format(remote=remote,
                                                                                    email=state.email)
    if state.state == "refused":
        return _("RT refused {email}'s token: {detail}. Their reply went up as Desk's RT user with a "
                 "“written by” line; {how}.").format(email=state.email, detail=state.detail, how=how)
    if state.state == "mismatch":
        return _("{email}'s RT token belongs to the RT user {login} ({rt_email}), not to them: not used. "
                 "Their reply went up as Desk's RT user with a “written by” line; {how}.").format(
                     email=state.email, login=state.login or "?", rt_email=state.rt_email or _("no e-mail"),
                     how=how)
    if state.state == "unreadable":
        return _("{email}'s stored RT token is not an RT auth token (those read 1-<number>-<32 hex digits>): "
                 "not used. Their reply went up as Desk's RT user with a “written by” line; {how}.").format(
                     email=state.email, how=how)
    return state.detail


class AgentTokens:
    """The agents' own tokens during one adapter's life (one sync run): each loaded from the
    keyring and tried at most once; one that fails is set aside for the rest of the run and
    said once through ``note``."""

    def __init__(self, *, http: Http, load: Callable[[str], Secret | None] | None, remote: str,
                 accounts: Mapping[str, str], note: Callable[[str], None], api: str = "/REST/2.0") -> None:
        self.http = http
        self._load = load
        self.remote = remote
        self._accounts = accounts  # local e-mail -> RT login (the remote's people map)
        self._note = note  # the adapter's notes, which the engine puts in the run's report
        self._api = api
        self._ready: dict[str, Secret | None] = {}

    def for_author(self, email: str | None) -> Secret | None:
        """The agent's own token when they have one RT takes as theirs, else None."""
        if not email or self._load is None:
            return None
        email = email.strip().lower()
        if email not in self._ready:
            self._ready[email] = self._try(email)
        return self._ready[email]

    def _try(self, email: str) -> Secret | None:
        assert self._load is not None
        try:
            secret = self._load(email)
        except errors.DeskError as exc:  # a locked keyring: the sync token writes it, said once
            self._note(f"{email}: {exc.message}")
            return None
        if secret is None:
            return None
        try:
            state = probe(self.http, email=email, secret=secret, account=self._accounts.get(email), api=self._api)
        except (RemoteProtocolError, RemoteRejected) as exc:  # an answer Desk cannot read: not trusted
            state = TokenState(email=email, state="refused", detail=scrub(exc.message, secrets=[secret.token]))
        if not state.usable:
            self._note(explain(state, remote=self.remote))
            return None
        return secret

    def refused(self, email: str, detail: str) -> None:
        """RT refused the token on a write (a right it lacks, revoked meanwhile): not used again."""
        email = email.strip().lower()
        self._ready[email] = None
        self._note(explain(TokenState(email=email, state="refused", detail=detail), remote=self.remote))
