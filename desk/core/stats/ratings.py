"""People's ratings for a period: CSAT, response rate and the comments of low ratings.

CSAT counts the people's own ratings only (the exit survey on the counter display, a helpdesk or
e-mail survey, imported ratings); an agent-reported rating is counted apart and never in CSAT
(docs/metrics.md, "CSAT" and "Response rate"). Same tickets as every metric: those that arrived
on the period's local days and match the filters. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core.i18n import _
from desk.core.models import Timestamp
from desk.core.stats import facts as F
from desk.core.stats.compute import period_bounds
from desk.core.stats.export import Table
from desk.core.vocabulary import DONE_SQL

PEOPLES = "(t.satisfaction IS NOT NULL AND coalesce(t.satisfaction_source, 'person') != 'agent')"
# Solved at least once and not a walk-away: someone who could have been asked.
ASKABLE = f"(t.left_at IS NULL AND (t.solved_at IS NOT NULL OR t.status IN {DONE_SQL}))"
MAX_COMMENTS = 200


@dataclass(frozen=True)
class LowComment:
    rated_at: datetime | None
    ticket_id: int | None  # None when the person rated anonymously
    requester: str | None  # None when anonymous
    agent: str | None  # the agent credited
    comment: str


@dataclass(frozen=True)
class RatingsReport:
    good: int
    rated: int  # people's own ratings
    askable: int  # solved (served) tickets of the period
    agent_reported: int  # kept apart, not in CSAT
    comments: list[LowComment]

    @property
    def csat(self) -> float | None:
        return self.good / self.rated if self.rated else None

    @property
    def response_rate(self) -> float | None:
        """People's ratings of the solved tickets (a rated ticket reopened since still counts)."""
        return min(self.rated / self.askable, 1.0) if self.askable else None


def ratings_report(session: Session, flt: F.StatsFilter) -> RatingsReport:
    start, end, _segments = period_bounds(session, flt)
    predicate, params = flt.predicate()
    params = {**params, "start": start, "end": end}
    where = f"t.arrived_at >= :start AND t.arrived_at < :end AND {predicate}"
    good, rated, askable, agent = session.execute(text(
        f"SELECT coalesce(sum({PEOPLES} AND t.satisfaction = 'good'), 0), coalesce(sum({PEOPLES}), 0),"
        f" coalesce(sum({ASKABLE} OR {PEOPLES}), 0), coalesce(sum(t.satisfaction_source = 'agent'), 0)"
        f" FROM tickets t WHERE {where}"
    ), params).one()
    to_time = Timestamp().process_result_value
    rows = session.execute(text(
        "SELECT t.satisfaction_at, t.id, r.name, a.name, t.satisfaction_comment, t.satisfaction_anonymous"
        " FROM tickets t JOIN people r ON r.id = t.requester_id"
        " LEFT JOIN people a ON a.id = t.satisfaction_agent_id"
        f" WHERE {where} AND {PEOPLES} AND t.satisfaction = 'bad' AND coalesce(t.satisfaction_comment, '') != ''"
        " ORDER BY t.satisfaction_at DESC, t.id DESC LIMIT :limit"
    ), {**params, "limit": MAX_COMMENTS})
    comments = [
        LowComment(to_time(at, None), None if anonymous else ticket_id, None if anonymous else requester, agent, body)
        for at, ticket_id, requester, agent, body, anonymous in rows
    ]
    return RatingsReport(int(good), int(rated), int(askable), int(agent), comments)


def ratings_tables(report: RatingsReport) -> list[Table]:
    """The people's ratings as report tables (``desk stats``, exports): the figures, then the
    comments of low ratings."""
    percent = (lambda value: None if value is None else round(100 * value, 1))  # noqa: E731
    figures = Table(_("People's ratings"), (_("Figure"), _("Value")), (
        (_("CSAT, good of people's ratings (%)"), percent(report.csat)),
        (_("People's ratings"), report.rated),
        (_("Solved tickets that could be asked"), report.askable),
        (_("Response rate (%)"), percent(report.response_rate)),
        (_("Agent-reported ratings (not in CSAT)"), report.agent_reported),
    ), key="ratings")
    comments = Table(_("Low-rating comments"), (_("Rated at (UTC)"), _("Ticket"), _("Requester"), _("Agent"),
                                                 _("Comment")), tuple(
        (item.rated_at.strftime("%Y-%m-%d %H:%M") if item.rated_at else None,
         item.ticket_id, _("(anonymous)") if item.ticket_id is None else item.requester,
         item.agent, item.comment) for item in report.comments
    ), key="low-rating-comments")
    return [figures, comments]
