"""The stats panel's date presets, as plain date arithmetic (no Qt).

"This semester" is the desk's configured term containing today (``desk.core.calendar``), never a
guess: without one it is not offered (the panel greys it out, ``desk stats`` says how to set terms).
"""

from __future__ import annotations

from datetime import date, timedelta

from desk.core import errors
from desk.core.calendar import HOW_TO_SET, Term
from desk.core.i18n import _

PRESETS = ("today", "7 days", "30 days", "this semester", "custom")


def preset_range(preset: str, today: date, *, term: Term | None = None) -> tuple[date, date]:
    """(first, last) day, inclusive, ending today. ``custom`` gives the last 30 days; "this
    semester" needs ``term``, the configured term containing today."""
    if preset == "today":
        return today, today
    if preset == "7 days":
        return today - timedelta(days=6), today
    if preset == "this semester":
        if term is None:
            raise errors.InvalidInput(_('No term of the desk contains {today}. {HOW_TO_SET}').format(today=today, HOW_TO_SET=HOW_TO_SET))
        return term.start, min(term.end, today)
    return today - timedelta(days=29), today
