from desk.core.ops import tickets


def test_log_and_claim(session, agent_id, requester_id):
    created = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                 subject="Projector in room 101 shows no signal")
    changes = tickets.claim(session, ticket_id=created.created_id, agent_id=agent_id)
    assert changes.ticket_ids == {created.created_id}
