"""Progress of long work on standard error: a rich bar on a terminal, nothing otherwise.

Standard output stays the command's own (an export to stdout is never mixed with a bar). When
standard error is not a terminal (a pipe, a log file, cron) nothing is shown unless
``--progress`` asks for it; then plain lines say how far the work got, at most one per tenth,
so a log stays readable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from desk.core.i18n import _

Tick = Callable[[int, int], None]  # (done, total)


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--progress", action="store_true",
                        help=_("show progress on standard error even when it is not a terminal"))


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


@contextmanager
def progress_bar(args: argparse.Namespace, what: str) -> Iterator[Tick | None]:
    """A ``(done, total)`` callback showing ``what``'s progress, or None when none is wanted."""
    if not wanted(args):
        yield None
        return
    if not sys.stderr.isatty():
        yield _plain_lines(what)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield tick


def _plain_lines(what: str) -> Tick:
    said = {"tenth": -1}

    def tick(done: int, total: int) -> None:
        tenth = 10 * done // total if total else 0
        if tenth > said["tenth"]:
            said["tenth"] = tenth
            print(_('{what}: {done:,} of {total:,} ({value}%)').format(what=what, done=done, total=total, value=100 * done // max(total, 1)), file=sys.stderr, flush=True)

    return tick


def store_steps(tick: Tick | None, *, say_all: bool) -> Callable[[str, int, int], None]:
    """``open_store``'s ``progress(what, done, total)``: its messages printed as
    ``desk.cli.common`` does (every step for migrate), and the bar moved by each step."""
    from desk.cli.common import say_every_step, say_progress

    say = say_every_step if say_all else say_progress

    def report(what: str, done: int, total: int) -> None:
        say(what, done, total)
        if tick is not None:
            tick(done, total)

    return report
