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
from collections.abc import Callable
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
    """π_0 … π_K of the M/M/N+M chain, truncated at the first K past the agents where the terms
    fall (λ below the death rate) and are below TAIL of the largest. Computed on whole arrays,
    doubling the states looked at until that K is among them (at most MAX_STATES)."""
    size = agents + 256
    while True:
        size = min(size, MAX_STATES)
        j = np.arange(1, size + 1, dtype=float)
        death = np.where(j <= agents, j * mu, agents * mu + (j - agents) * theta)
        logs = np.concatenate([[0.0], np.cumsum(math.log(lam) - np.log(death))])
        peak = np.maximum.accumulate(logs)
        # past the agents the terms fall geometrically; stop when they are negligible
        done = (j > agents) & (logs[1:] - peak[1:] < math.log(TAIL)) & (lam < death)
        if done.any() or size >= MAX_STATES:
            last = int(np.argmax(done)) + 1 if done.any() else size
            logs = logs[: last + 1]
            weights = np.exp(logs - peak[last])
            return weights / weights.sum()
        size *= 2


def _served_within(agents: int, mu: float, theta: float, ahead_max: int, seconds: float) -> np.ndarray:
    """s_k = P(served within ``seconds`` | k people ahead on arrival), for k = 0 … ahead_max.

    With i people still ahead the line moves at f_i = N·μ + i·θ and the person gives up at θ, so
    each place is left after Exp(r_i), r_i = f_i + θ, and it is a move forward with probability
    f_i / r_i, independently of when. Served = every one of the k + 1 steps forward, with
    probability Π f_i / r_i = c / (c + k + 1) (it telescopes; c = N·μ / θ), and within t = the sum
    of Exp(θ(c + 1)) … Exp(θ(c + k + 1)) is at most t. That sum is −ln(B)/θ with B ~ Beta(c + 1,
    k + 1) (a product of Beta(c + j, 1) variables), so P(sum ≤ t) = 1 − F_k, F the negative
    binomial CDF with shape c + 1 and success probability e^(−θt). O(K), vectorised; the test
    suite checks it against uniformisation of the chain (how it was first computed)."""
    size = ahead_max + 1
    if seconds <= 0 or agents <= 0:
        return np.zeros(size)
    c = agents * mu / theta
    shape = c + 1
    stay = -theta * seconds  # log e^(−θt)
    move = math.log(-math.expm1(stay))  # log(1 − e^(−θt)), finite for any t > 0
    j = np.arange(size, dtype=float)
    # log pmf_j = log Γ(shape + j) − log Γ(shape) − log j! + shape·log p + j·log(1 − p)
    steps = np.log((shape + j[1:] - 1) / j[1:]) if size > 1 else np.zeros(0)
    log_pmf = shape * stay + np.concatenate([[0.0], np.cumsum(steps)]) + j * move
    below = np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)
    return np.clip(c / (c + j + 1) * (1.0 - below), 0.0, 1.0)


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


def abandonment_share(
    *, agents: int, arrivals_per_hour: float, handle_seconds: float, patience_seconds: float,
) -> float:
    """Erlang A's share of arrivals who walk away with ``agents`` agents: ``erlang_a(…).abandonment``
    from the stationary distribution alone (no service-within-t chain), for tables of many levels."""
    _check(arrivals_per_hour, handle_seconds, patience_seconds)
    if arrivals_per_hour == 0:
        return 0.0
    lam, theta = arrivals_per_hour / 3600, 1 / patience_seconds
    pi = stationary(agents, lam, 1 / handle_seconds, theta)
    queue = np.maximum(np.arange(len(pi)) - agents, 0)
    return min(1.0, theta * float((queue * pi).sum()) / lam)


def agents_needed_a(
    *, arrivals_per_hour: float, handle_seconds: float, patience_seconds: float,
    target_level: float, target_seconds: float, max_agents: int = 500, near: int | None = None,
) -> int:
    """Smallest N whose Erlang A service level meets the target (0 when nobody arrives).

    ``near`` is a guess (Erlang C's answer, which walk-aways rarely undercut by more than a few):
    the search then steps from it, a few evaluations instead of a bisection's ten; the answer is
    the same either way, the service level rising with N."""
    _check(arrivals_per_hour, handle_seconds, patience_seconds)
    if arrivals_per_hour == 0:
        return 0
    def meets(agents: int) -> bool:
        figures = erlang_a(agents=agents, arrivals_per_hour=arrivals_per_hour,
                           handle_seconds=handle_seconds, patience_seconds=patience_seconds,
                           target_seconds=target_seconds)
        return figures.service_level >= target_level

    if near is not None and 0 < near <= max_agents:
        low, high = _bracket_from(near, meets, max_agents)
    else:  # the service level rises with N: double until it meets the target
        low, high = 0, 1
        while not meets(high):
            if high >= max_agents:
                return max_agents
            low, high = high, min(2 * high, max_agents)
    if not meets(high):
        return max_agents
    while high - low > 1:  # meets(high), not meets(low) (or low = high = 0): bisect
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    return high


def _bracket_from(near: int, meets: Callable[[int], bool], max_agents: int) -> tuple[int, int]:
    """(low, high) with ``meets(high)`` and not ``meets(low)`` (or both 0), galloping away from
    ``near`` by 1, 2, 4 … agents; high = max_agents when even that does not meet."""
    step = 1
    if meets(near):
        high = near
        while high > 0:
            low = max(high - step, 0)
            if not meets(low):
                return low, high
            high, step = low, step * 2
        return 0, 0
    low = near
    while low < max_agents:
        high = min(low + step, max_agents)
        if meets(high):
            return low, high
        low, step = high, step * 2
    return max_agents, max_agents
