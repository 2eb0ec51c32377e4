"""`desk rules list|show|add|edit|enable|disable|move|delete|export|import|import-zendesk|defaults|sla-report`
and `desk automate`: triggers, automations and SLA policies from the command line (JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

from desk.cli import arguments
from desk.cli.common import print_json, session_for
from desk.cli.main import add_db_option
from desk.core import errors, files, inputs
from desk.core.i18n import _, ngettext
from desk.core.rules.definitions import KINDS

KIND_HELP = "trigger, automation or sla (an SLA policy)"


def _definition_arg(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--json", dest="definition", metavar="JSON", required=False,
                        help=_("the rule as JSON: {\"all\": [...], \"any\": [...], \"actions\": [...]} "
                               "(SLA: \"targets\" and \"pause\"); see docs/rules.md"))
    parser.add_argument("--file", type=Path, metavar="FILE", help=_("read the rule's JSON from this file"))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rules", help=_("list, add, edit, enable, disable, export or import triggers, automations and SLA policies"),
        description=_("Rules the desk keeps by itself: triggers (when a ticket is created or changed), "
                      "automations (time-based) and SLA policies (response and resolution targets)."),
    )
    add_db_option(parser)
    commands = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help=_("list the rules in order"), description=_("List the rules, in order."))
    add_db_option(listing)
    listing.add_argument("--kind", choices=KINDS, help=_("only this kind"))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(func=run_list)

    adding = commands.add_parser("add", help=_("add a rule"), description=_("Add a rule (last of its kind)."))
    add_db_option(adding)
    adding.add_argument("kind", choices=KINDS, help=KIND_HELP)
    adding.add_argument("name", help=_("the rule's name"))
    _definition_arg(adding, required=True)
    adding.add_argument("--disabled", action="store_true", help=_("add it switched off"))
    adding.set_defaults(func=run_add)

    editing = commands.add_parser("edit", help=_("change a rule's name or definition"),
                                  description=_("Change a rule's name or its JSON definition."))
    add_db_option(editing)
    editing.add_argument("rule", help=_("rule id or name"))
    editing.add_argument("--name", help=_("a new name"))
    _definition_arg(editing, required=False)
    editing.set_defaults(func=run_edit)

    for name, active in (("enable", True), ("disable", False)):
        sub = commands.add_parser(name, help=_("switch a rule on") if active else _("switch a rule off"),
                                  description=_("Switch a rule on.") if active else _("Switch a rule off."))
        add_db_option(sub)
        sub.add_argument("rule", help=_("rule id or name"))
        sub.set_defaults(func=run_enable, active=active)

    moving = commands.add_parser("move", help=_("change a rule's place in the order"),
                                 description=_("Put a rule at a place among the rules of its kind (1 = first)."))
    add_db_option(moving)
    moving.add_argument("rule", help=_("rule id or name"))
    moving.add_argument("place", type=arguments.whole_number(low=1, high=100_000), help=_("1 = first"))
    moving.set_defaults(func=run_move)

    deleting = commands.add_parser("delete", help=_("delete a rule"),
                                   description=_("Delete a rule (its audit rows keep naming it)."))
    add_db_option(deleting)
    deleting.add_argument("rule", help=_("rule id or name"))
    deleting.set_defaults(func=run_delete)

    exporting = commands.add_parser("export", help=_("export the rules as JSON"),
                                    description=_("Write every rule in Desk's JSON format."))
    add_db_option(exporting)
    exporting.add_argument("--output", "-o", type=Path, help=_("file to write (default: standard output)"))
    exporting.set_defaults(func=run_export)

    importing = commands.add_parser("import", help=_("import rules from a Desk JSON export"),
                                    description=_("Add the rules of a `desk rules export` file, all or nothing."))
    add_db_option(importing)
    importing.add_argument("file", type=Path, help=_("the JSON file"))
    importing.add_argument("--replace", action="store_true", help=_("overwrite rules of the same kind and name"))
    importing.set_defaults(func=run_import)

    zendesk = commands.add_parser(
        "import-zendesk", help=_("import Zendesk triggers or automations (GET /api/v2/triggers, /automations)"),
        description=_("Import Zendesk triggers and automations JSON. What cannot be mapped is listed; "
                      "importing the same file again updates."))
    add_db_option(zendesk)
    zendesk.add_argument("file", type=Path, help=_("the JSON file"))
    zendesk.add_argument("--include-inactive", action="store_true", help=_("also import inactive ones"))
    zendesk.set_defaults(func=run_import_zendesk)

    defaults = commands.add_parser("defaults", help=_("add the default rules (once per store)"),
                                   description=_("Add the default rules: close solved tickets after 4 days, "
                                                 "remind the requester after 3 business days pending and "
                                                 "solve after 7, notify about walk-ins waiting 15 minutes, "
                                                 "a standard SLA policy."))
    add_db_option(defaults)
    defaults.set_defaults(func=run_defaults)

    report = commands.add_parser("sla-report", help=_("SLA attainment per policy, target, category and agent"),
                                 description=_("SLA attainment of the tickets that arrived between --from and --to "
                                               "(desk time zone), with the breached tickets listed."))
    add_db_option(report)
    report.add_argument("--from", dest="start", type=arguments.iso_date, metavar="DATE",
                        help=_("first day, YYYY-MM-DD (default: 30 days ago)"))
    report.add_argument("--to", dest="end", type=arguments.iso_date, metavar="DATE",
                        help=_("last day, inclusive (default: today)"))
    report.add_argument("--json", action="store_true", help=_("print JSON"))
    report.set_defaults(func=run_sla_report)

    automate = subparsers.add_parser(
        "automate", help=_("run the automations once (for a systemd timer or cron)"),
        description=_("Fire every automation that is due, each at most once per ticket per condition. "
                      "Safe to run again or to interrupt. See docs/rules.md for a systemd timer and a cron line."))
    add_db_option(automate)
    automate.add_argument("--dry-run", action="store_true", help=_("show what would fire, change nothing"))
    automate.add_argument("--now", type=_moment, metavar="ISO-TIME",
                          help=_("act as if it were this time (e.g. 2026-03-02T10:00+09:00)"))
    automate.set_defaults(func=run_automate)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("{text!r} is not an ISO time such as 2026-03-02T10:00+09:00").format(
            text=text)) from exc
    return moment  # without a zone: the desk's (see run_automate)


def _find(session, text: str, kind: str | None = None):  # noqa: ANN001, ANN202
    from desk.core.rules.store import load_rules, rule_by_name

    number = inputs.parse_id(text)  # "12" (not "²", which isdigit() lets through)
    if number is not None:
        found = next((rule for rule in load_rules(session) if rule.id == number), None)
    else:
        found = rule_by_name(session, kind=kind, name=text)
    if found is None:
        raise errors.NotFound(_("There is no rule {rule!r}; see `desk rules list`.").format(rule=text))
    return found


def _read_definition(args: argparse.Namespace) -> object:
    if args.file is not None:
        return inputs.read_json_file(args.file, what=args.file.name)
    return args.definition


def run_list(args: argparse.Namespace) -> int:
    from desk.core.rules.store import load_rules

    with session_for(args) as session:
        found = load_rules(session, kind=args.kind)
    if args.json:
        print_json([{"id": r.id, "kind": r.kind, "name": r.name, "position": r.position, "active": r.active,
                     **r.definition} for r in found])
        return 0
    for rule in found:
        state = _("on") if rule.active else _("off")
        print(f"{rule.id:>5}  {rule.kind:<10}  {rule.position:>3}  {state:<4}  {rule.name}")
    if not found:
        print(_("No rules yet; `desk rules defaults` adds a sensible set."))
    return 0


def run_add(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    definition = _read_definition(args)
    if definition is None:
        raise errors.InvalidInput(_("Give the rule with --json or --file."))
    with session_for(args) as session:
        changes = ops.add_rule(session, actor_id=None, kind=args.kind, name=args.name, definition=definition,
                               active=not args.disabled)
    print(_("Rule #{id} added.").format(id=changes.created_id))
    return 0


def run_edit(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    definition = _read_definition(args)
    with session_for(args) as session:
        rule = _find(session, args.rule)
        ops.edit_rule(session, actor_id=None, rule_id=rule.id, name=args.name, definition=definition)
    print(_("Rule #{id} saved.").format(id=rule.id))
    return 0


def run_enable(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    with session_for(args) as session:
        rule = _find(session, args.rule)
        ops.set_active(session, actor_id=None, rule_id=rule.id, active=args.active)
    print((_("Rule #{id} is on.") if args.active else _("Rule #{id} is off.")).format(id=rule.id))
    return 0


def run_move(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    with session_for(args) as session:
        rule = _find(session, args.rule)
        ops.move_rule(session, actor_id=None, rule_id=rule.id, to=args.place)
    print(_("Rule #{id} moved.").format(id=rule.id))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    with session_for(args) as session:
        rule = _find(session, args.rule)
        ops.delete_rule(session, actor_id=None, rule_id=rule.id)
    print(_("Rule #{id} deleted.").format(id=rule.id))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    with session_for(args) as session:
        text = json.dumps(ops.export_rules(session), ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        files.write_text(args.output, text, what="rules export")
        print(args.output)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    # Unreadable, not UTF-8, too deep, surrogates, NUL: a message, never a crash.
    data = inputs.read_json_file(args.file, what=args.file.name)
    with session_for(args) as session:
        ops.import_rules(session, actor_id=None, data=data, replace=args.replace)
    count = len(data.get("rules", []) if isinstance(data, dict) else data)
    print(ngettext("{n} rule imported.", "{n} rules imported.", count).format(n=count))
    return 0


def run_import_zendesk(args: argparse.Namespace) -> int:
    from desk.core.rules.zendesk_import import import_zendesk_file

    with session_for(args) as session:
        report = import_zendesk_file(session, args.file, include_inactive=args.include_inactive)
    for line in report.lines():
        print(line)
    return 0


def run_defaults(args: argparse.Namespace) -> int:
    from desk.core.rules import ops

    with session_for(args) as session:
        changes = ops.install_defaults(session)
    print(_("Default rules added.") if changes.rules else _("The default rules were added before; nothing to do."))
    return 0


def run_sla_report(args: argparse.Namespace) -> int:
    from desk.cli.stats import _text
    from desk.core.rules.sla_report import report_tables, sla_report
    from desk.core.settings import desk_timezone
    from desk.core.stats import export as ex

    with session_for(args) as session:
        today = datetime.now(desk_timezone(session)).date()
        report = sla_report(session, start=args.start or today - timedelta(days=29), end=args.end or today)
    tables = report_tables(report)
    if args.json:
        sys.stdout.write(ex.tables_json(tables) + "\n")
    else:
        sys.stdout.write("\n".join(_text(table) for table in tables))
    return 0


def run_automate(args: argparse.Namespace) -> int:
    from desk.core.rules.automations import run_until_done

    with session_for(args) as session:
        now = args.now
        if now is not None and now.tzinfo is None:
            from desk.core.settings import desk_timezone

            now = now.replace(tzinfo=desk_timezone(session))
        fired = run_until_done(session, now=now, dry_run=args.dry_run)
    for firing in fired:
        print(f"{firing.rule}: #{firing.ticket_id} {firing.subject}")
    if args.dry_run:
        print(ngettext("{n} firing would happen.", "{n} firings would happen.", len(fired)).format(n=len(fired)))
    else:
        print(ngettext("{n} automation fired.", "{n} automations fired.", len(fired)).format(n=len(fired)))
    return 0
