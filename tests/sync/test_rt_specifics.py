"""RT-only behaviour: the API user's time zone, RT's 200-with-failure answers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from desk.core.models import Ticket
from desk.core.sync.remotes.base import RemoteRejected
from tests.sync.conftest import RTBackend, sync_backend

run = sync_backend  # one engine run with a fresh adapter (tests/sync/conftest.py)


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


def _name(session: Any, email: str | None = None, *, name_like: str | None = None) -> str | None:
    from desk.core.models import Person

    session.rollback()
    query = select(Person.name).where(Person.email == email) if email else select(Person.name).where(
        Person.name.like(name_like or ""))
    return session.scalar(query)


def test_a_rename_on_rt_is_read_though_none_of_their_tickets_changed(session: Any, rt: Any) -> None:
    """RT records a RealName change as a transaction on the user: the newest-transaction look-up
    sees it, so the rename comes down at the next pull; a sync with nothing to do stays at 3."""
    import os

    backend = RTBackend(rt)
    try:
        backend.add_remote(session)
        email = f"dana.{os.getpid()}@uni.test"
        assert backend.client.post("/user", json={"Name": email, "EmailAddress": email,
                                                  "RealName": "Dana Park"}).status_code == 201
        backend.create("Dana's laptop", email)
        run(session, backend)
        backend.create("Someone else's later ticket", "other@uni.test")  # Dana's ticket is not listed again
        run(session, backend)
        assert _name(session, email) == "Dana Park"
        backend.rename_user(email, "Dana Park-Lee")
        report = run(session, backend)
        assert report.people_renamed == 1 and report.updated_local == 0
        assert _name(session, email) == "Dana Park-Lee"
        quiet = run(session, backend)
        assert quiet.people_renamed == 0
        assert quiet.requests <= 3, quiet  # the budget for a sync with nothing to do
    finally:
        backend.close()


def test_a_requester_rt_knows_by_name_only_follows_a_rename(session: Any, rt: Any) -> None:
    """No e-mail on RT: the local requester is tied to the RT login (``sync_people.person_id``)."""
    import os

    backend = RTBackend(rt)
    try:
        backend.add_remote(session)
        login = f"walkin-{os.getpid()}"
        assert backend.client.post("/user", json={"Name": login, "RealName": "Kim Walk-in"}).status_code == 201
        response = backend.client.post("/ticket", json={"Queue": backend.queue, "Subject": "Nameless", "Requestor": login})
        assert response.status_code == 201, response.text
        run(session, backend)
        assert _name(session, name_like="Kim Walk-in") == "Kim Walk-in"
        backend.client.put(f"/user/{login}", json={"RealName": "Kim Walk-in Lee"})
        report = run(session, backend)
        assert report.people_renamed == 1
        assert _name(session, name_like="Kim Walk-in%") == "Kim Walk-in Lee"
    finally:
        backend.close()
