"""`desk category …` and `desk location …`: add, rename, merge, hide, list."""

from __future__ import annotations

import argparse
import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core import errors, inputs
from desk.core.i18n import N_, _
from desk.core.models import Category, Location
from desk.core.ops import choices
from desk.core.queries.choices import choice_rows

PLURAL = {"category": N_("categories"), "location": N_("locations")}
WORD = {"category": N_("category"), "location": N_("location")}  # as people read it (the command stays)


def register(subparsers: argparse._SubParsersAction) -> None:
    for kind in choices.KINDS:
        _register(subparsers, kind)


def _register(subparsers: argparse._SubParsersAction, kind: str) -> None:
    plural, word = _(PLURAL[kind]), _(WORD[kind])
    parser = subparsers.add_parser(
        kind, help=_('add, rename, merge, hide or list {plural}').format(plural=plural),
        description=_('The {plural} quick log and the filters offer. A hidden {kind} is no longer offered, but tickets keep it; merging moves every ticket of one {kind} to another.').format(plural=plural, kind=word),
    )
    add_db_option(parser)
    parser.set_defaults(kind=kind)
    actions = parser.add_subparsers(dest=f"{kind}_command", metavar="ACTION", required=True)
    ref = _("the {kind}'s name or #id").format(kind=word)

    add = actions.add_parser("add", help=_('add a {kind}').format(kind=word))
    add.add_argument("name", help=_("the new {kind}'s name").format(kind=word))
    add.set_defaults(func=run_add)
    rename = actions.add_parser("rename", help=_('rename a {kind} (its tickets follow)').format(kind=word))
    rename.add_argument("choice", metavar=kind.upper(), help=ref)
    rename.add_argument("name", help=_("the new name"))
    rename.set_defaults(func=run_rename)
    merge = actions.add_parser("merge", help=_('move every ticket of one {kind} to another, then remove it').format(kind=word))
    merge.add_argument("keep", help=_('the {kind} to keep ({ref})').format(kind=word, ref=ref))
    merge.add_argument("merge", help=_('the {kind} merged into it ({ref})').format(kind=word, ref=ref))
    merge.set_defaults(func=run_merge)
    hide = actions.add_parser("hide", help=_('stop offering a {kind} (tickets keep it)').format(kind=word))
    hide.add_argument("choice", metavar=kind.upper(), help=ref)
    hide.add_argument("--show", action="store_true", help=_('offer a hidden {kind} again').format(kind=word))
    hide.set_defaults(func=run_hide)
    listing = actions.add_parser("list", help=_('list the {plural} with their ticket counts').format(plural=plural))
    listing.add_argument("--all", action="store_true", help=_('include hidden {plural}').format(plural=plural))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(func=run_list)
    for action in (add, rename, merge, hide):
        action.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
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
        raise errors.NotFound(_('There is no {kind} {text!r}. See `desk {kind} list --all`.').format(kind=kind, text=text))
    return row


def run_add(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        changes = choices.add_choice(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                                     name=args.name)
        print(_('Added {kind} #{created_id} {clean_name}').format(kind=args.kind, created_id=changes.created_id, clean_name=choices.clean_name(args.name, args.kind)))
    return 0


def run_rename(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        row = choice_ref(session, args.kind, args.choice)
        old = row.name
        choices.rename_choice(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                              choice_id=row.id, name=args.name)
        print(_('Renamed {kind} #{id} {old!r} to {name!r}').format(kind=args.kind, id=row.id, old=old, name=row.name))
    return 0


def run_merge(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        keep, gone = choice_ref(session, args.kind, args.keep), choice_ref(session, args.kind, args.merge)
        gone_name = gone.name
        changes = choices.merge_choices(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                                        keep_id=keep.id, merge_id=gone.id)
        print(_('Merged {kind} {gone_name!r} into {name!r}; {count} tickets moved').format(kind=args.kind, gone_name=gone_name, name=keep.name, count=len(changes.ticket_ids)))
    return 0


def run_hide(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        row = choice_ref(session, args.kind, args.choice)
        choices.hide_choice(session, actor_id=agent_for(session, args.agent), kind=args.kind,
                            choice_id=row.id, hidden=not args.show)
        print((_("Showing {kind} {name!r}") if args.show else _("Hid {kind} {name!r}")).format(kind=_(WORD[args.kind]), name=row.name))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = [dataclasses.asdict(row) for row in choice_rows(session, kind=args.kind, include_hidden=args.all)]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(_('#{row:<5} {value:<40} {row2:>8} tickets').format(row=row['id'], value=row['name'][:40], row2=row['tickets'])
              + (_("  (hidden)") if row["hidden"] else ""))
    if not rows:
        print(_('No {PLURAL} yet. Add one with `desk {kind} add NAME`, or all the defaults with `desk init --defaults`.').format(PLURAL=_(PLURAL[args.kind]), kind=args.kind))
    return 0
