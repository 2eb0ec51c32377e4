"""Adapters for hosted helpdesks; ``build_remote`` makes the right one for a configured remote."""

from __future__ import annotations

import json
from typing import Any

from desk.core.models import SyncRemote
from desk.core.sync import credentials
from desk.core.sync.remotes.base import Remote


def build_remote(row: SyncRemote, secret: credentials.Secret | None = None, **http_options: Any) -> Remote:
    """The adapter for ``row``, with its secret from the keyring unless one is given."""
    from desk.core.sync.remotes.rt import RTRemote
    from desk.core.sync.remotes.zendesk import ZendeskRemote

    name = row.name
    secret = secret if secret is not None else credentials.load_secret(name)
    options: dict[str, Any] = dict(url=row.url, username=row.username, auth=row.auth, secret=secret,
                                   config=json.loads(row.config or "{}"),
                                   save_secret=lambda new: credentials.store_secret(name, new), **http_options)
    if row.kind != "rt":
        return ZendeskRemote(**options)
    # RT: each agent's own token (if any) for their replies and notes, read when first needed.
    return RTRemote(**options, remote_name=name,
                    agent_secret=lambda email: credentials.load_agent_secret(name, email))
