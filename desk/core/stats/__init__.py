"""Metrics (one definition, used by the stats panel, ``desk stats`` and every export).

* ``facts``: the definitions as SQL expressions and the one-scan extraction of per-ticket facts.
* ``compute``: ``compute_stats(session, StatsFilter(...)) -> StatsReport``.
* ``export``: the report as tables, CSV, XLSX and a printable HTML page.
"""

from desk.core.stats.compute import AgentRow, StatsReport, Summary, VolumeRow, compute_stats
from desk.core.stats.distributions import HIST_LABELS, Distribution
from desk.core.stats.facts import StatsFilter

__all__ = [
    "HIST_LABELS", "AgentRow", "Distribution", "StatsFilter", "StatsReport", "Summary", "VolumeRow",
    "compute_stats",
]
