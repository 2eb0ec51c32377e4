"""A discrete-event simulation of the desk, to check a rota against its target without the
queueing formulas' assumptions (steady state within each interval, exponential service).

Arrivals: a Poisson process whose rate per weekday × interval is the history's; service times
drawn from the desk's own handle times (bootstrap); patience exponential with the estimated mean;
agents per interval from the rota. One queue, first come first served; an agent who goes off shift
finishes the person in front of them; the queue carries over from interval to interval and from
week to week. No Qt here."""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SimulationResult:
    weeks: int
    arrivals: np.ndarray  # 7 × intervals: people who arrived, over all weeks
    served_in_time: np.ndarray  # of those, served within the target time
    walked_away: np.ndarray

    def service_level(self) -> np.ndarray:
        """Pooled share served in time per interval (NaN where nobody ever arrived)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.arrivals > 0, self.served_in_time / np.maximum(self.arrivals, 1), np.nan)

    def share_meeting(self, level: float, *, mask: np.ndarray | None = None) -> float:
        """Share of the intervals with demand (and in ``mask``) whose pooled level meets ``level``."""
        levels = self.service_level()
        considered = ~np.isnan(levels) if mask is None else (~np.isnan(levels) & mask)
        if not considered.any():
            return 1.0
        return float((levels[considered] >= level - 1e-12).mean())


def simulate(
    *, arrivals_per_hour: np.ndarray, agents: np.ndarray, handle_samples: np.ndarray | None = None,
    handle_seconds: float | None = None, patience_seconds: float | None, target_seconds: float, weeks: int,
    seed: int,
) -> SimulationResult:
    """Run ``weeks`` consecutive weeks; ``arrivals_per_hour`` and ``agents`` are 7 × intervals.
    Service times are drawn from ``handle_samples`` when given, else exponential with mean
    ``handle_seconds`` (a desk with too few measured one-visit tickets)."""
    rng = np.random.default_rng(seed)
    days, per_day = arrivals_per_hour.shape
    step = 86400 // per_day
    slots = days * per_day
    rate = np.asarray(arrivals_per_hour, dtype=float).reshape(-1) * step / 3600
    capacity = np.asarray(agents, dtype=np.int64).reshape(-1)
    handles = np.asarray(handle_samples if handle_samples is not None else [], dtype=float)
    handles = handles[handles > 0]
    if not len(handles) and not handle_seconds:
        raise ValueError("no handle times to draw from")
    arrived = np.zeros(slots, dtype=np.int64)
    in_time = np.zeros(slots, dtype=np.int64)
    walked = np.zeros(slots, dtype=np.int64)
    # every arrival of every week, in time order
    counts = rng.poisson(np.tile(rate, weeks))
    slot_of = np.repeat(np.arange(weeks * slots), counts)
    times = (slot_of * step + rng.random(len(slot_of)) * step)
    order = np.argsort(times, kind="stable")
    times, slot_of = times[order], slot_of[order] % slots
    service = (rng.choice(handles, size=len(times)) if len(handles)
               else rng.exponential(handle_seconds, size=len(times)))
    patience = (rng.exponential(patience_seconds, size=len(times)) if patience_seconds
                else np.full(len(times), np.inf))
    np.add.at(arrived, slot_of, 1)
    busy_until: list[float] = []  # heap of service completions
    queue: deque[int] = deque()
    free = 0  # agents on shift and not serving
    on_shift = 0
    next_arrival = 0
    horizon = weeks * slots * step

    def start(index: int, now: float) -> None:
        nonlocal free
        free -= 1
        if now - times[index] <= target_seconds:
            in_time[slot_of[index]] += 1
        heapq.heappush(busy_until, now + service[index])

    def serve_waiting(now: float) -> None:
        while free > 0 and queue:
            head = queue.popleft()
            if times[head] + patience[head] < now:
                walked[slot_of[head]] += 1  # left before an agent was free
                continue
            start(head, now)

    for boundary in range(weeks * slots + 1):
        until = min(boundary * step, horizon)
        # events inside the interval before this boundary: arrivals and completions in time order
        while True:
            arrival_at = times[next_arrival] if next_arrival < len(times) else np.inf
            done_at = busy_until[0] if busy_until else np.inf
            now = min(arrival_at, done_at)
            if now >= until:
                break
            if done_at <= arrival_at:
                heapq.heappop(busy_until)
                free += 1
                serve_waiting(now)
            else:
                queue.append(next_arrival)
                next_arrival += 1
                serve_waiting(now)
        if boundary == weeks * slots:
            break
        # the shift changes at the boundary: who comes on can serve; who goes off finishes first
        wanted = int(capacity[boundary % slots])
        free += wanted - on_shift
        on_shift = wanted
        serve_waiting(until)
    # those still waiting at the end walk away (or would have waited past the target anyway)
    for index in queue:
        walked[slot_of[index]] += 1
    return SimulationResult(weeks, arrived.reshape(days, per_day), in_time.reshape(days, per_day),
                            walked.reshape(days, per_day))
