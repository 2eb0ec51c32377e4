"""The intake models of a store: trained on its most recent solved tickets, kept in memory by the
window (retrained in the background), asked on every keystroke of the quick log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.models import utcnow
from desk.core.suggest.features import features
from desk.core.suggest.model import NaiveBayes, Suggestion, encode

# The most recent solved tickets a model learns from: enough for any desk's vocabulary, and the
# recent ones say what the categories mean now. Keeps a retrain of a 1M store within seconds.
TRAIN_CAP = 150_000


@dataclass(frozen=True)
class IntakeModels:
    category: NaiveBayes
    location: NaiveBayes
    trained_on: int
    seconds: float  # how long training took

    def suggest_category(self, subject: str) -> Suggestion | None:
        return self.category.suggest(subject)

    def suggest_location(self, subject: str) -> Suggestion | None:
        return self.location.suggest(subject)


def training_rows(session: Session, *, limit: int = TRAIN_CAP, before: datetime | None = None,
                  since: datetime | None = None) -> list[tuple[str, int | None, int | None, int]]:
    """(subject, category id, location id, solved_at) of solved tickets, newest solve first."""
    rows = session.execute(text(
        "SELECT subject, category_id, location_id, solved_at FROM tickets"
        " WHERE solved_at IS NOT NULL AND solved_at < :before AND solved_at >= :since"
        " ORDER BY solved_at DESC LIMIT :limit"),
        {"limit": limit, "before": int((before or utcnow() + timedelta(days=1)).timestamp()),
         "since": int(since.timestamp()) if since else 0}).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def train_from_rows(rows: list[tuple[str, int | None, int | None, int]]) -> IntakeModels:
    started = time.perf_counter()
    encoded = encode([features(row[0]) for row in rows])  # once, for both models
    subjects = [row[0] for row in rows]
    models = []
    for column in (1, 2):  # category, location; -1 (no label) is never counted
        labels = [row[column] if row[column] is not None else -1 for row in rows]
        models.append(NaiveBayes.train_calibrated(subjects, labels, encoded=encoded))
    category, location = models
    return IntakeModels(category, location, len(rows), time.perf_counter() - started)


def train_intake(session: Session, *, limit: int = TRAIN_CAP) -> IntakeModels:
    """Train both models on the store's most recent solved tickets (read only)."""
    return train_from_rows(training_rows(session, limit=limit))


_EXPECTED = text(
    "WITH recent AS ("
    "  SELECT t.solved_at - t.created_at AS d FROM tickets t JOIN people p ON p.id = t.requester_id"
    "  WHERE t.solved_at >= :since AND t.solved_at >= t.created_at AND t.category_id = :category_id"
    "    AND (:kind IS NULL OR p.kind = :kind)"
    "  ORDER BY t.solved_at DESC LIMIT :sample),"
    " ranked AS (SELECT d, row_number() OVER (ORDER BY d) AS rn, count(*) OVER () AS n FROM recent)"
    " SELECT max(n), max(CASE WHEN rn = (n + 1) / 2 THEN d END),"
    "        max(CASE WHEN rn = (4 * n + 4) / 5 THEN d END) FROM ranked"
)
MIN_KIND_SAMPLE = 20  # fewer solved tickets of this kind in the category: use the whole category


def expected_for(
    session: Session, *, category_id: int, kind: str | None, window_days: int = 90, sample: int = 1000,
    now: datetime | None = None,
) -> tuple[timedelta | None, timedelta | None, int, bool]:
    """(median, p80, n, by_kind) of created → solved for the category and the requester's kind
    (faculty, staff, student, guest), falling back to the whole category when the kind has
    fewer than MIN_KIND_SAMPLE recent solves. Nearest rank, as ``queries.expectations``."""
    since = int(((now or utcnow()) - timedelta(days=window_days)).timestamp())
    for by_kind in ((True, False) if kind else (False,)):
        n, median, p80 = session.execute(_EXPECTED, {
            "since": since, "category_id": category_id, "kind": kind if by_kind else None, "sample": sample,
        }).one()
        if n and (not by_kind or n >= MIN_KIND_SAMPLE):
            return timedelta(seconds=int(median)), timedelta(seconds=int(p80)), int(n), by_kind
    return None, None, 0, False


@dataclass(frozen=True)
class CannedSuggestion:
    canned_id: int
    title: str
    score: float  # share of the similarity-weighted uses among the candidates


def similar_canned(
    session: Session, *, subject: str, category_id: int | None, limit: int = 3, candidates: int = 2000,
) -> list[CannedSuggestion]:
    """Canned responses used on solved tickets like this one: the recent solved tickets of the
    category that used one, each weighted by how much of its subject's words it shares with this
    subject (Dice overlap of the feature sets); a response's score is its share of the weight."""
    mine = set(features(subject))
    if not mine:
        return []
    rows = session.execute(text(
        "SELECT t.subject, a.new FROM audit_events a JOIN tickets t ON t.id = a.ticket_id"
        " WHERE a.action = 'canned' AND t.solved_at IS NOT NULL"
        " AND (:category_id IS NULL OR t.category_id = :category_id)"
        " ORDER BY a.id DESC LIMIT :candidates"),
        {"category_id": category_id, "candidates": candidates}).all()
    weight: dict[str, float] = {}
    for other, title in rows:
        theirs = set(features(other))
        overlap = 2 * len(mine & theirs) / (len(mine) + len(theirs)) if theirs else 0.0
        if overlap > 0.2 and title:
            weight[title] = weight.get(title, 0.0) + overlap
    if not weight:
        return []
    ids = dict(session.execute(text("SELECT title, id FROM canned_responses")).all())
    total = sum(weight.values())
    ranked = sorted(((w, t) for t, w in weight.items() if t in ids), reverse=True)[:limit]
    return [CannedSuggestion(int(ids[t]), t, w / total) for w, t in ranked]
