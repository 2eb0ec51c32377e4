"""Means, medians, p90s and histograms of durations, overall and per group (NumPy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desk.core.i18n import N_

MINUTE, HOUR, DAY = 60, 3600, 86_400
HIST_EDGES = (0, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR,
              DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY)
HIST_LABELS = (N_("< 1 min"), N_("1–5 min"), N_("5–15 min"), N_("15–30 min"), N_("30–60 min"), N_("1–2 h"),
               N_("2–4 h"), N_("4–8 h"), N_("8–24 h"), N_("1–2 d"), N_("2–3 d"), N_("3–7 d"), N_("7–14 d"),
               N_("14–30 d"), N_("≥ 30 d"))  # N_: translated where shown


@dataclass(frozen=True)
class Distribution:
    """Durations in seconds. Percentiles interpolate linearly (as NumPy and Excel's
    PERCENTILE.INC do); the median of an even count is the mean of the middle two."""

    n: int
    mean: float | None
    median: float | None
    p90: float | None
    histogram: tuple[int, ...]  # counts per HIST_LABELS

    @classmethod
    def of(cls, values: np.ndarray, *, ascending: bool = False) -> Distribution:
        """From the durations (``ascending``: they are sorted already, ``ByValue``)."""
        if len(values) == 0:
            return cls(0, None, None, None, (0,) * len(HIST_LABELS))
        ordered = values if ascending else np.sort(values)  # one sort: then both the percentiles and the
        median, p90 = np.percentile(ordered, [50, 90])  # histogram (15 binary searches) are quick
        counts = np.diff(np.r_[np.searchsorted(ordered, np.array(HIST_EDGES), side="left"), len(ordered)])
        return cls(len(values), float(values.mean()), float(median), float(p90),
                   tuple(int(c) for c in counts))


@dataclass(frozen=True)
class ByValue:
    """Some tickets' durations sorted once, with the tickets' positions: every distribution and
    grouped percentile of those durations (or of a subset) then needs no sort of its own, only
    a stable radix sort by its small group key (sorting a million durations costs ~10 times
    more, and the report takes percentiles of the same two durations a dozen times)."""

    index: np.ndarray  # positions in the facts, in ascending order of value
    values: np.ndarray  # the values at those positions (ascending)

    @classmethod
    def of(cls, values: np.ndarray, mask: np.ndarray) -> ByValue:
        where = np.flatnonzero(mask)
        index = where[stable_order(values[where].astype(np.int64))]
        return cls(index, values[index])

    def subset(self, mask: np.ndarray) -> ByValue:
        keep = mask[self.index]
        return ByValue(self.index[keep], self.values[keep])

    def distribution(self) -> Distribution:
        return Distribution.of(self.values, ascending=True)

    def percentiles(self, groups: np.ndarray, quantiles: tuple[float, ...]) -> dict[int, tuple[float, ...]]:
        """``grouped_percentiles`` with ``groups`` aligned with the facts."""
        keys = groups[self.index]
        if len(keys) and keys.min() >= 0 and keys.max() < 2**15:
            keys = keys.astype(np.int16)  # NumPy sorts 16-bit keys by radix when asked for stable
        order = np.argsort(keys, kind="stable")  # stable: values stay ascending within a group
        return _percentiles_of_runs(keys[order].astype(np.int64), self.values[order], quantiles)


def stable_order(values: np.ndarray) -> np.ndarray:
    """The positions of int64 ``values`` in ascending order, ties in the order they came: a
    stable argsort. Non-negative values are sorted by 16-bit digits, least significant first:
    NumPy sorts 16-bit keys by radix when asked for a stable sort, so each pass is linear.
    Durations in seconds take two passes (up to 2**32 s), and for the million durations of a
    year of the big store that is ~25 ms, half of sorting (value, position) packed in one int64
    and a third of an argsort (each of the report's two durations is ordered so)."""
    if len(values) == 0 or values.min() < 0:
        return np.argsort(values, kind="stable")
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    for shift in range(16, int(values.max()).bit_length(), 16):
        digits = (values[order] >> shift & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digits, kind="stable")]
    return order


def grouped_percentiles(
    groups: np.ndarray, values: np.ndarray, quantiles: tuple[float, ...]
) -> dict[int, tuple[float, ...]]:
    """``{group: (percentile per quantile)}`` for each group present, with one sort.

    Groups and values are non-negative; (group, value) pairs are packed into one int64 so a
    plain ``np.sort`` orders them (much faster than ``lexsort``)."""
    if len(values) == 0:
        return {}
    shift = max(int(values.max()).bit_length(), 1)
    if int(groups.max()).bit_length() + shift > 62:  # cannot pack: fall back to lexsort
        order = np.lexsort((values, groups))
        groups, values = groups[order], values[order]
    else:
        packed = np.sort((groups.astype(np.int64) << shift) | values)
        groups, values = packed >> shift, packed & ((1 << shift) - 1)
    return _percentiles_of_runs(groups, values, quantiles)


def _percentiles_of_runs(
    groups: np.ndarray, values: np.ndarray, quantiles: tuple[float, ...]
) -> dict[int, tuple[float, ...]]:
    """Percentiles per group of values sorted by (group, value)."""
    if len(values) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])  # groups are sorted
    keys = groups[starts]
    counts = np.diff(np.r_[starts, len(groups)])
    result: list[np.ndarray] = []
    for q in quantiles:
        position = q * (counts - 1)
        low = np.floor(position).astype(np.int64)
        high = np.ceil(position).astype(np.int64)
        a, b = values[starts + low].astype(float), values[starts + high].astype(float)
        result.append(a + (b - a) * (position - low))
    return {int(key): tuple(float(r[i]) for r in result) for i, key in enumerate(keys)}


def member(values: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """``np.isin`` for non-negative integer ids, by a lookup table (NumPy's own isin hashes or
    sorts, which is many times slower for a million ids)."""
    if len(values) == 0 or len(chosen) == 0:
        return np.zeros(len(values), dtype=bool)
    size = int(max(values.max(), chosen.max())) + 1
    if size > 64_000_000 or values.min() < 0 or chosen.min() < 0:
        return np.isin(values, chosen, kind="sort")
    table = np.zeros(size, dtype=bool)
    table[chosen] = True
    return table[values]


def singles(ids: np.ndarray) -> np.ndarray:
    """The ids that occur exactly once (non-negative integers)."""
    if len(ids) == 0:
        return ids
    return np.flatnonzero(np.bincount(ids) == 1)


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
