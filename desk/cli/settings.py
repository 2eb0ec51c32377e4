"""`desk settings get [KEY]`, `desk settings set KEY VALUE`, `desk settings holidays`."""

from __future__ import annotations

import argparse
from datetime import date

from desk.cli import arguments
from desk.cli.common import agent_for, session_for
from desk.cli.main import add_db_option
from desk.core import calendar, errors
from desk.core import desk_settings as ds
from desk.core.i18n import N_, _, format_weekday

# Command-line key -> DeskSettings field, in the order `settings get` prints them.
KEYS = {name.replace("_", "-"): name for name in ds.KEYS}
KEYS["hours"] = KEYS.pop("opening-hours")
VALUE_HELP = {
    "desk-name": N_("the desk's name"),
    "timezone": N_("an IANA zone such as Asia/Seoul (the stats days follow it)"),
    "language": N_("en, ko, or \"\" to follow the system"),
    "holidays-country": N_("an ISO code such as KR or US (\"\" for none)"),
    "holidays-subdivision": N_("a state or province code such as CA (\"\" for the whole country)"),
    "hours": N_("e.g. \"mon-fri 09:00-18:00; sat 10:00-14:00\" (days not named are closed)"),
    "closed-days": N_("the desk's own closed days, e.g. \"2026-12-24, 2026-12-31\""),
    "phone": N_("the desk's phone number (for the closed screen)"),
    "counter-names": N_("how the counter display names people: first-initial, first or none"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    keys = "\n".join(f"  {key:<21} {_(text)}" for key, text in VALUE_HELP.items())
    parser = subparsers.add_parser(
        "settings", help=_("show or change the desk's settings (time zone, hours, holidays...)"),
        description=_("The desk's settings. Keys:\n{keys}\n  terms                 see `desk terms`").format(keys=keys),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_option(parser)
    actions = parser.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    get = actions.add_parser("get", help=_("print one setting, or all of them"))
    get.add_argument("key", nargs="?", choices=[*KEYS, "terms"], metavar="KEY", help=_("which (default: all)"))
    get.set_defaults(func=run_get)
    set_ = actions.add_parser("set", help=_("change one setting"))
    set_.add_argument("key", choices=[*KEYS, "terms"], metavar="KEY", help=", ".join(KEYS))
    set_.add_argument("value", help=_("the new value (\"\" clears a text setting)"))
    set_.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    set_.set_defaults(func=run_set)
    holidays = actions.add_parser("holidays", help=_("list the days the desk is closed (public holidays + closed days)"))
    holidays.add_argument("--year", type=arguments.whole_number(low=1, high=9999), action="append", metavar="YEAR",
                          help=_("which year (repeatable; default this year)"))
    holidays.set_defaults(func=run_holidays)
    for action in (get, set_, holidays):
        add_db_option(action)


def shown(settings: ds.DeskSettings, key: str) -> str:
    value = getattr(settings, KEYS[key])
    if key == "hours":
        return ds.format_hours(value)
    if key == "closed-days":
        return ", ".join(day.isoformat() for day in value)
    return str(value)


def run_get(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        if args.key == "terms":
            found = calendar.terms(session)
            print("\n".join(f"{t.start}  {t.end}  {t.name}" for t in found) or _('No terms are set. {HOW_TO_SET}').format(HOW_TO_SET=_(calendar.HOW_TO_SET)))
            return 0
        settings = ds.load_desk_settings(session)
    if args.key:
        print(shown(settings, args.key))
        return 0
    for key in KEYS:
        print(f"{key}: {shown(settings, key)}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    if args.key == "terms":
        raise errors.InvalidInput(_('Terms are a list; {HOW_TO_SET}').format(HOW_TO_SET=_(calendar.HOW_TO_SET)))
    value: object = args.value
    if args.key == "hours":
        value = ds.parse_hours(args.value)
    with session_for(args) as session:
        changes = ds.save_desk_settings(session, actor_id=agent_for(session, args.agent),
                                        values={KEYS[args.key]: value})
        now = shown(ds.load_desk_settings(session), args.key)
    print(f"{args.key}: {now}" + ("" if changes.settings else _(" (unchanged)")))
    return 0


def run_holidays(args: argparse.Namespace) -> int:
    years = args.year or [date.today().year]
    with session_for(args) as session:
        settings = ds.load_desk_settings(session)
    days = ds.public_holidays(settings, years)
    if not settings.holidays_country:
        print(_("No holidays country is set (`desk settings set holidays-country KR`); only the desk's own closed days."))
    for day, name in days.items():
        print(f"{day}  {format_weekday(day)}  {name}")
    return 0
