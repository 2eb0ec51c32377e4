"""`desk rota`: student workers' availability and maximum hours, the suggested rota of a week,
and its export (CSV, one iCalendar per worker). The window's Stats → Staffing → Plan does the same."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from desk.cli import arguments
from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core import errors, files
from desk.core.i18n import _
from desk.core.ops.rota import replace_plan, set_availability, set_max_hours
from desk.core.settings import desk_timezone
from desk.core.staffing.planning import plan_weeks, requirement, suggest_for
from desk.core.staffing.rota_store import planned_rows, rota_csv, rota_icalendars

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RANGE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)=(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rota", help=_("workers' availability, the suggested rota and its export"),
        description=_("Plan the desk's rota: set when each student worker can work and their maximum "
                      "hours, suggest the week's rota that meets the staffing target at the least hours, "
                      "and export it."))
    add_db_option(parser)
    actions = parser.add_subparsers(dest="rota_command", metavar="ACTION", required=True)
    available = actions.add_parser("availability", help=_("set a worker's weekly availability and maximum hours"))
    add_db_option(available)
    available.add_argument("agent", metavar="EMAIL", help=_("the worker's e-mail"))
    available.add_argument("ranges", nargs="*", metavar="DAY=HH:MM-HH:MM",
                           help=_("e.g. mon=09:00-13:00 wed=12:00-18:00 (replaces the earlier ones)"))
    available.add_argument("--max-hours", type=float, default=None, metavar="H",
                           help=_("maximum hours per week"))
    available.set_defaults(func=run_availability)
    suggest = actions.add_parser("suggest", help=_("suggest the rota of a week and save it as the draft"))
    add_db_option(suggest)
    suggest.add_argument("--week", type=arguments.iso_date, required=True, metavar="YYYY-MM-DD",
                         help=_("any day of the week to plan"))
    suggest.add_argument("--weeks", type=arguments.whole_number(low=1, high=52), default=1, help=_("how many weeks (default 1)"))
    suggest.add_argument("--interval", type=int, default=30, choices=(30, 60), help=_("minutes (default 30)"))
    suggest.add_argument("--json", action="store_true", help=_("print JSON"))
    suggest.set_defaults(func=run_suggest)
    export = actions.add_parser("export", help=_("export the planned shifts of a week"))
    add_db_option(export)
    export.add_argument("--week", type=arguments.iso_date, required=True, metavar="YYYY-MM-DD",
                        help=_("any day of the first week"))
    export.add_argument("--weeks", type=arguments.whole_number(low=1, high=52), default=1, help=_("how many weeks (default 1)"))
    export.add_argument("--format", choices=("csv", "ics"), default="csv", help=_("csv, or ics: one file per worker"))
    export.add_argument("--out", type=Path, required=True,
                        help=_("the CSV file, or the folder for the .ics files"))
    export.set_defaults(func=run_export)


def parse_range(text: str) -> tuple[int, int, int]:
    match = RANGE.match(text.strip().lower())
    if not match:
        raise errors.InvalidInput(_("Give availability as DAY=HH:MM-HH:MM, e.g. mon=09:00-13:00 (not {text}).")
                                  .format(text=text))
    day, h1, m1, h2, m2 = match.groups()
    return DAYS.index(day), int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)


def run_availability(args: argparse.Namespace) -> int:
    ranges = [parse_range(text) for text in args.ranges]
    with session_for(args) as session:
        agent = agent_for(session, args.agent)
        assert agent is not None
        if args.ranges:
            set_availability(session, agent_id=agent, ranges=ranges)
        if args.max_hours is not None:
            set_max_hours(session, agent_id=agent, hours=args.max_hours)
    print(_("Saved."))
    return 0


def run_suggest(args: argparse.Namespace) -> int:
    if not 1 <= args.weeks <= 8:
        raise errors.InvalidInput(_("Plan 1 to 8 weeks."))
    with session_for(args) as session:
        weeks = plan_weeks(session, first_day=args.week, weeks=args.weeks)
        _demand, table = requirement(session, weeks=weeks, interval_minutes=args.interval)
        suggestion, shifts = suggest_for(session, weeks=weeks, table=table)
        replace_plan(session, start=weeks.start, end=weeks.end, shifts=shifts)
    result = {"week": weeks.monday.isoformat(), "weeks": weeks.weeks, "hours_per_week": suggestion.hours,
              "lower_bound_hours": suggestion.lower_bound_hours, "status": suggestion.status,
              "shortfall_interval_agents": suggestion.shortfall, "shifts": len(shifts)}
    if args.json:
        print_json(result)
    else:
        print(_("Draft saved: {shifts} shifts, {hours:g} h a week ({status}; the least possible is at least "
                "{bound:g} h); {short} interval-agents short.").format(
            shifts=len(shifts), hours=suggestion.hours, status=suggestion.status,
            bound=suggestion.lower_bound_hours, short=suggestion.shortfall))
    return 0


def run_export(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        weeks = plan_weeks(session, first_day=args.week, weeks=args.weeks)
        rows = planned_rows(session, start=weeks.start, end=weeks.end, zone=desk_timezone(session))
    if args.format == "csv":
        files.write_text(args.out, rota_csv(rows), what=_("CSV file"))
        print(args.out)
        return 0
    files.make_folder(args.out, what=_("folder"))
    names = {row.agent_id: row.name for row in rows}
    for agent, payload in rota_icalendars(rows, desk_name=_("Desk"), summary=_("Desk shift")).items():
        safe = "".join(c for c in names[agent] if c.isalnum() or c in " -_").strip() or str(agent)
        path = args.out / f"{safe}.ics"
        files.write_bytes(path, payload, what=_("calendar"))
        print(path)
    return 0
