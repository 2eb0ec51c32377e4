"""`desk person list|edit|merge`: the people the desk serves (requesters)."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from desk.cli import arguments
from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core import errors, inputs
from desk.core.i18n import N_, _
from desk.core.models import PERSON_KINDS, Person
from desk.core.ops import people
from desk.core.queries.tickets import find_people

REF_HELP = N_("the person's e-mail or #id")


def person_ref(session: Session, ref: str, *, agent: bool = False) -> Person:
    """The person (or agent) named on the command line by e-mail, ``#12`` or ``12``."""
    what = "agent" if agent else "person"
    text = ref.strip()
    person = None
    if inputs.looks_like_id(text):
        number = inputs.parse_id(text)
        person = session.get(Person, number) if number is not None else None
    elif "@" in text:
        person = people.find_person_by_email(session, text)
    if person is None or (agent and not person.is_agent):
        how = "id" if inputs.looks_like_id(text) else "e-mail"
        raise errors.NotFound(f"No {what} has the {how} {text}.")
    return person


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "person", help=_("find, correct or merge requesters"),
        description=_("Requesters: look them up, correct a name, e-mail, phone or kind, or merge two "
                    "records of the same person (tickets and replies move; the audit log keeps both)."),
    )
    add_db_option(parser)
    actions = parser.add_subparsers(dest="person_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help=_("people whose name, e-mail or phone contains WORDS"))
    add_db_option(listing)
    listing.add_argument("search", nargs="?", default="", help=_("what to look for (default: everyone)"))
    listing.add_argument("--limit", type=arguments.COUNT, default=50, help=_("at most this many (default 50)"))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(func=run_list)

    edit = actions.add_parser("edit", help=_("correct a person's name, e-mail, phone or kind"))
    add_db_option(edit)
    edit.add_argument("person", help=_(REF_HELP))
    edit.add_argument("--name", help=_("the new name"))
    edit.add_argument("--email", help=_('the new e-mail ("" removes it)'))
    edit.add_argument("--phone", help=_('the new phone ("" removes it)'))
    edit.add_argument("--kind", choices=PERSON_KINDS, help=_("faculty, staff, student or guest"))
    edit.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    edit.set_defaults(func=run_edit)

    merge = actions.add_parser("merge", help=_("merge two records of the same person into one"))
    add_db_option(merge)
    merge.add_argument("keep", help=_('the record to keep ({REF_HELP})').format(REF_HELP=_(REF_HELP)))
    merge.add_argument("merge", help=_('the record merged into it ({REF_HELP})').format(REF_HELP=_(REF_HELP)))
    merge.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    merge.set_defaults(func=run_merge)


def describe(person: Person) -> dict[str, object]:
    return {"id": person.id, "name": person.name, "email": person.email, "phone": person.phone,
            "kind": person.kind, "agent": person.is_agent, "role": person.role, "active": person.active}


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        found = [describe(person) for person in find_people(session, args.search, limit=max(args.limit, 1))]
    if args.json:
        print_json(found)
        return 0
    for row in found:
        agent = _('  agent ({row})').format(row=row['role']) if row["agent"] else ""
        print(f"#{row['id']:<6} {row['name'][:30]:<30} {row['email'] or '-':<32} {row['kind']:<8}{agent}")
    print(f"{len(found)} people")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        person = person_ref(session, args.person)
        changes = people.edit_person(session, actor_id=agent_for(session, args.agent), person_id=person.id,
                                     name=args.name, email=args.email, phone=args.phone, kind=args.kind)
        print(_('Updated #{id} {name}').format(id=person.id, name=person.name) if changes.people else _('#{id} {name}: nothing to change').format(id=person.id, name=person.name))
    return 0


def run_merge(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        keep, gone = person_ref(session, args.keep), person_ref(session, args.merge)
        changes = people.merge_people(session, actor_id=agent_for(session, args.agent), keep_id=keep.id,
                                      merge_id=gone.id)
        print(_('Merged #{id} {name} into #{id2} {name2}; {count} tickets moved').format(id=gone.id, name=gone.name, id2=keep.id, name2=keep.name, count=len(changes.ticket_ids)))
    return 0
