"""SLA attainment: of the clocks that ended (met) or ran out (breached), the share met — per
policy and target, per category and per agent — with the breached tickets listed.

Which tickets: those that arrived in the period (desk time zone) and fall under a policy now.
A clock still running within its target is not judged yet; one past its target is breached
even if it still runs (docs/rules.md, "Attainment"). No Qt here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.i18n import _
from desk.core.models import Ticket, utcnow
from desk.core.rules import sla
from desk.core.rules.engine import desk_calendar
from desk.core.settings import desk_timezone, start_of_local_day
from desk.core.stats.export import Table

TARGET_LABELS = {"first_response": "First response", "next_reply": "Next reply", "resolution": "Resolution"}


@dataclass(frozen=True)
class AttainmentRow:
    name: str
    met: int
    breached: int

    @property
    def attainment(self) -> float | None:
        judged = self.met + self.breached
        return self.met / judged if judged else None


@dataclass(frozen=True)
class Breach:
    ticket_id: int
    subject: str
    policy: str
    target: str
    due_at: datetime
    stopped_at: datetime | None  # None: still not done


@dataclass(frozen=True)
class SlaReport:
    start: date
    end: date
    by_policy_target: list[AttainmentRow]
    by_category: list[AttainmentRow]
    by_agent: list[AttainmentRow]
    breaches: list[Breach]


def _rows(met: Counter[str], breached: Counter[str]) -> list[AttainmentRow]:
    return [AttainmentRow(name, met[name], breached[name]) for name in sorted(set(met) | set(breached))]


def sla_report(session: Session, *, start: date, end: date, now: datetime | None = None) -> SlaReport:
    """Attainment of the tickets that arrived on local days ``start``..``end``."""
    now = now or utcnow()
    zone = desk_timezone(session)
    first = start_of_local_day(datetime.combine(start, datetime.min.time(), zone), zone)
    last = start_of_local_day(datetime.combine(end + timedelta(days=1), datetime.min.time(), zone), zone)
    policies = {rule.id: rule for rule in sla.load_rules(session, kind="sla")}
    calendar = desk_calendar(session)
    counts: dict[str, tuple[Counter[str], Counter[str]]] = {
        part: (Counter(), Counter()) for part in ("policy", "category", "agent")}
    breaches: list[Breach] = []
    query = select(Ticket).where(Ticket.arrived_at >= first, Ticket.arrived_at < last,
                                 Ticket.sla_policy_id.is_not(None)).order_by(Ticket.id)
    for ticket in session.scalars(query):
        policy = policies.get(ticket.sla_policy_id)  # type: ignore[arg-type]
        if policy is None:
            continue
        for clock in sla.clocks(session, ticket, policy, now=now, calendar=calendar):
            if clock.state not in ("met", "breached"):
                continue
            keys = {"policy": f"{policy.name} · {_(TARGET_LABELS[clock.target])}",
                    "category": ticket.category.name if ticket.category else _("(none)"),
                    "agent": ticket.assignee.name if ticket.assignee else _("(nobody)")}
            for part, key in keys.items():
                counts[part][1 if clock.breached else 0][key] += 1
            if clock.breached and clock.due_at is not None:
                breaches.append(Breach(ticket.id, ticket.subject, policy.name, clock.target, clock.due_at,
                                       clock.stopped_at))
    return SlaReport(start=start, end=end, by_policy_target=_rows(*counts["policy"]),
                     by_category=_rows(*counts["category"]), by_agent=_rows(*counts["agent"]), breaches=breaches)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def attainment_table(report: SlaReport) -> Table:
    """Every grouping in one table (the stats panel's "SLA attainment" box)."""
    rows = []
    for group, found in ((_("Policy · target"), report.by_policy_target), (_("Category"), report.by_category),
                         (_("Agent"), report.by_agent)):
        rows += [(group, row.name, row.met, row.breached, _percent(row.attainment)) for row in found]
    return Table(_("SLA attainment"), (_("By"), _("Name"), _("Met"), _("Breached"), _("Attainment (%)")),
                 tuple(rows), key="sla-attainment")


def report_tables(report: SlaReport) -> list[Table]:
    """The report as the stats exports' tables (text, CSV, JSON, XLSX alike)."""
    columns = (_("Met"), _("Breached"), _("Attainment (%)"))

    def table(name: str, key: str, first: str, rows: list[AttainmentRow]) -> Table:
        return Table(name, (first, *columns), tuple(
            (row.name, row.met, row.breached, _percent(row.attainment)) for row in rows), key=key)

    return [
        table(_("SLA attainment by policy and target"), "sla-policy", _("Policy · target"), report.by_policy_target),
        table(_("SLA attainment by category"), "sla-category", _("Category"), report.by_category),
        table(_("SLA attainment by agent"), "sla-agent", _("Agent"), report.by_agent),
        Table(_("Breached tickets"), (_("Ticket"), _("Subject"), _("Policy"), _("Target"), _("Due"), _("Done")),
              tuple((b.ticket_id, b.subject, b.policy, _(TARGET_LABELS[b.target]),
                     b.due_at.isoformat(timespec="minutes"),
                     b.stopped_at.isoformat(timespec="minutes") if b.stopped_at else _("not yet"))
                    for b in report.breaches), key="sla-breached"),
    ]
