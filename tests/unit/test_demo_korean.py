"""`desk demo --locale ko` (issue 13): a Korean desk — Korean people, requests, details and
replies in the English demo's proportions, Seoul's day, the Korean academic year, Korean canned
responses — and the English demo unchanged for the same seed."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from desk.core import canned_io, demo_text_ko
from desk.core.db import open_store
from desk.core.demo import generate
from desk.core.queries import queue
from desk.core.queries.canned import list_canned

END = datetime(2026, 5, 1, tzinfo=UTC)
HANGUL = "*[가-힣]*"


def _digest(path) -> str:  # noqa: ANN001
    digest = hashlib.sha256()
    with closing(sqlite3.connect(path)) as conn:
        for table, columns in (
            ("people", "id, name, email, phone, kind, is_agent, role"),
            ("tickets", "id, uuid, subject, description, status, priority, channel, category_id, location_id,"
                        " requester_id, assignee_id, arrived_at, created_at, solved_at, satisfaction"),
            ("comments", "ticket_id, author_id, is_public, body, created_at"),
            ("categories", "id, name"), ("locations", "id, name"), ("shifts", "agent_id, started_at, ended_at"),
        ):
            for row in conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1, rowid"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_english_demo_is_the_same_as_before_korean_came(tmp_path):
    """The digest of seed 11 as the demo wrote it before the Korean demo existed."""
    generate(tmp_path / "en.sqlite3", tickets=300, seed=11, end=END, days=30)
    assert _digest(tmp_path / "en.sqlite3") == "f14a0d97c40a6585c9f8652ddb139e2e48baf1bcbf34256f84e1981b84b2cbdc"


@pytest.fixture(scope="module")
def korean_demo(tmp_path_factory):  # noqa: ANN001, ANN201
    path = tmp_path_factory.mktemp("ko") / "ko.sqlite3"
    generate(path, tickets=1500, seed=5, end=END, days=120, locale="ko")
    return path


def test_korean_demo_people_requests_and_replies(korean_demo):  # noqa: ANN001
    families = {name for name, _share in demo_text_ko.FAMILY_NAMES}
    with closing(sqlite3.connect(korean_demo)) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM people")]
        assert all(name[:2] in families or name[:1] in families for name in names)
        assert all(name[-2:] in demo_text_ko.GIVEN_NAMES for name in names)  # family + given, no space
        kims = sum(name.startswith("김") for name in names) / len(names)
        assert 0.17 < kims < 0.26  # about one Korean in five is a Kim
        assert conn.execute("SELECT count(*) FROM tickets WHERE NOT subject GLOB ?", (HANGUL,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM comments WHERE NOT body GLOB ?", (HANGUL,)).fetchone() == (0,)
        detailed = conn.execute("SELECT avg(length(description) > length(subject) + 12) FROM tickets").fetchone()[0]
        assert 0.45 < detailed < 0.75  # most descriptions say more than the subject
        assert {row[0] for row in conn.execute("SELECT name FROM categories")} == set(demo_text_ko.CATEGORY_NAMES)
        assert conn.execute("SELECT count(*) FROM people WHERE phone LIKE '010-%'").fetchone()[0] == 3400
        # replies per ticket as in an English desk: every answered ticket has one, some two
        replies = conn.execute("SELECT count(*) * 1.0 / count(DISTINCT ticket_id) FROM comments"
                               " WHERE is_public = 1 AND author_id IN (SELECT id FROM people WHERE is_agent = 1)"
                               ).fetchone()[0]
        assert 1.1 < replies < 1.5
        settings = dict(conn.execute("SELECT key, value FROM settings"))
    assert settings["language"] == "ko" and settings["timezone"] == "Asia/Seoul"
    assert settings["holidays_country"] == "KR"
    assert '"name": "2026학년도 1학기", "start": "2026-03-01"' in settings["terms"]


def test_korean_demo_follows_seoul_and_the_korean_academic_year(korean_demo):  # noqa: ANN001
    with closing(sqlite3.connect(korean_demo)) as conn:
        hours = dict(conn.execute(  # Seoul hours (UTC+9) of arrival
            "SELECT (arrived_at / 3600 + 9) % 24 AS h, count(*) FROM tickets GROUP BY h"))
        by_week = dict(conn.execute("SELECT strftime('%m-%d', arrived_at, 'unixepoch', '+9 hours') >= '03-02'"
                                    " AND strftime('%m-%d', arrived_at, 'unixepoch', '+9 hours') < '03-16',"
                                    " count(*) * 1.0 / count(DISTINCT arrived_at / 86400) FROM tickets GROUP BY 1"))
    assert sum(hours.get(h, 0) for h in range(9, 18)) > 0.8 * sum(hours.values())  # office hours in Seoul
    assert by_week[1] > 1.6 * by_week[0]  # the first two weeks of March: the spring term's rush


def test_korean_demo_is_searchable_in_korean(korean_demo):  # noqa: ANN001
    with open_store(korean_demo) as store, store.session() as session:
        for word in ("프로젝터", "연결", "화면", "인터넷", "김", "민수", "전원", "오류"):
            assert queue.page(session, queue.QueueFilter(view="all", search=word), sort="id", limit=5), word


def test_korean_store_gets_korean_canned_responses(korean_demo):  # noqa: ANN001
    with open_store(korean_demo) as store, store.session() as session:
        assert canned_io.install_defaults(session).canned
        titles = [row.title for row in list_canned(session, agent_id=None, everyone=True)]
    assert "비밀번호 초기화: 완료" in titles and len(titles) == 16
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in title) for title in titles)


def test_english_store_gets_english_canned_responses(store):  # noqa: ANN001
    with store.session() as session:
        canned_io.install_defaults(session)
        titles = [row.title for row in list_canned(session, agent_id=None, everyone=True)]
    assert "Password reset: done" in titles and len(titles) == 16


def test_demo_refuses_an_unknown_locale(tmp_path):
    from desk.core import errors

    with pytest.raises(errors.InvalidInput, match="locale"):
        generate(tmp_path / "x.sqlite3", tickets=10, locale="fr")


def test_init_with_a_language_writes_its_canned_responses(tmp_path, capsys):  # noqa: ANN001
    from desk.cli.main import main

    assert main(["init", str(tmp_path / "ko.sqlite3"), "--language", "ko"]) == 0
    assert "Language: ko; default canned responses added." in capsys.readouterr().out
    with open_store(tmp_path / "ko.sqlite3") as store, store.session() as session:
        titles = [row.title for row in list_canned(session, agent_id=None, everyone=True)]
        assert "비밀번호 초기화: 완료" in titles and "Password reset: done" not in titles
        assert not canned_io.install_defaults(session).canned  # once per store: the window adds nothing


def test_demo_cli_writes_a_korean_desk(tmp_path, capsys):  # noqa: ANN001
    from desk.cli.main import main

    path = tmp_path / "demo.sqlite3"
    assert main(["demo", "--db", str(path), "--tickets", "50", "--days", "10", "--locale", "ko"]) == 0
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM tickets WHERE subject GLOB ?", (HANGUL,)).fetchone() == (50,)


def test_the_set_up_assistants_language_rewrites_the_untouched_defaults(store):  # noqa: ANN001
    """The window installs the defaults as it starts, before the assistant asks the language."""
    from sqlalchemy import select

    from desk.core.models import AuditEvent, CannedResponse
    from desk.ui.settings.setup_plan import AgentPlan, SetupPlan, apply_setup

    with store.session() as session:
        canned_io.install_defaults(session)
        used = session.scalar(select(CannedResponse).where(CannedResponse.title == "Password reset: done"))
        edited = session.scalar(select(CannedResponse).where(CannedResponse.title == "Expected resolution time"))
        used.usage_count, edited.body = 3, edited.body + "\nOur own line."
        session.commit()
        changes = apply_setup(session, plan=SetupPlan(
            settings={"language": "ko"}, agents=[AgentPlan(name="김민수", email="ms@desk.test", role="supervisor")]))
        titles = {row.title for row in list_canned(session, agent_id=None, everyone=True)}
        rewritten = session.scalars(select(AuditEvent).where(AuditEvent.action == "canned-edit")).all()
    assert changes.canned
    assert "비밀번호 초기화: 신분증 지참 요청" in titles and "Password reset: please bring photo ID" not in titles
    assert {"Password reset: done", "Expected resolution time"} <= titles  # used or edited: the team's now
    assert len(titles) == 16 and len(rewritten) == 14
