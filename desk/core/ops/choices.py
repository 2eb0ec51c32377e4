"""Categories and locations as a desk manages them: add, rename, merge, hide, seed defaults.

``kind`` is "category" or "location"; both lists behave the same. A hidden one is no longer
offered for new work (quick log, filters, the editor: ``desk.core.queries.choices``) but the
tickets that have it keep it, and the stats still name it. Merging moves every ticket of one
into the other (one audit row per ticket, a new version so a sync pushes it) and deletes the
merged row: categories are named in audit rows by their text, never by id, so nothing is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import CannedResponse, Category, Location, Ticket, utcnow
from desk.core.ops._audit import record
from desk.core.ops.tickets import bump_version

KINDS = ("category", "location")
MAX_NAME = 80

# A university school's tech desk (DESIGN.md): what walks up to the counter, and where from.
DEFAULT_CATEGORIES = (
    "Curriculum support",
    "Administrative technology",
    "Facilities",
    "Multimedia production",
    "Event services",
    "Accounts & passwords",
    "Hardware",
    "Network & Wi-Fi",
    "Software & licences",
    "Printing",
    "Classroom AV",
    "Other",
)
DEFAULT_LOCATIONS = (
    "Front desk",
    "Main building",
    "Library",
    "Lecture hall",
    "Media lab",
    "Remote / online",
)

Model = type[Category] | type[Location]


def _model(kind: str) -> Model:
    if kind == "category":
        return Category
    if kind == "location":
        return Location
    raise errors.InvalidInput(_('Kind must be one of {join}, not {kind!r}.').format(join=', '.join(KINDS), kind=kind))


def clean_name(name: str, kind: str = "category") -> str:
    name = " ".join(str(name).split())
    if not name:
        raise errors.InvalidInput(_("The {kind}'s name is empty.").format(kind=kind))
    if len(name) > MAX_NAME:
        raise errors.InvalidInput(_("The {kind}'s name is longer than {MAX_NAME} characters.").format(kind=kind, MAX_NAME=MAX_NAME))
    return name


def _by_name(session: Session, model: Model, name: str) -> Category | Location | None:
    return session.scalar(select(model).where(func.lower(model.name) == name.lower()))


def _load(session: Session, model: Model, kind: str, choice_id: int) -> Category | Location:
    row = session.get(model, choice_id)
    if row is None:
        raise errors.NotFound(_('There is no {kind} #{choice_id}.').format(kind=kind, choice_id=choice_id))
    return row


def _ticket_column(kind: str):  # noqa: ANN202 - an ORM column
    return Ticket.category_id if kind == "category" else Ticket.location_id


def add_choice(
    session: Session, *, actor_id: int | None, kind: str, name: str, now: datetime | None = None,
) -> Changes:
    """A new category or location. An existing name (any case) is refused, unless it is
    hidden: then it is shown again (the desk wanted it back)."""
    model = _model(kind)
    name = clean_name(name, kind)
    now = now or utcnow()
    with unit_of_work(session):
        existing = _by_name(session, model, name)
        if existing is not None and not existing.hidden:
            raise errors.InvalidInput(_('There is already a {kind} named {name!r}.').format(kind=kind, name=existing.name))
        if existing is not None:
            existing.hidden = False
            record(session, ticket_id=None, actor_id=actor_id, at=now, action=f"show-{kind}",
                   field=f"{kind}#{existing.id}.hidden", old=True, new=False)
            return Changes(choices=True, created_id=existing.id)
        row = model(name=name, hidden=False)
        session.add(row)
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action=f"add-{kind}",
               field=f"{kind}#{row.id}.name", new=name)
        return Changes(choices=True, created_id=row.id)


def rename_choice(
    session: Session, *, actor_id: int | None, kind: str, choice_id: int, name: str,
    now: datetime | None = None,
) -> Changes:
    """Rename; tickets follow (they point at it), and canned responses that set the old
    category name set the new one."""
    model = _model(kind)
    name = clean_name(name, kind)
    now = now or utcnow()
    with unit_of_work(session):
        row = _load(session, model, kind, choice_id)
        if row.name == name:
            return Changes()
        other = _by_name(session, model, name)
        if other is not None and other.id != row.id:
            raise errors.InvalidInput(
                _('There is already a {kind} named {name!r}; merge the two instead.').format(kind=kind, name=other.name)
            )
        old = row.name
        row.name = name
        record(session, ticket_id=None, actor_id=actor_id, at=now, action=f"rename-{kind}",
               field=f"{kind}#{row.id}.name", old=old, new=name)
        canned = _retarget_canned(session, kind=kind, old=old, new=name)
        return Changes(choices=True, tickets=True, canned=canned)


def merge_choices(
    session: Session, *, actor_id: int | None, kind: str, keep_id: int, merge_id: int,
    now: datetime | None = None,
) -> Changes:
    """Every ticket of ``merge_id`` moves to ``keep_id``; then ``merge_id`` is deleted."""
    model = _model(kind)
    if keep_id == merge_id:
        raise errors.InvalidInput(_('A {kind} cannot be merged with itself; choose two different ones.').format(kind=kind))
    now = now or utcnow()
    column = _ticket_column(kind)
    with unit_of_work(session):
        keep = _load(session, model, kind, keep_id)
        gone = _load(session, model, kind, merge_id)
        moved = set()
        for ticket in session.scalars(select(Ticket).where(column == gone.id)):
            setattr(ticket, column.key, keep.id)
            bump_version(ticket, now)
            record(session, ticket_id=ticket.id, actor_id=actor_id, at=now, action=f"merge-{kind}",
                   field=kind, old=gone.name, new=keep.name)
            moved.add(ticket.id)
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action=f"merge-{kind}",
               field=f"{kind}#{gone.id}.merged_into", old=gone.name, new=f"#{keep.id} {keep.name}")
        canned = _retarget_canned(session, kind=kind, old=gone.name, new=keep.name)
        session.delete(gone)
        session.flush()
        return Changes(ticket_ids=frozenset(moved), tickets=True, choices=True, canned=canned)


def hide_choice(
    session: Session, *, actor_id: int | None, kind: str, choice_id: int, hidden: bool = True,
    now: datetime | None = None,
) -> Changes:
    """Stop offering a category or location (``hidden=False`` offers it again)."""
    model = _model(kind)
    now = now or utcnow()
    with unit_of_work(session):
        row = _load(session, model, kind, choice_id)
        if bool(row.hidden) == hidden:
            return Changes()
        row.hidden = hidden
        record(session, ticket_id=None, actor_id=actor_id, at=now,
               action=f"{'hide' if hidden else 'show'}-{kind}", field=f"{kind}#{row.id}.hidden",
               old=not hidden, new=hidden)
        return Changes(choices=True)


def seed_defaults(
    session: Session, *, actor_id: int | None = None, categories: Iterable[str] = DEFAULT_CATEGORIES,
    locations: Iterable[str] = DEFAULT_LOCATIONS, now: datetime | None = None,
) -> Changes:
    """Add the given categories and locations that the store does not have yet (by name, any
    case); existing ones, hidden or not, are left as they are. One audit row per added name."""
    now = now or utcnow()
    added = False
    with unit_of_work(session):
        for kind, names in (("category", categories), ("location", locations)):
            model = _model(kind)
            for raw in names:
                name = clean_name(raw, kind)
                if _by_name(session, model, name) is not None:
                    continue
                row = model(name=name, hidden=False)
                session.add(row)
                session.flush()
                record(session, ticket_id=None, actor_id=actor_id, at=now, action=f"add-{kind}",
                       field=f"{kind}#{row.id}.name", new=name)
                added = True
    return Changes(choices=True) if added else Changes()


def _retarget_canned(session: Session, *, kind: str, old: str, new: str) -> bool:
    """Canned responses name the category they set by its text: keep them pointing at it."""
    if kind != "category":
        return False
    changed = False
    for canned in session.scalars(select(CannedResponse).where(CannedResponse.actions.contains('"category"'))):
        try:
            actions = json.loads(canned.actions or "[]")
        except ValueError:
            continue
        touched = False
        for action in actions if isinstance(actions, list) else []:
            if (isinstance(action, dict) and action.get("field") == "category"
                    and str(action.get("value", "")).lower() == old.lower()):
                action["value"] = new
                touched = True
        if touched:
            canned.actions = json.dumps(actions)
            changed = True
    return changed
