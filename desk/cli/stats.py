"""`desk stats`: the stats panel's numbers, headless (text, JSON, CSV, XLSX or HTML)."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from desk.cli import arguments
from desk.cli.common import session_for
from desk.cli.main import add_db_option
from desk.cli.progress import Tick, add_progress_option, progress_bar
from desk.core import errors, files
from desk.core.i18n import _
from desk.core.models import CHANNELS, PERSON_KINDS
from desk.core.staffing import ServiceTarget
from desk.core.stats import StatsFilter, compute_stats
from desk.core.stats import export as ex
from desk.core.stats.compute import expected_by_category

FORMATS = ("text", "json", "csv", "xlsx", "html")
PERIODS = {"today": "today", "7days": "7 days", "30days": "30 days", "semester": "this semester"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats", help=_("print or export the statistics for a period"),
        description=_("Volume, wait, first response, resolution, CSAT, backlog, per-agent and staffing "
                    "numbers for tickets that arrived between --from and --to (desk time zone), the "
                    "same numbers the Stats panel shows."),
    )
    add_db_option(parser)
    parser.add_argument("--from", dest="start", type=arguments.iso_date, metavar="DATE",
                        help=_("first day, YYYY-MM-DD (default: 30 days ago)"))
    parser.add_argument("--to", dest="end", type=arguments.iso_date, metavar="DATE",
                        help=_("last day, inclusive (default: today)"))
    parser.add_argument("--period", choices=tuple(PERIODS),
                        help=_("instead of --from/--to: today, the last 7 or 30 days, or the desk's current "
                             "term (semester; set the terms with `desk terms`)"))
    parser.add_argument("--format", choices=FORMATS, default="text", help=_("output format (default text)"))
    parser.add_argument("--output", type=Path, metavar="PATH",
                        help=_("write here (xlsx/html: a file; csv: a folder, one file per table); "
                             "default: standard output (xlsx needs --output)"))
    parser.add_argument("--category", action="append", default=[], metavar="NAME",
                        help=_("only this category (repeatable)"))
    parser.add_argument("--channel", action="append", default=[], choices=CHANNELS,
                        help=_("only this channel (repeatable)"))
    parser.add_argument("--kind", action="append", default=[], choices=PERSON_KINDS,
                        help=_("only requesters of this kind (repeatable)"))
    parser.add_argument("--location", action="append", default=[], metavar="NAME",
                        help=_("only this location (repeatable)"))
    parser.add_argument("--agent", action="append", default=[], metavar="EMAIL",
                        help=_("only tickets assigned to this agent (repeatable)"))
    parser.add_argument("--target-level", type=arguments.real_number(low=1, high=99.9), default=80.0, metavar="PERCENT",
                        help=_("staffing: share of walk-ins and calls to serve in time (default 80)"))
    parser.add_argument("--target-minutes", type=arguments.real_number(low=0.1, high=1440), default=5.0, metavar="MIN",
                        help=_("staffing: ... within this many minutes (default 5)"))
    parser.add_argument("--business-hours", action="store_true",
                        help=_("measure every duration in the desk's open hours only (opening hours, "
                               "holidays and closed days from `desk settings`); default: calendar hours"))
    add_progress_option(parser)
    parser.set_defaults(func=run_stats)


def _ids(session, table: str, names: list[str], what: str) -> tuple[int, ...]:  # noqa: ANN001
    from sqlalchemy import text

    ids = []
    for name in names:
        found = session.execute(text(f"SELECT id FROM {table} WHERE name = :n COLLATE NOCASE"),
                                {"n": name}).scalar()
        if found is None:
            raise errors.NotFound(_('There is no {what} named {name!r}.').format(what=what, name=name))
        ids.append(int(found))
    return tuple(ids)


def _period(session, args: argparse.Namespace) -> tuple[date, date]:  # noqa: ANN001
    """The days asked for, by --period (in the desk's time zone) or --from/--to."""
    from datetime import datetime

    from desk.core.calendar import current_term
    from desk.core.settings import desk_timezone
    from desk.core.stats.periods import preset_range

    today = datetime.now(desk_timezone(session)).date()
    if args.period is None:
        return args.start or today - timedelta(days=29), args.end or today
    if args.start or args.end:
        raise errors.InvalidInput(_("Give either --period or --from/--to, not both."))
    return preset_range(PERIODS[args.period], today, term=current_term(session, today))


def run_stats(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and args.output is None:
        raise errors.InvalidInput(_("--format xlsx needs --output FILE.xlsx."))
    with session_for(args) as session:
        from desk.core.ops import people

        agents = []
        for email in args.agent:
            person = people.find_person_by_email(session, email)
            if person is None or not person.is_agent:
                raise errors.NotFound(_('No agent has the e-mail {email}.').format(email=email))
            agents.append(person.id)
        start, end = _period(session, args)
        flt = StatsFilter(
            start=start, end=end,
            category_ids=_ids(session, "categories", args.category, "category"),
            channels=tuple(args.channel), requester_kinds=tuple(args.kind), agent_ids=tuple(agents),
            location_ids=_ids(session, "locations", args.location, "location"),
        )
        target = ServiceTarget(level=args.target_level / 100, seconds=round(args.target_minutes * 60))
        with ExitStack() as bar:
            report = compute_stats(session, flt, target=target, progress=_days_progress(args, bar),
                                   business_hours=args.business_hours)
        from desk.core.stats.ratings import ratings_report, ratings_tables

        # CSAT from people's own ratings, with the response rate and low-rating comments
        tables = [*ex.report_tables(report, expected_by_category(session)),
                  *ratings_tables(ratings_report(session, flt))]
    if args.format == "text":
        _emit(args.output, "\n".join(_text(table) for table in tables))
    elif args.format == "json":
        _emit(args.output, ex.tables_json(tables) + "\n")
    elif args.format == "html":
        _emit(args.output, ex.report_html(report, tables))
    elif args.format == "csv":
        if args.output is None:
            sys.stdout.write("\n".join(f"# {t.name}\n{ex.table_csv(t)}" for t in tables))
        else:
            for path in ex.write_csv_dir(tables, args.output):
                print(path)
    else:
        print(ex.write_xlsx(tables, args.output))
    return 0


def _days_progress(args: argparse.Namespace, bar: ExitStack) -> Tick:
    """Progress of the day summaries being rebuilt (a big store's first stats after an upgrade
    or an import). The bar opens on the first report, so nothing shows when no day is stale."""
    shown: list[Tick | None] = []

    def tick(done: int, total: int) -> None:
        if not shown:
            shown.append(bar.enter_context(progress_bar(args, _('Working out {total:,} days of history').format(total=total))))
        if shown[0] is not None:
            shown[0](done, total)

    return tick


def _emit(path: Path | None, content: str) -> None:
    if path is None:
        sys.stdout.write(content)
    else:
        files.make_folder(path.parent)
        files.write_text(path, content, what="report")
        print(path)


def _text(table: ex.Table) -> str:
    cells = [[str(c) for c in table.columns]] + [
        ["–" if cell is None else f"{cell:g}" if isinstance(cell, float) else str(cell) for cell in row]
        for row in table.rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    lines = [table.name, "=" * len(table.name)]
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
