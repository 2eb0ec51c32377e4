"""Agents' own RT tokens in the keyring: keyed by remote and e-mail, listed without the token,
forgotten with the remote; RT's token format; a keyring that cannot be read falls back to the
sync user with a line for that agent instead of failing the run."""

from __future__ import annotations

from typing import Any

import keyring
import pytest
from hypothesis import given
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from desk.core.sync import credentials
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import Http
from desk.core.sync.remotes.rt_agents import AgentTokens, token_user_id


def test_each_agent_has_their_own_entry_and_the_listing_names_no_token() -> None:
    credentials.store_secret("rt", Secret(token="sync-token"))
    credentials.store_agent_secret("rt", "Ana@Desk.test", Secret(token="ana-token-1"))
    credentials.store_agent_secret("rt", "bo@desk.test", Secret(token="bo-token-1"))
    credentials.store_agent_secret("other", "ana@desk.test", Secret(token="ana-elsewhere"))
    assert credentials.agents_with_secrets("rt") == ["ana@desk.test", "bo@desk.test"]
    assert credentials.load_agent_secret("rt", "ANA@desk.test").token == "ana-token-1"
    assert credentials.load_agent_secret("rt", "cy@desk.test") is None
    credentials.store_agent_secret("rt", "ana@desk.test", Secret(token="ana-token-2"))  # replaced, listed once
    assert credentials.agents_with_secrets("rt") == ["ana@desk.test", "bo@desk.test"]
    assert credentials.load_agent_secret("rt", "ana@desk.test").token == "ana-token-2"
    assert credentials.load_secret("rt").token == "sync-token"  # the remote's own token is apart

    credentials.delete_agent_secret("rt", "bo@desk.test")
    credentials.delete_agent_secret("rt", "bo@desk.test")  # none stored is fine
    assert credentials.agents_with_secrets("rt") == ["ana@desk.test"]
    assert credentials.load_agent_secret("rt", "bo@desk.test") is None


def test_forgetting_a_remote_forgets_its_agents_tokens_and_no_other_remotes() -> None:
    credentials.store_secret("rt", Secret(token="sync-token"))
    credentials.store_agent_secret("rt", "ana@desk.test", Secret(token="ana-token-1"))
    credentials.store_agent_secret("other", "ana@desk.test", Secret(token="ana-elsewhere"))
    credentials.delete_secret("rt")
    assert credentials.agents_with_secrets("rt") == []
    assert credentials.load_agent_secret("rt", "ana@desk.test") is None
    assert not credentials.has_secret("rt")
    assert credentials.load_agent_secret("other", "ana@desk.test").token == "ana-elsewhere"


@given(user=st.integers(min_value=1, max_value=10**9), secret=st.text("0123456789abcdefABCDEF", min_size=32,
                                                                       max_size=32))
def test_rts_token_format_names_its_user(user: int, secret: str) -> None:
    assert token_user_id(f"1-{user}-{secret}") == user
    assert token_user_id(f" 1-{user}-{secret}\n") == user
    assert token_user_id(f"2-{user}-{secret}") is None  # a format Desk does not know
    assert token_user_id(f"1-{user}-{secret[:-1]}") is None
    assert token_user_id(f"{user}-{secret}") is None


class LockedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


@pytest.fixture
def locked_keyring() -> Any:
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    yield
    keyring.set_keyring(previous)


def test_a_locked_keyring_means_the_sync_user_writes_the_reply_and_the_report_says_so(locked_keyring: Any) -> None:
    notes: list[str] = []
    http = Http("http://127.0.0.1:9", headers=dict, name="Request Tracker")  # never asked: nothing to try
    try:
        tokens = AgentTokens(http=http, load=lambda email: credentials.load_agent_secret("rt", email), remote="rt",
                             accounts={}, note=notes.append)
        assert tokens.for_author("ana@desk.test") is None
        assert tokens.for_author("ana@desk.test") is None  # asked once per run
        assert http.requests == 0
    finally:
        http.close()
    assert notes == ["ana@desk.test: The system keyring could not be read (KeyringLocked); unlock it and sync again."]
    with pytest.raises(Exception, match="refused to store ana@desk.test's token") as raised:
        credentials.store_agent_secret("rt", "ana@desk.test", Secret(token="ana-token-1"))
    assert "ana-token-1" not in str(raised.value)
    assert credentials.agents_with_secrets("rt") == []  # a listing that cannot be read lists nothing
