"""Renamed remote users (issue 14, part 4): a rename on the helpdesk reaches the local person on
both PCs through an audited operation; a name edited here stays while the remote name does not
change, and a rename on both sides keeps the local one and says so. A real RT 5 and the Zendesk
fake; on Zendesk a rename is seen when one of the person's tickets next changes (the users come
sideloaded with the ticket export), on RT at the next pull (RT records the rename itself)."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from sqlalchemy import select

from desk.core.models import AuditEvent, Person, SyncPerson
from desk.core.ops import people
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config
from tests.sync.test_two_pcs import both, one, pc_b, sync, two_pcs  # noqa: F401 - fixtures

_numbers = itertools.count(1)


@pytest.fixture
def email() -> str:
    """Each test its own person: RT's users outlive a test (one RT per session)."""
    return f"wei.chen.{os.getpid()}.{next(_numbers)}@uni.test"


def walk_in(session: Any, actor: int, subject: str, email: str) -> int:
    requester = people.ensure_requester(session, email=email, name="Wei Chen", kind="faculty").created_id
    return ticket_ops.log_ticket(session, actor_id=actor, requester_id=requester, subject=subject,
                                 channel="walk-in").created_id


def name_of(session: Any, email: str) -> str:
    session.rollback()
    return session.scalar(select(Person.name).where(Person.email == email))


def seen_again(backend: Any, remote_id: str, text: str) -> None:
    """Zendesk shows a user's new name with their tickets: one of them changes on the web."""
    if backend.kind == "zendesk":
        backend.comment(remote_id, text)


def _remote_id(session: Any, subject: str) -> str:
    from desk.core.models import SyncStatus

    ticket = one(session, subject)
    return session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == ticket.id))


def test_a_requester_renamed_upstream_is_renamed_on_both_pcs(two_pcs: Any, email: str) -> None:  # noqa: F811
    a, b, backend, staff_a, _staff_b = two_pcs
    walk_in(a, staff_a["ana"], "Renamed requester", email)
    both(backend, a, b)
    assert name_of(a, email) == name_of(b, email) == "Wei Chen"
    backend.rename_user(email, "Wei Chen-Li")
    seen_again(backend, _remote_id(a, "Renamed requester"), "Name updated in the directory")
    report_a = sync(a, backend)
    report_b = sync(b, backend)
    assert name_of(a, email) == name_of(b, email) == "Wei Chen-Li"
    assert report_a.people_renamed == report_b.people_renamed == 1
    changes = report_b.changes()
    assert changes.people and changes.tickets  # queue rows show the requester's name
    b.rollback()
    event = b.scalar(select(AuditEvent).where(AuditEvent.action == "rename-from-remote"))
    assert (event.old, event.new, event.origin, event.actor_id) == ("Wei Chen", "Wei Chen-Li", backend.kind, None)
    again = sync(b, backend)
    assert again.people_renamed == 0 and name_of(b, email) == "Wei Chen-Li"


def test_a_name_edited_here_is_kept_while_the_remote_name_stays(two_pcs: Any, email: str) -> None:  # noqa: F811
    a, b, backend, staff_a, _staff_b = two_pcs
    walk_in(a, staff_a["ana"], "Edited here", email)
    both(backend, a, b)
    person_a = a.scalar(select(Person.id).where(Person.email == email))
    people.edit_person(a, actor_id=staff_a["ana"], person_id=person_a, name="Dr. Wei Chen")
    rid = _remote_id(a, "Edited here")
    backend.comment(rid, "Still here")  # the person's ticket changes upstream: seen again
    both(backend, a, b)
    assert name_of(a, email) == "Dr. Wei Chen"  # the remote's unchanged "Wei Chen" never overwrites it
    assert name_of(b, email) == "Wei Chen"  # a local edit stays on its PC (no push of people's names)
    # Renamed on both sides: A keeps its own and says so; B, unedited, follows the remote.
    backend.rename_user(email, "W. Chen")
    seen_again(backend, rid, "Renamed again")
    report_a = sync(a, backend)
    sync(b, backend)
    assert name_of(a, email) == "Dr. Wei Chen"
    assert any("W. Chen" in note and "Dr. Wei Chen" in note for note in report_a.notes), report_a.notes
    assert name_of(b, email) == "W. Chen"


def test_the_remote_name_last_seen_is_remembered_per_person(two_pcs: Any, email: str) -> None:  # noqa: F811
    a, b, backend, staff_a, _staff_b = two_pcs
    walk_in(a, staff_a["ana"], "Remembered", email)
    both(backend, a, b)
    b.rollback()
    person_b = b.scalar(select(Person.id).where(Person.email == email))
    row = b.scalar(select(SyncPerson).where(SyncPerson.person_id == person_b))
    assert row is not None and row.name == "Wei Chen"


def test_desk_sync_says_how_many_people_were_renamed(tmp_path: Any, capsys: Any, zendesk: Any) -> None:
    from desk.cli.main import main
    from desk.core.sync import credentials

    db = str(tmp_path / "cli.sqlite3")
    assert main(["init", db]) == 0
    assert main(["remote", "add", "zd", "--kind", "zendesk", "--url", zendesk.url, "--user", zendesk.state.email,
                 "--db", db]) == 0
    credentials.store_secret("zd", credentials.Secret(token=zendesk.state.token))
    ticket = zendesk.create_ticket({"subject": "From the web", "comment": {"body": "hi"},
                                    "requester": {"email": "kim@uni.test", "name": "Kim Lee"}})
    zendesk.advance(61)
    assert main(["sync", "--db", db]) == 0
    zendesk.rename_user(ticket["requester_id"], "Kim Lee-Park")
    zendesk.add_comment(ticket["id"], "Thanks")  # one of her tickets changes: her new name comes with it
    zendesk.advance(61)
    capsys.readouterr()
    assert main(["sync", "--db", db]) == 0
    assert "1 person renamed as on zd." in capsys.readouterr().out


def test_a_zendesk_rename_alone_arrives_within_the_hour(session: Any, zendesk: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """No ticket of hers changes: the incremental user export, read at most hourly, brings it."""
    import time as real_time

    from desk.core.sync.remotes import zendesk_users
    from tests.sync.conftest import sync_zendesk

    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    ticket = zendesk.create_ticket({"subject": "Quiet ticket", "comment": {"body": "hi"},
                                    "requester": {"email": "kim@uni.test", "name": "Kim Lee"}})
    sync_zendesk(session, zendesk)
    sync_zendesk(session, zendesk)
    zendesk.rename_user(ticket["requester_id"], "Kim Lee-Park")
    zendesk.state.requests.clear()
    sync_zendesk(session, zendesk)  # within the hour: not asked, not seen yet
    assert not any("incremental/users" in r for r in zendesk.state.requests), zendesk.state.requests
    assert name_of(session, "kim@uni.test") == "Kim Lee"
    later = real_time.time() + zendesk_users.EVERY + 60
    monkeypatch.setattr(zendesk_users.time, "time", lambda: later)
    report = sync_zendesk(session, zendesk)
    assert report.people_renamed == 1 and name_of(session, "kim@uni.test") == "Kim Lee-Park"
    assert sum("incremental/users" in r for r in zendesk.state.requests) == 1
