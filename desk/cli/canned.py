"""`desk canned list|import|export|defaults|apply`: canned responses from the command line."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from desk.cli import arguments
from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core import canned_io
from desk.core.i18n import _
from desk.core.ops import canned
from desk.core.queries.canned import list_canned


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "canned", help=_("list, import, export, add the defaults or apply canned responses"),
        description=_("Canned responses: replies with placeholders and field actions."),
    )
    add_db_option(parser)
    commands = parser.add_subparsers(dest="canned_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help=_("list canned responses, most used first"),
                                  description=_("List shared canned responses (and yours with --as)."))
    add_db_option(listing)
    listing.add_argument("--as", dest="agent", metavar="EMAIL", help=_("also show this agent's personal ones"))
    listing.add_argument("--search", default="", help=_("words that must appear in the title or text"))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(func=run_list)

    importing = commands.add_parser(
        "import", help=_("import Desk JSON or Zendesk macros (GET /api/v2/macros)"),
        description=_("Import canned responses from a Desk export or a Zendesk macros response. "
                    "What cannot be mapped is listed. Importing the same file again updates."),
    )
    add_db_option(importing)
    importing.add_argument("file", type=Path, help=_("the JSON file"))
    importing.add_argument("--as", dest="agent", metavar="EMAIL",
                           help=_("the agent importing (personal macros become theirs)"))
    importing.add_argument("--include-inactive", action="store_true", help=_("also import inactive Zendesk macros"))
    importing.set_defaults(func=run_import)

    exporting = commands.add_parser("export", help=_("export canned responses as JSON"),
                                    description=_("Write every canned response in Desk's JSON format."))
    add_db_option(exporting)
    exporting.add_argument("--output", "-o", type=Path, help=_("file to write (default: standard output)"))
    exporting.set_defaults(func=run_export)

    defaults = commands.add_parser(
        "defaults", help=_("add the default canned responses (once per store)"),
        description=_("Add the starter set (classroom AV, Wi-Fi and accounts, password resets, equipment, "
                    "events, expectation setting). Does nothing if they were added before."),
    )
    add_db_option(defaults)
    defaults.set_defaults(func=run_defaults)

    applying = commands.add_parser(
        "apply", help=_("apply a canned response to a ticket (or preview it)"),
        description=_("Post the filled-in text and apply the actions; --dry-run only shows them."),
    )
    add_db_option(applying)
    applying.add_argument("ticket", type=arguments.ID, help=_("ticket number"))
    applying.add_argument("canned", type=arguments.ID, help=_("canned response id (see desk canned list)"))
    applying.add_argument("--as", dest="agent", metavar="EMAIL", required=True, help=_("the agent replying"))
    applying.add_argument("--dry-run", action="store_true", help=_("show what would happen, change nothing"))
    applying.set_defaults(func=run_apply)


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = list_canned(session, agent_id=agent_for(session, args.agent), search=args.search)
    if args.json:
        print_json([dataclasses.asdict(row) for row in rows])
        return 0
    for row in rows:
        scope = "shared" if row.shared else _('personal ({owner_name})').format(owner_name=row.owner_name)
        print(f"{row.id:>5}  {row.usage_count:>5} uses  {scope:<20}  {row.title}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        agent = agent_for(session, args.agent)
        _changes, report = canned_io.import_file(session, args.file, actor_id=agent, owner_id=agent,
                                                 include_inactive=args.include_inactive)
    for line in report.lines():
        print(line)
    return 0


def run_export(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        if args.output:
            canned_io.export_file(session, path=args.output)
            return 0
        text = canned_io.export_json(session)
    sys.stdout.write(text)
    return 0


def run_defaults(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        changes = canned_io.install_defaults(session)
    print(_("Default canned responses added.") if changes.canned else _("The defaults were added before; nothing to do."))
    return 0


def run_apply(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        agent = agent_for(session, args.agent)
        shown = canned.preview(session, canned_id=args.canned, ticket_id=args.ticket, agent_id=agent)
        print(_('{value} on #{ticket}:\n').format(value=_('Public reply') if shown.public else _('Internal note'), ticket=args.ticket))
        print(shown.text)
        print()
        for change in shown.changes:
            print(f"{change.field}: {change.old} → {change.new}")
        for name in shown.empty:
            print(_('Note: {{{{{name}}}}} has no value for this ticket.').format(name=name))
        if args.dry_run:
            return 0
        canned.apply_canned(session, canned_id=args.canned, ticket_id=args.ticket, agent_id=agent,
                            expected_version=canned.ticket_version(session, args.ticket))
        print(_("Applied."))
    return 0
