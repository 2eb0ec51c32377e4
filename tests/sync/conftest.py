"""Fixtures for the sync tests: one real RT 5 per test session, a fake Zendesk per test, and a
``backend`` that lets the shared contract tests act "on the web" for either remote."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest

from desk.core.sync import config as sync_config
from desk.core.sync import credentials, engine
from desk.core.sync.credentials import Secret
from desk.core.sync.desk_fields import DESK_FIELDS, ZENDESK_CATEGORY_TITLE
from desk.core.sync.remotes.rt import RTRemote
from desk.core.sync.remotes.zendesk import ZendeskRemote
from tests.sync import rt_server
from tests.sync.fake_zendesk import FakeZendesk

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[rt_server.RTServer]:
    if not rt_server.available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Request Tracker 5 is missing: install request-tracker5 rt5-db-sqlite "
                        "(packaging/system-deps.sh test does).")
        pytest.skip("Request Tracker 5 is not installed (Debian: apt-get install request-tracker5 "
                    "rt5-db-sqlite); the real-RT sync tests need it.")
    server = rt_server.start(tmp_path_factory.mktemp("rt"))
    yield server
    server.stop()


class Waits:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class ZendeskBackend:
    kind = "zendesk"

    def __init__(self, fake: FakeZendesk) -> None:
        self.fake = fake
        self.waits = Waits()

    def add_remote(self, session: Any, name: str = "zendesk") -> None:
        sync_config.add_remote(session, name=name, kind="zendesk", url=self.fake.url,
                               username=self.fake.state.email, auth="token")

    def adapter(self) -> ZendeskRemote:
        return ZendeskRemote(url=self.fake.url, username=self.fake.state.email, auth="token",
                             secret=Secret(token=self.fake.state.token), sleep=self.waits)

    def probe(self) -> ZendeskRemote:
        """An adapter for looking at the remote in assertions (closed at teardown)."""
        if not hasattr(self, "_probe"):
            self._probe = self.adapter()
        return self._probe

    def close(self) -> None:
        if hasattr(self, "_probe"):
            self._probe.close()

    def settle(self) -> None:
        self.fake.advance(61)  # the export never returns the newest minute

    def create(self, subject: str, requester: str, body: str = "Hello") -> str:
        ticket = self.fake.create_ticket({"subject": subject, "comment": {"body": body, "public": True},
                                          "requester": {"email": requester, "name": requester.split("@")[0]}})
        return str(ticket["id"])

    def edit(self, remote_id: str, **fields: Any) -> None:
        body: dict[str, Any] = {}
        for name, value in fields.items():
            body[{"status": "status", "subject": "subject", "priority": "priority"}[name]] = (
                {"on-hold": "hold"}.get(value, value))
        status, _ = self.fake.update_ticket(int(remote_id), body)
        assert status == 200

    def comment(self, remote_id: str, body: str, public: bool = True) -> None:
        self.fake.add_comment(int(remote_id), body, public)

    def ticket_count(self) -> int:
        return len(self.fake.state.tickets)

    def prepare_fields(self) -> None:
        """Desk's ticket fields on the account, as `desk remote prepare` makes them."""
        for item in DESK_FIELDS:
            self.fake.add_ticket_field(item.zendesk_title, item.zendesk_type)
        self.fake.add_ticket_field(ZENDESK_CATEGORY_TITLE)

    def agent_account(self, email: str, name: str) -> None:
        self.fake.user(email, name, role="agent")

    def merge(self, remote_id: str, into: str) -> None:
        self.fake.merge_ticket(int(remote_id), int(into))

    def rename_user(self, email: str, name: str) -> None:
        """The person's name changed on Zendesk (their tickets are not touched)."""
        uid = next(uid for uid, user in self.fake.state.users.items() if user["email"] == email.lower())
        self.fake.rename_user(uid, name)

    def delete(self, remote_id: str) -> None:
        self.fake.delete_ticket(int(remote_id))

    def move_away(self, remote_id: str) -> None:
        pytest.skip("Zendesk has no queues: a ticket cannot leave the synced set by moving")

    def fault(self, kind: str) -> None:
        self.fake.fail_next(kind)


class RTBackend:
    kind = "rt"

    def __init__(self, server: rt_server.RTServer) -> None:
        self.server = server
        self.client = server.client()
        self.queue = f"desk-{os.getpid()}-{next(_counter)}"
        response = self.client.post("/queue", json={"Name": self.queue})
        assert response.status_code == 201, response.text
        self.waits = Waits()

    def config(self) -> dict[str, Any]:
        return {"queue": self.queue}

    def add_remote(self, session: Any, name: str = "rt") -> None:
        sync_config.add_remote(session, name=name, kind="rt", url=self.server.url, username="root",
                               auth="token", config=self.config())

    def adapter(self) -> RTRemote:
        # As build_remote makes it: an agent's own token, when the keyring has one, for their replies.
        return RTRemote(url=self.server.url, username="root", auth="token",
                        secret=Secret(token=self.server.token), config=self.config(), sleep=self.waits,
                        remote_name="rt", agent_secret=lambda email: credentials.load_agent_secret("rt", email))

    def probe(self) -> RTRemote:
        if not hasattr(self, "_probe"):
            self._probe = self.adapter()
        return self._probe

    def settle(self) -> None:
        pass

    def create(self, subject: str, requester: str, body: str = "Hello") -> str:
        response = self.client.post("/ticket", json={"Queue": self.queue, "Subject": subject,
                                                     "Requestor": requester, "Content": body,
                                                     "ContentType": "text/plain"})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def edit(self, remote_id: str, **fields: Any) -> None:
        adapter = self.adapter()
        body = adapter._out(fields)  # noqa: SLF001 - same vocabulary as a person on the web
        response = self.client.put(f"/ticket/{remote_id}", json=body)
        assert response.status_code == 200, response.text
        adapter.close()

    def comment(self, remote_id: str, body: str, public: bool = True) -> None:
        kind = "correspond" if public else "comment"
        response = self.client.post(f"/ticket/{remote_id}/{kind}",
                                    json={"Content": body, "ContentType": "text/plain"})
        assert response.status_code == 201, response.text

    def prepare_fields(self) -> None:
        pass  # the session's RT has every Desk custom field (rt_server.RT_FIELD_NAMES), applied globally

    def agent_account(self, email: str, name: str) -> None:
        """An RT staff user whose login is not the e-mail (RT logins rarely are)."""
        login = email.split("@")[0] + f"-{os.getpid()}-{next(_counter)}"
        response = self.client.post("/user", json={"Name": login, "EmailAddress": email, "RealName": name,
                                                   "Privileged": 1})
        if response.status_code != 201:  # made by an earlier test of this session: same address
            assert "already" in response.text.lower() or "in use" in response.text.lower(), response.text

    def merge(self, remote_id: str, into: str) -> None:
        rt_server.merge(self.server, remote_id, into)

    def rename_user(self, email: str, name: str) -> None:
        """RealName changed on RT (REST 2 ``PUT /user/:id``), as an admin does there."""
        response = self.client.put(f"/user/{email}", json={"RealName": name})
        assert response.status_code == 200 and "RealName changed" in response.text, response.text

    def delete(self, remote_id: str) -> None:
        response = self.client.put(f"/ticket/{remote_id}", json={"Status": "deleted"})
        assert response.status_code == 200 and "deleted" in response.text, response.text

    def move_away(self, remote_id: str) -> None:
        other = self.queue + "-elsewhere"
        self.client.post("/queue", json={"Name": other})
        response = self.client.put(f"/ticket/{remote_id}", json={"Queue": other})
        assert response.status_code == 200 and other in response.text, response.text

    def ticket_count(self) -> int:
        response = self.client.get("/tickets", params={"query": f"Queue = '{self.queue}'", "per_page": 1})
        return int(response.json()["total"])

    def fault(self, kind: str) -> None:
        pytest.skip("fault injection is done with the Zendesk fake")

    def close(self) -> None:
        self.client.close()
        if hasattr(self, "_probe"):
            self._probe.close()


@pytest.fixture(params=["zendesk", "rt"])
def backend(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "zendesk":
        fake = request.getfixturevalue("zendesk")
        zd = ZendeskBackend(fake)
        yield zd
        zd.close()
    else:
        server = request.getfixturevalue("rt")
        backend = RTBackend(server)
        yield backend
        backend.close()


def sync_backend(session: Any, backend: Any) -> engine.SyncReport:
    """One engine run against a backend (RT or the Zendesk fake), with a fresh adapter."""
    backend.settle()
    adapter = backend.adapter()
    try:
        return engine.sync(session, backend.kind, remote=adapter)
    finally:
        adapter.close()


def sync_zendesk(session: Any, fake: FakeZendesk, name: str = "zd", **kwargs: Any) -> engine.SyncReport:
    """One engine run against the Zendesk fake (after its incremental-export minute has passed)."""
    fake.advance(61)
    remote = ZendeskRemote(url=fake.url, username=fake.state.email, auth="token",
                           secret=Secret(token=fake.state.token), sleep=Waits())
    try:
        return engine.sync(session, name, remote=remote, **kwargs)
    finally:
        remote.close()
