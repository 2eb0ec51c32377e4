"""An honest estimate of the wait at the counter, always a range, never a bare number.

The wait of the person at position ``k`` is about ``k`` services shared by the agents at the desk:
``k / servers × service time``. The service time is not one number but a spread, so the estimate
is the spread's middle half (25th to 75th percentile) scaled that way, or its middle 80 % (10th
to 90th) when the sample is small. The sample is the desk's recent services (today's last
``RECENT_SAMPLE`` walk-ins and calls from start of service to Done, within ``RECENT_WINDOW``);
with fewer than ``MIN_SAMPLE`` of those it falls back to the services that started in the same
local weekday and hour over the last ``HISTORY_WEEKS`` weeks. With fewer than ``MIN_SAMPLE``
there too, there is no estimate: the display says so rather than guess. A range is at least
``MIN_SPREAD_S`` wide, so a handful of equal services cannot pass for precision.

No Qt here; ``desk.core.queries.counter`` feeds it. docs/metrics.md, "Counter wait estimate".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.vocabulary import DESK_CHANNELS_SQL

RECENT_SAMPLE = 20
RECENT_WINDOW = timedelta(hours=3)
HISTORY_WEEKS = 8
MIN_SAMPLE = 5
SMALL_SAMPLE = 12  # below this the wider 10th-90th percentile band is used
MIN_SPREAD_S = 120
LONGEST_SERVICE_S = 4 * 3600  # a ticket left "being served" over lunch is no service time


@dataclass(frozen=True)
class WaitRange:
    """Seconds, ``low`` < ``high``; ``basis`` is "recent" or "history" (which sample)."""

    low: int
    high: int
    basis: str
    sample: int


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks (as docs/metrics.md's percentiles)."""
    ordered = sorted(values)
    place = share * (len(ordered) - 1)
    below = math.floor(place)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (place - below)


def estimate_wait(*, position: int, service_times: Sequence[float], servers: int, basis: str) -> WaitRange | None:
    """The wait of the person at ``position`` (1 = next), or None when the sample is too small."""
    if len(service_times) < MIN_SAMPLE or position < 1:
        return None
    low_share, high_share = (0.25, 0.75) if len(service_times) >= SMALL_SAMPLE else (0.10, 0.90)
    scale = position / max(servers, 1)
    low = scale * percentile(service_times, low_share)
    high = scale * percentile(service_times, high_share)
    # whole minutes outward: a room reads "5-10 min", and rounding never narrows the range
    low_s = int(low // 60) * 60
    high_s = max(int(math.ceil(high / 60)) * 60, low_s + MIN_SPREAD_S)
    return WaitRange(low_s, high_s, basis, len(service_times))


def recent_service_times(session: Session, *, now: datetime) -> list[float]:
    """Start of service → Done of the desk's last walk-ins and calls solved within the window."""
    rows = session.execute(text(
        "SELECT t.solved_at - t.service_started_at FROM tickets t"
        f" WHERE t.solved_at >= :since AND t.solved_at <= :now AND {DESK_CHANNELS_SQL}"
        " AND t.service_started_at IS NOT NULL AND t.solved_at > t.service_started_at"
        " AND t.solved_at - t.service_started_at <= :longest AND NOT t.logged_after_the_fact"
        " ORDER BY t.solved_at DESC LIMIT :limit"
    ), {"since": int((now - RECENT_WINDOW).timestamp()), "now": int(now.timestamp()),
        "longest": LONGEST_SERVICE_S, "limit": RECENT_SAMPLE})
    return [float(row[0]) for row in rows]


def history_service_times(session: Session, *, now: datetime, zone: ZoneInfo) -> list[float]:
    """Services that started in this local weekday and hour over the last weeks (the hour of
    each past week, so a daylight-saving switch does not shift it)."""
    local = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    times: list[float] = []
    for weeks in range(1, HISTORY_WEEKS + 1):
        start = (local - timedelta(weeks=weeks)).replace(tzinfo=None).replace(tzinfo=zone)
        end = start + timedelta(hours=1)
        rows = session.execute(text(
            "SELECT t.solved_at - t.service_started_at FROM tickets t"
            f" WHERE t.solved_at >= :start AND t.solved_at < :end + :longest AND {DESK_CHANNELS_SQL}"
            " AND t.service_started_at >= :start AND t.service_started_at < :end"
            " AND t.solved_at > t.service_started_at AND t.solved_at - t.service_started_at <= :longest"
            " AND NOT t.logged_after_the_fact"
        ), {"start": int(start.timestamp()), "end": int(end.timestamp()), "longest": LONGEST_SERVICE_S})
        times.extend(float(row[0]) for row in rows)
    return times


def service_sample(session: Session, *, now: datetime, zone: ZoneInfo) -> tuple[list[float], str]:
    """The sample the estimate uses and its basis ("recent", else "history")."""
    recent = recent_service_times(session, now=now)
    if len(recent) >= MIN_SAMPLE:
        return recent, "recent"
    return history_service_times(session, now=now, zone=zone), "history"
