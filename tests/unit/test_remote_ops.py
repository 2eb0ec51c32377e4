"""Adding and removing a remote are operations: one transaction, an audit row, Changes(remotes),
and no keyring call inside (the keyring may block on an unlock prompt; it is the caller's job)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked
from sqlalchemy import func, select

from desk.cli.main import main
from desk.core import errors
from desk.core.changes import Changes
from desk.core.models import AuditEvent, SyncOutbox, SyncRemote
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, credentials


class RefusingKeyring(KeyringBackend):
    """Fails the test if anything asks the keyring while it is installed."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError("the keyring was read inside the operation")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("the keyring was written inside the operation")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("the keyring was changed inside the operation")


@pytest.fixture
def refusing_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def audit(session: Any) -> list[tuple[Any, ...]]:
    session.rollback()
    return [(e.ticket_id, e.actor_id, e.action, e.field, e.old, e.new)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("remote-%"))
                                     .order_by(AuditEvent.id))]


def test_add_is_an_audited_operation(session: Any, agent_id: int) -> None:
    changes = config.add_remote(session, name="zd", kind="zendesk", url="https://uni.zendesk.com",
                                username="agent@uni.test", actor_id=agent_id)
    row_id = session.scalar(select(SyncRemote.id))
    assert changes == Changes(remotes=True, created_id=row_id)
    assert audit(session) == [(None, agent_id, "remote-add", "remote", None, "zd (zendesk, https://uni.zendesk.com)")]


def test_a_refused_add_writes_nothing(session: Any) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url="https://uni.zendesk.com", username="a@uni.test")
    with pytest.raises(errors.InvalidInput):
        config.add_remote(session, name="zd", kind="rt", url="https://rt.uni.test", username="root")
    assert [row[2] for row in audit(session)] == ["remote-add"]
    assert session.scalar(select(func.count()).select_from(SyncRemote)) == 1


def test_remove_is_an_audited_operation_that_does_not_touch_the_keyring(
        session: Any, agent_id: int, requester_id: int) -> None:
    config.add_remote(session, name="rt", kind="rt", url="https://rt.uni.test", username="root")
    credentials.store_secret("rt", credentials.Secret(token="rt-token"))
    ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Waits for rt")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 1
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        changes = config.remove_remote(session, name="rt", actor_id=agent_id)
    finally:
        keyring.set_keyring(previous)
    assert changes.remotes and changes.tickets
    assert audit(session)[-1] == (None, agent_id, "remote-remove", "remote", "rt (rt, https://rt.uni.test)", None)
    assert session.scalar(select(func.count()).select_from(SyncRemote)) == 0
    assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 0  # its outbox went with it
    assert credentials.has_secret("rt")  # the caller forgets the token, after the operation
    credentials.delete_secret("rt")
    assert not credentials.has_secret("rt")


def test_add_and_set_config_do_not_touch_the_keyring(session: Any, refusing_keyring: None) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url="https://uni.zendesk.com", username="a@uni.test")
    assert config.set_config(session, name="zd", config={"queue": "Desk"}) == Changes(remotes=True)
    assert [row[2] for row in audit(session)] == ["remote-add", "remote-config"]


def test_removing_an_unknown_remote_is_not_found(session: Any) -> None:
    with pytest.raises(errors.NotFound):
        config.remove_remote(session, name="nope")
    assert audit(session) == []


def test_cli_remove_forgets_the_token_after_the_operation(tmp_path: Any, capsys: Any) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["init", db]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["remote", "add", "zd", "--kind", "zendesk", "--url", "https://uni.zendesk.com",
                 "--user", "agent@uni.test", "--db", db]) == 0
    credentials.store_secret("zd", credentials.Secret(token="zd-token"))
    assert main(["remote", "remove", "zd", "--db", db]) == 0
    assert "Removed remote zd" in capsys.readouterr().out
    assert not credentials.has_secret("zd")
    assert main(["remote", "remove", "zd", "--db", db]) == 2  # gone: a message, not a traceback
    assert "no remote named 'zd'" in capsys.readouterr().err


class LockedKeyring(KeyringBackend):
    """A keyring that refuses to change (e.g. locked and the unlock prompt dismissed)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


def test_a_keyring_that_refuses_to_forget_is_said_not_swallowed(tmp_path: Any, capsys: Any) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["init", db]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["remote", "add", "zd", "--kind", "zendesk", "--url", "https://uni.zendesk.com",
                 "--user", "agent@uni.test", "--db", db]) == 0
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        assert main(["remote", "remove", "zd", "--db", db]) == 2
    finally:
        keyring.set_keyring(previous)
    out, err = capsys.readouterr()
    assert "Removed remote zd" in out  # the store is done; only the token is left behind
    assert "could not forget the token for zd (KeyringLocked)" in err and "'remote:zd'" in err
    credentials.delete_secret("zd")  # nothing stored: fine
