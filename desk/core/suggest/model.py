"""A multinomial naive Bayes classifier over subject features, with an abstain rule.

Training counts features per label (Laplace smoothing α); a prediction adds the log
probabilities of the subject's known features to the label's log prior and normalises.

Naive Bayes posteriors are far too sure of themselves (the features are not independent), so
they are not shown as they are. ``train_calibrated`` holds out every fifth ticket, and learns from
it how often a suggestion of each posterior was right: the *confidence* shown is that held-out
precision (of the held-out suggestions at least as sure, the share that was right). The model
abstains — says nothing — when it was trained on too little history, when the subject has too few
features it knows, or when that confidence is below CONFIDENCE: a wrong suggestion at the desk
costs more than none. A field the subjects say nothing about (the building, at a desk where
every building asks the same things) is then silent, not confidently wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from desk.core.suggest.features import features

MIN_TRAINING = 50  # solved tickets with a label before the model says anything
MIN_PER_LABEL = 3  # labels seen less often are not offered
CONFIDENCE = 0.8  # below this held-out precision the model stays silent
MIN_CALIBRATION = 20  # held-out suggestions needed at a confidence before it is trusted
ALPHA = 0.5
MIN_FEATURES = 2  # fewer known features (a subject of a letter or two): too early to tell


def typing_prefixes(subject: str) -> list[str]:
    """The subject as the quick log sees it while it is typed: its first word half typed, then
    each longer run of whole words (at most four steps)."""
    words = subject.split()
    if not words:
        return []
    steps = sorted({max(1, round(len(words) * k / 3)) for k in (1, 2, 3)})
    found = [words[0][: max(2, len(words[0]) // 2)]]
    found += [" ".join(words[:n]) for n in steps]
    return found


@dataclass(frozen=True)
class Suggestion:
    label: int
    confidence: float


@dataclass
class NaiveBayes:
    labels: np.ndarray  # label ids, one per row of the tables below
    log_prior: np.ndarray
    log_likelihood: np.ndarray  # labels × features
    vocabulary: dict[str, int]
    trained_on: int
    # held-out calibration: posteriors in descending order, and the precision of those ≥ each
    calibration_posterior: np.ndarray | None = None
    calibration_precision: np.ndarray | None = None

    @classmethod
    def train_calibrated(cls, subjects: Sequence[str], labels: Sequence[int]) -> NaiveBayes:
        """Train on all, with the confidence learned on every fifth ticket held out (module doc)."""
        held = [i % 5 == 4 for i in range(len(subjects))]
        first = cls.train([s for s, h in zip(subjects, held, strict=True) if not h],
                          [label for label, h in zip(labels, held, strict=True) if not h])
        posteriors, right = [], []
        for subject, label, is_held in zip(subjects, labels, held, strict=True):
            if not is_held or not len(first.labels):
                continue
            for typed in typing_prefixes(subject):  # suggestions are asked for as the subject is typed
                posterior, known = first.posterior(typed)
                if known < MIN_FEATURES:
                    continue
                best = int(np.argmax(posterior))
                posteriors.append(float(posterior[best]))
                right.append(int(first.labels[best]) == label)
        model = cls.train(subjects, labels)
        if posteriors:
            order = np.argsort(posteriors, kind="stable")[::-1]
            ranked = np.array(posteriors)[order]
            hits = np.cumsum(np.array(right)[order])
            precision = hits / np.arange(1, len(ranked) + 1)
            precision[: MIN_CALIBRATION - 1] = 0.0  # too few to trust a precision
            model.calibration_posterior, model.calibration_precision = ranked, precision
        return model

    def confidence(self, posterior: float) -> float:
        """Held-out precision of suggestions at least this sure (0 without calibration)."""
        if self.calibration_posterior is None or self.calibration_precision is None:
            return 0.0
        # the held-out suggestions with posterior ≥ this one are the first ``count`` (descending)
        count = int(np.searchsorted(-self.calibration_posterior, -posterior, side="right"))
        return float(self.calibration_precision[count - 1]) if count else 0.0

    @classmethod
    def train(cls, subjects: Sequence[str], labels: Sequence[int]) -> NaiveBayes:
        counts = Counter(labels)
        kept = sorted(label for label, n in counts.items() if n >= MIN_PER_LABEL)
        row = {label: i for i, label in enumerate(kept)}
        vocabulary: dict[str, int] = {}
        pairs_label: list[int] = []
        pairs_feature: list[int] = []
        for subject, label in zip(subjects, labels, strict=True):
            if label not in row:
                continue
            for feature in features(subject):
                index = vocabulary.setdefault(feature, len(vocabulary))
                pairs_label.append(row[label])
                pairs_feature.append(index)
        table = np.zeros((len(kept), max(len(vocabulary), 1)))
        np.add.at(table, (np.array(pairs_label, dtype=np.int64), np.array(pairs_feature, dtype=np.int64)), 1)
        smoothed = table + ALPHA
        log_likelihood = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
        totals = np.array([counts[label] for label in kept], dtype=float)
        log_prior = np.log(totals / max(totals.sum(), 1)) if len(kept) else np.zeros(0)
        return cls(np.array(kept, dtype=np.int64), log_prior, log_likelihood, vocabulary,
                   int(totals.sum()))

    def posterior(self, subject: str) -> tuple[np.ndarray, int]:
        """(posterior per label, how many of the subject's features the model knows)."""
        known = [self.vocabulary[f] for f in features(subject) if f in self.vocabulary]
        scores = self.log_prior + (self.log_likelihood[:, known].sum(axis=1) if known else 0.0)
        scores = np.exp(scores - scores.max()) if len(scores) else scores
        return (scores / scores.sum() if len(scores) else scores), len(known)

    def suggest(self, subject: str, *, confidence: float = CONFIDENCE) -> Suggestion | None:
        """The label to suggest, or None (abstain: too little history, unknown words, unsure)."""
        if self.trained_on < MIN_TRAINING or len(self.labels) < 2:
            return None
        posterior, known = self.posterior(subject)
        if known < MIN_FEATURES:
            return None
        best = int(np.argmax(posterior))
        sure = self.confidence(float(posterior[best]))
        if sure < confidence:
            return None
        return Suggestion(int(self.labels[best]), sure)


def evaluate(model: NaiveBayes, subjects: Iterable[str], labels: Iterable[int]) -> tuple[float | None, float, int]:
    """(accuracy where the model spoke, abstain share, test size) on held-out tickets."""
    spoke = right = total = 0
    for subject, label in zip(subjects, labels, strict=True):
        total += 1
        guess = model.suggest(subject)
        if guess is None:
            continue
        spoke += 1
        right += guess.label == label
    return (right / spoke if spoke else None), (1 - spoke / total if total else 1.0), total
