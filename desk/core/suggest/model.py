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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from desk.core.suggest.features import features

MIN_TRAINING = 50  # solved tickets with a label before the model says anything
MIN_PER_LABEL = 3  # labels seen less often are not offered
CONFIDENCE = 0.8  # below this held-out precision the model stays silent
MIN_CALIBRATION = 20  # held-out suggestions needed before a precision is trusted
CALIBRATION_CAP = 5000  # held-out tickets looked at (each as typed, in four steps)
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
class Encoded:
    """Many subjects' features as ids of one vocabulary: all ids in a row, and each subject's count."""

    vocabulary: dict[str, int]
    flat: np.ndarray
    lengths: np.ndarray


def encode(featured: Sequence[list[str]]) -> Encoded:
    vocabulary: dict[str, int] = {}
    ids = [vocabulary.setdefault(f, len(vocabulary)) for found in featured for f in found]
    return Encoded(vocabulary, np.array(ids, dtype=np.int64),
                   np.fromiter((len(found) for found in featured), dtype=np.int64, count=len(featured)))


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
    def train_calibrated(cls, subjects: Sequence[str], labels: Sequence[int], *,
                         encoded: Encoded | None = None) -> NaiveBayes:
        """Train on all, with the confidence learned on every fifth ticket held out (module doc).
        ``encoded``: the subjects' features already turned into ids (shared by several models)."""
        encoded = encoded or encode([features(s) for s in subjects])
        label_array = np.asarray(labels, dtype=np.int64)
        held = np.arange(len(subjects)) % 5 == 4
        first = cls.fit(encoded, label_array, ~held)
        typed, typed_labels = [], []
        for index in np.flatnonzero(held & (label_array >= 0))[:CALIBRATION_CAP]:
            for prefix in typing_prefixes(subjects[index]):  # suggestions are asked for while typing
                typed.append(features(prefix))
                typed_labels.append(labels[index])
        model = cls.fit(encoded, label_array, np.ones(len(subjects), dtype=bool))
        if len(first.labels) and typed:
            best, top = first.top_many(typed)
            spoke = best >= 0
            posteriors = top[spoke]
            right = first.labels[best[spoke]] == np.array(typed_labels)[spoke]
            order = np.argsort(-posteriors, kind="stable")
            ranked = posteriors[order]
            precision = np.cumsum(right[order]) / np.arange(1, len(ranked) + 1)
            if len(ranked) >= MIN_CALIBRATION:
                model.calibration_posterior, model.calibration_precision = ranked, precision
        return model

    def confidence(self, posterior: float) -> float:
        """Held-out precision of suggestions at least this sure (0 without calibration); one
        surer than nearly every held-out suggestion gets the precision of the surest few."""
        if self.calibration_posterior is None or self.calibration_precision is None:
            return 0.0
        # the held-out suggestions with posterior ≥ this one are the first ``count`` (descending)
        count = int(np.searchsorted(-self.calibration_posterior, -posterior, side="right"))
        count = min(max(count, MIN_CALIBRATION), len(self.calibration_precision))
        return float(self.calibration_precision[count - 1])

    @classmethod
    def train(cls, subjects: Sequence[str], labels: Sequence[int]) -> NaiveBayes:
        encoded = encode([features(s) for s in subjects])
        return cls.fit(encoded, np.asarray(labels, dtype=np.int64), np.ones(len(subjects), dtype=bool))

    @classmethod
    def fit(cls, encoded: Encoded, labels: np.ndarray, use: np.ndarray) -> NaiveBayes:
        """Count the features of the subjects where ``use`` holds, per label (one bincount);
        a label below 0 means "none" and is never counted."""
        use = use & (labels >= 0)
        chosen = labels[use]
        values, counts = np.unique(chosen, return_counts=True)
        kept = values[counts >= MIN_PER_LABEL]
        totals = counts[counts >= MIN_PER_LABEL].astype(float)
        row = np.full(len(labels), -1, dtype=np.int64)
        position = np.searchsorted(kept, labels)
        known = use & (position < len(kept)) & (kept[np.minimum(position, max(len(kept) - 1, 0))] == labels) \
            if len(kept) else np.zeros(len(labels), dtype=bool)
        row[known] = position[known]
        width = max(len(encoded.vocabulary), 1)
        feature_row = np.repeat(row, encoded.lengths)
        counted = feature_row >= 0
        table = np.bincount(feature_row[counted] * width + encoded.flat[counted],
                            minlength=len(kept) * width).reshape(len(kept), width).astype(float)
        smoothed = table + ALPHA
        log_likelihood = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
        log_prior = np.log(totals / max(totals.sum(), 1)) if len(kept) else np.zeros(0)
        return cls(kept.astype(np.int64), log_prior, log_likelihood, encoded.vocabulary, int(totals.sum()))

    def top_many(self, featured: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(best label row or −1 when too few known features, its posterior) for many subjects'
        features at once: one gather and one segmented sum instead of a loop of small sums."""
        known = [[self.vocabulary[f] for f in found if f in self.vocabulary] for found in featured]
        enough = np.array([len(k) >= MIN_FEATURES for k in known], dtype=bool)
        best = np.full(len(known), -1, dtype=np.int64)
        top = np.zeros(len(known))
        chosen = [k for k, ok in zip(known, enough, strict=True) if ok]
        if not chosen:
            return best, top
        lengths = np.array([len(k) for k in chosen])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        flat = np.fromiter((i for k in chosen for i in k), dtype=np.int64, count=int(lengths.sum()))
        scores = np.add.reduceat(self.log_likelihood[:, flat], offsets, axis=1) + self.log_prior[:, None]
        scores = np.exp(scores - scores.max(axis=0, keepdims=True))
        posterior = scores / scores.sum(axis=0, keepdims=True)
        best[enough] = posterior.argmax(axis=0)
        top[enough] = posterior.max(axis=0)
        return best, top

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
