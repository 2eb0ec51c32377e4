"""The intake model: features for Korean and English, the abstain rule, the accuracy floor on
the demo data (fixed seed, random and time split), expected resolution by kind, canned responses
from similar solved tickets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from desk.core import demo
from desk.core.db import open_store, unit_of_work
from desk.core.models import AuditEvent, CannedResponse, Category, Ticket
from desk.core.ops import people
from desk.core.suggest.features import features
from desk.core.suggest.intake import expected_for, similar_canned, train_from_rows, training_rows
from desk.core.suggest.model import CONFIDENCE, MIN_TRAINING, NaiveBayes, evaluate, typing_prefixes

END = datetime(2026, 11, 30, tzinfo=UTC)


def test_korean_features_match_a_noun_whatever_particle_follows() -> None:
    assert set(features("프린터가 안 돼요")) & set(features("프린터를 연결할 수 없음")) >= {"h:프린", "h:린터"}
    assert "w:projector" in features("Projector in room 204")
    assert not any("204" in f for f in features("Projector in room 204"))
    assert set(features("proj")) & set(features("projector"))  # a word still being typed


def _labelled(n: int, seed: int = 1) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    words = {1: ["프린터", "printer", "toner", "인쇄"], 2: ["와이파이", "wifi", "eduroam", "network"],
             3: ["projector", "프로젝터", "hdmi", "display"]}
    subjects, labels = [], []
    for _ in range(n):
        label = rng.choice([1, 2, 3])
        subjects.append(" ".join(rng.choice(words[label]) for _ in range(2)) + f" room {rng.randint(100, 400)}")
        labels.append(label)
    return subjects, labels


def test_model_suggests_with_confidence_on_mixed_korean_and_english() -> None:
    subjects, labels = _labelled(400)
    model = NaiveBayes.train_calibrated(subjects, labels)
    guess = model.suggest("프린터가 고장났어요")
    assert guess is not None and guess.label == 1 and CONFIDENCE <= guess.confidence <= 1
    assert model.suggest("eduroam 연결 안됨").label == 2


def test_abstains_with_too_little_history() -> None:
    subjects, labels = _labelled(MIN_TRAINING - 1)
    assert NaiveBayes.train_calibrated(subjects, labels).suggest("printer toner") is None


def test_abstains_on_unknown_words_and_on_a_field_the_words_do_not_tell() -> None:
    subjects, labels = _labelled(400)
    model = NaiveBayes.train_calibrated(subjects, labels)
    assert model.suggest("zzz qqq") is None
    assert model.suggest("p") is None  # one letter: too early to tell
    # the building has nothing to do with the words: held-out precision is low, so it stays silent
    rng = random.Random(4)
    buildings = [rng.choice([10, 11, 12, 13]) for _ in subjects]
    silent = NaiveBayes.train_calibrated(subjects, buildings)
    accuracy, abstained, _n = evaluate(silent, subjects[:100], buildings[:100])
    assert abstained > 0.95


def test_typing_prefixes_grow_to_the_whole_subject() -> None:
    prefixes = typing_prefixes("Projector in room 204 shows no signal")
    assert prefixes[0] == "Proj" and prefixes[-1] == "Projector in room 204 shows no signal"


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory: pytest.TempPathFactory) -> list:
    path = tmp_path_factory.mktemp("suggest") / "demo.sqlite3"
    demo.generate(path, tickets=5000, days=120, seed=11, end=END)
    with open_store(path) as store, store.session() as session:
        return training_rows(session, limit=10**9, before=END + timedelta(days=1))


@pytest.mark.parametrize("split", ["random", "time"])
def test_accuracy_floor_on_the_demo_data(demo_rows: list, split: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [row for row in demo_rows if row[1] is not None]
    if split == "random":
        shuffled = rows[:]
        random.Random(7).shuffle(shuffled)
        cut = int(0.8 * len(shuffled))
        train, test = shuffled[:cut], shuffled[cut:]
    else:  # rows are newest first: learn from the older 80%, test on the newest 20%
        cut = int(0.2 * len(rows))
        train, test = rows[cut:], rows[:cut]
    models = train_from_rows(train)
    accuracy, abstained, n = evaluate(models.category, [r[0] for r in test], [r[1] for r in test])
    typed = [(p, r[1]) for r in test for p in typing_prefixes(r[0])]
    typed_accuracy, typed_abstained, _ = evaluate(models.category, [p for p, _ in typed], [c for _, c in typed])
    located = [r for r in test if r[2] is not None]
    loc_accuracy, loc_abstained, _ = evaluate(models.location, [r[0] for r in located], [r[2] for r in located])
    with capsys.disabled():
        print(f"\nintake model, {split} split ({len(train)} train / {n} test): category accuracy "
              f"{accuracy:.1%}, abstains {abstained:.1%}; while typing {typed_accuracy:.1%}, abstains "
              f"{typed_abstained:.1%}; location abstains {loc_abstained:.1%}"
              + (f" (accuracy {loc_accuracy:.1%})" if loc_accuracy is not None else ""))
    assert accuracy is not None and accuracy >= 0.9
    assert abstained <= 0.1
    assert typed_accuracy is not None and typed_accuracy >= 0.85
    assert loc_abstained >= 0.9  # the demo's buildings are drawn at random: nothing to learn


def test_expected_resolution_uses_the_requester_kind(session, requester_id: int) -> None:  # noqa: ANN001
    now = datetime(2026, 11, 30, tzinfo=UTC)
    student = people.ensure_requester(session, email="kim@uni.test", name="Kim", kind="student").created_id
    with unit_of_work(session):
        category = Category(name="Printing")
        session.add(category)
        session.flush()
        for i in range(25):
            for who, hours in ((requester_id, 2), (student, 10)):
                created = now - timedelta(days=2, minutes=i)
                session.add(Ticket(subject="print", requester_id=who, category_id=category.id, arrived_at=created,
                                   created_at=created, solved_at=created + timedelta(hours=hours), status="solved"))
    median, _p80, n, by_kind = expected_for(session, category_id=category.id, kind="student", now=now)
    assert by_kind and n == 25 and median == timedelta(hours=10)
    median, _p80, n, by_kind = expected_for(session, category_id=category.id, kind="guest", now=now)
    assert not by_kind and n == 50  # no guests: the whole category


def test_canned_suggestions_come_from_similar_solved_tickets(session, requester_id: int) -> None:  # noqa: ANN001
    now = datetime(2026, 11, 30, tzinfo=UTC)
    with unit_of_work(session):
        toner = CannedResponse(title="Toner replaced", body="We replaced the toner.")
        wifi = CannedResponse(title="Eduroam profile", body="Install the eduroam profile.")
        session.add_all([toner, wifi])
        session.flush()
        for i, (subject, used) in enumerate([("Printer toner empty", toner), ("Printer toner streaks", toner),
                                             ("Wifi eduroam drops", wifi), ("Printer toner low", toner)]):
            ticket = Ticket(subject=subject, requester_id=requester_id, arrived_at=now, created_at=now,
                            solved_at=now + timedelta(hours=1), status="solved")
            session.add(ticket)
            session.flush()
            session.add(AuditEvent(ticket_id=ticket.id, at=now + timedelta(minutes=i), action="canned",
                                   field="canned_response", new=used.title))
    found = similar_canned(session, subject="toner empty in the printer", category_id=None)
    assert [s.title for s in found] == ["Toner replaced"]
    assert found[0].canned_id == toner.id and found[0].score == pytest.approx(1.0)
    assert similar_canned(session, subject="", category_id=None) == []
