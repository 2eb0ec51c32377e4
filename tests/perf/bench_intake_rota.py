"""Intake that learns, and the rota suggestion, on the big demo store.

* suggestion: the time from a keystroke in the quick log's subject to the suggestion shown (the
  in-memory model asked for category and location, the boxes and the line updated), p95 over
  every prefix of many demo subjects. Budget ≤ 30 ms on the 1M store.
* retrain: reading the latest solved tickets and training both models (what runs in the
  background). Budget ≤ 10 s for 1M tickets.
* expected resolution by category and requester kind (the DB worker's query after a change).
* rota: the least-hours suggestion for 30 workers × 7 days × 30-minute intervals. Budget ≤ 5 s.
"""

from __future__ import annotations

import os
import time

import numpy as np

from tests.perf.run import BenchContext, summary_ms


def _rota_case(seed: int = 1) -> tuple[np.ndarray, list]:
    from desk.core.staffing.rota import Worker

    rng = np.random.default_rng(seed)
    required = np.zeros((7, 48), dtype=np.int64)
    for day in range(5):
        required[day, 16:40] = rng.integers(1, 6, 24)  # 8:00–20:00 on weekdays
    for day in (5, 6):
        required[day, 20:32] = rng.integers(0, 3, 12)
    workers = []
    for agent in range(30):
        availability = []
        for day in range(7):
            if rng.random() < 0.7:
                start = int(rng.integers(7, 12)) * 60
                availability.append((day, start, min(start + int(rng.integers(4, 10)) * 60, 1440)))
        workers.append(Worker(agent + 1, f"W{agent}", tuple(availability), float(rng.choice([10, 15, 20, 40]))))
    return required, workers


def run(ctx: BenchContext) -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

    from desk.core.db import open_store
    from desk.core.staffing.rota import suggest_rota
    from desk.core.suggest.intake import expected_for, train_from_rows, training_rows
    from desk.ui.queue import intake_hints

    big = ctx.demo_store(ctx.scale)
    with open_store(big, migrate=False) as store, store.session() as session:
        started = time.perf_counter()
        rows = training_rows(session)
        read = time.perf_counter() - started
        models = train_from_rows(rows)
        retrain = time.perf_counter() - started
        categories = session.execute(__import__("sqlalchemy").text(
            "SELECT id, name FROM categories ORDER BY id")).all()
        locations = session.execute(__import__("sqlalchemy").text(
            "SELECT id, name FROM locations ORDER BY id")).all()
        expected = []
        for category_id, _name in categories:
            for kind in ("faculty", "student"):
                begun = time.perf_counter()
                expected_for(session, category_id=category_id, kind=kind)
                expected.append(time.perf_counter() - begun)
    # the quick log's path: a keystroke edits the subject, the hints ask the model and update
    app = QApplication.instance() or QApplication([])
    parent = QWidget()
    subject, category, location = QLineEdit(parent), QComboBox(parent), QComboBox(parent)
    for combo, items in ((category, categories), (location, locations)):
        combo.addItem("(none)", None)
        for item_id, name in items:
            combo.addItem(name, item_id)

    class _Holder:
        def __init__(self) -> None:
            self.models = models
            self.trained = type("S", (), {"connect": lambda *_a: None})()

        def ensure_fresh(self) -> None:
            pass

    holder = _Holder()
    original = intake_hints.holder_for
    intake_hints.holder_for = lambda _tasks: holder  # type: ignore[assignment]
    try:
        hints = intake_hints.IntakeHints(tasks=None, subject=subject, category=category,  # type: ignore[arg-type]
                                         location=location, parent=parent)
    finally:
        intake_hints.holder_for = original
    samples = []
    spoke = 0
    for typed_subject, *_rest in rows[:300]:
        subject.clear()
        for end in range(1, len(typed_subject) + 1):
            begun = time.perf_counter()
            subject.setText(typed_subject[:end])
            hints.update()
            app.processEvents()
            samples.append(time.perf_counter() - begun)
        spoke += hints.label.isVisibleTo(parent)
    parent.deleteLater()
    required, workers = _rota_case()
    rota_times = []
    for _ in range(3):
        begun = time.perf_counter()
        result = suggest_rota(required=required, workers=workers)
        rota_times.append(time.perf_counter() - begun)
    return {
        "suggestion": {"tickets": ctx.scale, "keystrokes": len(samples), **summary_ms(samples), "budget_p95_ms": 30,
                       "spoke_on_full_subjects": round(spoke / 300, 3)},
        "retrain": {"tickets": ctx.scale, "trained_on": models.trained_on, "read_seconds": round(read, 3),
                    "seconds": round(retrain, 3), "budget_seconds": 10},
        "expected_by_kind": summary_ms(expected),
        "rota": {"workers": 30, "days": 7, "interval_minutes": 30, "median_seconds": round(float(np.median(rota_times)), 3),
                 "max_seconds": round(max(rota_times), 3), "budget_seconds": 5, "status": result.status,
                 "hours": result.hours, "gap_hours": round(result.hours - result.lower_bound_hours, 3),
                 "shortfall": result.shortfall},
    }
