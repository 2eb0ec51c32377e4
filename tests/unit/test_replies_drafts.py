import pytest
from sqlalchemy import select

from desk.core import errors
from desk.core.models import Comment, Ticket
from desk.core.ops import drafts, replies, tickets


@pytest.fixture
def ticket_id(session, agent_id, requester_id):
    return tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                              subject="Wi-Fi drops in the library").created_id


def test_draft_save_load_replace_delete(session, agent_id, other_agent_id, ticket_id):
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id) is None
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent_id, body="Hi Wei", public=True)
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent_id, body="Hi Wei,\nnote", public=False)
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=other_agent_id, body="other")
    draft = drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id)
    assert (draft.body, draft.public) == ("Hi Wei,\nnote", False)
    assert drafts.drafts_of(session, agent_id=agent_id) == [ticket_id]
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent_id, body="   ")
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id) is None
    drafts.delete_draft(session, ticket_id=ticket_id, agent_id=other_agent_id)
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=other_agent_id) is None


def test_draft_for_missing_ticket(session, agent_id):
    with pytest.raises(errors.NotFound):
        drafts.save_draft(session, ticket_id=999, agent_id=agent_id, body="x")


def test_send_reply_with_status_clears_draft(session, agent_id, ticket_id):
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent_id, body="Fixed it")
    changes = replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Fixed it",
                                 public=True, expected_version=1, fields={"status": "solved"})
    assert changes.comments and changes.drafts and changes.created_id
    session.expire_all()
    ticket = session.get(Ticket, ticket_id)
    assert ticket.status == "solved" and ticket.first_response_at is not None and ticket.version == 2
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id) is None


def test_first_public_reply_opens_a_new_ticket(session, agent_id, ticket_id):
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="On it", public=True)
    session.expire_all()
    assert session.get(Ticket, ticket_id).status == "open"


def test_note_without_fields_needs_no_version(session, agent_id, other_agent_id, ticket_id):
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id, expected_version=1,
                          fields={"priority": "high"})
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="checked cables",
                       public=False)
    session.expire_all()
    ticket = session.get(Ticket, ticket_id)
    assert ticket.status == "new" and ticket.first_response_at is None


def test_conflict_writes_nothing(session, agent_id, other_agent_id, ticket_id):
    drafts.save_draft(session, ticket_id=ticket_id, agent_id=agent_id, body="Solved")
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=other_agent_id, expected_version=1,
                          fields={"status": "pending"})
    with pytest.raises(errors.ConflictError) as caught:
        replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Solved",
                           public=True, expected_version=1, fields={"status": "solved"})
    assert caught.value.actual_version == 2
    session.expire_all()
    assert session.scalar(select(Comment.id)) is None
    assert drafts.load_draft(session, ticket_id=ticket_id, agent_id=agent_id).body == "Solved"


def test_empty_and_invalid(session, agent_id, ticket_id):
    with pytest.raises(errors.InvalidInput, match="empty"):
        replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body=" ", public=True)
    with pytest.raises(errors.InvalidInput, match="version"):
        replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="x", public=True,
                           fields={"priority": "low"})
    with pytest.raises(errors.InvalidInput, match="Unknown ticket field"):
        replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="x", public=True,
                           expected_version=1, fields={"colour": "red"})
