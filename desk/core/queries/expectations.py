"""What to tell the person at the desk: how long tickets of this category usually take.

Full resolution time = created → solved, over tickets solved in the last ``window_days``.
Pure SQL (percentiles by ORDER BY … LIMIT 1 OFFSET k on the durations), no Qt.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.models import utcnow

_FROM = (
    " FROM tickets WHERE solved_at IS NOT NULL AND solved_at >= :since AND solved_at >= created_at"
    " AND (:category_id IS NULL OR category_id = :category_id)"
)


def expected_resolution(
    session: Session, category_id: int | None, *, window_days: int = 90, now: datetime | None = None,
) -> tuple[timedelta | None, timedelta | None, int]:
    """(median, p80, n) of the resolution time of recently solved tickets of the category.

    ``category_id=None`` means all categories. With no solved tickets: ``(None, None, 0)``.
    Percentiles are nearest-rank (the value at rank ceil(p·n)).
    """
    since = int(((now or utcnow()) - timedelta(days=window_days)).timestamp())
    params: dict[str, object] = {"since": since, "category_id": category_id}
    n = int(session.execute(text("SELECT count(*)" + _FROM), params).scalar_one())
    if n == 0:
        return None, None, 0

    def at_rank(fraction: float) -> timedelta:
        rank = max(1, -(-int(fraction * n * 1000) // 1000))  # ceil without float drift
        value = session.execute(
            text("SELECT solved_at - created_at AS d" + _FROM + " ORDER BY d LIMIT 1 OFFSET :k"),
            {**params, "k": rank - 1},
        ).scalar_one()
        return timedelta(seconds=int(value))

    return at_rank(0.5), at_rank(0.8), n
