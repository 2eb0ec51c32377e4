"""How long people wait before walking away, estimated from the desk's own walk-aways.

Patience is taken as exponential (the Erlang A assumption) with rate θ. A walk-away shows its
patience exactly (left_at − arrived_at); a person who was served shows only that their patience
was longer than their wait (a right-censored observation). The maximum-likelihood estimate with
censoring is

    θ̂ = walk-aways / (Σ walk-aways' waits + Σ served people's waits),

so mean patience = 1/θ̂. Leaving the served out (the naive mean of walk-aways' waits) would
understate patience badly at a well-staffed desk, where only the impatient ever leave.
docs/metrics.md ("Patience") is the written definition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_WALKAWAYS = 5  # fewer: too little to estimate; staffing falls back to Erlang C only


@dataclass(frozen=True)
class PatienceEstimate:
    mean_seconds: float | None  # None: fewer than MIN_WALKAWAYS walk-aways
    walkaways: int
    served: int
    exposure_seconds: float  # total time people were seen waiting


def estimate_patience(*, walkaway_waits: np.ndarray, served_waits: np.ndarray) -> PatienceEstimate:
    """Censored maximum-likelihood mean patience (seconds) from the two kinds of waits."""
    left = np.asarray(walkaway_waits, dtype=float)
    served = np.asarray(served_waits, dtype=float)
    left = left[left >= 0]
    served = served[served >= 0]
    exposure = float(left.sum() + served.sum())
    mean = exposure / len(left) if len(left) >= MIN_WALKAWAYS and exposure > 0 else None
    return PatienceEstimate(mean, len(left), len(served), exposure)


def patience_from_facts(facts) -> PatienceEstimate:  # noqa: ANN001 - desk.core.stats.facts.TicketFacts
    """The estimate from the stats facts already read (no second pass over the tickets).

    Walk-ins and calls logged at the time: a walk-away (left, never solved) waited from arrival to
    leaving (its ``done``: nothing else closed it); anyone else whose service started waited
    ``first_response`` (arrival → start of service) and was still there. A walk-away who came
    back and was solved later has no separate leaving time in the facts and is left out."""
    known = facts.at_desk & ~facts.late
    left = known & facts.left & ~facts.solved & (facts.done >= 0)
    served = known & ~facts.left & (facts.first_response >= 0)
    return estimate_patience(walkaway_waits=(facts.done[left] - facts.arrived[left]).astype(float),
                             served_waits=facts.first_response[served].astype(float))
