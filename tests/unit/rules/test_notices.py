"""What the window announces: rules' desk notices (once) and SLA targets about to fall due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.core.ops import tickets
from desk.core.rules import notices
from desk.core.rules import ops as rules

NOW = datetime(2026, 3, 4, 10, tzinfo=UTC)


def test_due_soon_lists_targets_within_the_warning_and_notices_are_seen_once(session, requester_id):  # noqa: ANN001
    rules.add_rule(session, actor_id=None, kind="sla", name="Fast", definition={
        "targets": {"first_response": {"hours": 0.5, "business": False}}})
    rules.add_rule(session, actor_id=None, kind="trigger", name="Tell", definition={
        "all": [{"field": "update", "op": "is", "value": "create"}],
        "actions": [{"action": "notify", "text": "new ticket"}]})
    soon = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Soon", channel="email",
                              now=NOW - timedelta(minutes=20)).created_id
    later = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Later", channel="email",
                               now=NOW).created_id
    assert [(d.ticket_id, d.target) for d in notices.due_soon(session, now=NOW)] == [(soon, "first_response")]
    assert notices.due_soon(session, now=NOW + timedelta(minutes=11)) == []  # 19 min left; the first breached
    assert [d.ticket_id for d in notices.due_soon(session, now=NOW + timedelta(minutes=16))] == [later]
    assert notices.due_soon(session, now=NOW + timedelta(hours=1)) == []  # breached: no longer "soon"
    found = notices.unseen_notices(session)
    assert [n.text for n in found] == ["#1 Soon: new ticket", "#2 Later: new ticket"]
    notices.mark_seen(session, up_to_id=found[0].id)
    assert [n.id for n in notices.unseen_notices(session)] == [found[1].id]
