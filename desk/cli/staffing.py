"""`desk staffing`: one interval's agents needed from given figures, by Erlang C and Erlang A, so
anyone can check Desk against published Erlang tables. Needs no store."""

from __future__ import annotations

import argparse

from desk.cli.common import print_json
from desk.cli.main import add_db_option
from desk.core import errors
from desk.core.i18n import _
from desk.core.staffing import ServiceTarget, agents_needed, erlang_c, service_level
from desk.core.staffing.erlang_a import erlang_a
from desk.core.staffing.intervals import check_interval, with_shrinkage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "staffing", help=_("agents needed for one interval (Erlang C and Erlang A)"),
        description=_("Agents needed for one interval from the figures given: arrivals in the "
                      "interval, mean handle time, mean patience (walk-aways; Erlang A) and the "
                      "target. Prints, per staffing level, the share who wait, who walk away and "
                      "who are served in time."),
    )
    add_db_option(parser)  # accepted like every command's; the figures come from the options
    parser.add_argument("--arrivals", type=float, required=True,
                        help=_("arrivals (walk-ins, calls, quick questions) in the interval"))
    parser.add_argument("--interval", type=int, default=60, metavar="MIN",
                        help=_("length of the interval in minutes: 30 or 60 (default 60)"))
    parser.add_argument("--handle", type=float, required=True, metavar="SECONDS",
                        help=_("mean handle time in seconds"))
    parser.add_argument("--patience", type=float, default=None, metavar="SECONDS",
                        help=_("mean patience in seconds before walking away (omit: Erlang C only)"))
    parser.add_argument("--target", type=float, default=80, metavar="PERCENT",
                        help=_("share to serve in time, in percent (default 80)"))
    parser.add_argument("--within", type=int, default=300, metavar="SECONDS",
                        help=_("... within this many seconds (default 300)"))
    parser.add_argument("--shrinkage", type=float, default=0, metavar="PERCENT",
                        help=_("share of scheduled time away from the desk, in percent (default 0)"))
    parser.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_interval(args.interval)
    if args.arrivals < 0:
        raise errors.InvalidInput(_("The arrivals cannot be negative."))
    if args.handle <= 0:
        raise errors.InvalidInput(_("The handle time must be positive."))
    if args.patience is not None and args.patience <= 0:
        raise errors.InvalidInput(_("The patience must be positive."))
    target = ServiceTarget(args.target / 100, args.within)
    shrinkage = args.shrinkage / 100
    rate = args.arrivals * 60 / args.interval
    traffic = rate * args.handle / 3600
    needed_c = agents_needed(rate, args.handle, target)
    rows = []
    for agents in range(max(1, int(traffic) - 3), max(needed_c, int(traffic) + 1) + 3):
        row: dict[str, object] = {
            "agents": agents,
            "erlang_c_wait": round(erlang_c(agents, traffic), 4),
            "erlang_c_service_level": round(service_level(agents, traffic, args.handle, target.seconds), 4),
        }
        if args.patience is not None:
            figures = erlang_a(agents=agents, arrivals_per_hour=rate, handle_seconds=args.handle,
                               patience_seconds=args.patience, target_seconds=target.seconds)
            row |= {"erlang_a_wait": round(figures.wait_probability, 4),
                    "erlang_a_walk_away": round(figures.abandonment, 4),
                    "erlang_a_service_level": round(figures.service_level, 4)}
        rows.append(row)
    needed_a = None
    if args.patience is not None:
        met = [row["agents"] for row in rows if float(row["erlang_a_service_level"]) >= target.level]  # type: ignore[arg-type]
        needed_a = min(met) if met else None
    result = {
        "traffic_erlangs": round(traffic, 4), "needed_erlang_c": needed_c, "needed_erlang_a": needed_a,
        "needed_with_shrinkage": with_shrinkage(needed_a if needed_a is not None else needed_c, shrinkage),
        "levels": rows,
    }
    if args.json:
        print_json(result)
        return 0
    print(_("Offered traffic: {traffic:.2f} erlangs").format(traffic=traffic))
    print(_("Agents needed (Erlang C): {n}").format(n=needed_c))
    if needed_a is not None:
        print(_("Agents needed (Erlang A): {n}").format(n=needed_a))
    print(_("With {shrinkage:g}% shrinkage: {n}").format(shrinkage=args.shrinkage, n=result["needed_with_shrinkage"]))
    header = [_("agents"), _("C: wait"), _("C: in time")]
    if args.patience is not None:
        header += [_("A: wait"), _("A: walk away"), _("A: in time")]
    print("  ".join(f"{name:>12}" for name in header))
    for row in rows:
        values = [f"{row['agents']:>12}"] + [f"{float(v):>12.1%}" for k, v in row.items() if k != "agents"]  # type: ignore[arg-type]
        print("  ".join(values))
    return 0
