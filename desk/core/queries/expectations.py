"""What to tell the person at the desk: how long tickets of this category usually take.

Full resolution time = created → solved, over the ``sample`` most recently solved tickets of
the category within the last ``window_days``. One SQL statement (window functions rank the
durations), no Qt; it reads at most ``sample`` rows through the ``solved_at`` index, so it
answers in milliseconds on a million-ticket store.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.i18n import _, ngettext
from desk.core.models import utcnow

# Nearest-rank percentiles with integer arithmetic: rank = ceil(p * n).
_SQL = text(
    "WITH recent AS ("
    "  SELECT solved_at - created_at AS d FROM tickets"
    "  WHERE solved_at >= :since AND solved_at >= created_at"
    "    AND (:category_id IS NULL OR category_id = :category_id)"
    "  ORDER BY solved_at DESC LIMIT :sample),"
    " ranked AS (SELECT d, row_number() OVER (ORDER BY d) AS rn, count(*) OVER () AS n FROM recent)"
    " SELECT max(n), max(CASE WHEN rn = (n + 1) / 2 THEN d END),"
    "        max(CASE WHEN rn = (4 * n + 4) / 5 THEN d END) FROM ranked"
)


SAMPLE = 1000  # at most this many of the most recently solved tickets are looked at


def basis_text(n: int, *, sample: int = SAMPLE) -> str:
    """What a figure from ``expected_resolution`` rests on, in words: a capped sample is said to
    be one ("based on the last 1,000 solved"), never shown as if it were a count of tickets."""
    if n >= sample:
        return _("based on the last {count} solved").format(count=f"{sample:,}")
    return ngettext("based on {count} solved", "based on {count} solved", n).format(count=f"{n:,}")


def expected_resolution(
    session: Session, category_id: int | None, *, window_days: int = 90, now: datetime | None = None,
    sample: int = SAMPLE,
) -> tuple[timedelta | None, timedelta | None, int]:
    """(median, p80, n) of the resolution time of recently solved tickets of the category.

    ``category_id=None`` means all categories. With no solved tickets: ``(None, None, 0)``.
    Percentiles are nearest-rank (the value at rank ceil(p·n)); ``n`` is at most ``sample``.
    """
    since = int(((now or utcnow()) - timedelta(days=window_days)).timestamp())
    n, median, p80 = session.execute(
        _SQL, {"since": since, "category_id": category_id, "sample": sample}
    ).one()
    if not n:
        return None, None, 0
    return timedelta(seconds=int(median)), timedelta(seconds=int(p80)), int(n)
