"""Store figures: logging a walk-in, queue pages and search on the big store, size per ticket."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta

from sqlalchemy import text

from desk.core.db import open_store
from desk.core.models import utcnow
from desk.core.ops import tickets
from desk.core.queries import queue
from tests.perf.run import BenchContext, summary_ms, timed

# (filter, sort, descending): search pages as the queue shows them (newest first) and, for
# comparison, sorted by arrival, which must rank every match first.
QUERIES = {
    "view_all_open": (queue.QueueFilter(view="all-open"), "waiting", False),
    "view_waiting": (queue.QueueFilter(view="waiting"), "waiting", False),
    "view_unassigned": (queue.QueueFilter(view="unassigned"), "waiting", False),
    "filter_category": (queue.QueueFilter(view="all-open", extra={"category_id": 2}), "waiting", False),
    "search_word_newest_first": (queue.QueueFilter(view="all", search="projector"), "id", True),
    "search_two_words_newest_first": (queue.QueueFilter(view="all", search="eduroam laptop"), "id", True),
    "search_open_by_arrival": (queue.QueueFilter(view="all-open", search="projector"), "waiting", False),
    "search_open_newest_first": (queue.QueueFilter(view="all-open", search="lecture capture"), "id", True),
    "search_open_common_words": (queue.QueueFilter(view="all-open", search="password reset"), "id", True),
    "search_all_by_arrival": (queue.QueueFilter(view="all", search="projector"), "waiting", False),
    "search_operators": (queue.QueueFilter(view="all", search='"NEAR(-* (wifi'), "id", True),
    # Korean (issue 13): through the Hangul bigram index, as the queue shows them.
    "search_korean_particle_newest_first": (queue.QueueFilter(view="all", search="전원"), "id", True),
    "search_korean_common_word_newest_first": (queue.QueueFilter(view="all", search="연결"), "id", True),
    "search_korean_compound_newest_first": (queue.QueueFilter(view="all", search="인터넷"), "id", True),
    "search_korean_family_name": (queue.QueueFilter(view="all", search="김"), "id", True),
    "search_korean_given_name": (queue.QueueFilter(view="all", search="민수"), "id", True),
    "search_korean_mixed": (queue.QueueFilter(view="all", search="노트북 HDMI 연결"), "id", True),
    "search_korean_open_newest_first": (queue.QueueFilter(view="all-open", search="화면"), "id", True),
    "search_korean_open_by_arrival": (queue.QueueFilter(view="all-open", search="오류"), "waiting", False),
    "search_korean_all_by_arrival": (queue.QueueFilter(view="all", search="프로젝터"), "waiting", False),
}
KOREAN = [name for name in QUERIES if name.startswith("search_korean")]
REPEATS = 40


def _raw_page(raw: sqlite3.Connection, statements: list[tuple[str, dict]], limit: int) -> list:
    """What queue.page does, in plain sqlite3: the first statement that fills the page."""
    for index, (sql, params) in enumerate(statements):
        rows = raw.execute(sql, params).fetchall()
        if len(rows) >= limit or index == len(statements) - 1:
            return rows
    return []


def _index_sizes(raw: sqlite3.Connection, *, every: int = 10) -> dict[str, object]:
    """Bytes of the unicode61 index (ticket_fts and its shadow tables) and of the Hangul bigram
    index (ticket_ko), and the growth Korean search adds (budget: <= 25%): both indexes against
    the one unicode61 index of the whole text that Desk had before Korean search (migration
    0015 keeps Hangul out of ticket_fts, so ticket_ko alone against ticket_fts says nothing).
    The two layouts are built afresh, side by side, for every ``every``-th ticket."""
    sizes = dict(raw.execute(
        "SELECT CASE WHEN name LIKE 'ticket_ko%' THEN 'ko' WHEN name LIKE 'open_%' THEN 'open' ELSE 'fts' END,"
        " sum(pgsize) FROM dbstat WHERE name LIKE 'ticket_fts%' OR name LIKE 'ticket_ko%'"
        " OR name LIKE 'open_fts%' OR name LIKE 'open_ko%' GROUP BY 1").fetchall())
    korean_tickets = raw.execute("SELECT count(*) FROM tickets WHERE subject GLOB '*[가-힣]*'").fetchone()[0]
    growth = index_growth(raw, every=every)
    # The open tickets' copy (migration 0017) counts too: the store's index against the one
    # unicode61 index of the whole text, scaled from the sample's growth.
    searched = sizes.get("fts", 0) + sizes.get("ko", 0)
    whole = searched / (1 + growth["growth"]) if searched else 0
    with_open = round((searched + sizes.get("open", 0)) / whole - 1, 3) if whole else None
    return {"unicode61_bytes": sizes.get("fts", 0), "bigram_bytes": sizes.get("ko", 0),
            "open_tickets_index_bytes": sizes.get("open", 0), "korean_tickets": korean_tickets,
            **growth, "growth_with_open_tickets_index": with_open}


OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5'"
TEXT = "subject, description, comments, requester"
KO = "ko_subject, ko_description, ko_comments, ko_requester"


def index_growth(raw: sqlite3.Connection, *, every: int = 1) -> dict[str, object]:
    """The search index as it is (ticket_fts without Hangul + ticket_ko) against ticket_fts of
    the whole text, both built in a scratch database from the same tickets."""
    import tempfile

    from desk.core import korean

    korean.register(raw)
    with tempfile.TemporaryDirectory(prefix="desk-index-") as folder:
        raw.execute("ATTACH ? AS scratch", (f"{folder}/scratch.sqlite3",))
        try:
            raw.execute(f"CREATE VIRTUAL TABLE scratch.whole USING fts5({TEXT}, {OPTIONS})")
            raw.execute(f"CREATE VIRTUAL TABLE scratch.split USING fts5({TEXT}, {KO.replace(',', ' UNINDEXED,')}"
                        f" UNINDEXED, {OPTIONS})")
            raw.execute("CREATE VIRTUAL TABLE scratch.ko USING fts5(subject, body, content = '', columnsize = 0,"
                        " tokenize = 'unicode61 remove_diacritics 0')")
            raw.execute(
                "CREATE TEMP TABLE sample AS SELECT t.id, t.subject, t.description,"
                " coalesce((SELECT group_concat(body, char(10)) FROM comments WHERE ticket_id = t.id), '') AS comments,"
                " (SELECT name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') FROM people"
                "  WHERE id = t.requester_id) AS requester FROM tickets t WHERE t.id % ? = 0", (every,))
            raw.execute(f"INSERT INTO scratch.whole (rowid, {TEXT}) SELECT id, {TEXT} FROM sample")
            raw.execute(f"INSERT INTO scratch.split (rowid, {TEXT}, {KO}) SELECT id, desk_plain(subject),"
                        " desk_plain(description), desk_plain(comments), desk_plain(requester), desk_hangul(subject),"
                        " desk_hangul(description), desk_hangul(comments), desk_hangul(requester) FROM sample")
            raw.execute("INSERT INTO scratch.ko (rowid, subject, body) SELECT id, desk_ko_terms(subject),"
                        " desk_ko_body(description, comments, requester) FROM sample")
            raw.commit()
            built = dict(raw.execute("SELECT CASE WHEN name LIKE 'whole%' THEN 'whole' ELSE 'now' END, sum(pgsize)"
                                     " FROM dbstat('scratch') GROUP BY 1").fetchall())
        finally:
            raw.execute("DROP TABLE IF EXISTS temp.sample")
            raw.commit()
            raw.execute("DETACH scratch")
    return {"growth": round(built["now"] / built["whole"] - 1, 3), "growth_sample_every": every,
            "growth_budget": 0.25}


def run(ctx: BenchContext) -> dict[str, object]:
    path = ctx.demo_store(ctx.scale)
    results: dict[str, object] = {"tickets": ctx.scale}
    # queue.page runs on the queue's plain sqlite3 connection (as the window does) and on a
    # Session (as the CLI does); the floor is the same statements typed into raw sqlite3.
    with open_store(path) as store, store.session() as session, \
            closing(store.raw_connection()) as desk_conn, closing(sqlite3.connect(path)) as raw:
        for name, (filt, sort, descending) in QUERIES.items():
            statements = queue.page_statements(filt, sort=sort, descending=descending, limit=100)
            window = timed(lambda f=filt, s=sort, d=descending: queue.page(desk_conn, f, sort=s, descending=d,
                                                                           limit=100), REPEATS)
            orm = timed(lambda f=filt, s=sort, d=descending: queue.page(session, f, sort=s, descending=d, limit=100),
                        REPEATS)
            plain = timed(lambda st=statements: _raw_page(raw, st, 100), REPEATS)
            figures = summary_ms(window)
            figures["via_session"] = summary_ms(orm)
            figures["raw_sqlite3"] = summary_ms(plain)
            figures["ratio_p95"] = round(figures["p95_ms"] / max(figures["raw_sqlite3"]["p95_ms"], 1e-3), 2)
            results[name] = figures
        size = path.stat().st_size
        results["store_bytes_per_ticket"] = round(size / ctx.scale)
        results["korean_search_worst_p95_ms"] = max(results[name]["p95_ms"] for name in KOREAN)
        results["search_index"] = _index_sizes(raw)
    copy = ctx.copy_of(ctx.scale)
    with open_store(copy) as store, store.session() as session:
        requester = session.execute(text("SELECT id FROM people WHERE is_agent = 0 LIMIT 1")).scalar_one()
        agent = session.execute(text("SELECT id FROM people WHERE is_agent = 1 LIMIT 1")).scalar_one()
        arrived = utcnow() - timedelta(minutes=2)

        def log_one() -> None:
            tickets.log_ticket(session, actor_id=agent, requester_id=requester, category_id=1,
                               subject="Projector in room 204 shows no signal", arrived_at=arrived,
                               description="Walk-in: the HDMI input shows nothing.")

        results["log_walk_in"] = summary_ms(timed(log_one, 200))
        korean_requester = session.execute(text(
            "SELECT id FROM people WHERE is_agent = 0 AND name GLOB '*[가-힣]*' LIMIT 1")).scalar_one()

        def log_korean() -> None:
            tickets.log_ticket(session, actor_id=agent, requester_id=korean_requester, category_id=1,
                               subject="204호 강의실 프로젝터 화면이 안 나와요", arrived_at=arrived,
                               description="방문 접수: 노트북 HDMI 연결 후 신호 없음이라고 나옵니다.")

        results["log_walk_in_korean"] = summary_ms(timed(log_korean, 200))
    for leftover in copy.parent.iterdir():
        leftover.unlink()
    copy.parent.rmdir()
    return results


if __name__ == "__main__":  # python -m tests.perf.bench_store STORE: the growth of one store
    import json
    import sys

    with closing(sqlite3.connect(sys.argv[1])) as conn:
        print(json.dumps(_index_sizes(conn, every=1)))
