"""Entry point. Each sub-command lives in a module of this package exposing
``register(subparsers)``; list it in ``COMMAND_MODULES``. Commands receive the parsed
arguments and return an exit code. ``DeskError`` becomes a message, never a traceback.

Exit codes: 0 done; 2 a usage error (a bad argument, value or input file: argparse's own code,
and ``InvalidInput``/``NotFound``...); 1 an environment error (the store, a file or folder, the
network or a remote: ``_environment_errors``); 3 the window cannot start; 70 a bug (its
traceback goes to the log file, never to the screen); 130 interrupted."""

from __future__ import annotations

import argparse
import importlib
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from desk import __version__
from desk.cli import argparse_words
from desk.core.db import classify, default_db_path
from desk.core.errors import DeskError, FileError, StoreError
from desk.core.i18n import LANGUAGES, _, set_language, stored_language
from desk.core.logs import setup_logging

log = logging.getLogger("desk.cli")  # not __name__: that is "__main__" under python -m

COMMAND_MODULES = (
    "desk.cli.tickets",
    "desk.cli.data",
    "desk.cli.demo",
    "desk.cli.canned",
    "desk.cli.stats",
    "desk.cli.sync",
    "desk.cli.terms",
    "desk.cli.init",
    "desk.cli.agents",
    "desk.cli.people",
    "desk.cli.choices",
    "desk.cli.settings",
    "desk.cli.counter",
    "desk.cli.receipt",
    "desk.cli.mail",
    "desk.cli.staffing",
    "desk.cli.rota",
    "desk.cli.rules",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desk",
        description=_("Desk: an offline-first service desk. With no command, opens the window."),
    )
    parser.add_argument("--version", action="version", version=f"desk {__version__}",
                        help=_("show program's version number and exit"))
    add_db_option(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = subparsers.add_parser("gui", help=_("open the Desk window (the default)"),
                                description=_("Open the Desk window on the store."))
    add_db_option(gui)
    gui.set_defaults(func=run_gui)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    parser.set_defaults(func=run_gui)
    return parser


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, default=argparse.SUPPRESS,
        help=_("the store file (default: $DESK_DB, else desk.sqlite3 in your data folder)"),
    )
    # Every command takes --lang where it takes --db: both are read before the parser is built.
    parser.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                        help=_("the language of messages and the window (default: the store's setting, else the system's)"))


def _early_option(argv: Sequence[str], name: str) -> str | None:
    """The value of ``--name X`` / ``--name=X`` in ``argv`` (the last one wins), read before the
    parser exists: the parser's own help must already be in the chosen language."""
    found = None
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            found = argv[index + 1]
        elif arg.startswith(name + "="):
            found = arg.partition("=")[2]
    return found


def choose_language(argv: Sequence[str], *, window: bool) -> str:
    """--lang, else (for the window) the store's ``language`` setting, else the system locale.
    The store's setting is the language of the desk's screens; a command in a terminal speaks
    the terminal's language (LANG) unless told otherwise, as other command-line tools do."""
    wanted = _early_option(argv, "--lang")
    if wanted is None and not window:
        wanted = ""
    if wanted is None:
        db = _early_option(argv, "--db")
        try:
            wanted = stored_language(Path(db) if db else default_db_path())
        except OSError:
            wanted = ""
    code = set_language(wanted if wanted in LANGUAGES else "")
    argparse_words.install()
    return code


def db_path(args: argparse.Namespace) -> Path:
    return getattr(args, "db", None) or default_db_path()


def run_gui(args: argparse.Namespace) -> int:
    from desk.ui import startup

    # No cyclic collection while Qt and the window load; the window resumes it once the
    # queue's first rows are painted (see desk.ui.startup), at the latest when it closes.
    startup.pause()
    try:
        try:
            from desk.ui.app import run
        except ImportError as exc:  # e.g. Qt's system libraries are missing
            print(_('desk: the window cannot start: {exc}. Run `make run`, which checks the system libraries Qt needs.').format(exc=exc), file=sys.stderr)
            return 3
        return run(db_path(args))
    finally:
        startup.resume()


def _gui_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """Arguments for opening the window, parsed without loading every sub-command module
    (they import the sync and stats code): `desk`, `desk --db X`, `desk gui --db X`."""
    quick = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    add_db_option(quick)
    quick.add_argument("command", nargs="?")
    if any(arg.startswith("-") and arg not in ("--db", "--lang") and not arg.startswith(("--db=", "--lang="))
           for arg in argv):
        return None  # --help, --version and sub-command options go to the full parser
    try:
        args, rest = quick.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return None
    if rest or args.command not in (None, "gui"):
        return None
    args.func = run_gui
    return args


def _environment_errors() -> tuple[type[DeskError], ...]:
    """Failures of the world around Desk, not of what was typed: exit code 1."""
    from desk.core.sync.credentials import MissingSecret
    from desk.core.sync.remotes.base import RemoteError

    return (StoreError, FileError, RemoteError, MissingSecret)


def _undecodable_argument(argv: Sequence[str]) -> str | None:
    """The first argument holding a lone surrogate: bytes a terminal or a script handed over
    that are not UTF-8 (Python keeps them as U+DC80..U+DCFF). Nothing can store or print it."""
    for arg in argv:
        if "\x00" in arg:  # no real command line can hold one (C strings), but a caller can
            return arg.replace("\x00", "\\0")
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = _undecodable_argument(argv)
    if bad is not None:
        print(_("desk: the argument {argument} is not valid text (bytes that are not UTF-8, or a NUL). "
                "Check your terminal's or script's encoding and type it again.").format(argument=bad),
              file=sys.stderr)
        return 2
    window = _gui_only(argv)
    choose_language(argv, window=window is not None)
    args = window or build_parser().parse_args(argv)
    setup_logging()
    try:
        return int(args.func(args) or 0)
    except DeskError as exc:
        return _explain(exc)
    except sqlite3.Error as exc:
        # A plain-sqlite3 read outside the Session layer (which types its own errors).
        typed = classify(exc, db_path(args))
        if typed is None:  # not the environment: a bug (a constraint Desk should have checked first)
            log.exception("desk %s failed with a bug", argv[0] if argv else "gui")
            if args.func is run_gui:
                raise
            return _bug(exc)
        return _explain(typed)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        log.exception("desk %s failed with a bug", argv[0] if argv else "gui")
        if args.func is run_gui:
            raise  # the window has its own crash dialog (and the test of start-up sees it)
        return _bug(exc)


BUG_EXIT = 70  # sysexits' EX_SOFTWARE: neither the input nor the environment, but Desk itself


def _bug(exc: Exception) -> int:
    """A bug: no traceback on screen (it is in the log file, secrets redacted), a few words
    and where to find the details."""
    from desk.core.logs import log_folder

    print(_("desk: something went wrong inside Desk ({error}). "
            "Please report it with the details from the log file in {folder}.").format(
                error=type(exc).__name__, folder=log_folder()), file=sys.stderr)
    return BUG_EXIT


def _explain(exc: DeskError) -> int:
    """An expected failure: its message on standard error (and in the log); exit code 1 for
    an environment error, 2 for a usage error (see the module docstring)."""
    log.warning("%s: %s", type(exc).__name__, exc.message)
    print(f"desk: {exc.message}", file=sys.stderr)
    return 1 if isinstance(exc, _environment_errors()) else 2


if __name__ == "__main__":
    sys.exit(main())
