"""`desk category …` and `desk location …`: add, rename, merge, hide, list."""

from __future__ import annotations

import argparse
import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core import errors, inputs
from desk.core.models import Category, Location
from desk.core.ops import choices
from desk.core.queries.choices import choice_rows

PLURAL = {"category": "categories", "location": "locations"}


def register(subparsers: argparse._SubParsersAction) -> None:
    for kind in choices.KINDS:
        _register(subparsers, kind)


def _register(subparsers: argparse._SubParsersAction, kind: str) -> None:
    plural = PLURAL[kind]
    parser = subparsers.add_parser(
        kind, help=f"add, rename, merge, hide or list {plural}",
        description=f"The {plural} quick log and the filters offer. A hidden {kind} is no longer "
                    f"offered, but tickets keep it; merging moves every ticket of one {kind} to another.",
    )
    add_db_option(parser)
    parser.set_defaults(kind=kind)
    actions = parser.add_subparsers(dest=f"{kind}_command", metavar="ACTION", required=True)
    ref = f"the {kind}'s name or #id"

    add = actions.add_parser("add", help=f"add a {kind}")
    add.add_argument("name", help=f"the new {kind}'s name")
    add.set_defaults(func=run_add)
    rename = actions.add_parser("rename", help=f"rename a {kind} (its tickets follow)")
    rename.add_argument("choice", metavar=kind.upper(), help=ref)
    rename.add_argument("name", help="the new name")
    rename.set_defaults(func=run_rename)
    merge = actions.add_parser("merge", help=f"move every ticket of one {kind} to another, then remove it")
    merge.add_argument("keep", help=f"the {kind} to keep ({ref})")
    merge.add_argument("merge", help=f"the {kind} merged into it ({ref})")
    merge.set_defaults(func=run_merge)
    hide = actions.add_parser("hide", help=f"stop offering a {kind} (tickets keep it)")
    hide.add_argument("choice", metavar=kind.upper(), help=ref)
    hide.add_argument("--show", action="store_true", help=f"offer a hidden {kind} again")
    hide.set_defaults(func=run_hide)
    listing = actions.add_parser("list", help=f"list the {plural} with their ticket counts")
    listing.add_argument("--all", action="store_true", help=f"include hidden {plural}")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    for action in (add, rename, merge, hide):
        action.add_argument("--as", dest="agent", metavar="EMAIL", help="the agent making the change")
    for action in (add, rename, merge, hide, listing):
        add_db_option(action)
        action.set_defaults(kind=kind)


def _model(kind: str) -> type[Category] | type[Location]:
    return Category if kind == "category" else Location


def choice_ref(session: Session, kind: str, ref: str) -> Category | Location:
    """A category or location named by its name (any case) or ``#id``."""
    model = _model(kind)
    text = " ".join(ref.split())
    row = session.scalar(select(model).where(func.lower(model.name) == text.lower()))
    if row is None and (number := inputs.parse_id(text)) is not None:
        row = session.get(model, number)
    if row is None:
        raise errors.NotFound(f"There is no {kind} {text!r}. See `desk {kind} list --all`.")
    return row


def run_add(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        changes = choices.add_choice(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                                     name=args.name)
        print(f"Added {args.kind} #{changes.created_id} {choices.clean_name(args.name, args.kind)}")
    return 0


def run_rename(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        row = choice_ref(session, args.kind, args.choice)
        old = row.name
        choices.rename_choice(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                              choice_id=row.id, name=args.name)
        print(f"Renamed {args.kind} #{row.id} {old!r} to {row.name!r}")
    return 0


def run_merge(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        keep, gone = choice_ref(session, args.kind, args.keep), choice_ref(session, args.kind, args.merge)
        gone_name = gone.name
        changes = choices.merge_choices(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                                        keep_id=keep.id, merge_id=gone.id)
        print(f"Merged {args.kind} {gone_name!r} into {keep.name!r}; {len(changes.ticket_ids)} tickets moved")
    return 0


def run_hide(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        row = choice_ref(session, args.kind, args.choice)
        choices.hide_choice(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                            choice_id=row.id, hidden=not args.show)
        print(f"{'Showing' if args.show else 'Hid'} {args.kind} {row.name!r}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = [dataclasses.asdict(row) for row in choice_rows(session, kind=args.kind, include_hidden=args.all)]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(f"#{row['id']:<5} {row['name'][:40]:<40} {row['tickets']:>8} tickets"
              + ("  (hidden)" if row["hidden"] else ""))
    if not rows:
        print(f"No {PLURAL[args.kind]} yet. Add one with `desk {args.kind} add NAME`, "
              f"or all the defaults with `desk init --defaults`.")
    return 0
