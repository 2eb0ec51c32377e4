"""Read side of canned responses: what an agent may pick from, most used first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.i18n import _
from desk.core.models import CannedResponse, Person


@dataclass(frozen=True)
class CannedRow:
    id: int
    uuid: str
    title: str
    body: str
    actions: list[dict[str, Any]]
    owner_id: int | None
    owner_name: str | None
    usage_count: int

    @property
    def shared(self) -> bool:
        return self.owner_id is None


def _row(canned: CannedResponse, owner_name: str | None) -> CannedRow:
    try:
        actions = json.loads(canned.actions or "[]")
    except json.JSONDecodeError:
        actions = []
    return CannedRow(
        id=canned.id, uuid=canned.uuid, title=canned.title, body=canned.body,
        actions=actions if isinstance(actions, list) else [], owner_id=canned.owner_id,
        owner_name=owner_name, usage_count=canned.usage_count,
    )


def _escape_like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_canned(
    session: Session, *, agent_id: int | None, search: str = "", everyone: bool = False,
) -> list[CannedRow]:
    """Shared responses plus the agent's personal ones (all of them with ``everyone``), most
    used first, then by title. ``search`` matches every word in the title or body."""
    query = (
        select(CannedResponse, Person.name)
        .outerjoin(Person, Person.id == CannedResponse.owner_id)
        .order_by(CannedResponse.usage_count.desc(), CannedResponse.title, CannedResponse.id)
    )
    if not everyone:
        query = query.where(or_(CannedResponse.owner_id.is_(None), CannedResponse.owner_id == agent_id))
    for word in search.split():
        pattern = _escape_like(word)
        query = query.where(or_(CannedResponse.title.ilike(pattern, escape="\\"),
                                CannedResponse.body.ilike(pattern, escape="\\")))
    return [_row(canned, name) for canned, name in session.execute(query)]


def get_canned(session: Session, canned_id: int) -> CannedRow:
    row = session.execute(
        select(CannedResponse, Person.name)
        .outerjoin(Person, Person.id == CannedResponse.owner_id)
        .where(CannedResponse.id == canned_id)
    ).first()
    if row is None:
        raise errors.NotFound(_('There is no canned response #{canned_id}.').format(canned_id=canned_id))
    return _row(row[0], row[1])
