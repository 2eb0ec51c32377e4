"""Korean search (issue 13): a word is found inside longer words — with its particle, inside a
compound, a given or family name inside a full name — through the Hangul bigram index, and
the index follows every change of a ticket, its comments and its requester."""

from __future__ import annotations

import sqlite3
import unicodedata
from contextlib import closing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.core import db, korean
from desk.core.models import Ticket
from desk.core.ops import comments, people, tickets
from desk.core.queries import queue
from desk.core.queries.search import fts_query, ko_query, subject_words
from desk.core.queries.tickets import similar_recent

# The tickets every case searches: (key, requester, subject, description, comment).
TICKETS = [
    ("power", "김민수", "노트북 전원이 안 켜져요", "어제부터 충전도 안 됩니다", ""),
    ("screen", "이서연", "모니터 화면이 깜빡여요", "", "케이블을 바꿔 보세요"),
    ("wifi", "박지훈", "무선인터넷 연결 불가", "강의실에서 와이파이가 자꾸 끊깁니다", ""),
    ("hdmi", "최유진", "노트북 HDMI 연결 오류", "프로젝터에 HDMI로 연결하면 오류 메시지가 나와요", ""),
    ("printer", "김하늘", "컬러프린터 용지 걸림", "", "용지함을 열고 종이를 빼 주세요"),
    ("english", "Wei Chen", "Projector flickers in room 204", "The HDMI input shows nothing", ""),
    ("account", "남궁민수", "포털 비밀번호 초기화 요청", "로그인이 안 돼요", "USB포트는 정상입니다"),
]

CASES = [
    # (typed, the tickets it must find — exactly these)
    ("전원", {"power"}),                    # 전원이: the particle attached
    ("화면", {"screen"}),                   # 화면이
    ("오류", {"hdmi"}),                     # a whole word, and inside 오류가 would be too
    ("연결", {"wifi", "hdmi"}),             # 연결, 연결하면
    ("김", {"power", "printer"}),           # the family name of 김민수 and 김하늘
    ("민수", {"power", "account"}),         # the given name inside 김민수 and 남궁민수
    ("남궁", {"account"}),                  # a two-syllable family name
    ("인터넷", {"wifi"}),                   # inside the compound 무선인터넷
    ("무선인터넷", {"wifi"}),
    ("프린터", {"printer"}),                # inside 컬러프린터
    ("노트북 HDMI 연결", {"hdmi"}),         # Korean and English together
    ("HDMI", {"hdmi", "english"}),          # English words as before
    ("projector", {"english"}),
    ("proj", {"english"}),                  # the last English word is still a prefix
    ("전원을", {"power"}),                  # another particle typed: the noun is looked up
    ("화면이 깜빡", {"screen"}),            # as typed, a word still unfinished
    ("용지", {"printer"}),                  # in the subject and in a reply
    ("종이", {"printer"}),                  # in a comment only
    ("와이파이", {"wifi"}),                 # in the description, 와이파이가
    ("USB포트", {"account"}),               # letters and Hangul in one word
    ("노트북 전원", {"power"}),             # all words must be there
    ("노트북 프린터", set()),
    ("전원 projector", set()),
    ("키보드", set()),                      # nothing shares the word
    ("ㅎ", set()),                          # a jamo of an unfinished syllable finds nothing
    ("김ㅁ", {"power", "printer"}),         # …and is ignored after a finished one
]


@pytest.fixture
def logged(session, agent_id):  # noqa: ANN001, ANN201
    ids = {}
    for number, (key, name, subject, description, comment) in enumerate(TICKETS):
        person = people.ensure_requester(session, email=f"p{number}@uni.test", name=name).created_id
        ids[key] = tickets.log_ticket(session, actor_id=agent_id, requester_id=person, subject=subject,
                                      description=description).created_id
        if comment:
            comments.add_comment(session, ticket_id=ids[key], author_id=agent_id, body=comment, public=True)
    return ids


def _found(session, typed, *, view="all", sort="id", descending=False):  # noqa: ANN001, ANN202
    return {i for _k, i in queue.page(session, queue.QueueFilter(view=view, search=typed), sort=sort,
                                      descending=descending)}


@pytest.mark.parametrize(("typed", "expected"), CASES, ids=[typed for typed, _ in CASES])
def test_korean_search_table(session, logged, typed, expected):  # noqa: ANN001
    wanted = {logged[key] for key in expected}
    # every plan the queue uses: all tickets by id, open tickets newest first (the FTS walk
    # with the open-ticket membership test), open tickets by arrival (each tested), the count
    assert _found(session, typed) == wanted
    assert _found(session, typed, view="all-open", descending=True) == wanted
    assert _found(session, typed, view="all-open", sort="waiting") == wanted
    assert _found(session, typed, view="all", sort="waiting") == wanted
    assert queue.count(session, queue.QueueFilter(view="all", search=typed)) == len(wanted)


def test_decomposed_hangul_is_found_and_finds(session, logged, agent_id, requester_id):  # noqa: ANN001
    """Text from macOS or a web form may come as jamo (NFD); both sides are composed first."""
    decomposed = unicodedata.normalize("NFD", "스캐너 드라이버 설치")
    scanner = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                 subject=decomposed).created_id
    assert _found(session, "드라이버") == {scanner}
    assert _found(session, unicodedata.normalize("NFD", "전원")) == {logged["power"]}


def test_queries_split_korean_from_other_words():
    assert ko_query("노트북 HDMI 연결") == '"노트 트북" "연결"'
    assert fts_query("노트북 HDMI 연결") == '"HDMI"'  # not last: a whole word
    assert ko_query("전원이") == '"전원"'  # the particle goes, two syllables are left
    assert ko_query("아이") == '"아이"'  # 이 here is part of the word
    assert ko_query("김") == '"김"'
    assert fts_query("USB포트") == '"USB"*' and ko_query("USB포트") == '"포트"'
    assert ko_query("projector") is None and fts_query("전원") is None


def test_index_terms():
    assert korean.text_terms("무선인터넷 연결") == "무선 선인 인터 터넷 연결"
    assert korean.text_terms("안 돼요") == "안 돼요"
    assert korean.text_terms("Projector") == ""
    assert korean.name_terms("김민수 kim@uni.test") == "김 김민 민수"


def test_the_bigram_index_follows_every_change(store, session, agent_id):  # noqa: ANN001
    person = people.ensure_requester(session, email="jh@uni.test", name="정하준").created_id
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=person, subject="마우스 고장",
                                   description="휠이 안 움직여요").created_id
    note = comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body="배터리 교체함",
                                public=False).created_id
    assert _found(session, "배터리") == _found(session, "하준") == _found(session, "고장") == {ticket_id}

    version = session.get(Ticket, ticket_id).version
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=version,
                          fields={"subject": "키보드 입력 안 됨"})
    people.edit_person(session, actor_id=agent_id, person_id=person, name="윤서아")
    assert _found(session, "고장") == _found(session, "하준") == set()
    assert _found(session, "키보드") == _found(session, "서아") == _found(session, "휠이") == {ticket_id}

    session.commit()
    with closing(store.raw_connection()) as conn:  # no operation edits or removes a comment yet
        conn.execute("UPDATE comments SET body = '충전기 교체함' WHERE id = ?", (note,))
        assert _found(conn, "배터리") == set() and _found(conn, "충전기") == {ticket_id}
        conn.execute("DELETE FROM comments WHERE ticket_id = ?", (ticket_id,))
        assert _found(conn, "충전기") == set() and _found(conn, "키보드") == {ticket_id}
        conn.execute("PRAGMA foreign_keys = OFF")  # its audit rows stay; only the trigger matters here
        conn.execute("DELETE FROM tickets WHERE id = ?", (ticket_id,))
        assert _found(conn, "키보드") == set()
        assert conn.execute("SELECT count(*) FROM ticket_ko WHERE ticket_ko MATCH '\"키보\"'").fetchone() == (0,)


def test_upgrading_a_store_indexes_its_korean_tickets(tmp_path):
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0008")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO people (id, uuid, name, email, kind, is_agent, created_at)"
                     " VALUES (1, 'u1', '김민수', 'ms@x.test', 'staff', 0, 0)")
        conn.execute("INSERT INTO tickets (id, uuid, subject, requester_id, arrived_at, created_at,"
                     " updated_at) VALUES (7, 't7', '무선인터넷 연결이 안 돼요', 1, 0, 0, 0)")
        conn.commit()
    with db.open_store(path) as store, store.session() as session:
        assert _found(session, "인터넷") == _found(session, "김") == {7}
        assert db.integrity_problems(store) == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from("가나다김민수ㄱㅎㅏ전원이 \"*-():HDMIé\u1100\u1161"), max_size=12))
def test_any_korean_typed_never_raises(session, typed):  # noqa: ANN001
    from tests.unit.test_search import answers_consistently

    answers_consistently(session, typed)


def test_similar_subjects_use_the_same_korean_words_and_ignore_particles(session, agent_id, requester_id):  # noqa: ANN001
    def log(subject):  # noqa: ANN001, ANN202
        return tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject=subject).created_id

    printer = log("컬러프린터 용지 걸림")
    internet = log("인터넷이 안 돼요")
    cable = log("HDMI 케이블 불량")
    both = log("프린터 용지가 부족해요")

    def similar(subject):  # noqa: ANN001, ANN202
        return [t.id for t in similar_recent(session, subject)]

    assert similar("프린터가 안 돼요") == [both, printer]  # inside the compound too; 안 돼요 count for nothing
    assert similar("프린터 용지를 넣어도") == [both, printer]  # two shared words, the newest first
    assert similar("용지 걸림 프린터") == [printer, both]  # three shared words beat two
    assert similar("안") == [] and similar("안 돼요") == [] and similar("이 가 을 를 은 는 에 의 도") == []
    assert similar("소리가 안 나요") == []  # 안 is not a reason to warn
    assert similar("노트북 HDMI 연결") == [cable]  # mixed Korean and English
    assert similar("인터넷 속도") == [internet]  # 인터넷이: the particle is no word of its own
    assert similar("The HDMI is not working") == [cable]
    assert subject_words("프린터가 안 돼요 and the") == ["프린터"]
    assert subject_words("모니터를 꼭 봐 주세요") == ["모니터", "꼭", "봐"]


WORDS = ["전원이", "무선인터넷", "연결", "화면", "김", "프린터를", "안", "USB포트", "projector", "오류가"]
NAMES = ["김민수", "이서연", "남궁민수", "Wei Chen"]
_OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["log", "subject", "comment", "edit-comment", "drop-comment", "rename", "drop-ticket"]),
    st.integers(0, 30), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.sampled_from(NAMES)), min_size=1, max_size=25)


def _postings(conn: sqlite3.Connection, table: str) -> list[tuple]:  # noqa: ANN001
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_{table} USING fts5vocab(main, {table}, 'instance')")
    return conn.execute(f"SELECT term, doc, col, offset FROM temp.vocab_{table} ORDER BY 1, 2, 3, 4").fetchall()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_OPERATIONS)
def test_the_bigram_index_always_equals_one_built_afresh(store, operations):  # noqa: ANN001
    """Whatever is changed in whatever order, the triggers leave exactly the postings a fresh
    build of the same rows has (a contentless table deletes by the terms it is given)."""
    with closing(store.raw_connection()) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")  # tickets are dropped with their audit rows kept
        conn.execute("BEGIN")
        people_ids = [conn.execute("INSERT INTO people (uuid, name, email, kind, is_agent, created_at)"
                                   " VALUES (?, ?, ?, 'staff', 0, 0)", (f"p{n}", name, f"p{n}@x.test")).lastrowid
                      for n, name in enumerate(NAMES)]
        for step, (action, pick, words, name) in enumerate(operations):
            ticket_ids = [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")]
            comment_ids = [row[0] for row in conn.execute("SELECT id FROM comments ORDER BY id")]
            ticket = ticket_ids[pick % len(ticket_ids)] if ticket_ids else None
            if action == "log" or ticket is None:
                conn.execute("INSERT INTO tickets (uuid, subject, description, requester_id, arrived_at, created_at,"
                             " updated_at) VALUES (?, ?, ?, ?, 0, 0, 0)",
                             (f"t{step}", words, words[::-1], people_ids[pick % len(people_ids)]))
            elif action == "subject":
                conn.execute("UPDATE tickets SET subject = ?, requester_id = ? WHERE id = ?",
                             (words, people_ids[pick % len(people_ids)], ticket))
            elif action == "comment":
                conn.execute("INSERT INTO comments (uuid, ticket_id, body, created_at) VALUES (?, ?, ?, 0)",
                             (f"c{step}", ticket, words))
            elif action == "edit-comment" and comment_ids:
                conn.execute("UPDATE comments SET body = ? WHERE id = ?", (words, comment_ids[pick % len(comment_ids)]))
            elif action == "drop-comment" and comment_ids:
                conn.execute("DELETE FROM comments WHERE id = ?", (comment_ids[pick % len(comment_ids)],))
            elif action == "rename":
                conn.execute("UPDATE people SET name = ? WHERE id = ?", (name + words[:2], people_ids[pick % 4]))
            elif action == "drop-ticket":
                conn.execute("DELETE FROM comments WHERE ticket_id = ?", (ticket,))
                conn.execute("DELETE FROM tickets WHERE id = ?", (ticket,))
        conn.execute("CREATE VIRTUAL TABLE temp.fresh USING fts5(subject, body, content = '', columnsize = 0)")
        conn.execute(  # from the rows themselves, not from what the triggers keep in ticket_fts
            "INSERT INTO temp.fresh (rowid, subject, body) SELECT t.id, desk_ko_terms(t.subject),"
            " desk_ko_body(t.description,"
            "  (SELECT group_concat(body, char(10)) FROM (SELECT body FROM comments WHERE ticket_id = t.id ORDER BY id)),"
            "  (SELECT name || ' ' || coalesce(email, '') FROM people WHERE id = t.requester_id)) FROM tickets t")
        # The unicode61 index has no Hangul: Korean is looked up in ticket_ko alone (migration 0015).
        assert conn.execute("SELECT count(*) FROM ticket_fts WHERE (subject || description || comments"
                            " || coalesce(requester, '')) GLOB '*[가-힣]*'").fetchone()[0] == 0
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_fresh USING fts5vocab(temp, fresh, 'instance')")
        fresh = conn.execute("SELECT term, doc, col, offset FROM temp.vocab_fresh ORDER BY 1, 2, 3, 4").fetchall()
        assert _postings(conn, "ticket_ko") == fresh
        conn.execute("INSERT INTO ticket_ko(ticket_ko) VALUES ('integrity-check')")
        conn.execute("ROLLBACK")


def test_mixed_searches_page_through_the_newest_windows_and_miss_nothing(session, agent_id, requester_id,  # noqa: ANN001
                                                                        monkeypatch):
    """Korean and other words together try the newest tickets first (windows of ids); paged
    newest first they give every match once, in order, whatever the windows are."""
    monkeypatch.setattr(queue, "MIXED_WINDOWS", (4, 12))
    wanted = []
    for n in range(40):
        subject = "노트북 HDMI 연결" if n % 3 else ("HDMI 케이블" if n % 2 else "노트북 연결")
        ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                       subject=subject).created_id
        if n % 3:
            wanted.append(ticket_id)
    filt = queue.QueueFilter(view="all", search="노트북 HDMI 연결")
    assert len(queue.page_statements(filt, sort="id", descending=True)) == 3
    seen, after = [], None
    while True:
        rows = queue.page(session, filt, sort="id", descending=True, after=after, limit=5)
        if not rows:
            break
        seen += [ticket_id for _key, ticket_id in rows]
        after = rows[-1]
    assert seen == sorted(wanted, reverse=True)
    assert _found(session, "노트북 HDMI 연결") == set(wanted)  # oldest first: one statement, no windows
