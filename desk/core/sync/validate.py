"""What a remote sends is checked before Desk uses it, and every paging loop has bounds.

* ``*_problem(raw)``: why one raw item from a remote (a Zendesk ticket, comment or user, an RT
  ticket or transaction) cannot be used, or None. Each adapter calls them at one place, where it
  reads an item; a bad item is skipped with ``skipped(...)``'s sentence in the sync report and the
  run goes on (one malformed ticket must not stop every sync).
* ``Paging``: the bounds of one paging loop (a cursor seen twice, too many pages, too long):
  when one is reached the loop stops, keeps what it pulled, and says why (``Paging.note``).
* ``scrub``: every error text that came from a remote, without the credentials it may repeat
  (the token, the password, any ``Authorization`` value), before it is shown, logged or stored.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from desk.core.i18n import _
from desk.core.logs import REDACTED, redact

MAX_PAGES = 10_000  # 1M tickets at Zendesk's 100 a page; no honest listing is longer
MAX_SECONDS = 15 * 60.0  # one listing; the rest comes on the next sync, from the saved cursor


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and value.strip() != "" and len(value) <= 200


def _stamp_problem(name: str, value: Any, *, required: bool = False) -> str | None:
    if value is None:
        return _("it has no {field}").format(field=name) if required else None
    if not isinstance(value, str):
        return _("its {field} is not text but {kind}").format(field=name, kind=type(value).__name__)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _("its {field} {value!r} is not a date").format(field=name, value=value[:40])
    if moment.tzinfo is None and "T" in value:
        return _("its {field} {value!r} has no time zone").format(field=name, value=value[:40])
    return None


def _text_problem(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return None
    return _("its {field} is not text but {kind}").format(field=name, kind=type(value).__name__)


def _first(*problems: str | None) -> str | None:
    return next((problem for problem in problems if problem), None)


def stamp_problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not an ISO date with a zone (None when absent or fine): for the checks of
    other modules (``remotes.zendesk_csat``)."""
    return _stamp_problem(name, value)


def first_problem(*problems: str | None) -> str | None:
    return _first(*problems)


def zendesk_ticket_problem(raw: Mapping[str, Any]) -> str | None:
    return _first(
        None if _is_id(raw.get("id")) else _("its id is missing or not an id"),
        None if isinstance(raw.get("status"), str) else _("its status is missing or not text"),
        _stamp_problem("updated_at", raw.get("updated_at"), required=True),
        _stamp_problem("created_at", raw.get("created_at")),
        _text_problem("subject", raw.get("subject")),
        _text_problem("raw_subject", raw.get("raw_subject")),
        _text_problem("description", raw.get("description")),
        _text_problem("external_id", raw.get("external_id")),
        _text_problem("priority", raw.get("priority")),
        None if raw.get("requester_id") is None or _is_id(raw.get("requester_id")) else _("its requester_id is not an id"),
        None if raw.get("assignee_id") is None or _is_id(raw.get("assignee_id")) else _("its assignee_id is not an id"),
        None if isinstance(raw.get("tags") or [], list) else _("its tags are not a list"),
        None if isinstance(raw.get("custom_fields") or [], list) else _("its custom_fields are not a list"),
    )


def zendesk_comment_problem(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return _("it is not an object")
    body = raw.get("plain_body") if raw.get("body") is None else raw.get("body")
    return _first(
        None if _is_id(raw.get("id")) else _("its id is missing or not an id"),
        None if isinstance(body, str) else _("its body is not text but {kind}").format(kind=type(body).__name__),
        _stamp_problem("created_at", raw.get("created_at")),
        None if raw.get("author_id") is None or _is_id(raw.get("author_id")) else _("its author_id is not an id"),
    )


def zendesk_user_problem(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return _("it is not an object")
    return _first(_text_problem("e-mail", raw.get("email")), _text_problem("name", raw.get("name")),
                  _text_problem("role", raw.get("role")))


def rt_ticket_problem(raw: Mapping[str, Any]) -> str | None:
    owner, requestors = raw.get("Owner"), raw.get("Requestor")
    return _first(
        None if _is_id(raw.get("id")) and str(raw.get("id")).isdecimal() else _("its id is missing or not a number"),
        _text_problem("Subject", raw.get("Subject")),
        _text_problem("Status", raw.get("Status")),
        _stamp_problem("Created", raw.get("Created")),
        _stamp_problem("LastUpdated", raw.get("LastUpdated")),
        None if owner is None or isinstance(owner, dict) else _("its Owner is not an object"),
        None if requestors is None or (isinstance(requestors, list) and all(isinstance(r, dict) for r in requestors))
        else _("its Requestor is not a list of people"),
        _people_problem([owner, *(requestors if isinstance(requestors, list) else [])]),
        None if isinstance(raw.get("CustomFields") or [], list) else _("its CustomFields are not a list"),
    )


def rt_transaction_problem(raw: Mapping[str, Any]) -> str | None:
    creator = raw.get("Creator")
    return _first(
        None if _is_id(raw.get("id")) and str(raw.get("id")).isdecimal() else _("its id is missing or not a number"),
        None if _is_id(raw.get("ObjectId")) and str(raw.get("ObjectId")).isdecimal()
        else _("its ticket (ObjectId) is not a number"),
        _stamp_problem("Created", raw.get("Created")),
        None if creator is None or isinstance(creator, dict) else _("its Creator is not an object"),
        _people_problem([creator]),
    )


def rt_content_problem(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else \
        _("its text is not text but {kind}").format(kind=type(value).__name__)


def _people_problem(refs: Iterable[Any]) -> str | None:
    for ref in refs:
        if isinstance(ref, dict):
            problem = _first(_text_problem("e-mail", ref.get("EmailAddress")),
                             None if ref.get("id") is None or isinstance(ref.get("id"), str | int)
                             and not isinstance(ref.get("id"), bool) else _("a person's id is not text"))
            if problem:
                return problem
    return None


def skipped(remote: str, what: str, ident: Any, problem: str) -> str:
    """The sentence for the sync report: which item, why, and that the rest went on."""
    shown = str(ident)[:40] if isinstance(ident, str | int) and not isinstance(ident, bool) else "?"
    return _("{remote} {what} {id} skipped: {problem}.").format(remote=remote, what=what, id=shown, problem=problem)


class Paging:
    """Bounds for one paging loop: ``step(cursor)`` before asking for the next page returns a
    sentence (and the loop stops, keeping what it has) when the server repeats a cursor, when
    there have been ``max_pages`` pages, or when the loop has run ``max_seconds``."""

    def __init__(self, remote: str, what: str, *, max_pages: int | None = None, max_seconds: float | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.remote, self.what = remote, what
        # Read at each loop's start (not bound at import), so a test may lower them.
        self.max_pages = MAX_PAGES if max_pages is None else max_pages
        self.max_seconds = MAX_SECONDS if max_seconds is None else max_seconds
        self._clock = clock or time.monotonic
        self._started = self._clock()
        self._seen: set[str] = set()
        self.pages = 0
        self.note: str | None = None

    def step(self, cursor: Any) -> str | None:
        self.pages += 1
        key = repr(cursor)
        if key in self._seen:
            self.note = _("{remote} sent the same {what} position twice; stopped after {pages} pages and kept "
                          "what came (the server may be misbehaving; the next sync tries again).").format(
                remote=self.remote, what=self.what, pages=self.pages)
        elif self.pages >= self.max_pages:
            self.note = _("{remote} kept answering “more to come” for {pages} pages of {what}; stopped there and "
                          "kept what came. The next sync goes on from there.").format(
                remote=self.remote, what=self.what, pages=self.pages)
        elif self._clock() - self._started > self.max_seconds:
            self.note = _("{remote}: reading {what} took longer than {minutes} minutes; stopped after {pages} "
                          "pages and kept what came. The next sync goes on from there.").format(
                remote=self.remote, what=self.what, minutes=int(self.max_seconds // 60), pages=self.pages)
        self._seen.add(key)
        return self.note


def secrets_in_headers(headers: Mapping[str, str]) -> list[str]:
    """The secret values inside an ``Authorization`` header: the whole value, the credential
    after the scheme, and for Basic auth the decoded ``user:password`` and its password part."""
    found: list[str] = []
    for name, value in headers.items():
        if name.lower() not in ("authorization", "proxy-authorization") or not value:
            continue
        found.append(value)
        scheme, _sep, credential = value.partition(" ")
        if credential:
            found.append(credential)
            if scheme.lower() == "basic":
                try:
                    decoded = base64.b64decode(credential, validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    continue
                found.append(decoded)
                found.append(decoded.partition(":")[2])
    return found


def scrub(text: str, *, secrets: Iterable[str | None] = ()) -> str:
    """``text`` without any of ``secrets`` (longest first, when at least 4 characters: a shorter
    one would blank ordinary words) and without anything that looks like one (``logs.redact``)."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return redact(text)
