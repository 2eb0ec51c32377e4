"""Random local edits, remote edits and faults (drops, 429, 500, lost answers, a run killed
half-way), then a clean sync: both sides agree and nothing is lost or duplicated.

Fields: subject, status, priority, category (a Zendesk tag) and assignee (two agents known on
both sides, or nobody). Comments come from agents and requesters on both sides; a ticket has a
first response exactly when an agent (a local one, or staff upstream) made a public reply."""

from __future__ import annotations

import atexit
import itertools
import os
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
CATEGORIES = (None, "av", "network")
AGENTS = (None, "ana@desk.test", "bo@desk.test")
FIELDS = st.sampled_from(("subject", "status", "priority", "category", "assignee"))
TAG = "desk_category_"


class Killed(Exception):
    """Desk died here (power cut, kill -9)."""


_TEMPLATE: list[Path] = []


def fresh_store(directory: Path) -> Path:
    """A new, empty, migrated store: a copy of one made once (migrating each time costs more
    than many of the steps)."""
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="desk-sync-sm-template-")) / "desk.sqlite3"
        atexit.register(shutil.rmtree, template.parent, ignore_errors=True)
        open_store(template).close()
        _TEMPLATE.append(template)
    target = directory / "desk.sqlite3"
    shutil.copyfile(_TEMPLATE[0], target)
    return target


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="desk-sync-sm-"))
        self.fake = FakeZendesk()
        self.store = open_store(fresh_store(self.directory))
        self.session = self.store.session()
        self.words = itertools.count(1)
        self.waits = Waits()
        self.agent_replies: set[str] = set()  # bodies of public replies written by agents

    @initialize()
    def setup(self) -> None:
        self.agent = people.add_agent(self.session, name="Ana", email="ana@desk.test").created_id
        self.other_agent = people.add_agent(self.session, name="Bo", email="bo@desk.test").created_id
        self.requester = people.ensure_requester(self.session, email="wei@uni.test", name="Wei").created_id
        self.categories = {name: people.ensure_category(self.session, name=name).created_id
                           for name in CATEGORIES if name}
        config.add_remote(self.session, name="zd", kind="zendesk", url=self.fake.url,
                          username=self.fake.state.email)
        # Upstream: both agents have accounts; Kim and Wei are end-users.
        self.remote_people = {email: self.fake.user(email, email.split("@")[0], role="agent")
                              for email in AGENTS if email}
        self.remote_authors = {"staff": self.fake.agent_id, "ana": self.remote_people["ana@desk.test"],
                               "kim": self.fake.user("kim@uni.test", "Kim"),
                               "wei": self.fake.user("wei@uni.test", "Wei")}

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

    def value(self, field: str, index: int) -> str | None:
        if field == "status":
            return STATUSES[index % len(STATUSES)]
        if field == "priority":
            return PRIORITIES[index % len(PRIORITIES)]
        if field == "category":
            return CATEGORIES[index % len(CATEGORIES)]
        if field == "assignee":
            return AGENTS[index % len(AGENTS)]
        return f"Subject {self.word()}"

    def local_value(self, field: str, value: str | None) -> tuple[str, object]:
        if field == "category":
            return "category_id", self.categories.get(value) if value else None
        if field == "assignee":
            return "assignee_id", {"ana@desk.test": self.agent, "bo@desk.test": self.other_agent}.get(value)
        return field, value

    def remote_value(self, ticket: dict, field: str, value: str | None) -> dict:
        if field == "status":
            return {"status": {"on-hold": "hold"}.get(value, value)}
        if field == "category":
            tags = [tag for tag in ticket.get("tags") or [] if not tag.startswith(TAG)]
            return {"tags": tags + ([TAG + value] if value else [])}
        if field == "assignee":
            return {"assignee_id": self.remote_people.get(value) if value else None}
        return {field: value}

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
        name, value = self.local_value(field, self.value(field, index))
        ticket_ops.update_ticket(self.session, ticket_id=ticket.id, actor_id=self.agent,
                                 expected_version=ticket.version, fields={name: value})

    @precondition(lambda self: self.local_ids())
    @rule(pick=st.integers(0, 50), public=st.booleans(), by_agent=st.booleans())
    def local_comment(self, pick: int, public: bool, by_agent: bool) -> None:
        ids = self.local_ids()
        body = f"local {self.word()}"
        comment_ops.add_comment(self.session, ticket_id=ids[pick % len(ids)],
                                author_id=self.agent if by_agent else None, body=body, public=public)
        if by_agent and public:
            self.agent_replies.add(body)

    # --- remote side -----------------------------------------------------------------
    @rule()
    def remote_create(self) -> None:
        self.fake.create_ticket({"subject": f"Remote {self.word()}", "comment": {"body": "from the web"},
                                 "requester": {"email": "kim@uni.test", "name": "Kim"}})

    @precondition(lambda self: self.fake.state.tickets)
    @rule(pick=st.integers(0, 50), field=FIELDS, index=st.integers(0, 10))
    def remote_edit(self, pick: int, field: str, index: int) -> None:
        ids = sorted(self.fake.state.tickets)
        ticket = self.fake.state.tickets[ids[pick % len(ids)]]
        self.fake.update_ticket(ticket["id"], self.remote_value(ticket, field, self.value(field, index)))

    @precondition(lambda self: self.fake.state.tickets)
    @rule(pick=st.integers(0, 50), public=st.booleans(), author=st.sampled_from(("staff", "ana", "kim", "wei")))
    def remote_comment(self, pick: int, public: bool, author: str) -> None:
        ids = sorted(self.fake.state.tickets)
        body = f"remote {self.word()}"
        self.fake.add_comment(ids[pick % len(ids)], body, public, author_id=self.remote_authors[author])
        if public and author in ("staff", "ana"):
            self.agent_replies.add(body)

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
            tags = [tag[len(TAG):] for tag in theirs.get("tags") or [] if tag.startswith(TAG)]
            emails = {uid: email for email, uid in self.remote_people.items()}
            remote_fields = {"subject": theirs.get("subject"), "priority": theirs.get("priority") or "normal",
                             "status": theirs.get("status"), "category": tags[0] if tags else None,
                             "assignee": emails.get(theirs.get("assignee_id"))}
            wanted = {"subject": ticket.subject, "priority": ticket.priority,
                      "status": {"on-hold": "hold"}.get(ticket.status, ticket.status),
                      "category": ticket.category.name if ticket.category else None,
                      "assignee": ticket.assignee.email if ticket.assignee else None}
            for field, value in wanted.items():
                if (ticket.id, field) not in conflicts:
                    assert remote_fields[field] == value, (ticket.id, field, remote_fields[field], value)
            mine = Counter((c.body, c.is_public) for c in ticket.comments)
            remote_comments = self.fake.state.comments[int(status[ticket.id])][1:]  # [0] = description
            assert mine == Counter((c["body"], c["public"]) for c in remote_comments), ticket.id
            assert all(count == 1 for count in mine.values()), mine  # every body is unique
            answered = any(c.is_public and c.body in self.agent_replies for c in ticket.comments)
            assert (ticket.first_response_at is not None) == answered, (ticket.id, ticket.first_response_at)
        assert session.scalar(select(SyncOutbox.id)) is None


SyncMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("DESK_SYNC_EXAMPLES", "40")), stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TestSyncConverges = SyncMachine.TestCase
