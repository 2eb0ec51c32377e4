"""Saved queue views: a name and the filters (view, search, FILTERS keys) as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import SavedView
from desk.core.queries.queue import FILTERS, VIEWS

ALLOWED = {"view", "search", *FILTERS}


def save_view(session: Session, *, name: str, filters: Mapping[str, object],
              owner_id: int | None = None) -> Changes:
    """Create or replace the saved view called ``name``; ``created_id`` is its id."""
    name = " ".join(name.split())
    if not name:
        raise errors.InvalidInput(_("A saved view needs a name."))
    unknown = set(filters) - ALLOWED
    if unknown:
        raise errors.InvalidInput(_('Unknown filter(s): {join}.').format(join=', '.join(sorted(unknown))))
    if filters.get("view", "all-open") not in VIEWS:
        raise errors.InvalidInput(_('Unknown view {get!r}.').format(get=filters.get('view')))
    body = json.dumps({k: v for k, v in filters.items() if v not in (None, "")}, sort_keys=True)
    with unit_of_work(session):
        view = session.scalar(select(SavedView).where(func.lower(SavedView.name) == name.lower()))
        if view is None:
            view = SavedView(name=name, filters=body, owner_id=owner_id)
            session.add(view)
        else:
            view.filters, view.owner_id = body, owner_id
        session.flush()
        return Changes(settings=True, created_id=view.id)


def delete_view(session: Session, *, view_id: int) -> Changes:
    with unit_of_work(session):
        view = session.get(SavedView, view_id)
        if view is None:
            raise errors.NotFound(_('There is no saved view #{view_id}.').format(view_id=view_id))
        session.delete(view)
        return Changes(settings=True)
