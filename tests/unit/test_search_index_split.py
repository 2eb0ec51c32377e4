"""Hangul only in the bigram index (migration 0015): ``ticket_fts`` indexes each text without
its Hangul and keeps the Hangul in unindexed columns, from which ``ticket_ko`` is kept; every
search finds what it found before, and the search index of a Korean desk stays small."""

from __future__ import annotations

import sqlite3
import unicodedata
from contextlib import closing

from hypothesis import given
from hypothesis import strategies as st

from desk.core import db, korean
from desk.core.ops import comments, people, tickets
from desk.core.queries import queue

# Text as people type it: Hangul (also decomposed), Latin with accents, digits, jamo, CJK, spaces.
_PIECES = st.sampled_from(["전원이", "무선인터넷", "김민수", "USB", "포트", "HDMI케이블", "café", "204호",
                           "ㅋㅋ", "中文", "é", " ", "\n", "-", "e\u0301", "Wei", "오류가"])
TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=8).map("".join)


@given(TEXT, st.booleans())
def test_the_two_halves_keep_every_term(text, decompose):  # noqa: ANN001
    if decompose:
        text = unicodedata.normalize("NFD", text)
    plain, hangul = korean.plain_text(text), korean.hangul_text(text)
    # The Hangul half gives ticket_ko exactly the terms of the whole text…
    assert korean.text_terms(hangul) == korean.text_terms(text)
    assert korean.name_terms(hangul) == korean.name_terms(text)
    # …and the indexed half has no Hangul left and changes nothing else.
    assert not korean.HANGUL_LETTERS.search(plain)
    assert plain.replace(" ", "") == korean.HANGUL_LETTERS.sub("", text).replace(" ", "")
    if not korean.HANGUL_LETTERS.search(text):
        assert plain == text and hangul == ""


def _found(reader, typed, *, view="all"):  # noqa: ANN001, ANN202
    return {i for _k, i in queue.page(reader, queue.QueueFilter(view=view, search=typed), sort="id")}


TYPED = ["전원", "인터넷", "김", "민수", "USB포트", "usb", "hdmi", "hdmi 연결", "케이블", "café", "cafe",
         "204", "projector", "proj", "ㅋㅋ", "中文", "노트북 HDMI 연결", "교체함"]


def test_upgrading_keeps_what_every_search_finds_and_downgrading_too(tmp_path):
    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0014")
    with closing(sqlite3.connect(path)) as conn:
        korean.register(conn)
        conn.execute("INSERT INTO people (id, uuid, name, email, kind, is_agent, created_at)"
                     " VALUES (1, 'u1', '김민수', 'ms@x.test', 'staff', 0, 0)")
        for number, (subject, body) in enumerate([("무선인터넷 연결이 안 돼요", "USB포트는 정상 café"),
                                                  ("Projector 204호 中文", "ㅋㅋ 충전기 교체함"),
                                                  ("노트북 HDMI 연결", "HDMI 케이블")], start=1):
            conn.execute("INSERT INTO tickets (id, uuid, subject, requester_id, arrived_at, created_at,"
                         " updated_at) VALUES (?, ?, ?, 1, 0, 0, 0)", (number, f"t{number}", subject))
            conn.execute("INSERT INTO comments (uuid, ticket_id, body, created_at) VALUES (?, ?, ?, 0)",
                         (f"c{number}", number, body))
        conn.commit()
        before = {typed: _found(conn, typed) for typed in TYPED}
    assert before["전원"] == set() and before["인터넷"] == {1} and before["usb"] == {1}  # the cases mean something
    db.upgrade(path)
    with db.open_store(path) as store, closing(store.raw_connection()) as conn:
        assert {typed: _found(conn, typed) for typed in TYPED} == before
        assert db.integrity_problems(store) == []
        assert conn.execute("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'comments : 충전기'"
                            ).fetchone() == (0,)  # Hangul is not in the unicode61 index
    with closing(sqlite3.connect(path)) as conn:  # back to 0014: the whole text indexed again
        korean.register(conn)
        from alembic import command

        engine = db._engine(path)
        with engine.begin() as connection:
            config = db.alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0014")
        engine.dispose()
        assert {typed: _found(conn, typed) for typed in TYPED} == before
        assert conn.execute("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'comments : 충전기'"
                            ).fetchone() == (1,)


def test_a_latin_word_written_against_hangul_is_a_whole_word(session, agent_id):  # noqa: ANN001
    """"HDMI케이블": before 0015 the token was "hdmi케이블", found by "hdmi" only as the last,
    prefix-matched word; now "hdmi" is a word of its own wherever it is typed."""
    person = people.ensure_requester(session, email="yj@uni.test", name="최유진").created_id
    cable = tickets.log_ticket(session, actor_id=agent_id, requester_id=person, subject="HDMI케이블 연결 불량",
                               description="PC방 모니터").created_id
    comments.add_comment(session, ticket_id=cable, author_id=agent_id, body="젠더 교체", public=True)
    other = tickets.log_ticket(session, actor_id=agent_id, requester_id=person, subject="HDMIX switch").created_id
    assert _found(session, "hdmi 연결") == {cable}  # "hdmi" not last: a whole word
    assert _found(session, "pc 모니터") == {cable}  # two letters: a whole word
    assert _found(session, "hdmi") == {cable, other}  # last: still a prefix
    assert _found(session, "케이블 젠더") == {cable}
