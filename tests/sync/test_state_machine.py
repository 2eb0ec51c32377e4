"""Random local edits, remote edits and faults (drops, 429, 500, lost answers, a run killed
half-way), then a clean sync: both sides agree and nothing is lost or duplicated."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy import select

from desk.core.db import open_store
from desk.core.models import SyncConflict, SyncOutbox, SyncStatus, Ticket
from desk.core.ops import comments as comment_ops
from desk.core.ops import people
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, engine
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import RemoteError
from desk.core.sync.remotes.zendesk import ZendeskRemote
from tests.sync.conftest import Waits
from tests.sync.fake_zendesk import FakeZendesk

STATUSES = ("new", "open", "pending", "on-hold", "solved")
PRIORITIES = ("low", "normal", "high", "urgent")
FIELDS = st.sampled_from(("subject", "status", "priority"))


class Killed(Exception):
    """Desk died here (power cut, kill -9)."""


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="desk-sync-sm-"))
        self.fake = FakeZendesk()
        self.store = open_store(self.directory / "desk.sqlite3")
        self.session = self.store.session()
        self.words = itertools.count(1)
        self.waits = Waits()

    @initialize()
    def setup(self) -> None:
        self.agent = people.add_agent(self.session, name="Ana", email="ana@desk.test").created_id
        self.requester = people.ensure_requester(self.session, email="wei@uni.test", name="Wei").created_id
        config.add_remote(self.session, name="zd", kind="zendesk", url=self.fake.url,
                          username=self.fake.state.email)

    def teardown(self) -> None:
        try:
            self.check_agreement()
        finally:
            self.close()

    def close(self) -> None:
        self.session.close()
        self.store.close()
        self.fake.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def word(self) -> str:
        return f"w{next(self.words)}"

    def local_ids(self) -> list[int]:
        self.session.rollback()
        return list(self.session.scalars(select(Ticket.id).order_by(Ticket.id)))

    def value(self, field: str, index: int) -> str:
        if field == "status":
            return STATUSES[index % len(STATUSES)]
        if field == "priority":
            return PRIORITIES[index % len(PRIORITIES)]
        return f"Subject {self.word()}"

    # --- local side ------------------------------------------------------------------
    @rule()
    def local_create(self) -> None:
        ticket_ops.log_ticket(self.session, actor_id=self.agent, requester_id=self.requester,
                              subject=f"Local {self.word()}", description="at the desk")

    @precondition(lambda self: self.local_ids())
    @rule(pick=st.integers(0, 50), field=FIELDS, index=st.integers(0, 10))
    def local_edit(self, pick: int, field: str, index: int) -> None:
        ids = self.local_ids()
        ticket = self.session.get(Ticket, ids[pick % len(ids)])
        ticket_ops.update_ticket(self.session, ticket_id=ticket.id, actor_id=self.agent,
                                 expected_version=ticket.version, fields={field: self.value(field, index)})

    @precondition(lambda self: self.local_ids())
    @rule(pick=st.integers(0, 50), public=st.booleans())
    def local_comment(self, pick: int, public: bool) -> None:
        ids = self.local_ids()
        comment_ops.add_comment(self.session, ticket_id=ids[pick % len(ids)], author_id=None,
                                body=f"local {self.word()}", public=public)

    # --- remote side -----------------------------------------------------------------
    @rule()
    def remote_create(self) -> None:
        self.fake.create_ticket({"subject": f"Remote {self.word()}", "comment": {"body": "from the web"},
                                 "requester": {"email": "kim@uni.test", "name": "Kim"}})

    @precondition(lambda self: self.fake.state.tickets)
    @rule(pick=st.integers(0, 50), field=FIELDS, index=st.integers(0, 10))
    def remote_edit(self, pick: int, field: str, index: int) -> None:
        ids = sorted(self.fake.state.tickets)
        value = self.value(field, index)
        if field == "status":
            value = {"on-hold": "hold"}.get(value, value)
        self.fake.update_ticket(ids[pick % len(ids)], {field: value})

    @precondition(lambda self: self.fake.state.tickets)
    @rule(pick=st.integers(0, 50), public=st.booleans())
    def remote_comment(self, pick: int, public: bool) -> None:
        ids = sorted(self.fake.state.tickets)
        self.fake.add_comment(ids[pick % len(ids)], f"remote {self.word()}", public)

    # --- faults and syncs ------------------------------------------------------------
    @rule(kinds=st.lists(st.tuples(st.sampled_from(("any", "PUT", "POST")),
                                   st.sampled_from(("429", "500", "drop", "lost"))), min_size=1, max_size=3))
    def faults(self, kinds: list[tuple[str, str]]) -> None:
        for method, kind in kinds:
            if method == "any":
                self.fake.fail_next(kind)
            else:
                self.fake.fail_next_on(method, kind)

    @rule(kill_at=st.one_of(st.none(), st.integers(1, 12)))
    def sync(self, kill_at: int | None) -> None:
        steps = itertools.count(1)

        def checkpoint(_where: str) -> None:
            if kill_at is not None and next(steps) == kill_at:
                raise Killed

        self.fake.advance(61)
        remote = ZendeskRemote(url=self.fake.url, username=self.fake.state.email, auth="token",
                               secret=Secret(token=self.fake.state.token), sleep=self.waits)
        try:
            engine.sync(self.session, "zd", remote=remote, checkpoint=checkpoint)
        except (Killed, RemoteError):
            self.session.rollback()
            self.session.close()
            self.session = self.store.session()  # a new process starts
        finally:
            remote.close()

    # --- the check -------------------------------------------------------------------
    def check_agreement(self) -> None:
        self.fake.state.faults.clear()
        self.fake.state.method_faults.clear()
        for _ in range(2):
            self.sync(None)
        session = self.session
        session.rollback()
        tickets = list(session.scalars(select(Ticket)))
        status = {row.ticket_id: row.remote_ticket_id for row in session.scalars(select(SyncStatus))}
        remote = self.fake.state.tickets
        assert len(tickets) == len(remote), (len(tickets), len(remote))
        assert sorted(status) == sorted(t.id for t in tickets)
        assert sorted(map(int, status.values())) == sorted(remote)
        externals = [t["external_id"] for t in remote.values() if t.get("external_id")]
        assert len(externals) == len(set(externals))
        conflicts = {(c.ticket_id, c.field) for c in session.scalars(
            select(SyncConflict).where(SyncConflict.resolved_at.is_(None)))}
        for ticket in tickets:
            theirs = remote[int(status[ticket.id])]
            wanted = {"subject": ticket.subject, "priority": ticket.priority,
                      "status": {"on-hold": "hold"}.get(ticket.status, ticket.status)}
            for field, value in wanted.items():
                if (ticket.id, field) not in conflicts:
                    assert (theirs.get(field) or "normal") == value, (ticket.id, field, theirs.get(field), value)
            mine = Counter((c.body, c.is_public) for c in ticket.comments)
            remote_comments = self.fake.state.comments[int(status[ticket.id])][1:]  # [0] = description
            assert mine == Counter((c["body"], c["public"]) for c in remote_comments), ticket.id
            assert all(count == 1 for count in mine.values()), mine  # every body is unique
        assert session.scalar(select(SyncOutbox.id)) is None


SyncMachine.TestCase.settings = settings(
    max_examples=15, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TestSyncConverges = SyncMachine.TestCase
