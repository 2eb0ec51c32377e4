"""A day's availability as people write it, "09:00-13:00, 14:00-17:00", and back: what the
planner's Workers dialog shows and reads (the CLI has its own DAY=HH:MM-HH:MM form)."""

from __future__ import annotations

import re

from desk.core import errors
from desk.core.i18n import _

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def _minute(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def parse_day_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) minutes past midnight of each comma-separated HH:MM-HH:MM range, sorted;
    an empty text is no availability that day. Overlapping or touching ranges are joined."""
    spans: list[tuple[int, int]] = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        found = _RANGE.match(part)
        start = _minute(found.group(1), found.group(2)) if found else None
        end = _minute(found.group(3), found.group(4)) if found else None
        if start is None or end is None or not start < end:
            raise errors.InvalidInput(
                _("Write availability as HH:MM-HH:MM with the start before the end, e.g. 09:00-13:00"
                  " (not {text}).").format(text=part.strip()))
        spans.append((start, end))
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def format_day_ranges(spans: list[tuple[int, int]]) -> str:
    """The ranges as "09:00-13:00, 14:00-17:00" (24:00 for the end of the day)."""
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in sorted(spans))
