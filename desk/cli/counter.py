"""`desk counter [--screen N]`: the counter display on its own (a PC driving the TV by the door)."""

from __future__ import annotations

import argparse

from desk.cli import arguments
from desk.cli.main import add_db_option, db_path
from desk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "counter", help=_("open the counter display on its own (for a second screen or TV)"),
        description=_("The counter display: the people waiting, who is being served, the exit survey, "
                      "and the closed screen outside opening hours; full screen."),
    )
    add_db_option(parser)
    parser.add_argument("--screen", type=arguments.whole_number(low=0, high=64), metavar="N",
                        help=_("which screen, 0 for the first (default: a second screen if there is one)"))
    parser.set_defaults(func=run_counter)


def run_counter(args: argparse.Namespace) -> int:
    from desk.cli.common import existing_store
    from desk.core.db import open_store

    existing_store(args)  # a typo in --db must not start an empty desk
    from desk.ui.app import make_application
    from desk.ui.counter.display import CounterDisplay
    from desk.ui.tasks import Tasks

    app = make_application()
    with open_store(db_path(args)) as store:
        tasks = Tasks(store)
        display = CounterDisplay(tasks)
        display.show_on(args.screen)
        try:
            return int(app.exec())
        finally:
            tasks.shutdown()
