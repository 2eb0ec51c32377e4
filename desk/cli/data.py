"""`desk export`, `desk import`, `desk check`, `desk backup`, `desk migrate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desk.cli.common import agent_for, existing_store, say_every_step, say_progress, session_for
from desk.cli.main import add_db_option, db_path
from desk.core import db
from desk.core.transfer import export_file, import_csv, write_export


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="export all tickets as CSV or JSON",
                                   description="Write every ticket to standard output or a file.")
    add_db_option(export)
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="output format (default csv)")
    export.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    export.set_defaults(func=run_export)

    imp = subparsers.add_parser(
        "import", help="import tickets from a CSV file (all rows or none)",
        description="Import tickets from CSV. Headers are matched to Desk's columns (see `desk export`) "
                    "and common names (Title, Email, Queue, ...); --map fixes the rest. If any row is "
                    "bad, each bad row is reported with its line and nothing is imported.",
    )
    add_db_option(imp)
    imp.add_argument("file", type=Path, help="the CSV file (UTF-8)")
    imp.add_argument("--map", action="append", default=[], metavar="HEADER=COLUMN",
                     help="read the file's HEADER as Desk's COLUMN (repeatable)")
    imp.add_argument("--as", dest="agent", metavar="EMAIL", help="the agent importing")
    imp.set_defaults(func=run_import)

    check = subparsers.add_parser("check", help="check the store's integrity",
                                  description="Run SQLite's integrity and foreign-key checks and verify the search index.")
    add_db_option(check)
    check.set_defaults(func=run_check)

    backup = subparsers.add_parser("backup", help="copy the store safely, even while Desk is open",
                                   description="Make a consistent copy of the store with SQLite's backup API.")
    add_db_option(backup)
    backup.add_argument("path", type=Path, help="where to write the copy")
    backup.set_defaults(func=run_backup)

    migrate = subparsers.add_parser("migrate", help="upgrade the store to this version of Desk",
                                    description="Back up and upgrade an older store (opening it does the same).")
    add_db_option(migrate)
    migrate.set_defaults(func=run_migrate)


def run_export(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        if args.output:
            count = export_file(session, path=args.output, fmt=args.format)
            print(f"Exported {count} tickets to {args.output}", file=sys.stderr)
        else:
            write_export(session, sys.stdout, args.format)
    return 0


def run_import(args: argparse.Namespace) -> int:
    mapping = {}
    for item in args.map:
        header, sep, column = item.partition("=")
        if not sep:
            print(f"desk: --map needs HEADER=COLUMN, got {item!r}", file=sys.stderr)
            return 2
        mapping[header] = column
    with session_for(args, create=True) as session:
        report = import_csv(session, args.file, actor_id=agent_for(session, args.agent), mapping=mapping)
    if not report.ok:
        for line, reason in report.problems:
            where = f"line {line}" if line else "file"
            print(f"{args.file}: {where}: {reason}", file=sys.stderr)
        print(f"Nothing imported: {len(report.problems)} bad row(s).", file=sys.stderr)
        return 1
    print(f"Imported {report.imported} tickets"
          + (f"; {report.skipped_existing} already present were skipped" if report.skipped_existing else ""))
    return 0


def run_check(args: argparse.Namespace) -> int:
    with db.open_store(existing_store(args), progress=say_progress) as store:
        problems = db.integrity_problems(store)
    if problems:
        for problem in problems:
            print(f"problem: {problem}")
        return 1
    print(f"{db_path(args)}: ok")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    source = existing_store(args)
    if args.path.resolve() == source.resolve():
        print("desk: the backup must go to another file", file=sys.stderr)
        return 2
    with db.open_store(source, progress=say_progress) as store:
        db.backup_to(store.path, args.path)
    print(f"Backed up {source} to {args.path}")
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    path = existing_store(args)
    before = db.schema_state(path)[0]
    with db.open_store(path, progress=say_every_step):
        pass
    after, head = db.schema_state(path)
    print(f"{path}: schema {before or 'new'} -> {after}" if before != after else f"{path}: already at {head}")
    return 0
