"""`desk log`, `desk list`, `desk show`."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime, timedelta

from desk.cli import arguments
from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core.i18n import N_, _, current_language, format_datetime, format_moment
from desk.core.models import CHANNELS, PERSON_KINDS, utcnow
from desk.core.ops import intake
from desk.core.queries import queue
from desk.core.queries.tickets import get_ticket, history
from desk.core.settings import desk_timezone, start_of_local_day
from desk.core.transfer import ticket_record
from desk.core.vocabulary import format_age, word

MAX_MINUTES_AGO = 10 * 366 * 24 * 60  # ten years: older is a typo, and far older no date can hold


def register(subparsers: argparse._SubParsersAction) -> None:
    log = subparsers.add_parser(
        "log", help=_("log a walk-in, call, e-mail or web request"),
        description=_("Log a ticket; the requester is created if their e-mail is new."),
    )
    add_db_option(log)
    log.add_argument("--channel", choices=CHANNELS, default="walk-in", help=_("how it came in (default walk-in)"))
    log.add_argument("--requester", required=True, metavar="EMAIL", help=_("the requester's e-mail"))
    log.add_argument("--name", help=_("the requester's name, for a new requester"))
    log.add_argument("--kind", choices=PERSON_KINDS, default="guest", help=_("requester kind, for a new requester"))
    log.add_argument("--category", required=True, help=_("category name (created if new)"))
    log.add_argument("--location", help=_("building or room"))
    log.add_argument("--subject", required=True, help=_("one line saying what is wrong"))
    log.add_argument("--details", default="", help=_("longer description"))
    log.add_argument("--arrived-minutes-ago", type=arguments.whole_number(low=0, high=MAX_MINUTES_AGO), default=0,
                     metavar="N", help="the person arrived N minutes ago (default: now; at most ten years)")
    log.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent logging it"))
    log.set_defaults(func=run_log)

    listing = subparsers.add_parser("list", help=_("list tickets in a queue view"),
                                    description=_("List tickets of a view, oldest arrival first."))
    add_db_option(listing)
    listing.add_argument("--view", choices=list(queue.VIEWS), default="all-open", help=_("which view (default all-open)"))
    listing.add_argument("--search", default="", help=_("words to search for (subject, text, replies, requester)"))
    listing.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent, for --view mine"))
    listing.add_argument("--limit", type=arguments.COUNT, default=50, help=_("at most this many rows (default 50)"))
    listing.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    listing.set_defaults(func=run_list)

    show = subparsers.add_parser("show", help=_("show one ticket with its conversation"),
                                 description=_("Show a ticket, its replies and notes, and its history."))
    add_db_option(show)
    show.add_argument("id", type=arguments.ID, help=_("ticket number"))
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(func=run_show)


def run_log(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        actor = agent_for(session, args.agent)
        arrived = utcnow() - timedelta(minutes=max(args.arrived_minutes_ago, 0))
        changes = intake.log_request(
            session, actor_id=actor,
            requester=intake.NewRequester(email=args.requester, name=args.name, kind=args.kind),
            subject=args.subject, channel=args.channel, category_name=args.category,
            location_name=args.location, description=args.details, arrived_at=arrived,
        )
        print(_('Logged ticket #{created_id}').format(created_id=changes.created_id))
    return 0


# `desk show`'s field names: the English is the key as it always printed; N_, translated when shown.
SHOWN_FIELDS = {
    "status": N_("status"), "priority": N_("priority"), "channel": N_("channel"), "category": N_("category"),
    "location": N_("location"), "requester_name": N_("requester name"), "requester_email": N_("requester email"),
    "assignee_email": N_("assignee email"), "tags": N_("tags"), "arrived_at": N_("arrived at"),
    "solved_at": N_("solved at"),
}


def _shown_value(key: str, value: object) -> object:
    if key in ("status", "priority", "channel"):
        return word(str(value))
    if key in ("arrived_at", "solved_at") and current_language() != "en":  # ISO text, UTC
        return format_datetime(datetime.fromisoformat(str(value).replace("Z", "+00:00"))) + " UTC"
    return value


def _age(arrived: datetime) -> str:
    return format_age((datetime.now(UTC) - arrived).total_seconds())


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        agent = agent_for(session, args.agent)
        filt = queue.QueueFilter(view=args.view, search=args.search, agent_id=agent,
                                 day_start=start_of_local_day(utcnow(), desk_timezone(session)))
        keys = queue.page(session, filt, limit=max(args.limit, 1))
        rows = queue.rows_for(session, [ticket_id for _key, ticket_id in keys])
        ordered = [rows[ticket_id] for _key, ticket_id in keys if ticket_id in rows]
        if args.json:
            print_json([row._asdict() for row in ordered])
            return 0
        for row in ordered:
            print(f"#{row.id:<7} {_age(row.arrived_at):>7}  {word(row.status):<8} {word(row.channel):<8} "
                  f"{row.requester[:24]:<24} {row.subject[:60]}")
        print(_('{count} of {count2} tickets').format(count=len(ordered), count2=queue.count(session, filt)))
    return 0


def run_show(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        ticket = get_ticket(session, args.id)
        record = ticket_record(ticket)
        record["comments"] = [
            {"public": c.is_public, "author": c.author.name if c.author else None,
             "created_at": c.created_at, "body": c.body} for c in ticket.comments
        ]
        record["history"] = [dataclasses.asdict(entry) for entry in history(session, ticket.id)]
        if args.json:
            print_json(record)
            return 0
        print(f"#{ticket.id} {ticket.subject}")
        for key in ("status", "priority", "channel", "category", "location", "requester_name",
                    "requester_email", "assignee_email", "tags", "arrived_at", "solved_at"):
            if record[key]:
                print(f"  {_(SHOWN_FIELDS[key])}: {_shown_value(key, record[key])}")
        if ticket.description:
            print(f"\n{ticket.description}")
        for comment in record["comments"]:
            label = _("reply") if comment["public"] else _("internal note")
            print(_('\n--- {label} by {value} at {when} UTC').format(
                label=label, value=comment['author'] or _('unknown'), when=format_moment(comment['created_at'])))
            print(comment["body"])
    return 0
