"""``compute_stats``: every number of the stats panel, ``desk stats`` and the exports.

docs/metrics.md is the one written definition of each number below; where a comment names a
section, that is where the definition is explained (and how Zendesk Explore differs)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from desk.core import staffing
from desk.core.business_hours import BusinessCalendar
from desk.core.models import CHANNELS, PERSON_KINDS, utcnow
from desk.core.settings import desk_timezone
from desk.core.staffing.patience import patience_from_facts
from desk.core.stats import facts as F
from desk.core.stats import history
from desk.core.stats.days import Cancel, Progress, period_facts
from desk.core.stats.distributions import ByValue, Distribution, member, rate
from desk.core.stats.zones import ZoneSegments, date_of, day_number, local_midnight
from desk.core.vocabulary import OPEN_SQL

DEFAULT_HANDLE_SECONDS = 600.0  # used when fewer than MIN_HANDLE_SAMPLES one-visit tickets exist
MIN_HANDLE_SAMPLES = 5
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class Summary:
    tickets: int
    desk_arrivals: int  # walk-ins and calls
    walked_away: int  # walk-ins/calls who left before being served
    abandonment_rate: float | None
    served_in_target: float | None  # "Served within N" (SLA attainment)
    logged_after_the_fact: int
    unanswered: int  # no first response yet (and did not walk away)
    solved: int  # of the tickets that arrived in the period, solved by now
    one_touch_rate: float | None  # solved with exactly one public agent reply
    reopen_rate: float | None  # of tickets solved at least once
    csat: float | None  # good / rated
    rated: int
    backlog_end: int  # open at the end of the period (from status history)
    solved_in_period: int = 0  # solves during the period, any arrival date (the daily "solved" rows)


@dataclass(frozen=True)
class VolumeRow:
    key: int | str
    name: str
    tickets: int
    share: float | None
    solved: int
    resolution_median: float | None
    csat: float | None


@dataclass(frozen=True)
class AgentRow:
    agent_id: int
    name: str
    handled: int
    solved: int
    first_response_median: float | None
    resolution_median: float | None
    csat: float | None
    rated: int


@dataclass
class StatsReport:
    filter: F.StatsFilter
    timezone: str
    start: int  # epoch seconds (local midnight of filter.start)
    end: int  # exclusive (local midnight after filter.end)
    summary: Summary
    wait: Distribution  # walk-ins and calls: arrival → service start / first touch
    first_response: Distribution  # excludes tickets logged after the fact
    first_response_late: Distribution  # only tickets logged after the fact
    resolution: Distribution  # created → last solve
    days: list[date]
    daily: dict[str, np.ndarray]  # per day: created, solved, backlog, csat_good, csat_rated, ...
    heatmap: np.ndarray  # 7 × 24 arrivals, Monday first, local hours
    by_category: list[VolumeRow]
    by_kind: list[VolumeRow]
    by_channel: list[VolumeRow]
    by_location: list[VolumeRow]
    agents: list[AgentRow]
    staffing: staffing.StaffingPlan
    generated_at: datetime = field(default_factory=utcnow)
    business_hours: bool = False  # durations count only the desk's open time (docs/metrics.md)


def period_bounds(session: Session, flt: F.StatsFilter) -> tuple[int, int, ZoneSegments]:
    zone = desk_timezone(session)
    start = local_midnight(flt.start, zone)
    end = local_midnight(flt.end + timedelta(days=1), zone)
    return start, end, ZoneSegments.for_period(zone, start, end)


def compute_stats(
    session: Session,
    flt: F.StatsFilter,
    *,
    target: staffing.ServiceTarget | None = None,
    handle_seconds: float | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    business_hours: bool = False,
) -> StatsReport:
    """All metrics for tickets that arrived in the filter's period (desk time zone).

    The first computation over days whose summaries are stale (a big import, an upgrade)
    rebuilds them first: ``progress(days done, days to rebuild)`` follows that, ``cancel()``
    stops it between months with ``StatsCancelled`` (``desk.core.stats.days``).

    ``business_hours``: every duration (wait, first response, resolution, the
    "served within N" judgement) counts only the desk's open time (docs/metrics.md,
    "Business hours"); counts and dates are the same either way."""
    target = target or staffing.ServiceTarget()
    now_ts = int((now or utcnow()).timestamp())
    start, end, zone = period_bounds(session, flt)
    every, one_reply, every_steps = period_facts(session, start, end, progress=progress, cancel=cancel)
    facts = every.matching(flt)  # kinds are read with the facts
    calendar = _business_calendar(session) if business_hours else None
    if calendar is not None:
        facts = in_business_hours(facts, calendar)
    steps = every_steps if facts is every else every_steps[member(every_steps["ticket_id"], facts.ticket_id)]
    predicate, params = flt.predicate()
    params = {**params, "start": start, "end": end}

    day0, ndays = day_number(flt.start), (flt.end - flt.start).days + 1
    days = [date_of(day0 + i) for i in range(ndays)]
    day_of = np.clip(zone.local_days(facts.arrived) - day0, 0, ndays - 1)

    def per_day(mask: np.ndarray) -> np.ndarray:
        return np.bincount(day_of[mask], minlength=ndays)

    everyone = np.ones(len(facts), dtype=bool)
    frt_ok = facts.first_response >= 0
    solved_ids = facts.ticket_id[facts.solved]
    one_touch = int(member(solved_ids, one_reply).sum())
    def on_days(epochs: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per local day of the period, how many (or the sum of ``weights``) of ``epochs``
        fall in it; epochs outside [start, end) are left out."""
        inside = (epochs >= start) & (epochs < end)
        days_in = np.clip(zone.local_days(epochs[inside]) - day0, 0, ndays - 1)
        return np.bincount(days_in, weights=None if weights is None else weights[inside],
                           minlength=ndays).astype(np.int64)

    by_arrival = _earlier_is_smaller(session, start)
    earlier = _before_period(session, predicate, params, start, end, by_arrival)
    created = per_day(everyone)
    # Backlog (docs/metrics.md, "Backlog"): arrivals enter; each first exit, later exit and
    # re-entry from the status history moves it, on the local day it happened.
    moves = (on_days(facts.done) - on_days(steps["at"], steps["delta"].astype(np.int64))
             - on_days(earlier.steps["at"], earlier.steps["delta"].astype(np.int64)))
    backlog = earlier.at_start + np.cumsum(created - moves)
    # Solved per day (docs/metrics.md): solves by their date, whenever the ticket arrived;
    # a walk-away is closed, never solved, so it cannot count.
    solved_per_day = on_days(facts.solved_time) + on_days(earlier.solved)
    desk_known = facts.at_desk & ~facts.late  # logged after the fact: no honest wait to judge
    wait_mask = desk_known & frt_ok  # walk-ins and calls whose service started: their wait
    rated = facts.satisfaction > 0
    summary = Summary(
        tickets=len(facts),
        desk_arrivals=int(facts.at_desk.sum()),
        walked_away=int((facts.left & facts.at_desk).sum()),
        abandonment_rate=rate(int((facts.left & facts.at_desk).sum()), int(facts.at_desk.sum())),
        served_in_target=_served_within(facts, desk_known, target.seconds, min(end, now_ts), calendar),
        logged_after_the_fact=int(facts.late.sum()),
        unanswered=int((~frt_ok & ~facts.left).sum()),
        solved=int(facts.solved.sum()),
        one_touch_rate=rate(one_touch, len(solved_ids)),
        reopen_rate=rate(int(facts.reopened.sum()), int((facts.solved | facts.reopened).sum())),
        csat=rate(int((facts.satisfaction == 1).sum()), int(rated.sum())),
        rated=int(rated.sum()),
        backlog_end=int(backlog[-1]) if len(backlog) else 0,
        solved_in_period=int(solved_per_day.sum()),
    )
    # The two durations are sorted once each; every distribution and median below reads them.
    responses = ByValue.of(facts.first_response, frt_ok)
    resolutions = ByValue.of(facts.resolution, facts.resolution >= 0)
    waits = responses.subset(wait_mask)
    wait_days = waits.percentiles(day_of, (0.5,))
    daily = {
        "created": created,
        "solved": solved_per_day,
        "backlog": backlog,
        "csat_good": per_day(facts.satisfaction == 1),
        "csat_rated": per_day(rated),
        "desk_arrivals": per_day(facts.at_desk),
        "walked_away": per_day(facts.left & facts.at_desk),
        "wait_median": np.array([wait_days.get(i, (np.nan,))[0] for i in range(ndays)]),
    }
    weekday, hour = zone.weekday_hour(facts.arrived)
    cell = weekday * 24 + hour
    outcomes = _outcomes(facts)
    heatmap = np.bincount(cell, minlength=168).reshape(7, 24)
    return StatsReport(
        filter=flt, timezone=zone.zone.key, start=start, end=end, summary=summary,
        wait=waits.distribution(),
        first_response=responses.subset(~facts.late).distribution(),
        first_response_late=responses.subset(facts.late).distribution(),
        resolution=resolutions.distribution(),
        days=days, daily=daily, heatmap=heatmap,
        by_category=_volume(facts, facts.category_id, _names(session, "categories"), outcomes, resolutions),
        by_kind=_volume(facts, facts.kind, dict(enumerate(PERSON_KINDS)), outcomes, resolutions),
        by_channel=_volume(facts, facts.channel, {**dict(enumerate(CHANNELS)), F.UNKNOWN_CHANNEL: "(unknown channel)"},
                           outcomes, resolutions),
        by_location=_volume(facts, facts.location_id, _names(session, "locations"), outcomes, resolutions),
        agents=_agents(session, facts, outcomes, responses, resolutions),
        staffing=_staffing(session, facts, zone, start, end, cell, now_ts, target, handle_seconds),
        business_hours=calendar is not None,
    )


def _business_calendar(session: Session) -> BusinessCalendar:
    from desk.core.desk_settings import load_desk_settings

    return BusinessCalendar.from_settings(load_desk_settings(session))


def in_business_hours(facts: F.TicketFacts, calendar: BusinessCalendar) -> F.TicketFacts:
    """``facts`` with each duration measured in the desk's open seconds between the same two
    moments (docs/metrics.md, "Business hours"): first response from arrival, resolution
    from creation (solve − resolution). Handle time stays as it is: it is the agent's working
    time with the person, which staffing needs whether or not the desk was open."""

    def measured(durations: np.ndarray, ends: np.ndarray) -> np.ndarray:
        known = durations >= 0
        if not known.any():
            return durations
        out = durations.copy()
        out[known] = calendar.durations(ends[known] - durations[known], ends[known])
        return out

    response_at = facts.arrived + facts.first_response
    return dataclasses.replace(
        facts,
        first_response=measured(facts.first_response, response_at),
        resolution=measured(facts.resolution, facts.solved_time),
    )


def _names(session: Session, table: str) -> dict[int, str]:
    return dict(session.execute(text(f"SELECT id, name FROM {table}")).all())


def _earlier_is_smaller(session: Session, start: int) -> bool:
    """Whether fewer tickets arrived before ``start`` than were updated since (capped counts on
    the two indexes), so the queries about tickets from before the period walk the smaller
    index range: SQLite cannot tell from the parameters alone."""
    cap = 100_000

    def capped(where: str) -> int:
        sql = f"SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {where} LIMIT {cap})"
        return int(session.execute(text(sql), {"start": start}).scalar_one())

    return capped("arrived_at < :start") <= capped("updated_at >= :start")


def _served_within(
    facts: F.TicketFacts, desk: np.ndarray, seconds: int, until: int, calendar: BusinessCalendar | None = None,
) -> float | None:
    """docs/metrics.md, "Served within N": of the walk-ins and calls (``desk``), each once,
    the share whose service started within ``seconds`` of arrival. A walk-away is never served
    within N; one still waiting at ``until`` (the period's end, or now) counts only once its
    wait has passed N (before that it may yet be served in time)."""
    # A walk-away who came back and was served later walked away first: Abandonment counts her,
    # so she is not served within N either (no ticket is both).
    walked_away = desk & facts.left
    served = desk & (facts.first_response >= 0) & ~facts.left
    waiting = desk & (facts.first_response < 0) & ~facts.left
    waited = until - facts.arrived if calendar is None else \
        calendar.durations(facts.arrived, np.full(len(facts), until, dtype=np.int64))
    overdue = waiting & (waited > seconds)
    in_time = served & (facts.first_response <= seconds)
    return rate(int(in_time.sum()), int(served.sum() + walked_away.sum() + overdue.sum()))


@dataclass(frozen=True)
class Earlier:
    """Tickets that arrived before the period: how many were in the backlog at its start, their
    backlog transitions during it (STEP records) and their solves during it (epochs)."""

    at_start: int
    steps: np.ndarray
    solved: np.ndarray


def _before_period(
    session: Session, predicate: str, params: dict[str, object], start: int, end: int, by_arrival: bool
) -> Earlier:
    """``Earlier`` for the tickets matching ``predicate`` that arrived before ``start``.

    Every status change goes through an operation that also sets ``updated_at``, so a ticket
    not updated since ``start`` has today the status it had then: counted from its current
    status alone. The others (updated since) are few next to the store; their status history
    decides, or their fields when they have none (``history``)."""
    arrived, since = ("t.arrived_at", "+t.updated_at") if by_arrival else ("+t.arrived_at", "t.updated_at")
    values = {**params, "start": start, "end": end}
    unchanged = int(session.execute(text(
        f"SELECT count(*) FROM tickets t WHERE t.status IN {OPEN_SQL} AND t.arrived_at < :start"
        f" AND t.updated_at < :start AND {predicate}"), values).scalar_one())
    rows = session.execute(text(
        f"SELECT t.id, t.arrived_at, {F.DONE_AT} FROM tickets t WHERE {since} >= :start"
        f" AND {arrived} < :start AND {predicate}"), values).all()
    changed = np.array([(r[0], r[1], -1 if r[2] is None else r[2]) for r in rows], dtype=np.int64).reshape(-1, 3)
    found = history.histories(history.status_rows(session, changed[:, 0]))
    has = F.member(changed[:, 0], found.ticket_ids)
    plain = changed[~has]  # no status history: one stay, from arrival to the fields' DONE_AT
    position = np.searchsorted(found.ticket_ids, changed[has, 0])
    first_exit = np.concatenate([plain[:, 2], found.first_exit[position]])
    arrivals = np.concatenate([plain[:, 1], changed[has, 1]])
    at_start = unchanged + history.in_backlog_at(start, arrivals, first_exit, found.later)
    exits = np.zeros(int(((first_exit >= start) & (first_exit < end)).sum()), dtype=history.STEP)
    exits["at"], exits["delta"] = first_exit[(first_exit >= start) & (first_exit < end)], -1
    later = found.later[(found.later["at"] >= start) & (found.later["at"] < end)]
    solved_at = ("t.arrived_at", "+t.solved_at") if by_arrival else ("+t.arrived_at", "t.solved_at")
    solved = F.load_epochs(
        session, f"SELECT t.solved_at AS value FROM tickets t WHERE {solved_at[1]} >= :start"
        f" AND {solved_at[1]} < :end AND {solved_at[0]} < :start AND {predicate}", values, start)
    return Earlier(at_start, np.concatenate([exits, later]), solved)


def _outcomes(facts: F.TicketFacts) -> np.ndarray:
    """Per ticket: solved (0/1) + 2 × satisfaction (0 none, 1 good, 2 bad), in 0..5."""
    return facts.solved.astype(np.int64) + 2 * facts.satisfaction


def _tallies(keys: np.ndarray, outcomes: np.ndarray) -> tuple[np.ndarray, ...]:
    """(tickets, solved, good, rated) per key 0..max(keys), from one ``bincount`` of
    key × outcome (non-negative keys)."""
    size = int(keys.max()) + 1
    table = np.bincount(keys.astype(np.int64) * 6 + outcomes, minlength=size * 6).reshape(size, 6)
    return table.sum(axis=1), table[:, 1::2].sum(axis=1), table[:, 2:4].sum(axis=1), table[:, 2:].sum(axis=1)


def _volume(
    facts: F.TicketFacts, keys: np.ndarray, names: dict[int, str], outcomes: np.ndarray, resolutions: ByValue
) -> list[VolumeRow]:
    if len(facts) == 0:
        return []
    total = len(facts)
    counts, solved_counts, good, rated = _tallies(keys, outcomes)
    medians = resolutions.percentiles(keys, (0.5,))
    rows = [
        VolumeRow(key=int(key), name=names.get(int(key), NONE_LABEL if key == 0 else f"#{key}"),
                  tickets=int(counts[key]), share=rate(int(counts[key]), total),
                  solved=int(solved_counts[key]),
                  resolution_median=medians.get(int(key), (None,))[0],
                  csat=rate(int(good[key]), int(rated[key])))
        for key in np.flatnonzero(counts)
    ]
    return sorted(rows, key=lambda row: (-row.tickets, row.name))


def _agents(
    session: Session, facts: F.TicketFacts, outcomes: np.ndarray, responses: ByValue, resolutions: ByValue
) -> list[AgentRow]:
    assigned = facts.assignee_id > 0
    if not assigned.any():
        return []
    ids = facts.assignee_id
    names = dict(session.execute(text("SELECT id, name FROM people WHERE is_agent")).all())
    frt = responses.subset(assigned & ~facts.late).percentiles(ids, (0.5,))
    res = resolutions.subset(assigned).percentiles(ids, (0.5,))
    handled, solved, good, rated = _tallies(ids, outcomes)
    rows = [
        AgentRow(
            agent_id=key, name=names.get(key, f"#{key}"), handled=int(handled[key]), solved=int(solved[key]),
            first_response_median=frt.get(key, (None,))[0], resolution_median=res.get(key, (None,))[0],
            csat=rate(int(good[key]), int(rated[key])), rated=int(rated[key]),
        )
        for key in (np.flatnonzero(handled[1:]) + 1).tolist()
    ]
    return sorted(rows, key=lambda row: (-row.handled, row.name))


def _occurrences(zone: ZoneSegments, start: int, end: int) -> np.ndarray:
    """How many times each local weekday × hour occurs in [start, end)."""
    hours = np.arange(start, end, 3600, dtype=np.int64)
    weekday, hour = zone.weekday_hour(hours)
    return np.bincount(weekday * 24 + hour, minlength=168).reshape(7, 24)


def _shift_hours(session: Session, zone: ZoneSegments, start: int, end: int, now: int) -> np.ndarray:
    """Agent-hours signed in at the desk per local weekday × hour, to the minute."""
    rows = session.execute(
        text("SELECT started_at, coalesce(ended_at, :now) FROM shifts"
             " WHERE started_at < :end AND coalesce(ended_at, :now) > :start"),
        {"start": start, "end": end, "now": now},
    ).all()
    minutes = max((end - start) // 60, 1)
    if not rows:
        return np.zeros((7, 24))
    spans = np.clip(np.array([tuple(row) for row in rows], dtype=np.int64), start, end)
    delta = np.zeros(minutes + 1, dtype=np.int64)
    np.add.at(delta, (spans[:, 0] - start) // 60, 1)
    np.add.at(delta, (spans[:, 1] - start) // 60, -1)
    on_desk = np.cumsum(delta[:-1])
    weekday, hour = zone.weekday_hour(start + 60 * np.arange(minutes, dtype=np.int64))
    weights = np.bincount(weekday * 24 + hour, weights=on_desk, minlength=168)
    return weights.reshape(7, 24) / 60


def _staffing(
    session: Session, facts: F.TicketFacts, zone: ZoneSegments, start: int, end: int,
    cell: np.ndarray, now: int, target: staffing.ServiceTarget, handle_seconds: float | None,
) -> staffing.StaffingPlan:
    handles = facts.handle[facts.handle >= 0]
    observed = len(handles) >= MIN_HANDLE_SAMPLES
    if handle_seconds is None:
        handle_seconds = max(float(handles.mean()), 1.0) if observed else DEFAULT_HANDLE_SECONDS
        given = observed
    else:
        given = False
    arrivals = np.bincount(cell[facts.at_desk], minlength=168).reshape(7, 24)
    # Erlang A beside C, with the patience of this period's own walk-aways (the same facts)
    patience = patience_from_facts(facts)
    return staffing.plan(
        arrivals, _occurrences(zone, start, end), _shift_hours(session, zone, start, end, now),
        handle_seconds=handle_seconds, handle_observed=given, target=target,
        patience_seconds=patience.mean_seconds,
    )


@dataclass(frozen=True)
class ExpectedRow:
    category_id: int
    name: str
    median: float | None  # seconds
    p80: float | None
    solved: int  # tickets the figures rest on: at most expectations.SAMPLE (a sample, not a count)


def expected_by_category(
    session: Session, *, window_days: int = 90, now: datetime | None = None
) -> list[ExpectedRow]:
    """Expected resolution per category: the same numbers as the quick-log form and the
    ``{{ticket.expected_resolution}}`` placeholder (``queries.expectations``)."""
    from desk.core.queries.expectations import expected_resolution

    rows = []
    for category_id, name in sorted(_names(session, "categories").items(), key=lambda item: item[1]):
        median, p80, n = expected_resolution(session, category_id, window_days=window_days, now=now)
        rows.append(ExpectedRow(category_id, name, median.total_seconds() if median else None,
                                p80.total_seconds() if p80 else None, n))
    return rows
