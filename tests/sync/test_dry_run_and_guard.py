"""`desk sync --dry-run` prints the plan and changes nothing (the store file is the same byte for
byte, no remote write is sent); the mass-change guard refuses a run that would close most of the
store, applies nothing, and says how to go ahead."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.models import SyncCursor, SyncRemote, SyncStatus, Ticket
from desk.core.ops import comments as comment_ops
from desk.core.ops import people
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, credentials
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import MassChangeRefused
from tests.store_dump import dump_rows
from tests.sync.conftest import sync_zendesk
from tests.sync.fake_zendesk import FakeZendesk


def files(path: Path) -> dict[str, bytes]:
    """The store and whatever SQLite keeps beside it (WAL, shared memory)."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


def rows(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dump_rows(connection)
    finally:
        connection.close()


def writes(fake: FakeZendesk, since: int) -> list[str]:
    return [line for line in fake.state.requests[since:] if not line.startswith("GET ")]


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path, zendesk: FakeZendesk,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dry.sqlite3"
    db = ["--db", str(path)]
    credentials.store_secret("zd", Secret(token=zendesk.state.token))
    with open_store(path) as store, store.session() as session:
        agent = people.add_agent(session, name="Ana", email="ana@desk.test").created_id
        requester = people.ensure_requester(session, email="wei@uni.test", name="Wei").created_id
        config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
        kept = ticket_ops.log_ticket(session, actor_id=agent, requester_id=requester, subject="Beamer").created_id
        edited = ticket_ops.log_ticket(session, actor_id=agent, requester_id=requester, subject="Mouse").created_id
    zendesk.advance(61)
    assert main(["sync", "zd", *db]) == 0
    capsys.readouterr()
    with open_store(path) as store, store.session() as session:
        rid = int(session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == kept)))
        zendesk.update_ticket(rid, {"priority": "urgent"})
        zendesk.add_comment(rid, "Lamp ordered", True)
        zendesk.create_ticket({"subject": "Badge reader", "comment": {"body": "Door 3"},
                               "requester": {"email": "kim@uni.test", "name": "Kim"}})
        ticket = session.get(Ticket, edited)
        ticket_ops.update_ticket(session, ticket_id=edited, actor_id=agent, expected_version=ticket.version,
                                 fields={"subject": "Mouse (wireless)"})
        comment_ops.add_comment(session, ticket_id=edited, author_id=agent, body="Try new batteries", public=True)
        ticket_ops.log_ticket(session, actor_id=agent, requester_id=requester, subject="Keyboard")
    zendesk.advance(61)
    before_files, before_rows, mark = files(path), rows(path), len(zendesk.state.requests)

    assert main(["sync", "zd", "--dry-run", *db]) == 0

    out = capsys.readouterr().out
    assert "dry run, nothing changed" in out
    lines = [line.strip() for line in out.splitlines()[1:]]
    kinds = [line.split()[0] for line in lines]
    for kind in ("update-local", "pull-comment", "create-local", "push-create", "push-update", "push-comment"):
        assert kind in kinds, out
    assert any("priority 'normal' -> 'urgent'" in line for line in lines), out
    assert any("'Badge reader'" in line for line in lines), out
    assert any("'Keyboard'" in line for line in lines), out
    assert files(path) == before_files  # byte for byte
    assert rows(path) == before_rows  # row for row
    assert zendesk.state.requests[mark:], "the dry run read the remote"
    assert writes(zendesk, mark) == []

    mark = len(zendesk.state.requests)
    assert main(["sync", "zd", *db]) == 0  # the plan was real: a normal run does it
    assert writes(zendesk, mark)
    with open_store(path) as store, store.session() as session:
        assert session.scalar(select(Ticket.priority).where(Ticket.id == kept)) == "urgent"
        assert session.scalar(select(Ticket.id).where(Ticket.subject == "Badge reader")) is not None


def test_a_remote_that_suddenly_closes_everything_is_refused(session: Any, zendesk: FakeZendesk, store: Any,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    remote_ids = [zendesk.create_ticket({"subject": f"Room {n}", "comment": {"body": "cold"},
                                         "requester": {"email": "kim@uni.test", "name": "Kim"}})["id"]
                  for n in range(12)]
    assert sync_zendesk(session, zendesk).created_local == 12
    session.rollback()
    cursor = session.get(SyncCursor, (session.scalar(select(SyncRemote.id)), "pull")).value
    session.rollback()
    for rid in remote_ids[:11]:
        zendesk.update_ticket(rid, {"status": "closed"})
    zendesk.update_ticket(remote_ids[11], {"priority": "high"})

    with pytest.raises(MassChangeRefused) as refused:
        sync_zendesk(session, zendesk)

    assert "close 11" in refused.value.message and "desk sync zd --allow-mass-change" in refused.value.message
    session.rollback()
    assert {t.status for t in session.scalars(select(Ticket))} == {"new"}  # nothing applied
    assert {t.priority for t in session.scalars(select(Ticket))} == {"normal"}
    assert session.get(SyncCursor, (session.scalar(select(SyncRemote.id)), "pull")).value == cursor
    assert "--allow-mass-change" in session.scalar(select(SyncRemote.last_error))
    session.rollback()

    credentials.store_secret("zd", Secret(token=zendesk.state.token))
    assert main(["sync", "zd", "--db", str(store.path)]) == 1  # the remote's run failed (issue 18's exit codes)
    assert "desk sync zd --allow-mass-change" in capsys.readouterr().err
    assert main(["sync", "zd", "--dry-run", "--db", str(store.path)]) == 0  # the way to look first
    shown = capsys.readouterr().out
    assert shown.count("update-local") == 12 and "refused: zd: this sync would close 11" in shown

    report = sync_zendesk(session, zendesk, allow_mass_change=True)
    assert report.updated_local == 12
    session.rollback()
    statuses = sorted(t.status for t in session.scalars(select(Ticket)))
    assert statuses == ["closed"] * 11 + ["new"]


def test_an_ordinary_day_of_closing_is_not_refused(session: Any, zendesk: FakeZendesk) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    remote_ids = [zendesk.create_ticket({"subject": f"Desk {n}", "comment": {"body": "wobbly"},
                                         "requester": {"email": "kim@uni.test", "name": "Kim"}})["id"]
                  for n in range(24)]
    sync_zendesk(session, zendesk)
    for rid in remote_ids[:12]:  # half of them: at the limit, not over it
        zendesk.update_ticket(rid, {"status": "solved"})
    assert sync_zendesk(session, zendesk).updated_local == 12


def web_tickets(fake: FakeZendesk, count: int) -> list[int]:
    return [fake.create_ticket({"subject": f"Lab {n}", "comment": {"body": "no power"},
                                "requester": {"email": "kim@uni.test", "name": "Kim"}})["id"] for n in range(count)]


def gone_here(session: Any) -> int:
    """Links marked gone (each with its internal note), as the store has them now."""
    session.rollback()
    marked = session.scalars(select(SyncStatus.ticket_id).where(SyncStatus.gone.is_not(None))).all()
    for ticket_id in marked:
        assert sum("No longer synced" in c.body and not c.is_public for c in session.get(Ticket, ticket_id).comments) == 1
    session.rollback()
    return len(marked)


def test_a_remote_that_suddenly_deletes_everything_is_refused(session: Any, zendesk: FakeZendesk,
                                                              store: Any) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    remote_ids = web_tickets(zendesk, 12)
    assert sync_zendesk(session, zendesk).created_local == 12
    session.rollback()
    for rid in remote_ids:  # a purge, or another account's export behind the same address
        zendesk.delete_ticket(rid)

    def store_rows() -> list[str]:  # all but the remote's own row (its last_error says why)
        return [line for line in rows(store.path) if not line.startswith("sync_remotes:")]

    before = store_rows()
    with pytest.raises(MassChangeRefused) as refused:
        sync_zendesk(session, zendesk)

    message = refused.value.message
    assert "would unlink 12 (deleted, merged or moved away on the remote) of the 12 tickets linked" in message
    assert "desk sync zd --dry-run" in message and "desk sync zd --allow-mass-change" in message
    session.rollback()
    assert store_rows() == before  # no link marked, no note added, no cursor moved
    assert "--allow-mass-change" in session.scalar(select(SyncRemote.last_error))
    session.rollback()
    dry = sync_zendesk(session, zendesk, dry_run=True)
    assert dry.refused is not None and "unlink 12" in dry.refused
    assert len(dry.plan.unlinked()) == 12 and store_rows() == before

    report = sync_zendesk(session, zendesk, allow_mass_change=True)  # the person checked: go ahead
    assert sum("no longer synced" in note for note in report.notes) == 12
    assert gone_here(session) == 12
    session.rollback()
    assert session.scalar(select(SyncRemote.last_error)) is not None  # the notes say what happened
    assert {t.status for t in session.scalars(select(Ticket))} == {"new"}  # the tickets stay as they are


def test_unlinks_count_with_changes_toward_the_share_of_the_tickets_still_synced(session: Any,
                                                                                 zendesk: FakeZendesk) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    remote_ids = web_tickets(zendesk, 40)
    sync_zendesk(session, zendesk)
    for rid in remote_ids[:20]:  # half of them: at the limit, not over it
        zendesk.delete_ticket(rid)
    sync_zendesk(session, zendesk)
    assert gone_here(session) == 20

    # 11 of the 20 still synced (the 20 marked gone count no more): just over the share, and
    # refused although neither the 6 unlinks nor the 5 closes alone reach the minimum of 10.
    for rid in remote_ids[20:26]:
        zendesk.delete_ticket(rid)
    for rid in remote_ids[26:31]:
        zendesk.update_ticket(rid, {"status": "closed"})
    with pytest.raises(MassChangeRefused) as refused:
        sync_zendesk(session, zendesk)
    assert ("would close 5 and unlink 6 (deleted, merged or moved away on the remote) of the 20 tickets linked "
            "to it (55%)") in refused.value.message
    assert gone_here(session) == 20
    assert {t.status for t in session.scalars(select(Ticket))} == {"new"}
    session.rollback()

    sync_zendesk(session, zendesk, allow_mass_change=True)
    assert gone_here(session) == 26
    assert sorted(t.status for t in session.scalars(select(Ticket))) == ["closed"] * 5 + ["new"] * 35


def test_links_marked_gone_before_are_not_unlinked_again_when_the_pull_starts_over(
        session: Any, zendesk: FakeZendesk) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    remote_ids = web_tickets(zendesk, 24)
    sync_zendesk(session, zendesk)
    for rid in remote_ids[:12]:
        zendesk.delete_ticket(rid)
    sync_zendesk(session, zendesk)
    assert gone_here(session) == 12
    config.reset_cursor(session, name="zd")  # the export is read from the start: the 12 are listed again

    report = sync_zendesk(session, zendesk)  # not 12 unlinks of the 12 still synced: nothing to refuse

    assert report.plan is not None and not report.plan.unlinked()
    assert not [line for line in report.plan.lines() if "deleted" in line]  # quiet: nothing happens to them
    assert gone_here(session) == 12  # and no second note
