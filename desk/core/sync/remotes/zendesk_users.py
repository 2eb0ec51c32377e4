"""Renames of known Zendesk users whose tickets do not change: the incremental user export,
read at most once an hour.

A Zendesk user's new name comes sideloaded with their tickets (``include=users``), so it shows
when one of them changes. A rename alone changes no ticket; the cursor-based incremental user
export (``GET /api/v2/incremental/users/cursor.json``, developer.zendesk.com/api-reference/
ticketing/ticket-management/incremental_exports/) lists the users changed since a position.
Desk reads it at most every ``EVERY`` seconds (one request, more only when that many users
changed), starting from the first sync that has it (no history), and uses only the users it
already knows (``sync_people``): one more request an hour, not one per user or per sync. The
state (export cursor, when last read) is the remote's ``users`` sync position.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from desk.core.sync import validate
from desk.core.sync.remotes.base import RemoteRejected, expect

ENDPOINT = "/api/v2/incremental/users/cursor.json"
CURSOR = "users"
EVERY = 3600  # seconds between two reads of the user export


class UserExport:
    def __init__(self, get_json: Callable[..., Any], *, clock: Callable[[], float] | None = None) -> None:
        self._get_json = get_json  # Http.json
        self._clock = clock or (lambda: time.time())  # looked up at each call (tests move it)

    def changed(self, state_text: str | None, *, known: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str]:
        """(the known users changed since the last read, the new state) — nothing and no request
        before ``EVERY`` has passed; the first call only starts the clock."""
        try:
            state = json.loads(state_text) if state_text else None
        except ValueError:
            state = None
        now = int(self._clock())
        if not isinstance(state, dict):
            return [], json.dumps({"start_time": now - 60, "checked": now})  # from now on: no history
        if now - int(state.get("checked") or 0) < EVERY:
            return [], json.dumps(state)
        cursor = state.get("cursor")
        params: dict[str, Any] = {"cursor": cursor} if isinstance(cursor, str) and cursor else {
            "start_time": int(state.get("start_time") or now - 60)}
        paging = validate.Paging("Zendesk", "user export")
        found: list[dict[str, Any]] = []
        while True:
            try:
                data = self._get_json("GET", ENDPOINT, params=params)
            except RemoteRejected:  # not allowed, or a cursor it no longer takes: start again from now
                return found, json.dumps({"start_time": now - 60, "checked": now})
            expect(isinstance(data, dict) and isinstance(data.get("users"), list), "Zendesk", "not a user export page")
            found.extend(user for user in data["users"]
                         if isinstance(user, dict) and str(user.get("id")) in known)
            after = data.get("after_cursor") if isinstance(data.get("after_cursor"), str) else None
            if after:
                state["cursor"] = after
            if data.get("end_of_stream") is not False or not after or paging.step(after):
                break
            params = {"cursor": after}
        state["checked"] = now
        return found, json.dumps(state)
