"""Claim and Take next confirmed with the helpdesk (``desk.core.sync.confirm``) before the
local claim: the remote check runs on the network pool, the claim on the DB worker. Taken on
another PC: the error says so at once and nothing is claimed. Offline: claimed here as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from desk.ui.tasks import Tasks


def claim_confirmed(tasks: Tasks, *, ticket_id: int, agent_id: int, initiator: object,
                    on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None],
                    owner: QObject) -> None:
    from desk.core.ops import tickets as ticket_ops
    from desk.core.sync.confirm import confirm_claim

    store = tasks.store

    def claim_here(_confirmed: object) -> None:
        tasks.op(lambda s: ticket_ops.claim(s, ticket_id=ticket_id, agent_id=agent_id), initiator=initiator,
                 on_done=on_done, on_error=on_error, owner=owner)

    tasks.net(lambda: confirm_claim(store, ticket_id=ticket_id, agent_id=agent_id), on_done=claim_here,
              on_error=on_error, owner=owner)
