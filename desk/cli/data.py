"""`desk export`, `desk import`, `desk check`, `desk backup`, `desk migrate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desk.cli.common import agent_for, existing_store, say_progress, session_for
from desk.cli.main import add_db_option, db_path
from desk.cli.progress import add_progress_option, progress_bar, store_steps
from desk.core import db
from desk.core.i18n import _
from desk.core.importing import ImportReport, import_people_file, import_tickets_file
from desk.core.transfer import export_file, write_export

EXPORT_FORMATS = ("csv", "json", "sqlite", "xlsx")
DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export", help=_("export all tickets (CSV, JSON, an SQLite copy for analysts, XLSX)"),
        description=_("Write every ticket to standard output or a file. JSON is Desk's own lossless "
                    "format (replies, notes, history; `desk import` reads it back); sqlite is a "
                    "reporting copy with metric views for Datasette, pandas or Power Query; xlsx is a "
                    "ticket sheet with real dates and numbers. sqlite and xlsx need -o FILE."),
    )
    add_db_option(export)
    export.add_argument("--format", choices=EXPORT_FORMATS, default="csv", help=_("output format (default csv)"))
    export.add_argument("--output", "-o", type=Path, help=_("write to this file instead of standard output"))
    add_progress_option(export)
    export.set_defaults(func=run_export)

    imp = subparsers.add_parser(
        "import", help=_("import tickets (or people) from CSV, TSV, JSON or NDJSON (all rows or none)"),
        description=_("Import tickets from a CSV, TSV, JSON or newline-delimited JSON file (the format "
                    "is detected). Headers are matched to Desk's columns (see `desk export`) and "
                    "common names (Title, Email, Queue, ...); --map fixes the rest. Desk's own JSON "
                    "export comes back whole. If any row is bad, each bad row is reported with its "
                    "line and nothing is imported."),
    )
    add_db_option(imp)
    imp.add_argument("file", type=Path, help=_("the file to import"))
    imp.add_argument("--people", action="store_true",
                     help=_("the file lists people (name, e-mail, phone, kind), not tickets"))
    imp.add_argument("--map", action="append", default=[], metavar="HEADER=COLUMN",
                     help=_("read the file's HEADER as Desk's COLUMN (repeatable)"))
    imp.add_argument("--encoding", help=_("the file's text encoding (default UTF-8; e.g. cp949 for Korean Excel, "
                                          "or auto to read it in the encoding it looks like)"))
    imp.add_argument("--delimiter", help=_("the CSV column separator (default: detected; e.g. ';' or tab)"))
    imp.add_argument("--dry-run", action="store_true", help=_("check the file and say what would be imported; write nothing"))
    imp.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent importing"))
    add_progress_option(imp)
    imp.set_defaults(func=run_import)

    check = subparsers.add_parser(
        "check", help=_("check the store's integrity"),
        description=_("Run SQLite's integrity and foreign-key checks, check that every table, index and "
                      "trigger of the store's schema is there, and verify the search index. With --repair, "
                      "rebuild the search index and put back missing triggers and indexes."))
    add_db_option(check)
    check.add_argument("--repair", action="store_true",
                       help=_("rebuild the search index and put back missing triggers and indexes"))
    check.set_defaults(func=run_check)

    backup = subparsers.add_parser("backup", help=_("copy the store safely, even while Desk is open"),
                                   description=_("Make a consistent copy of the store with SQLite's backup API."))
    add_db_option(backup)
    backup.add_argument("path", type=Path, help=_("where to write the copy"))
    add_progress_option(backup)
    backup.set_defaults(func=run_backup)

    migrate = subparsers.add_parser("migrate", help=_("upgrade the store to this version of Desk"),
                                    description=_("Back up and upgrade an older store (opening it does the same)."))
    add_db_option(migrate)
    add_progress_option(migrate)
    migrate.set_defaults(func=run_migrate)


def run_export(args: argparse.Namespace) -> int:
    if args.format in ("sqlite", "xlsx") and not args.output:
        print(_('desk: --format {format} writes a file; give it with -o FILE').format(format=args.format), file=sys.stderr)
        return 2
    with session_for(args) as session, progress_bar(args, "export") as tick:
        if args.output:
            count = export_file(session, path=args.output, fmt=args.format, progress=tick)
            print(_('Exported {count} tickets to {output}').format(count=count, output=args.output), file=sys.stderr)
        else:
            write_export(session, sys.stdout, args.format, progress=tick)
    return 0


def run_import(args: argparse.Namespace) -> int:
    mapping = {}
    for item in args.map:
        header, sep, column = item.partition("=")
        if not sep:
            print(_('desk: --map needs HEADER=COLUMN, got {item!r}').format(item=item), file=sys.stderr)
            return 2
        mapping[header] = column
    delimiter = DELIMITER_NAMES.get(args.delimiter.lower(), args.delimiter) if args.delimiter else None
    if delimiter is not None and len(delimiter) != 1:
        print(_('desk: --delimiter must be one character (or tab), got {delimiter!r}').format(delimiter=args.delimiter), file=sys.stderr)
        return 2
    reader = import_people_file if args.people else import_tickets_file
    with session_for(args, create=True) as session, progress_bar(args, "import") as tick:
        report = reader(session, args.file, actor_id=agent_for(session, args.agent), mapping=mapping,
                        encoding=args.encoding, delimiter=delimiter, dry_run=args.dry_run, progress=tick)
    return _say_report(report, args)


def _say_report(report: ImportReport, args: argparse.Namespace) -> int:
    what = "people" if args.people else "tickets"
    if report.read_as:
        print(_("{file}: read as {encoding} (the encoding it looks like).").format(
            file=args.file, encoding=report.read_as), file=sys.stderr)
    if not report.ok:
        for where, reason in report.problems[:200]:
            place = f"{report.unit} {where}" if where else "file"
            print(f"{args.file}: {place}: {reason}", file=sys.stderr)
        if len(report.problems) > 200:
            print(_('... and {value} more').format(value=len(report.problems) - 200), file=sys.stderr)
        print(_('Nothing imported: {count} problem(s).').format(count=len(report.problems)), file=sys.stderr)
        return 1
    if report.dry_run:
        print(_('Dry run ({upper}): {would_import} {what} would be imported').format(upper=report.format.upper(), would_import=report.would_import, what=what)
              + (_('; {skipped_existing} already present would be skipped').format(skipped_existing=report.skipped_existing) if report.skipped_existing else "")
              + _(". Nothing was written."))
    elif args.people:
        print(_('Imported {people_created} people; updated {people_updated}').format(people_created=report.counts.people_created, people_updated=report.counts.people_updated)
              + (_('; {skipped_existing} unchanged').format(skipped_existing=report.skipped_existing) if report.skipped_existing else ""))
    else:
        counts = report.counts
        extra = _(' with {comments} replies and notes').format(comments=counts.comments) if counts.comments else ""
        print(_('Imported {imported} tickets{extra}').format(imported=report.imported, extra=extra)
              + (_('; {skipped_existing} already present were skipped').format(skipped_existing=report.skipped_existing) if report.skipped_existing else "")
              + (_('; {people_created} new people').format(people_created=counts.people_created) if counts.people_created else ""))
    for item in report.not_carried:
        print(_('Not carried: {item}').format(item=item), file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    with db.open_store(existing_store(args), progress=say_progress) as store:
        problems = db.integrity_problems(store)
        if problems and args.repair:
            for done in db.repair_store(store):
                print(_("repaired: {what}").format(what=done))
            problems = db.integrity_problems(store)
    if problems:
        for problem in problems:
            print(_("problem: {problem}").format(problem=problem))
        if not args.repair:
            print(_("`desk check --repair` rebuilds the search index and puts back missing triggers and "
                    "indexes; for anything else, restore a backup (`desk backup` makes one)."))
        return 1
    print(_("{path}: ok").format(path=db_path(args)))
    return 0


def run_backup(args: argparse.Namespace) -> int:
    source = existing_store(args)
    if args.path.resolve() == source.resolve():
        print(_("desk: the backup must go to another file"), file=sys.stderr)
        return 2
    with db.open_store(source, progress=say_progress) as store, progress_bar(args, "backup") as tick:
        db.backup_to(store.path, args.path, progress=tick)
    print(_('Backed up {source} to {path}').format(source=source, path=args.path))
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    path = existing_store(args)
    before = db.schema_state(path)[0]
    with progress_bar(args, "migrate") as tick, db.open_store(path, progress=store_steps(tick, say_all=True)):
        pass
    after, head = db.schema_state(path)
    print(_('{path}: schema {value} -> {after}').format(path=path, value=before or 'new', after=after) if before != after else _('{path}: already at {head}').format(path=path, head=head))
    return 0

