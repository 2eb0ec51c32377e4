"""Which channel reaches the person, and what the editor's view says of each reply."""

from __future__ import annotations

from desk.core.mail import outbox
from desk.core.ops import replies, tickets
from desk.core.queries.editor import ticket_view
from desk.core.sync import config as sync_config


def test_a_hosted_helpdesk_carries_replies_and_desk_sends_no_mail_of_its_own(
        session, mail_desk, requester_id, agent_id) -> None:  # noqa: ANN001
    sync_config.add_remote(session, name="zd", kind="zendesk", url="https://school.zendesk.test",
                           username="agent@school.test", auth="token")
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="VPN").created_id
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Try the new profile.", public=True)

    view = ticket_view(session, ticket_id=ticket_id, agent_id=agent_id)
    assert view.reply_channel == "remote" and outbox.counts(session)["queued"] == 0
    [reply] = view.messages
    assert reply.delivery is not None and (reply.delivery.state, reply.delivery.via) == ("queued", "zd")


def test_the_view_says_email_and_the_state_of_each_reply(session, mail_desk, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="VPN").created_id
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="On it.", public=True)
    replies.send_reply(session, ticket_id=ticket_id, author_id=agent_id, body="Checked logs.", public=False)
    view = ticket_view(session, ticket_id=ticket_id, agent_id=agent_id)
    assert view.reply_channel == "email"
    public, note = view.messages
    assert public.delivery.state == "queued" and note.delivery is None


def test_without_anything_set_up_the_view_says_no_channel(session, requester_id, agent_id) -> None:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="VPN").created_id
    assert ticket_view(session, ticket_id=ticket_id, agent_id=agent_id).reply_channel is None


def test_delivery_words() -> None:
    from desk.ui.editor.conversation import delivery_text

    assert delivery_text(None) == "recorded only, not sent"
    assert delivery_text(outbox.Delivery(state="queued", attempts=0, error=None, at=None)) == "e-mail queued"
    failed = outbox.Delivery(state="failed", attempts=3, error="550 no such user", at=None)
    assert delivery_text(failed) == "e-mail failed: 550 no such user"
    assert delivery_text(outbox.Delivery(state="sent", attempts=0, error=None, at=None, via="zd")) == "sent to zd"
