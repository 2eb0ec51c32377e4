"""Network faults, malformed answers, auth modes and secrets (against the Zendesk fake)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.cli.main import main
from desk.core import errors
from desk.core.models import Person, SyncOutbox, Ticket
from desk.core.ops import comments as comment_ops
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, credentials, engine
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import RemoteAuthError, RemoteProtocolError, RemoteUnavailable, check_url
from desk.core.sync.remotes.zendesk import ZendeskRemote
from tests.store_dump import dump_rows
from tests.sync.conftest import Waits
from tests.sync.fake_zendesk import FakeZendesk


def adapter(fake: FakeZendesk, waits: Waits, **kwargs: Any) -> ZendeskRemote:
    options = {"url": fake.url, "username": fake.state.email, "auth": "token",
               "secret": Secret(token=fake.state.token), "sleep": waits, **kwargs}
    return ZendeskRemote(**options)


def sync(session: Any, fake: FakeZendesk, waits: Waits, **kwargs: Any) -> engine.SyncReport:
    fake.advance(61)
    remote = adapter(fake, waits, **kwargs)
    try:
        return engine.sync(session, "zd", remote=remote)
    finally:
        remote.close()


@pytest.fixture
def zd(session: Any, zendesk: FakeZendesk) -> FakeZendesk:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    return zendesk


def test_429_retry_after_is_obeyed_and_500_retried(session: Any, zd: FakeZendesk, agent_id: int,
                                                   requester_id: int) -> None:
    ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Rate limited")
    waits = Waits()
    zd.fail_next("429", "500", "drop")
    report = sync(session, zd, waits)
    assert report.created_remote == 1
    assert waits.calls[0] == 7  # the Retry-After the fake sent
    assert len(waits.calls) == 3  # and backoff for the 500 and the dropped connection
    assert len(zd.state.tickets) == 1


def test_lost_create_answer_does_not_duplicate(session: Any, zd: FakeZendesk, agent_id: int,
                                               requester_id: int) -> None:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Once").created_id
    waits = Waits()
    zd.fail_next("lost")  # the server creates the ticket, then the connection drops
    sync(session, zd, waits)
    sync(session, zd, waits)
    assert len(zd.state.tickets) == 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1
    assert session.get(Ticket, tid).subject == "Once"


def test_lost_comment_answer_does_not_duplicate(session: Any, zd: FakeZendesk, agent_id: int,
                                                requester_id: int) -> None:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Reply").created_id
    waits = Waits()
    sync(session, zd, waits)
    comment_ops.add_comment(session, ticket_id=tid, author_id=agent_id, body="On my way", public=False)
    zd.fail_next_on("PUT", "lost")  # the server adds the reply, then the connection drops
    with pytest.raises(RemoteUnavailable):
        sync(session, zd, waits)
    sync(session, zd, waits)
    remote_comments = [c["body"] for c in next(iter(zd.state.comments.values()))]
    assert remote_comments.count("On my way") == 1
    session.rollback()
    assert [c.body for c in session.get(Ticket, tid).comments] == ["On my way"]


def test_malformed_answer_is_a_clear_error_and_leaves_the_store_alone(session: Any, zd: FakeZendesk) -> None:
    zd.create_ticket({"subject": "From the web", "comment": {"body": "hi"},
                      "requester": {"email": "x@uni.test", "name": "X"}})
    waits = Waits()
    zd.fail_next("garbage")
    with pytest.raises(RemoteProtocolError) as caught:
        sync(session, zd, waits)
    assert "Nothing was changed locally" in caught.value.message
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert sync(session, zd, waits).created_local == 1


def test_unauthorised_token_is_never_shown(session: Any, zd: FakeZendesk, caplog: pytest.LogCaptureFixture,
                                            agent_id: int, requester_id: int) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-token-s3cr3t"
    with pytest.raises(RemoteAuthError) as caught:
        sync(session, zd, Waits(), secret=Secret(token=secret))
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert secret not in caplog.text
    assert secret not in repr(Secret(token=secret))
    session.rollback()
    with session.connection() as conn:
        dump = "\n".join(dump_rows(conn.connection.dbapi_connection))
    assert secret not in dump


def test_oauth_bearer_is_refreshed_and_saved(session: Any, zd: FakeZendesk) -> None:
    saved: list[Secret] = []
    stale = Secret(token="expired-access", refresh_token=zd.state.refresh_token, client_id="desk",
                   client_secret="shh")
    report = sync(session, zd, Waits(), auth="oauth", secret=stale, save_secret=saved.append)
    assert report.requests >= 2
    assert saved and saved[-1].token == zd.state.oauth_token and saved[-1].refresh_token == zd.state.refresh_token


def test_offline_keeps_the_outbox(session: Any, zd: FakeZendesk, agent_id: int, requester_id: int) -> None:
    ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Offline")
    zd.fail_next(*["drop"] * 5)
    with pytest.raises(RemoteUnavailable):
        sync(session, zd, Waits())
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 1
    assert sync(session, zd, Waits()).created_remote == 1


def test_https_is_required_except_loopback() -> None:
    assert check_url("https://x.zendesk.com/") == "https://x.zendesk.com"
    assert check_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert check_url("http://localhost:8080") == "http://localhost:8080"
    for bad in ("http://rt.example.org", "ftp://x", "https://user:pw@x.org", "https://x.org/?token=1"):
        with pytest.raises(errors.InvalidInput):
            check_url(bad)


def test_cli_remote_lifecycle(zendesk: FakeZendesk, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["init"]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["remote", "add", "zd", "--kind", "zendesk", "--url", zendesk.url,
                 "--user", zendesk.state.email]) == 0
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(zendesk.state.token + "\n"))
    assert main(["remote", "set-token", "zd"]) == 0
    assert credentials.load_secret("zd").token == zendesk.state.token
    zendesk.create_ticket({"subject": "Via CLI", "comment": {"body": "hi"},
                           "requester": {"email": "y@uni.test", "name": "Y"}})
    zendesk.advance(61)
    assert main(["sync"]) == 0
    out = capsys.readouterr().out
    assert "new 1" in out and zendesk.state.token not in out
    assert main(["remote", "list"]) == 0
    listing = capsys.readouterr().out
    assert "token=stored" in listing and zendesk.state.token not in listing
    assert main(["remote", "remove", "zd"]) == 0
    assert not credentials.has_secret("zd")
    assert main(["remote", "add", "bad", "--kind", "rt", "--url", "http://rt.example.org"]) == 2


def test_a_copy_upstream_with_the_same_uuid_becomes_its_own_ticket(session: Any, zd: FakeZendesk, agent_id: int,
                                                                   requester_id: int) -> None:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Twin").created_id
    sync(session, zd, Waits())
    uuid = session.get(Ticket, tid).uuid
    zd.create_ticket({"subject": "Twin (copied on the web)", "comment": {"body": "copy"}, "external_id": uuid})
    report = sync(session, zd, Waits())
    assert report.created_local == 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 2


def test_requesters_are_looked_up_once_and_cached(session: Any, zd: FakeZendesk) -> None:
    zd.create_ticket({"subject": "Cached", "comment": {"body": "hi"},
                      "requester": {"email": "kim@uni.test", "name": "Kim"}})
    sync(session, zd, Waits())
    # The export sideloads its tickets' users (include=users): known without a look-up each.
    session.rollback()
    assert session.scalar(select(Person.name).where(Person.email == "kim@uni.test")) == "Kim"
    assert not any(r.startswith("GET /api/v2/users/") for r in zd.state.requests), zd.state.requests
    zd.state.requests.clear()
    tid = next(iter(zd.state.tickets))
    zd.update_ticket(tid, {"subject": "Cached again"})
    assert sync(session, zd, Waits()).updated_local == 1
    assert not any(r.startswith("GET /api/v2/users/") for r in zd.state.requests), zd.state.requests


def test_macros_become_shared_canned_responses(session: Any, zd: FakeZendesk) -> None:
    from desk.core.models import CannedResponse

    zd.state.macros.append({"id": 7, "title": "Printer reset", "active": True, "actions": [
        {"field": "status", "value": "solved"}, {"field": "comment_value", "value": "Hold the button 10 s."}]})
    sync(session, zd, Waits())
    sync(session, zd, Waits())
    session.rollback()
    rows = list(session.scalars(select(CannedResponse)))
    assert [(r.title, r.body, r.owner_id) for r in rows] == [("Printer reset (zd)", "Hold the button 10 s.", None)]
    assert '"solved"' in rows[0].actions


def test_an_assignee_unknown_upstream_is_not_pushed_as_unassigned(session: Any, zd: FakeZendesk, agent_id: int,
                                                                  requester_id: int) -> None:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Mine").created_id
    sync(session, zd, Waits())
    remote_id = next(iter(zd.state.tickets))
    zd.update_ticket(remote_id, {"assignee_id": zd.agent_id})  # assigned on the web
    sync(session, zd, Waits())
    session.rollback()
    assert session.get(Ticket, tid).assignee.email == "agent@example.com"
    ticket_ops.claim(session, ticket_id=tid, agent_id=agent_id, force=True)  # ana has no Zendesk account
    sync(session, zd, Waits())
    sync(session, zd, Waits())
    assert zd.state.tickets[remote_id]["assignee_id"] == zd.agent_id  # not unassigned upstream
    session.rollback()
    assert session.get(Ticket, tid).assignee_id == agent_id  # and not overwritten locally
