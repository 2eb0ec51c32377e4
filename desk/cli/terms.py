"""`desk terms`: the desk's terms (semesters), which "this semester" in the stats means."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from desk.cli import arguments
from desk.cli.common import session_for
from desk.cli.main import add_db_option
from desk.core import calendar, errors, inputs
from desk.core.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "terms", help=_("list or set the desk's terms (semesters)"),
        description=_("The desk's terms decide what \"this semester\" means in the Stats panel and in "
                    "`desk stats --period semester`. Set them from a preset (us: spring, summer, fall; "
                    "ko: spring from 1 March, autumn from 1 September) or from a JSON file."),
    )
    add_db_option(parser)
    actions = parser.add_subparsers(dest="terms_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=_("print the terms, marking the one containing today"))
    add_db_option(listing)
    listing.set_defaults(func=run_list)
    preset = actions.add_parser("set-preset", help=_("replace the terms with a preset's academic years"))
    add_db_option(preset)
    preset.add_argument("preset", choices=sorted(calendar.PRESETS), help=_("us or ko"))
    this_year = date.today().year
    preset.add_argument("--from-year", type=arguments.whole_number(low=1, high=9990), default=this_year - 1, metavar="YEAR",
                        help=_("first academic year (default: last year, {value})").format(value=this_year - 1))
    preset.add_argument("--years", type=arguments.whole_number(low=1, high=50), default=3, metavar="N", help=_("how many academic years (default 3)"))
    preset.set_defaults(func=run_set_preset)
    from_file = actions.add_parser("set", help=_("replace the terms with those in a JSON file"))
    add_db_option(from_file)
    from_file.add_argument("file", type=Path,
                           help=_('a JSON list of {"name": ..., "start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}'))
    from_file.set_defaults(func=run_set_file)
    clear = actions.add_parser("clear", help=_("remove every term"))
    add_db_option(clear)
    clear.set_defaults(func=run_clear)


def _print(terms: list[calendar.Term], today: date) -> None:
    if not terms:
        print(_('No terms are set. {HOW_TO_SET}').format(HOW_TO_SET=_(calendar.HOW_TO_SET)))
    for term in terms:
        mark = _("  (today)") if term.start <= today <= term.end else ""
        print(f"{term.start}  {term.end}  {term.name}{mark}")


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        _print(calendar.terms(session), date.today())
    return 0


def run_set_preset(args: argparse.Namespace) -> int:
    if not 1 <= args.years <= 50:
        raise errors.InvalidInput(_("--years must be between 1 and 50."))
    made = calendar.preset_terms(args.preset, years=range(args.from_year, args.from_year + args.years))
    with session_for(args) as session:
        calendar.set_terms(session, terms=made)
        _print(calendar.terms(session), date.today())
    return 0


def run_set_file(args: argparse.Namespace) -> int:
    raw = inputs.read_json_file(args.file, what=str(args.file))
    with session_for(args) as session:
        calendar.set_terms(session, terms=raw)
        _print(calendar.terms(session), date.today())
    return 0


def run_clear(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        calendar.set_terms(session, terms=[])
    print(_("The terms are cleared."))
    return 0
