"""Business hours: how much of a span the desk was open, and when N open hours from now ends.

The desk's opening hours per weekday, its public holidays and its own closed days
(``desk.core.desk_settings``) become a sorted list of open intervals in UTC epoch seconds,
with a running total of open seconds before each. Every question is then a binary search:

* ``business_seconds(start, end)``: open seconds in [start, end) — the business-hours
  version of every duration metric (docs/metrics.md, "Business hours");
* ``add_business_time(start, seconds)``: the first moment by which ``seconds`` of open time
  have passed since ``start`` (SLA due times);
* ``durations(starts, ends)``: the same as the first for NumPy arrays (the stats panel).

Daylight-saving days are exact: a local day is cut at each change of UTC offset, and an opening
period counts the real instants whose local wall-clock time lies inside it (a spring-forward
day's 02:00–03:00 does not exist; a fall-back day's 01:00–02:00 happens twice). Tests compare
this with a minute-by-minute walk. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from desk.core import errors
from desk.core.desk_settings import DeskSettings, Period, public_holidays
from desk.core.i18n import _

DAY = 86400
MAX_YEARS_AHEAD = 5  # add_business_time gives up (a week with no opening hours) after this


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _offset(zone: ZoneInfo, epoch: int) -> int:
    """The zone's UTC offset (seconds) at ``epoch``."""
    offset = datetime.fromtimestamp(epoch, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _local_midnight_epoch(day: date) -> int:
    """``day`` at 00:00 as if the wall clock were UTC (wall-clock seconds, not an instant)."""
    return int(datetime.combine(day, time(0), UTC).timestamp())


def _segments(zone: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """[lo, hi) cut where the zone's offset changes: (start, end, offset) each. Transitions
    are found by bisection to the second; a span is assumed to hold at most a few of them."""
    first, last = _offset(zone, lo), _offset(zone, hi - 1)
    if first == last:
        return [(lo, hi, first)]
    low, high = lo, hi - 1  # offset(low) == first, offset(high) != first
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, middle) == first:
            low = middle
        else:
            high = middle
    return [(lo, high, first), *_segments(zone, high, hi)]


def day_intervals(zone: ZoneInfo, day: date, periods: Iterable[Period]) -> list[tuple[int, int]]:
    """The instants (UTC epoch [start, end)) whose local date is ``day`` and whose wall-clock
    time lies in one of ``periods``."""
    periods = list(periods)
    if not periods:
        return []
    wall0 = _local_midnight_epoch(day)
    # Every instant of the local day lies within 26 hours of its wall-clock midnight (offsets
    # run from -12 to +14 hours).
    found: list[tuple[int, int]] = []
    for start, end, offset in _segments(zone, wall0 - 14 * 3600, wall0 + DAY + 12 * 3600):
        for opens, closes in periods:
            lo = wall0 + opens.hour * 3600 + opens.minute * 60 - offset
            hi = wall0 + closes.hour * 3600 + closes.minute * 60 - offset
            lo, hi = max(lo, start), min(hi, end)
            if lo < hi:
                found.append((lo, hi))
    found.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in found:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


@dataclass
class BusinessCalendar:
    """The desk's open intervals, built a year at a time as they are asked for."""

    zone: ZoneInfo
    opening_hours: tuple[tuple[Period, ...], ...]
    closed: frozenset[date]  # public holidays and the desk's own closed days (may be partial)
    settings: DeskSettings | None = None  # to fetch further years' holidays

    def __post_init__(self) -> None:
        self._years: set[int] = set()
        self._opens = np.zeros(0, dtype=np.int64)
        self._closes = np.zeros(0, dtype=np.int64)
        self._before = np.zeros(0, dtype=np.int64)  # open seconds before each interval

    @classmethod
    def from_settings(cls, settings: DeskSettings) -> BusinessCalendar:
        return cls(zone=ZoneInfo(settings.timezone), opening_hours=settings.opening_hours,
                   closed=frozenset(), settings=settings)

    @property
    def always_closed(self) -> bool:
        return not any(self.opening_hours)

    # --- building -----------------------------------------------------------------------------

    def _cover(self, first: int, last: int) -> None:
        """Make sure the intervals cover the local years holding epochs ``first``..``last``
        (and the year either side, so spans crossing New Year's night are whole)."""
        years = set(range(datetime.fromtimestamp(first, UTC).year - 1,
                          datetime.fromtimestamp(last, UTC).year + 2))
        missing = sorted(years - self._years)
        if not missing:
            return
        closed = set(self.closed)
        if self.settings is not None:
            closed |= set(public_holidays(self.settings, missing))
        intervals = [(int(a), int(b)) for a, b in zip(self._opens, self._closes, strict=True)]
        for year in missing:
            day = date(year, 1, 1)
            while day.year == year:
                if day not in closed:
                    intervals.extend(day_intervals(self.zone, day, self.opening_hours[day.weekday()]))
                day += timedelta(days=1)
        self._years |= set(missing)
        intervals.sort()
        self._opens = np.array([a for a, _ in intervals], dtype=np.int64)
        self._closes = np.array([b for _, b in intervals], dtype=np.int64)
        lengths = self._closes - self._opens
        self._before = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if len(lengths) \
            else np.zeros(0, dtype=np.int64)

    def _open_before(self, epochs: np.ndarray) -> np.ndarray:
        """Open seconds from the first covered interval up to each epoch."""
        if not len(self._opens):
            return np.zeros(len(epochs), dtype=np.int64)
        index = np.searchsorted(self._opens, epochs, side="right") - 1
        safe = np.clip(index, 0, None)
        inside = np.clip(epochs - self._opens[safe], 0, self._closes[safe] - self._opens[safe])
        return np.where(index >= 0, self._before[safe] + inside, 0)

    # --- questions ----------------------------------------------------------------------------

    def durations(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Open seconds in [start, end) for each pair (0 where end <= start)."""
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if not len(starts):
            return np.zeros(0, dtype=np.int64)
        self._cover(int(min(starts.min(), ends.min())), int(max(starts.max(), ends.max())))
        return np.maximum(self._open_before(ends) - self._open_before(starts), 0)

    def business_seconds(self, start: datetime, end: datetime) -> int:
        return int(self.durations(np.array([_epoch(start)]), np.array([_epoch(end)]))[0])

    def business_duration(self, start: datetime, end: datetime) -> timedelta:
        return timedelta(seconds=self.business_seconds(start, end))

    def is_open(self, moment: datetime) -> bool:
        epoch = _epoch(moment)
        self._cover(epoch, epoch)
        index = int(np.searchsorted(self._opens, epoch, side="right")) - 1
        return index >= 0 and epoch < int(self._closes[index])

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The first moment ``t >= start`` with ``business_duration(start, t) >= duration``."""
        seconds = int(duration.total_seconds())
        epoch = _epoch(start)
        if seconds <= 0:
            return datetime.fromtimestamp(epoch, UTC)
        if self.always_closed:
            raise errors.InvalidInput(_("The desk has no opening hours, so business time never passes."))
        horizon = epoch
        while True:
            self._cover(epoch, horizon)
            target = int(self._open_before(np.array([epoch]))[0]) + seconds
            ends = self._before + (self._closes - self._opens)
            index = int(np.searchsorted(ends, target, side="left"))
            if index < len(ends) and self._closes[index] > epoch:
                return datetime.fromtimestamp(int(self._opens[index]) + target - int(self._before[index]), UTC)
            horizon += 366 * DAY
            if horizon - epoch > MAX_YEARS_AHEAD * 366 * DAY:
                raise errors.InvalidInput(_("The desk is closed for years ahead, so business time never passes."))


    def latest_start(self, end: datetime, duration: timedelta) -> datetime | None:
        """The latest moment ``t`` with ``business_duration(t, end) >= duration`` (None when
        there is not that much open time in the years before ``end``): the exact edge an
        automation's "pending for 27 business hours" asks the index for."""
        seconds, epoch = int(duration.total_seconds()), _epoch(end)
        if seconds <= 0:
            return datetime.fromtimestamp(epoch, UTC)
        for years_back in range(1, MAX_YEARS_AHEAD + 1):
            self._cover(epoch - years_back * 366 * DAY, epoch)
            target = int(self._open_before(np.array([epoch]))[0]) - seconds
            if target >= 0 and len(self._opens):
                ends = self._before + (self._closes - self._opens)
                index = int(np.searchsorted(ends, target, side="left"))
                if int(ends[index]) == target:  # exactly at a closing: the closed stretch after it counts too
                    if index + 1 < len(self._opens):
                        return datetime.fromtimestamp(min(int(self._opens[index + 1]), epoch), UTC)
                    return datetime.fromtimestamp(int(self._closes[index]), UTC)
                return datetime.fromtimestamp(int(self._opens[index]) + target - int(self._before[index]), UTC)
        return None


def calendar_for(settings: DeskSettings) -> BusinessCalendar:
    """The business calendar of the desk's settings (holidays fetched per year when needed)."""
    return BusinessCalendar.from_settings(settings)


def business_duration(settings: DeskSettings, *, start: datetime, end: datetime) -> timedelta:
    return calendar_for(settings).business_duration(start, end)


def add_business_time(settings: DeskSettings, *, start: datetime, duration: timedelta) -> datetime:
    return calendar_for(settings).add_business_time(start, duration)
