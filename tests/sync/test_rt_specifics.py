"""RT-only behaviour: the API user's time zone, RT's 200-with-failure answers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from desk.core.models import Ticket
from desk.core.sync import engine
from desk.core.sync.remotes.base import RemoteRejected
from tests.sync.conftest import RTBackend


def run(session: Any, backend: RTBackend) -> engine.SyncReport:
    adapter = backend.adapter()
    try:
        return engine.sync(session, "rt", remote=adapter)
    finally:
        adapter.close()


def test_incremental_pull_works_when_the_api_user_is_not_on_utc(session: Any, rt: Any) -> None:
    backend = RTBackend(rt)
    try:
        assert backend.client.put("/user/root", json={"Timezone": "America/New_York"}).status_code == 200
        backend.add_remote(session)
        rid = backend.create("Before", "kim@uni.test")
        run(session, backend)
        backend.edit(rid, subject="After")
        second = backend.create("Second", "kim@uni.test")
        report = run(session, backend)
        assert report.created_local == 1 and report.updated_local == 1
        session.rollback()
        assert sorted(session.scalars(select(Ticket.subject))) == ["After", "Second"]
        assert second
    finally:
        backend.client.put("/user/root", json={"Timezone": ""})
        backend.close()


def test_a_200_carrying_a_failure_message_is_an_error(rt: Any) -> None:
    backend = RTBackend(rt)
    try:
        rid = backend.create("Status check", "kim@uni.test")
        adapter = backend.adapter()
        adapter.config["status"] = {**adapter.config["status"], "open": "bogus"}
        fresh = adapter.get(rid)
        with pytest.raises(RemoteRejected) as caught:
            adapter.update(rid, version=fresh.version, changes={"status": "open"})
        assert "isn't a valid" in caught.value.message
        adapter.close()
    finally:
        backend.close()
