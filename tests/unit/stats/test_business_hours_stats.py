"""Durations in business hours, by hand: an e-mail on Friday evening answered on Monday morning
is 1 open hour late, not 63 calendar hours; counts do not change."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from desk.core.desk_settings import parse_hours, save_desk_settings
from desk.core.ops import comments, tickets
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats import export as ex

NY = ZoneInfo("America/New_York")


def test_first_response_and_resolution_count_only_open_hours(session, agent_id, requester_id):  # noqa: ANN001
    save_desk_settings(session, actor_id=None, values={"timezone": "America/New_York",
                                                       "opening_hours": parse_hours("mon-fri 09:00-18:00")})
    friday_5pm = datetime(2026, 3, 6, 17, tzinfo=NY)
    ticket = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer",
                                channel="email", now=friday_5pm).created_id
    # Monday 9 March (after the switch to daylight saving time), 10:00: 1 h Friday + 1 h Monday.
    comments.add_comment(session, ticket_id=ticket, author_id=agent_id, body="On it.", public=True,
                         now=datetime(2026, 3, 9, 10, tzinfo=NY))
    tickets.solve(session, ticket_id=ticket, actor_id=agent_id, now=datetime(2026, 3, 9, 12, tzinfo=NY))
    flt = StatsFilter(start=date(2026, 3, 6), end=date(2026, 3, 9))
    calendar = compute_stats(session, flt, now=datetime(2026, 3, 10, tzinfo=NY))
    business = compute_stats(session, flt, now=datetime(2026, 3, 10, tzinfo=NY), business_hours=True)
    assert calendar.first_response.median == 64 * 3600  # EST Friday 17:00 → EDT Monday 10:00: 65 wall hours, one skipped
    assert business.first_response.median == 2 * 3600
    assert calendar.resolution.median == 66 * 3600
    assert business.resolution.median == 4 * 3600
    assert business.summary == calendar.summary
    summary = dict(ex.summary_table(business).rows)
    assert summary["Durations in"] == "business hours"
    assert dict(ex.summary_table(calendar).rows)["Durations in"] == "calendar hours"


def test_desk_stats_business_hours_on_the_command_line(tmp_path, capsys):  # noqa: ANN001
    import json

    from desk.cli.main import main
    from desk.core.db import open_store
    from desk.core.ops import people

    db = tmp_path / "bh.sqlite3"
    with open_store(db) as store, store.session() as session:
        save_desk_settings(session, actor_id=None, values={"timezone": "America/New_York",
                                                           "opening_hours": parse_hours("mon-fri 09:00-18:00")})
        agent = people.add_agent(session, name="Ana Student", email="ana@desk.test").created_id
        requester = people.ensure_requester(session, email="wei@uni.test", name="Wei Chen").created_id
        ticket = tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="Printer",
                                    channel="email", now=datetime(2026, 3, 6, 17, tzinfo=NY)).created_id
        comments.add_comment(session, ticket_id=ticket, author_id=agent, body="On it.", public=True,
                             now=datetime(2026, 3, 9, 10, tzinfo=NY))
    argv = ["stats", "--db", str(db), "--from", "2026-03-06", "--to", "2026-03-09", "--format", "json"]
    assert main([*argv, "--business-hours"]) == 0
    summary = {row["Metric"]: row["Value"] for row in json.loads(capsys.readouterr().out)["summary"]}
    assert summary["Durations in"] == "business hours" and summary["First response: median (min)"] == 120
    assert main(argv) == 0
    summary = {row["Metric"]: row["Value"] for row in json.loads(capsys.readouterr().out)["summary"]}
    assert summary["Durations in"] == "calendar hours" and summary["First response: median (min)"] == 64 * 60
