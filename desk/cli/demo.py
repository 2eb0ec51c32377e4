"""`desk demo`: fill a new store with realistic, seed-deterministic demo data."""

from __future__ import annotations

import argparse
import sys

from desk.cli import arguments
from desk.cli.main import add_db_option, db_path
from desk.cli.progress import add_progress_option, progress_bar
from desk.core.demo import LOCALES, generate
from desk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help=_("fill an empty store with realistic demo data"),
        description=_("Fill an empty store with demo tickets, people, replies and shifts over "
                    "the last year. The same seed gives the same data."),
    )
    add_db_option(parser)
    parser.add_argument("--tickets", type=arguments.whole_number(low=0, high=5_000_000), default=20_000, help=_("how many tickets (default 20000)"))
    parser.add_argument("--seed", type=arguments.whole_number(), default=1, help=_("random seed (default 1)"))
    parser.add_argument("--days", type=arguments.whole_number(low=1, high=3650), default=365, help=_("days of history (default 365)"))
    parser.add_argument("--locale", choices=LOCALES, default="en",
                        help=_("en: an English-speaking desk; ko: a Korean desk (Korean names, requests "
                               "and replies, Seoul time, the Korean academic calendar)"))
    add_progress_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with progress_bar(args, "demo") as tick:
        summary = generate(db_path(args), tickets=args.tickets, seed=args.seed, days=args.days, steps=tick,
                           locale=args.locale,
                           progress=None if tick else lambda message: print(f"demo: {message}", file=sys.stderr))
    print(_('{tickets:,} tickets, {comments:,} replies and notes, {requesters:,} requesters, {agents} agents in {seconds:.1f} s -> {db_path}').format(tickets=summary.tickets, comments=summary.comments, requesters=summary.requesters, agents=summary.agents, seconds=summary.seconds, db_path=db_path(args)))
    return 0
