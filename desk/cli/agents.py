"""`desk agent add|list|edit|deactivate`: the people who work the desk."""

from __future__ import annotations

import argparse
import dataclasses

from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.cli.people import person_ref
from desk.core.i18n import N_, _
from desk.core.models import AGENT_ROLES
from desk.core.ops import people
from desk.core.ops.shifts import open_shift
from desk.core.queries.choices import agent_rows

ROLE_HELP = N_("student-worker, staff or supervisor")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "agent", help=_("add, list, edit or deactivate agents"),
        description=_("Agents sign in at the desk, take the next person and reply. An agent who leaves "
                    "is deactivated, never deleted: their name stays in the history."),
    )
    add_db_option(parser)
    actions = parser.add_subparsers(dest="agent_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help=_("add an agent (a requester with that e-mail becomes one)"))
    add.add_argument("--name", required=True, help=_("the agent's name"))
    add.add_argument("--email", required=True, help=_("the agent's e-mail (they are known by it)"))
    add.add_argument("--role", choices=AGENT_ROLES, default="student-worker", help=_('{ROLE_HELP} (default student-worker)').format(ROLE_HELP=_(ROLE_HELP)))
    add.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help=_("list the agents, and who is at the desk"))
    listing.add_argument("--all", action="store_true", help=_("include deactivated agents"))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(func=run_list)

    edit = actions.add_parser("edit", help=_("change an agent's name, e-mail or role"))
    edit.add_argument("who", metavar="AGENT", help=_("the agent's e-mail or #id"))
    edit.add_argument("--name", help=_("the new name"))
    edit.add_argument("--email", help=_("the new e-mail"))
    edit.add_argument("--role", choices=AGENT_ROLES, help=_(ROLE_HELP))
    edit.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    edit.set_defaults(func=run_edit)

    deactivate = actions.add_parser("deactivate", help=_("deactivate an agent who left (history keeps the name)"))
    deactivate.add_argument("who", metavar="AGENT", help=_("the agent's e-mail or #id"))
    deactivate.add_argument("--reactivate", action="store_true", help=_("bring a deactivated agent back"))
    deactivate.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    deactivate.set_defaults(func=run_deactivate)
    for action in (add, listing, edit, deactivate):
        add_db_option(action)


def run_add(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        changes = people.add_agent(session, name=args.name, email=args.email, role=args.role,
                                   actor_id=agent_for(session, args.agent))
        print(_('Added agent #{created_id} {join} ({role})').format(created_id=changes.created_id, join=' '.join(args.name.split()), role=args.role))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = []
        for agent in agent_rows(session, include_inactive=args.all):
            shift = open_shift(session, agent.id)
            rows.append({**dataclasses.asdict(agent), "at_desk_since": shift.started_at if shift else None})
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        state = "" if row["active"] else _("  (deactivated)")
        desk = _('  at the desk since {row:%H:%M} UTC').format(row=row['at_desk_since']) if row["at_desk_since"] else ""
        print(f"#{row['id']:<5} {row['name'][:28]:<28} {row['email'] or '-':<32} {row['role']}{state}{desk}")
    if not rows:
        print(_("No agents yet. Add one with `desk agent add --name NAME --email EMAIL`."))
    return 0


def run_edit(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        agent = person_ref(session, args.who, agent=True)
        changes = people.edit_agent(session, actor_id=agent_for(session, args.agent), agent_id=agent.id,
                                    name=args.name, email=args.email, role=args.role)
        print(_('Updated agent #{id} {name}').format(id=agent.id, name=agent.name) if changes.people
              else _('Agent #{id} {name}: nothing to change').format(id=agent.id, name=agent.name))
    return 0


def run_deactivate(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        agent = person_ref(session, args.who, agent=True)
        people.deactivate_agent(session, actor_id=agent_for(session, args.agent), agent_id=agent.id,
                                active=args.reactivate)
        print(_('{value} agent #{id} {name}').format(value=_('Reactivated') if args.reactivate else _('Deactivated'), id=agent.id, name=agent.name))
    return 0
