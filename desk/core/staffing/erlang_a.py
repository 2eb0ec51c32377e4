"""Erlang A (Palm's M/M/N+M queue): Erlang C with people who walk away.

Arrivals come at rate λ, each agent serves at rate μ = 1/AHT, and a waiting person leaves after an
exponential patience of mean 1/θ. The number of people at the desk is a birth-death chain: births
at λ, deaths at j·μ while j ≤ N and at N·μ + (j − N)·θ above. Unlike Erlang C it is stable for any
N (the queue sheds walk-aways), so it does not over-staff a walk-in desk whose visitors do leave.

From the stationary distribution π (seen by an arrival, PASTA):

* P(wait) = Σ_{j ≥ N} π_j;
* P(walk away) = θ · E[queue] / λ (everyone who leaves the queue unserved, per arrival);
* served within t = P(service starts within t and before the person gives up). An arrival with k
  people ahead moves to the front at rate N·μ + i·θ (i = people still ahead) and gives up at θ;
  the share absorbed in "served" by t comes from uniformisation of that small chain.

"Served within t" counts walk-aways as not served, as docs/metrics.md ("Served within N") does.
No Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from desk.core import errors
from desk.core.i18n import _

TAIL = 1e-15  # stationary mass dropped when truncating the chain
MAX_STATES = 20_000


@dataclass(frozen=True)
class ErlangA:
    """What ``agents`` agents give at one interval's arrival rate, handle time and patience."""

    agents: int
    wait_probability: float  # P(an arrival has to wait)
    abandonment: float  # share of arrivals who walk away
    service_level: float  # share of arrivals served within the target time
    mean_wait: float  # seconds in the queue per arrival, walk-aways' time included (Little)
    occupancy: float  # agents' busy share


def _check(arrivals_per_hour: float, handle_seconds: float, patience_seconds: float) -> None:
    if arrivals_per_hour < 0:
        raise errors.InvalidInput(_("The arrivals cannot be negative."))
    if handle_seconds <= 0:
        raise errors.InvalidInput(_("The handle time must be positive."))
    if not patience_seconds > 0:
        raise errors.InvalidInput(_("The patience must be positive."))


def stationary(agents: int, lam: float, mu: float, theta: float) -> np.ndarray:
    """π_0 … π_K of the M/M/N+M chain, truncated once the tail is below TAIL."""
    logs = [0.0]
    total_log = 0.0
    j = 0
    while True:
        j += 1
        death = j * mu if j <= agents else agents * mu + (j - agents) * theta
        total_log += math.log(lam) - math.log(death)
        logs.append(total_log)
        # past the agents the terms fall geometrically; stop when they are negligible
        if j > agents and total_log - max(logs) < math.log(TAIL) and lam < death:
            break
        if j >= MAX_STATES:
            break
    weights = np.exp(np.array(logs) - max(logs))
    return weights / weights.sum()


def _served_within(agents: int, mu: float, theta: float, ahead_max: int, seconds: float) -> np.ndarray:
    """s_k = P(served within ``seconds`` | k people ahead on arrival), for k = 0 … ahead_max.

    States 0 … ahead_max are "i people ahead", then served and gone. Uniformisation: with Λ the
    largest exit rate, P = I + Q/Λ and u(t) = Σ_m Poisson(m; Λt) P^m 1_served, computed backwards
    as repeated products on a vector (the chain is a ladder, so each product is O(K))."""
    size = ahead_max + 1
    ahead = np.arange(size, dtype=float)
    forward = agents * mu + ahead * theta  # rate of moving one place up (or into service at i = 0)
    give_up = np.full(size, theta)
    rate = forward + give_up
    big = float(rate.max())
    if seconds <= 0:
        return np.zeros(size)
    stay = 1 - rate / big
    step = forward / big
    value = np.zeros(size)  # P^m applied to 1_served, restricted to the transient states
    mean = big * seconds
    total = np.zeros(size)
    # Poisson weights in log space, summed until the remaining mass is negligible
    m_max = int(mean + 12 * math.sqrt(mean) + 30)
    log_weight = -mean
    served = 1.0  # the absorbing "served" state's value is 1 after any number of steps
    for m in range(m_max + 1):
        if m:
            log_weight += math.log(mean) - math.log(m)
        total += math.exp(log_weight) * value
        nxt = stay * value
        nxt[0] += step[0] * served
        nxt[1:] += step[1:] * value[:-1]
        value = nxt
    return np.clip(total, 0.0, 1.0)


def erlang_a(
    *, agents: int, arrivals_per_hour: float, handle_seconds: float, patience_seconds: float,
    target_seconds: float,
) -> ErlangA:
    """Erlang A figures for ``agents`` agents (0 agents: everyone who comes walks away)."""
    _check(arrivals_per_hour, handle_seconds, patience_seconds)
    if arrivals_per_hour == 0:
        return ErlangA(agents, 0.0, 0.0, 1.0, 0.0, 0.0)
    lam = arrivals_per_hour / 3600
    mu = 1 / handle_seconds
    theta = 1 / patience_seconds
    pi = stationary(agents, lam, mu, theta)
    states = np.arange(len(pi))
    queue = np.maximum(states - agents, 0)
    waits = float(pi[agents:].sum()) if agents < len(pi) else 0.0
    abandonment = min(1.0, theta * float((queue * pi).sum()) / lam)
    busy = float((np.minimum(states, agents) * pi).sum())
    occupancy = busy / agents if agents else 0.0
    ahead_max = max(len(pi) - agents - 1, 0)
    within = _served_within(agents, mu, theta, ahead_max, target_seconds) if agents else np.zeros(1)
    immediate = float(pi[:agents].sum())
    queued = pi[agents:] if agents < len(pi) else np.zeros(0)
    level = immediate + float((queued * within[: len(queued)]).sum())
    mean_wait = float((queue * pi).sum()) / lam
    return ErlangA(agents, waits, abandonment, min(level, 1.0), mean_wait, occupancy)


def agents_needed_a(
    *, arrivals_per_hour: float, handle_seconds: float, patience_seconds: float,
    target_level: float, target_seconds: float, max_agents: int = 500,
) -> int:
    """Smallest N whose Erlang A service level meets the target (0 when nobody arrives)."""
    _check(arrivals_per_hour, handle_seconds, patience_seconds)
    if arrivals_per_hour == 0:
        return 0
    def meets(agents: int) -> bool:
        figures = erlang_a(agents=agents, arrivals_per_hour=arrivals_per_hour,
                           handle_seconds=handle_seconds, patience_seconds=patience_seconds,
                           target_seconds=target_seconds)
        return figures.service_level >= target_level

    # the service level rises with N: double until it meets the target, then bisect
    low, high = 0, 1
    while not meets(high):
        if high >= max_agents:
            return max_agents
        low, high = high, min(2 * high, max_agents)
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    return high
