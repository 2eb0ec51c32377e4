"""Local (desk time zone) calendar arithmetic on epoch seconds, DST-correct and vectorised.

A zone's UTC offset is piecewise constant between transitions. ``ZoneSegments`` finds the
transitions inside a period once (in Python, by day steps and a binary search to the second)
and then maps whole NumPy arrays of epoch seconds to local day numbers, weekdays and hours
with one ``searchsorted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

DAY = 86_400
EPOCH = date(1970, 1, 1)


def _offset(zone: ZoneInfo, epoch: int) -> int:
    offset = datetime.fromtimestamp(epoch, UTC).astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_midnight(day: date, zone: ZoneInfo) -> int:
    """Epoch seconds of the start of ``day`` in ``zone``."""
    return int(datetime.combine(day, time(0), zone).timestamp())


@dataclass(frozen=True)
class ZoneSegments:
    zone: ZoneInfo
    starts: np.ndarray  # epoch seconds where each offset begins (first one: -inf)
    offsets: np.ndarray  # seconds east of UTC

    @classmethod
    def for_period(cls, zone: ZoneInfo, start: int, end: int) -> ZoneSegments:
        """Offsets valid over [start - 2 days, end + 2 days)."""
        lo, hi = start - 2 * DAY, end + 2 * DAY
        starts = [np.iinfo(np.int64).min]
        offsets = [_offset(zone, lo)]
        step_from = lo
        while step_from < hi:
            step_to = min(step_from + DAY, hi)
            if _offset(zone, step_to) != offsets[-1]:
                a, b = step_from, step_to  # offset(a) == current, offset(b) differs
                while b - a > 1:
                    middle = (a + b) // 2
                    if _offset(zone, middle) == offsets[-1]:
                        a = middle
                    else:
                        b = middle
                starts.append(b)
                offsets.append(_offset(zone, b))
            step_from = step_to
        return cls(zone, np.array(starts, dtype=np.int64), np.array(offsets, dtype=np.int64))

    def local_seconds(self, epochs: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.starts, epochs, side="right") - 1
        return epochs + self.offsets[index]

    def local_days(self, epochs: np.ndarray) -> np.ndarray:
        """Day numbers since 1970-01-01 of the local calendar date."""
        return self.local_seconds(epochs) // DAY

    def weekday_hour(self, epochs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local weekday (Monday = 0) and hour of day (0-23)."""
        local = self.local_seconds(epochs)
        return (local // DAY + 3) % 7, (local % DAY) // 3600


def day_number(day: date) -> int:
    return (day - EPOCH).days


def date_of(day_number: int) -> date:
    return EPOCH + timedelta(days=int(day_number))
