"""The open tickets' search index (migration 0017) holds exactly the open tickets' text, and
an open view's search finds what the index of every ticket finds among the open ones.

The state machine changes tickets only through the core operations (log, reply, solve, close,
reopen, walk away, edit subject, requester and the requester's name, merge people), so every
trigger that keeps the indexes runs as it does at the desk."""

from __future__ import annotations

import functools
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from desk.core import db, search_index
from desk.core.ops import comments, people, tickets
from desk.core.queries import queue
from desk.core.vocabulary import OPEN_SQL

WORDS = ["projector", "projectors", "eduroam", "printer", "lecture", "capture", "HDMI", "노트북", "연결",
         "무선인터넷", "인터넷이", "전원이", "김민수", "화면", "USB포트"]
SEARCHES = ["proj", "projector", "eduroam", "lecture capture", "hdmi", "노트북", "인터넷", "전원", "김",
            "민수", "노트북 HDMI 연결", "usb", "포트", "printer 화면"]
OPEN_VIEWS = sorted(queue.OPEN_VIEWS)
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


def _open_rows(conn: sqlite3.Connection) -> dict[int, tuple[str, ...]]:
    return {row[0]: tuple(row[1:]) for row in conn.execute(
        "SELECT rowid, subject, description, comments, requester FROM open_fts")}


def _expected_open_rows(conn: sqlite3.Connection) -> dict[int, tuple[str, ...]]:
    return {row[0]: tuple(row[1:]) for row in conn.execute(
        "SELECT rowid, subject, description, comments, requester FROM ticket_fts"
        f" WHERE rowid IN (SELECT id FROM tickets WHERE status IN {OPEN_SQL})")}


def _expected_open_terms(conn: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in conn.execute(
        "SELECT id, s, b FROM (SELECT rowid AS id, desk_ko_terms(ko_subject) AS s,"
        " desk_ko_body(ko_description, ko_comments, ko_requester) AS b FROM ticket_fts"
        f" WHERE rowid IN (SELECT id FROM tickets WHERE status IN {OPEN_SQL})) WHERE s != '' OR b != ''")}


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="desk-open-index-"))
    db.open_store(folder / "empty.sqlite3").close()
    return folder / "empty.sqlite3"


@settings(max_examples=25, stateful_step_count=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
class OpenIndexMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._folder = tempfile.TemporaryDirectory()
        path = Path(self._folder.name) / "desk.sqlite3"
        shutil.copyfile(_template(), path)  # a migrated empty store, made once
        self.store = db.open_store(path)
        self.session = self.store.session()
        self.agent = people.add_agent(self.session, name="Ana Agent", email="ana@uni.example").created_id
        self.people: list[int] = []
        self.tickets: list[int] = []

    def teardown(self) -> None:
        self.session.close()
        self.store.close()
        self._folder.cleanup()

    def _ticket(self, index: int) -> int:
        return self.tickets[index % len(self.tickets)]

    @rule(name=text, n=st.integers(0, 99))
    def add_person(self, name: str, n: int) -> None:
        self.people.append(people.ensure_requester(self.session, email=f"p{len(self.people)}-{n}@uni.example",
                                                   name=name).created_id)

    @precondition(lambda self: self.people)
    @rule(subject=text, description=text, who=st.integers(0, 99), channel=st.sampled_from(["walk-in", "email"]))
    def log(self, subject: str, description: str, who: int, channel: str) -> None:
        self.tickets.append(tickets.log_ticket(
            self.session, actor_id=self.agent, requester_id=self.people[who % len(self.people)],
            subject=subject, description=description, channel=channel).created_id)

    @precondition(lambda self: self.tickets)
    @rule(index=st.integers(0, 99), body=text, public=st.booleans())
    def reply(self, index: int, body: str, public: bool) -> None:
        comments.add_comment(self.session, ticket_id=self._ticket(index), author_id=self.agent, body=body,
                             public=public)

    @precondition(lambda self: self.tickets)
    @rule(index=st.integers(0, 99), status=st.sampled_from(["solved", "closed", "open", "pending", "on-hold"]))
    def set_status(self, index: int, status: str) -> None:
        ticket = tickets.load_ticket(self.session, self._ticket(index))
        tickets.update_ticket(self.session, ticket_id=ticket.id, actor_id=self.agent,
                              expected_version=ticket.version, fields={"status": status})

    @precondition(lambda self: self.tickets)
    @rule(index=st.integers(0, 99))
    def walk_away(self, index: int) -> None:
        ticket = tickets.load_ticket(self.session, self._ticket(index))
        if ticket.channel == "walk-in" and ticket.status == "new" and ticket.service_started_at is None:
            tickets.mark_left(self.session, ticket_id=ticket.id, actor_id=self.agent)

    @precondition(lambda self: self.tickets)
    @rule(index=st.integers(0, 99), subject=text, who=st.integers(0, 99), status=st.sampled_from(["open", "solved"]))
    def edit(self, index: int, subject: str, who: int, status: str) -> None:
        # Subject, requester and status in one update: two triggers of one statement.
        ticket = tickets.load_ticket(self.session, self._ticket(index))
        tickets.update_ticket(self.session, ticket_id=ticket.id, actor_id=self.agent,
                              expected_version=ticket.version,
                              fields={"subject": subject, "requester_id": self.people[who % len(self.people)],
                                      "status": status})

    @precondition(lambda self: self.people)
    @rule(who=st.integers(0, 99), name=text)
    def rename(self, who: int, name: str) -> None:
        people.edit_person(self.session, actor_id=self.agent, person_id=self.people[who % len(self.people)],
                           name=name)

    @precondition(lambda self: len(self.people) > 1)
    @rule(a=st.integers(0, 99), b=st.integers(0, 99))
    def merge(self, a: int, b: int) -> None:
        keep, gone = self.people[a % len(self.people)], self.people[b % len(self.people)]
        if keep != gone:
            people.merge_people(self.session, actor_id=self.agent, keep_id=keep, merge_id=gone)
            self.people.remove(gone)

    @invariant()
    def open_index_is_the_open_tickets(self) -> None:
        with closing(self.store.raw_connection()) as conn:
            assert _open_rows(conn) == _expected_open_rows(conn)
            terms = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT rowid, subject, body FROM open_ko")}
            assert terms == _expected_open_terms(conn)
            assert search_index.open_index_drift(conn) == 0

    @invariant()
    def open_views_find_what_the_whole_index_finds(self) -> None:
        with closing(self.store.raw_connection()) as conn:
            open_ids = {row[0] for row in conn.execute(f"SELECT id FROM tickets WHERE status IN {OPEN_SQL}")}
            for words in SEARCHES:
                whole = [i for _k, i in queue.page(conn, queue.QueueFilter(view="all", search=words),
                                                   sort="id", descending=True, limit=10_000)]
                found = [i for _k, i in queue.page(conn, queue.QueueFilter(view="all-open", search=words),
                                                   sort="id", descending=True, limit=10_000)]
                assert found == [i for i in whole if i in open_ids], words


TestOpenIndex = OpenIndexMachine.TestCase


def test_every_open_view_and_sort_pages_the_open_index(session, agent_id, requester_id):
    made = [tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, channel="walk-in",
                               subject=f"노트북 HDMI 연결 {n}" if n % 2 else f"Projector {n}").created_id
            for n in range(12)]
    tickets.solve(session, ticket_id=made[1], actor_id=agent_id)
    tickets.claim(session, ticket_id=made[3], agent_id=agent_id)
    for view in OPEN_VIEWS:
        for sort in queue.SORTS:
            for words in ("노트북 hdmi", "연결", "proj"):
                flt = queue.QueueFilter(view=view, search=words, agent_id=agent_id)
                everything = [i for _k, i in queue.page(session, flt, sort=sort, limit=100)]
                seen, after = [], None
                while rows := queue.page(session, flt, sort=sort, after=after, limit=2):
                    seen += [i for _k, i in rows]
                    after = rows[-1]
                assert seen == everything and made[1] not in seen, (view, sort, words)
                assert queue.count(session, flt) == len(everything)
    assert sorted(i for _k, i in queue.page(session, queue.QueueFilter(view="mine", search="노트북",
                                                                       agent_id=agent_id))) == [made[3]]


def test_the_migration_fills_it_and_repair_rebuilds_it(store, session, agent_id, requester_id):
    kept = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="무선인터넷 eduroam").created_id
    done = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Eduroam again").created_id
    tickets.solve(session, ticket_id=done, actor_id=agent_id)
    session.close()
    with closing(store.raw_connection()) as conn:
        assert set(_open_rows(conn)) == {kept}
        conn.execute("DELETE FROM open_fts")  # damage it
        conn.execute(f"INSERT INTO open_fts(rowid, subject) VALUES ({done}, 'eduroam')")
    problems = db.integrity_problems(store)
    assert "2 tickets are wrong in the open tickets' search index" in problems
    db.repair_store(store)
    assert db.integrity_problems(store) == []
    with closing(store.raw_connection()) as conn:
        assert _open_rows(conn) == _expected_open_rows(conn) and set(_open_rows(conn)) == {kept}
        found = [i for _k, i in queue.page(conn, queue.QueueFilter(view="all-open", search="인터넷"))]
        assert found == [kept]


def test_the_migration_from_0016_copies_the_open_tickets(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    db.build_schema(path, "0016")
    with closing(sqlite3.connect(path)) as conn:
        from desk.core import korean

        korean.register(conn)
        conn.execute("INSERT INTO people (id, uuid, name, email, created_at) VALUES (1, 'p1', '김민수', 'kim@uni.example', 0)")
        for ticket_id, status in ((1, "open"), (2, "closed"), (3, "pending")):
            conn.execute(
                "INSERT INTO tickets (id, uuid, subject, status, requester_id, created_at, updated_at, arrived_at)"
                " VALUES (?, ?, ?, ?, 1, 0, 0, 0)", (ticket_id, f"u{ticket_id}", f"노트북 충전 {ticket_id}", status))
        conn.commit()
    store = db.open_store(path)
    with closing(store.raw_connection()) as conn:
        assert set(_open_rows(conn)) == {1, 3}
        assert set(_expected_open_terms(conn)) == {1, 3}
        assert [i for _k, i in queue.page(conn, queue.QueueFilter(view="all-open", search="민수"), sort="id")] == [1, 3]
    store.close()


def test_mine_and_unassigned_read_their_page_from_the_open_assignee_index(session, agent_id):
    """Not a test of speed: of the plan. Without ix_tickets_open_assignee both views test every
    open ticket's assignee in the table (6 ms on a million tickets for Mine)."""
    from sqlalchemy import text

    for view in ("mine", "unassigned"):
        sql, params = queue.page_statements(queue.QueueFilter(view=view, agent_id=agent_id), sort="waiting")[0]
        plan = " ".join(str(row[3]) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql), params))
        assert "ix_tickets_open_assignee" in plan and "TEMP B-TREE" not in plan, (view, plan)
