"""The stats panel's date presets, as plain date arithmetic (no Qt)."""

from __future__ import annotations

from datetime import date, timedelta

PRESETS = ("today", "7 days", "30 days", "this semester", "custom")
# Semesters start on these (month, day): spring, summer session, fall.
SEMESTER_STARTS = ((1, 1), (6, 1), (8, 15))


def semester_start(today: date) -> date:
    starts = [date(today.year, m, d) for m, d in SEMESTER_STARTS]
    return max(start for start in starts if start <= today)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """(first, last) day, inclusive, ending today. ``custom`` gives the last 30 days."""
    if preset == "today":
        return today, today
    if preset == "7 days":
        return today - timedelta(days=6), today
    if preset == "this semester":
        return semester_start(today), today
    return today - timedelta(days=29), today
