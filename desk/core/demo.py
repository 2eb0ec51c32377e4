"""Realistic demo data, deterministic by seed (and end date).

A university school's tech desk: ~3,400 requesters (faculty, staff, students), 27 agents,
five categories, a few buildings; arrivals peak mid-morning and early afternoon on weekdays
and surge at the start of each semester; walk-ins are served within minutes, some leave;
resolution times are log-normal per category; ~98% of ratings are good.

Generation is vectorised with NumPy and written with plain sqlite3 in one transaction; the
search-index and stats-day triggers are set aside during the bulk insert; the index and the stats
day summaries are built once at the end, so a million tickets take minutes, not hours.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import numpy as np

from desk.core import demo_text_ko as ko
from desk.core import errors, vocabulary
from desk.core.db import open_store
from desk.core.demo_text import (
    AGENT_COUNTS,
    BUILDINGS,
    CATEGORIES,
    FIRST_NAMES,
    LAST_NAMES,
    NOTES,
    REPLIES,
)
from desk.core.i18n import _
from desk.core.stats import days as stats_days

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FOLLOW_UP = "Thanks, that worked. One more question about it though."

DAY = 86_400
CHANNEL_SHARES = {"walk-in": 0.42, "phone": 0.20, "email": 0.24, "web": 0.14}
CHANNELS = np.array(vocabulary.CHANNELS)
CHANNEL_WEIGHTS = [CHANNEL_SHARES[name] for name in vocabulary.CHANNELS]  # a new channel needs a share
KINDS = np.array(["faculty", "staff", "student"])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
PRIORITY_WEIGHTS = [0.10, 0.75, 0.12, 0.03]
# Monday..Sunday and 0..23 h (desk local time) relative arrival weights.
WEEKDAY_WEIGHTS = np.array([1.25, 1.15, 1.1, 1.05, 0.8, 0.07, 0.03])
HOUR_WEIGHTS = np.array(
    [0, 0, 0, 0, 0, 0, 0.05, 0.3, 1.0, 1.6, 1.9, 1.7, 1.1, 1.4, 1.6, 1.3, 1.0, 0.6, 0.3, 0.15, 0.08, 0.03, 0, 0]
)
LOCAL_OFFSET_HOURS = -5  # demo desk time zone (America/New_York, ignoring DST for shaping only)
LOCALES = ("en", "ko")


@dataclass(frozen=True)
class DemoLocale:
    """What differs between an English and a Korean demo desk."""

    offset_hours: int  # the desk's time zone, for the shape of the day only
    semester_starts: tuple[tuple[int, int], ...]  # (month, day) the term rushes begin
    korean_share: float  # of people (and so of their tickets) written in Korean


ENGLISH = DemoLocale(LOCAL_OFFSET_HOURS, ((8, 25), (1, 12)), 0.0)
# Korean universities start terms on 2 March and 1 September (desk.core.calendar preset "ko").
KOREAN = DemoLocale(9, ((3, 2), (9, 1)), 1.0)


@dataclass
class DemoSummary:
    tickets: int
    requesters: int
    agents: int
    comments: int
    seconds: float


def _semester_surge(days: np.ndarray, starts: tuple[tuple[int, int], ...] = ENGLISH.semester_starts) -> np.ndarray:
    """×2.5 in the first two weeks of each semester (English desk: from late August and mid
    January; Korean: from 2 March and 1 September)."""
    factor = np.ones(len(days))
    for index, day in enumerate(days):
        d = date.fromordinal(int(day))
        if any(0 <= (d - date(d.year, month, first)).days < 14 for month, first in starts):
            factor[index] = 2.5
    return factor


def _uuids(rng: np.random.Generator, count: int) -> list[str]:
    raw = rng.integers(0, 2**63, size=(count, 2), dtype=np.int64).astype(np.uint64)
    return [str(UUID(int=(int(a) << 64) | int(b), version=4)) for a, b in raw]


def generate(
    path: Path | str,
    *,
    tickets: int = 20_000,
    seed: int = 1,
    end: datetime | None = None,
    days: int = 365,
    progress: Callable[[str], None] | None = None,
    steps: Callable[[int, int], None] | None = None,
    locale: str = "en",
    korean_share: float | None = None,
) -> DemoSummary:
    """Fill an empty store at ``path`` with demo data ending at ``end`` (default: now).
    ``progress`` hears what is being done; ``steps(done, total)`` how far the tickets got
    (their rows, then their replies: ``total`` is twice the tickets).

    ``locale="ko"``: a Korean desk (Korean names, categories, buildings, subjects, details and
    replies, Seoul's day, the Korean academic calendar and language). ``korean_share`` makes
    that share of the people of an English desk Korean, with their tickets (the bench store's
    mix). The English data for a seed is the same with or without Korean: the Korean choices
    come from a random stream of their own."""
    import time

    if locale not in LOCALES:
        raise errors.InvalidInput(_("The demo locale must be one of {locales}.").format(locales=", ".join(LOCALES)))
    shape = KOREAN if locale == "ko" else ENGLISH
    if korean_share is not None:
        shape = DemoLocale(shape.offset_hours, shape.semester_starts, min(max(korean_share, 0.0), 1.0))
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    rng = np.random.default_rng(seed)
    korean_rng = np.random.default_rng([seed, 82])
    end_ts = int((end or datetime.now(UTC)).timestamp())
    start_ts = end_ts - days * DAY
    with open_store(path) as store, closing(store.raw_connection()) as conn:
        if conn.execute("SELECT count(*) FROM tickets").fetchone()[0]:
            raise errors.InvalidInput(f"{store.path} already has tickets; give demo a new --db file.")
        if conn.execute("SELECT (SELECT count(*) FROM categories) + (SELECT count(*) FROM people)").fetchone()[0]:
            # Demo data brings its own people and categories with fixed ids (`desk init --defaults`
            # or the set-up assistant already made some): mixing them would collide.
            raise errors.InvalidInput(f"{store.path} already has people or categories; give demo a new --db file.")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            requesters, agents, korean = _people(conn, rng, start_ts, korean_rng=korean_rng,
                                                 share=shape.korean_share, korean_desk=locale == "ko")
            say(f"{len(requesters):,} requesters and {len(agents)} agents")
            _shifts(conn, rng, agents, start_ts, end_ts, offset_hours=shape.offset_hours)
            triggers = _suspend_triggers(conn)
            count_comments = _tickets(conn, rng, tickets, requesters, agents, start_ts, end_ts, say,
                                      steps or (lambda _done, _total: None), shape=shape, korean=korean,
                                      korean_rng=korean_rng)
            say("building the search index")
            _build_search_index(conn)
            for sql in triggers:
                conn.execute(sql)
            conn.execute("INSERT OR IGNORE INTO stats_dirty_days SELECT DISTINCT arrived_at / 86400 FROM tickets")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("ANALYZE")
        say("building the stats day summaries")
        with store.session() as session:
            stats_days.rebuild_all(session)
            if locale == "ko":
                _korean_desk(session, start_ts, end_ts)
    return DemoSummary(tickets, sum(len(ids) for ids in requesters.values()), len(agents), count_comments,
                       time.perf_counter() - started)


def _korean_name(rng: np.random.Generator) -> str:
    families = [name for name, _share in ko.FAMILY_NAMES]
    weights = np.array([share for _name, share in ko.FAMILY_NAMES])
    family = families[int(rng.choice(len(families), p=weights / weights.sum()))]
    return family + ko.GIVEN_NAMES[int(rng.integers(len(ko.GIVEN_NAMES)))]


def _people(
    conn: sqlite3.Connection, rng: np.random.Generator, created: int, *,
    korean_rng: np.random.Generator, share: float, korean_desk: bool,
) -> tuple[dict[str, np.ndarray], list[int], np.ndarray]:
    """Requesters and agents; the third value says, by person id, who is Korean."""
    kinds = {"faculty": 520, "staff": 680, "student": 2200}
    korean = np.zeros(sum(kinds.values()) + sum(AGENT_COUNTS.values()) + 1, dtype=bool)
    rows = []
    person_id = 0
    by_kind: dict[str, list[int]] = {k: [] for k in kinds}
    used: set[str] = set()
    for kind, count in kinds.items():
        for _number in range(count):
            person_id += 1
            first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
            last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
            handle = f"{first}.{last}".lower()
            suffix = 1
            while f"{handle}{suffix if suffix > 1 else ''}" in used:
                suffix += 1
            handle = f"{handle}{suffix if suffix > 1 else ''}"
            used.add(handle)
            domain = "students.uni.example" if kind == "student" else "uni.example"
            phone = f"+1 555 01{int(rng.integers(0, 100)):02d} {int(rng.integers(1000, 9999))}"
            name = f"{first} {last}"
            if share and korean_rng.random() < share:  # a Korean name, an e-mail by number, a mobile
                korean[person_id] = True
                name = _korean_name(korean_rng)
                handle = f"{2016 + person_id % 10}{person_id:05d}" if kind == "student" else f"u{person_id:05d}"
                phone = f"010-{int(korean_rng.integers(2000, 9999))}-{int(korean_rng.integers(1000, 9999))}"
            rows.append((person_id, name, f"{handle}@{domain}", phone, kind, 0, None, created))
            by_kind[kind].append(person_id)
    agents = []
    for role, count in AGENT_COUNTS.items():
        for _number in range(count):
            person_id += 1
            first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
            last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
            handle = f"{first[0]}{last}.desk{person_id}".lower()
            kind = "student" if role == "student-worker" else "staff"
            name = f"{first} {last}"
            if share and korean_rng.random() < share:
                korean[person_id] = True
                name, handle = _korean_name(korean_rng), f"desk{person_id}"
            rows.append((person_id, name, f"{handle}@uni.example", None, kind, 1, role, created))
            agents.append(person_id)
    uuids = _uuids(rng, len(rows))
    conn.executemany(
        "INSERT INTO people (id, name, email, phone, kind, is_agent, role, created_at, uuid)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        [row + (uuid,) for row, uuid in zip(rows, uuids, strict=True)],
    )
    categories = ko.CATEGORY_NAMES if korean_desk else [c.name for c in CATEGORIES]
    conn.executemany("INSERT INTO categories (id, name) VALUES (?, ?)",
                     [(i + 1, name) for i, name in enumerate(categories)])
    conn.executemany("INSERT INTO locations (id, name) VALUES (?, ?)",
                     [(i + 1, name) for i, name in enumerate(ko.BUILDINGS if korean_desk else BUILDINGS)])
    return {k: np.array(v) for k, v in by_kind.items()}, agents, korean


def _shifts(conn: sqlite3.Connection, rng: np.random.Generator, agents: list[int], start: int, end: int, *,
            offset_hours: int = LOCAL_OFFSET_HOURS) -> None:
    """Weekday shifts 08–12, 12–16, 16–19 (desk time) with 2–5 agents each."""
    rows = []
    first_day = start - start % DAY
    for day_start in range(first_day, end, DAY):
        weekday = datetime.fromtimestamp(day_start, UTC).weekday()
        if weekday >= 5:
            continue
        for begin, finish in ((8, 12), (12, 16), (16, 19)):
            size = int(rng.integers(2, 6))
            for agent in rng.choice(agents, size=size, replace=False):
                s = day_start + (begin - offset_hours) * 3600
                e = day_start + (finish - offset_hours) * 3600
                if s < end:
                    rows.append((int(agent), s, e if e < end else None))
    conn.executemany("INSERT INTO shifts (agent_id, started_at, ended_at) VALUES (?,?,?)", rows)


def _arrivals(rng: np.random.Generator, count: int, start: int, end: int, shape: DemoLocale = ENGLISH) -> np.ndarray:
    """Arrival times with weekday, hour-of-day and semester-start peaks, sorted."""
    day0 = start // DAY
    day_numbers = np.arange(day0, end // DAY + 1)
    ordinals = day_numbers + date(1970, 1, 1).toordinal()
    weekdays = (day_numbers + 3) % 7  # 1970-01-01 was a Thursday
    weights = WEEKDAY_WEIGHTS[weekdays] * _semester_surge(ordinals, shape.semester_starts)
    p = weights / weights.sum()
    hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
    times = np.zeros(0, dtype=np.int64)
    while len(times) < count:  # times outside [start, end) — the rest of today — are drawn again
        missing = count - len(times)  # (clipping them piled dozens of walk-ins up at "now")
        drawn = (rng.choice(day_numbers, size=missing, p=p) * DAY
                 + (rng.choice(24, size=missing, p=hour_p) - shape.offset_hours) * 3600
                 + rng.integers(0, 3600, size=missing))
        times = np.concatenate([times, drawn[(drawn >= start) & (drawn < end)]])
    times.sort()
    return times


def _tickets(
    conn: sqlite3.Connection, rng: np.random.Generator, count: int,
    requesters: dict[str, np.ndarray], agents: list[int], start: int, end: int,
    say: Callable[[str], None], steps: Callable[[int, int], None], *,
    shape: DemoLocale, korean: np.ndarray, korean_rng: np.random.Generator,
) -> int:
    arrived = _arrivals(rng, count, start, end, shape)
    channel = rng.choice(len(CHANNELS), size=count, p=CHANNEL_WEIGHTS)
    category = rng.choice(len(CATEGORIES), size=count, p=[c.weight for c in CATEGORIES])
    kind_probs = np.array([c.kind_mix for c in CATEGORIES])
    kind = (rng.random(count)[:, None] > np.cumsum(kind_probs[category], axis=1)).sum(axis=1)
    kind = np.minimum(kind, 2)
    requester = np.empty(count, dtype=np.int64)
    for k, name in enumerate(KINDS):
        mask = kind == k
        requester[mask] = rng.choice(requesters[name], size=int(mask.sum()))
    location = rng.integers(1, len(BUILDINGS) + 1, size=count)
    priority = rng.choice(len(PRIORITIES), size=count, p=PRIORITY_WEIGHTS)
    agent_ids = np.array(agents)
    agent_weights = np.where(np.arange(len(agents)) < 20, 1.0, 0.6)
    assignee = rng.choice(agent_ids, size=count, p=agent_weights / agent_weights.sum())
    logged_by = rng.choice(agent_ids, size=count)

    at_desk = channel <= 1
    wait = rng.exponential(240, size=count).astype(np.int64) + 20
    left = at_desk & (rng.random(count) < 0.03)
    late = at_desk & ~left & (rng.random(count) < 0.03)
    created = arrived + np.where(at_desk, rng.integers(5, 60, size=count), 0)
    created = np.where(late, arrived + rng.integers(40 * 60, 180 * 60, size=count), created)
    service = np.where(at_desk, arrived + wait, -1)
    email_frt = np.exp(rng.normal(np.log(2 * 3600), 1.0, size=count)).astype(np.int64)
    first_response = np.where(at_desk, service + rng.integers(30, 300, size=count), arrived + email_frt)
    medians = np.array([c.median_hours * 3600 for c in CATEGORIES])[category]
    resolution = np.exp(np.log(medians) + rng.normal(0, 1.0, size=count)).astype(np.int64)
    solved = created + np.maximum(resolution, first_response - created + 60)
    is_solved = (solved <= end) & ~left
    reopened = is_solved & (rng.random(count) < 0.04)
    rated = is_solved & (rng.random(count) < 0.3)
    good = rng.random(count) < 0.98

    status = np.where(is_solved, np.where(solved < end - 4 * DAY, "closed", "solved"), "open")
    status = np.where(left, "closed", status)
    pending = ~is_solved & ~left & (rng.random(count) < 0.25)
    status = np.where(pending, "pending", status)
    not_served = at_desk & ~left & (service > end)
    status = np.where(not_served, "new", status)
    email_unanswered = ~at_desk & (first_response > end)
    status = np.where(email_unanswered & ~is_solved, "new", status)
    unassigned = (status == "new") | (~is_solved & ~left & (rng.random(count) < 0.1))

    uuids = _uuids(rng, count)
    subjects = [c.subjects for c in CATEGORIES]
    say(f"writing {count:,} tickets")
    rows = []
    for i in range(count):
        if i % 5000 == 0:
            steps(i, 2 * count)
        c = int(category[i])
        which = int(rng.integers(len(subjects[c])))
        room, n = int(rng.integers(100, 450)), int(rng.integers(2, 40))
        channel_name = str(CHANNELS[channel[i]])
        if korean[requester[i]]:
            subject = ko.SUBJECTS[c][which].format(room=room, n=n)
            details = ko.DETAILS[c]
            detail = details[int(korean_rng.integers(len(details)))] + " " if korean_rng.random() < 0.6 else ""
            description = f"{subject}. {detail}접수: {ko.CHANNEL_WORDS[channel_name]}."
        else:
            subject = subjects[c][which].format(room=room, n=n)
            description = f"{subject}. Reported via {channel_name}."
        served = at_desk[i] and not left[i] and service[i] <= end
        frt = int(first_response[i]) if first_response[i] <= end and not left[i] else None
        rows.append((
            i + 1, uuids[i], subject, description,
            str(status[i]), str(PRIORITIES[priority[i]]), str(CHANNELS[channel[i]]), c + 1,
            int(location[i]), int(requester[i]),
            None if unassigned[i] else int(assignee[i]), int(logged_by[i]) if at_desk[i] else None,
            int(late[i]), int(arrived[i]), int(min(created[i], end)),
            int(service[i]) if served else (frt if not at_desk[i] else None),
            frt, int(solved[i]) if is_solved[i] else None,
            int(arrived[i] + rng.integers(600, 1500)) if left[i] else None,
            int(min(solved[i], end)) if is_solved[i] else int(min(max(created[i], frt or 0), end)),
            int(reopened[i]), 1 + int(reopened[i]) * 2,
            ("good" if good[i] else "bad") if rated[i] else None,
        ))
    conn.executemany(
        "INSERT INTO tickets (id, uuid, subject, description, status, priority, channel, category_id,"
        " location_id, requester_id, assignee_id, logged_by_id, logged_after_the_fact, arrived_at,"
        " created_at, service_started_at, first_response_at, solved_at, left_at, updated_at,"
        " reopen_count, version, satisfaction) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.execute("UPDATE tickets SET status_changed_at = updated_at")  # the last status change, near enough
    conn.execute(
        "INSERT INTO audit_events (ticket_id, actor_id, at, action, field, new)"
        " SELECT id, logged_by_id, created_at, 'create', 'channel', channel FROM tickets"
    )
    say("writing replies and notes")
    comment_uuids = iter(_uuids(rng, count * 4))
    comments = []
    for i in range(count):
        if i % 5000 == 0:
            steps(count + i, 2 * count)
        if first_response[i] <= end and not left[i]:
            who = int(assignee[i])
            # Replies and notes in the requester's language (the same mix in both).
            replies, notes, follow_up = ((ko.REPLIES, ko.NOTES, ko.FOLLOW_UP) if korean[requester[i]]
                                         else (REPLIES, NOTES, FOLLOW_UP))
            comments.append((next(comment_uuids), i + 1, who, 1,
                             replies[int(rng.integers(len(REPLIES)))], int(first_response[i])))
            if rng.random() < 0.35:
                comments.append((next(comment_uuids), i + 1, who, 0,
                                 notes[int(rng.integers(len(NOTES)))], int(first_response[i]) + 120))
            if rng.random() < 0.3 or reopened[i]:  # a follow-up question gets a second answer,
                asked = int(min(first_response[i] + 3600, end))  # so not every ticket is one-touch
                comments.append((next(comment_uuids), i + 1, int(requester[i]), 1, follow_up, asked))
                if asked + 900 <= end:
                    comments.append((next(comment_uuids), i + 1, who, 1,
                                     replies[int(rng.integers(len(REPLIES)))], asked + 900))
    conn.executemany(
        "INSERT INTO comments (uuid, ticket_id, author_id, is_public, body, created_at)"
        " VALUES (?,?,?,?,?,?)",
        comments,
    )
    steps(2 * count, 2 * count)
    return len(comments)


def _korean_desk(session: Session, start: int, end: int) -> None:
    """A Korean demo desk speaks Korean, keeps Seoul's time and public holidays and the Korean
    academic year (its default canned responses follow the language when installed)."""
    from desk.core import calendar
    from desk.core.desk_settings import save_desk_settings

    save_desk_settings(session, actor_id=None, values={
        "language": "ko", "timezone": "Asia/Seoul", "holidays_country": "KR", "desk_name": "기술지원센터"})
    years = range(datetime.fromtimestamp(start, UTC).year, datetime.fromtimestamp(end, UTC).year + 2)
    # Named as a Korean desk writes them: "2026학년도 1학기" (the spring term), "… 2학기" (autumn).
    terms = [dataclasses.replace(term, name=f"{term.start.year}학년도 {1 if term.start.month == 3 else 2}학기")
             for term in calendar.preset_terms("ko", years=years)]
    calendar.set_terms(session, terms=terms, actor_id=None)


def _suspend_triggers(conn: sqlite3.Connection) -> list[str]:
    """Drop the search-index and stats-day triggers for the bulk insert; returns their SQL to
    restore (the index and the day summaries are built once at the end)."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND (name LIKE '%fts%' OR name LIKE 'stats_days_%')"
    ).fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP TRIGGER "{name}"')
    return [sql for _name, sql in rows]


def _build_search_index(conn: sqlite3.Connection) -> None:
    from desk.core import search_index

    search_index.fill(conn)

