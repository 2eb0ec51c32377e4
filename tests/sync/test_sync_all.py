"""``sync_all``: every remote in one run, each failure kept, cancel between actions, logs."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.core.changes import Changes
from desk.core.models import SyncOutbox, SyncRemote, Ticket
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, credentials
from desk.core.sync.remotes.base import RemoteAuthError, RemoteUnavailable
from desk.core.sync.run import SyncRun, sync_all
from tests.sync.conftest import Waits
from tests.sync.fake_zendesk import FakeZendesk


def connect(session: Any, fake: FakeZendesk, name: str, *, token: str | None = None) -> None:
    config.add_remote(session, name=name, kind="zendesk", url=fake.url, username=fake.state.email)
    credentials.store_secret(name, credentials.Secret(token=token or fake.state.token))


def web_ticket(fake: FakeZendesk, subject: str) -> None:
    fake.create_ticket({"subject": subject, "comment": {"body": "hi"},
                        "requester": {"email": "kim@uni.test", "name": "Kim"}})


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def broken() -> Iterator[FakeZendesk]:
    """A second Zendesk that answers 401: Desk holds the wrong token for it."""
    fake = FakeZendesk()
    yield fake
    fake.stop()


def test_a_failing_remote_is_reported_even_though_another_synced(
        store: Any, session: Any, zendesk: FakeZendesk, broken: FakeZendesk) -> None:
    connect(session, broken, "a-broken", token="not-the-token")  # sorted first: tried first
    connect(session, zendesk, "zd")
    web_ticket(zendesk, "From the web")
    zendesk.advance(61)
    run = sync_all(store, sleep=Waits())
    assert isinstance(run, SyncRun) and not run.ok and not run.cancelled
    assert [r.remote for r in run.reports] == ["zd"] and run.reports[0].created_local == 1
    assert [f.remote for f in run.failures] == ["a-broken"]
    failure = run.failures[0]
    assert isinstance(failure.error, RemoteAuthError) and not failure.offline
    assert "refused Desk's credentials" in failure.message and "not-the-token" not in failure.message
    session.rollback()
    assert session.scalar(select(Ticket.subject)) == "From the web"
    rows = {r.name: r for r in session.scalars(select(SyncRemote))}
    assert rows["a-broken"].last_synced_at is None and "credentials" in rows["a-broken"].last_error
    assert rows["zd"].last_synced_at is not None and rows["zd"].last_error is None


def test_an_unreachable_remote_is_offline_and_the_others_still_sync(store: Any, session: Any,
                                                                    zendesk: FakeZendesk) -> None:
    config.add_remote(session, name="gone", kind="zendesk", url=f"http://127.0.0.1:{closed_port()}",
                      username="agent@uni.test")
    credentials.store_secret("gone", credentials.Secret(token="t"))
    connect(session, zendesk, "zd")
    waits = Waits()
    run = sync_all(store, sleep=waits)
    assert [f.remote for f in run.failures] == ["gone"] and run.failures[0].offline
    assert isinstance(run.failures[0].error, RemoteUnavailable)
    assert [r.remote for r in run.reports] == ["zd"]
    assert waits.calls == [0.5, 1.0, 2.0, 4.0]  # backed off before giving up on "gone" only


def test_names_pick_remotes_and_an_unknown_name_is_a_failure(session: Any, zendesk: FakeZendesk,
                                                             broken: FakeZendesk) -> None:
    connect(session, zendesk, "zd")
    connect(session, broken, "other", token="wrong")
    run = sync_all(session, names=["zd", "nope"])  # a Session works as well as a Store
    assert [r.remote for r in run.reports] == ["zd"]
    assert [f.remote for f in run.failures] == ["nope"] and "no remote named 'nope'" in run.failures[0].message


def test_changes_are_the_union_of_the_reports(session: Any, zendesk: FakeZendesk, broken: FakeZendesk) -> None:
    connect(session, zendesk, "one")
    connect(session, broken, "two")  # with its right token: both work
    web_ticket(zendesk, "First")
    web_ticket(broken, "Second")
    zendesk.advance(61)
    broken.advance(61)
    run = sync_all(session)
    assert run.ok and [r.remote for r in run.reports] == ["one", "two"]
    session.rollback()
    ids = set(session.scalars(select(Ticket.id)))
    assert len(ids) == 2
    changes = run.changes()
    assert changes.ticket_ids == frozenset(ids)
    # precise per report: two new tickets and their requesters; their first message is the
    # description, so no comment came in
    assert changes.tickets and changes.people and changes.remotes and not changes.comments
    assert sync_all(session, names=[]).changes() == Changes()  # nothing ran, nothing changed


def test_a_failed_run_says_tickets_may_have_changed(session: Any, broken: FakeZendesk) -> None:
    connect(session, broken, "bad", token="wrong")
    changes = sync_all(session).changes()
    assert changes.remotes and changes.tickets  # it may have pulled some before it failed


def test_cancel_stops_at_the_next_checkpoint_and_the_next_run_carries_on(
        session: Any, zendesk: FakeZendesk, broken: FakeZendesk, agent_id: int, requester_id: int) -> None:
    connect(session, zendesk, "a")
    connect(session, broken, "b")
    for n in range(3):
        web_ticket(zendesk, f"Web {n}")
    zendesk.advance(61)
    local = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                  subject="Logged at the desk").created_id
    cancel = threading.Event()
    seen: list[str] = []

    def checkpoint(where: str) -> None:
        seen.append(where)
        cancel.set()  # as the window does when it closes mid-run

    run = sync_all(session, cancel=cancel, checkpoint=checkpoint)
    assert run.cancelled and not run.ok and not run.failures and not run.reports
    assert len(seen) == 1  # stopped at the checkpoint after the first one
    assert broken.state.requests == []  # the remote after it was not tried
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 2  # the local one and one pulled
    assert session.scalar(select(func.count()).select_from(SyncOutbox).where(SyncOutbox.ticket_id == local))
    again = sync_all(session)
    assert again.ok and [r.remote for r in again.reports] == ["a", "b"]
    session.rollback()
    assert sorted(session.scalars(select(Ticket.subject))) == ["Logged at the desk", "Web 0", "Web 1", "Web 2"]
    assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 0
    assert len(zendesk.state.tickets) == 4 and len(broken.state.tickets) == 4


def test_runs_log_each_remote_at_info_and_never_a_secret(
        store: Any, session: Any, zendesk: FakeZendesk, broken: FakeZendesk,
        caplog: pytest.LogCaptureFixture) -> None:
    connect(session, zendesk, "zd")
    connect(session, broken, "bad", token="wrong-secret-value")
    web_ticket(zendesk, "Logged")
    zendesk.advance(61)
    with caplog.at_level(logging.DEBUG):
        sync_all(store, sleep=Waits())
    mine = [r for r in caplog.records if r.name == "desk.sync"]
    infos = [r.getMessage() for r in mine if r.levelno == logging.INFO]
    assert any(m.startswith("sync zd: pulled 1 (new 1") for m in infos), infos
    assert "sync run: 1 synced, 1 failed" in infos
    warnings = [r.getMessage() for r in mine if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("sync bad failed") and "credentials" in warnings[0]
    for secret in (zendesk.state.token, "wrong-secret-value"):
        assert secret not in caplog.text
    assert "authorization" not in caplog.text.lower()


def test_a_run_that_fails_before_it_starts_is_remembered_until_one_succeeds(session: Any,
                                                                             zendesk: FakeZendesk) -> None:
    from desk.ui.settings.sync_action import _last_state

    connect(session, zendesk, "zd")
    web_ticket(zendesk, "Before the token went")
    zendesk.advance(61)
    assert sync_all(session).ok
    synced_at = _last_state(session)[0]
    assert synced_at is not None and _last_state(session)[1] == []
    session.rollback()
    credentials.delete_secret("zd")  # e.g. set up again on this PC, the keyring entry gone
    mark = len(zendesk.state.requests)

    run = sync_all(session)

    assert [f.remote for f in run.failures] == ["zd"] and "No token is stored for remote zd" in run.failures[0].message
    assert not run.reports and len(zendesk.state.requests) == mark  # failed before any request
    session.rollback()
    when, problems = _last_state(session)  # what the window shows at its next start
    assert when == synced_at  # the last success stays when it was
    assert problems == [("zd", run.failures[0].message)]  # but is not shown as the last word

    credentials.store_secret("zd", credentials.Secret(token=zendesk.state.token))
    assert sync_all(session).ok
    session.rollback()
    when, problems = _last_state(session)
    assert problems == [] and when is not None and when >= synced_at  # (stored to the second)


def test_a_run_that_fails_on_the_store_is_remembered_too(session: Any, zendesk: FakeZendesk,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only the remote's trouble: a run stopped by the store (here a value it refuses while
    pushing) is the remote's last problem as well, or "Last synced" would stand at the next start."""
    from desk.core import errors
    from desk.core.sync.engine import Engine
    from desk.ui.settings.sync_action import _last_state

    connect(session, zendesk, "zd")
    assert sync_all(session).ok
    session.rollback()

    def refused(_self: Any) -> None:
        raise errors.InvalidInput("the store refused a value while pushing")

    monkeypatch.setattr(Engine, "execute_push", refused)
    run = sync_all(session)
    assert [f.remote for f in run.failures] == ["zd"]
    session.rollback()
    assert _last_state(session)[1] == [("zd", "the store refused a value while pushing")]


def test_a_failure_that_cannot_be_recorded_is_still_the_one_reported(session: Any, zendesk: FakeZendesk,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    from desk.core import errors
    from desk.core.sync.engine import Engine

    connect(session, zendesk, "zd")

    def refused(_self: Any) -> None:
        raise errors.InvalidInput("the store refused a value while pushing")

    def locked(*_args: Any, **_kwargs: Any) -> None:
        raise errors.StoreLocked("the store is locked by another program")

    monkeypatch.setattr(Engine, "execute_push", refused)
    monkeypatch.setattr(config, "record_failure", locked)
    with caplog.at_level(logging.WARNING, logger="desk.core.sync"):
        run = sync_all(session)
    assert [(f.remote, f.message) for f in run.failures] == [("zd", "the store refused a value while pushing")]
    assert "could not record the failure" in caplog.text and "locked by another program" in caplog.text
