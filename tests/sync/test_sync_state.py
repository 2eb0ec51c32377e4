"""What the editor and the status bar read about sync: waiting changes and open conflicts."""

from __future__ import annotations

import json
from typing import Any

from desk.core.models import SyncConflict, utcnow
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config


def test_ticket_sync_state_and_counts(session: Any, agent_id: int, requester_id: int) -> None:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Printer jam").created_id
    assert config.ticket_sync_state(session, tid) == config.TicketSyncState((), (), ())
    assert config.sync_counts(session) == config.SyncCounts(0, 0, 0)

    remote_id = config.add_remote(session, name="zd", kind="zendesk", url="http://127.0.0.1:9",
                                  username="agent@uni.test").created_id
    other = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                  subject="Wi-Fi").created_id
    assert config.ticket_sync_state(session, other).unsynced == ("zd",)
    assert config.unsynced_remote_names(session, other) == ["zd"]

    session.add(SyncConflict(remote_id=remote_id, ticket_id=other, field="priority", base=json.dumps("normal"),
                             mine=json.dumps("urgent"), theirs=json.dumps(None), created_at=utcnow()))
    session.add(SyncConflict(remote_id=remote_id, ticket_id=other, field="subject", base=json.dumps("a"),
                             mine=json.dumps("b"), theirs=json.dumps("c"), created_at=utcnow(),
                             resolved_at=utcnow(), resolution="mine"))
    session.commit()
    state = config.ticket_sync_state(session, other)
    assert state.remotes == ("zd",)
    assert [(c.remote, c.field, c.mine, c.theirs) for c in state.conflicts] == [("zd", "priority", "urgent", None)]
    counts = config.sync_counts(session)
    assert (counts.remotes, counts.conflicts) == (1, 1)
    assert counts.unsynced == len(config.unsynced_ticket_ids(session))


def test_queue_rows_mark_tickets_with_changes_waiting_to_sync(store: Any, session: Any, agent_id: int,
                                                              requester_id: int, qtbot: Any) -> None:
    from desk.core.queries import queue

    before = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Logged before any remote").created_id
    config.add_remote(session, name="zd", kind="zendesk", url="http://127.0.0.1:9", username="agent@uni.test")
    after = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                  subject="Logged with a remote").created_id
    rows = queue.rows_for(session, [before, after])
    assert (rows[before].unsynced, rows[after].unsynced) == (False, True)

    from desk.ui.queue.model import COL_ID, QueueModel
    from desk.ui.tasks import Tasks

    # No data_version poll (as the UI tests' ``tasks`` fixture): a poll still in flight when the
    # test ended was delivered to a deleted Tasks while pytest-qt processed events (a segfault
    # on a loaded machine).
    tasks = Tasks(store, watch_interval_ms=0)
    try:
        model = QueueModel(tasks)
        assert model._display(rows[after], COL_ID) == f"↑ {after}"
        assert "not yet synced" in model._tooltip(rows[after], COL_ID)
        assert model._display(rows[before], COL_ID) == str(before)
    finally:
        qtbot.waitUntil(lambda: tasks.pending == 0)
        tasks.shutdown()
