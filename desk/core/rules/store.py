"""Reading the rules: the active ones of a kind in order, their definitions parsed once.

Every operation asks for the active triggers and SLA policies, so parsed definitions are kept
by their text: a rule edited (here or in another process) has new text and is parsed again, an
unchanged one costs one indexed query and a dictionary look-up. No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core.models import Rule
from desk.core.rules.definitions import check_definition

_parsed: dict[tuple[str, str], dict[str, Any]] = {}


@dataclass(frozen=True)
class LoadedRule:
    id: int
    kind: str
    name: str
    position: int
    active: bool
    definition: dict[str, Any]
    updated_at: datetime


def _definition(kind: str, text: str) -> dict[str, Any]:
    key = (kind, text)
    found = _parsed.get(key)
    if found is None:
        try:
            found = check_definition(kind, json.loads(text))
        except (ValueError, TypeError):  # edited by hand into something invalid: it matches nothing
            found = {"all": [{"field": "update", "op": "is", "value": "never"}], "any": [], "actions": []}
        if len(_parsed) > 2000:
            _parsed.clear()
        _parsed[key] = found
    return found


def load_rules(session: Session, *, kind: str | None = None, active_only: bool = False) -> list[LoadedRule]:
    """Rules (of ``kind``), in their order: position, then id."""
    query = select(Rule.id, Rule.kind, Rule.name, Rule.position, Rule.active, Rule.definition, Rule.updated_at)
    if kind is not None:
        query = query.where(Rule.kind == kind)
    if active_only:
        query = query.where(Rule.active.is_(True))
    rows = session.execute(query.order_by(Rule.kind, Rule.position, Rule.id)).all()
    return [LoadedRule(id=r.id, kind=r.kind, name=r.name, position=r.position, active=bool(r.active),
                       definition=_definition(r.kind, r.definition), updated_at=r.updated_at)
            for r in rows]


def rule_by_name(session: Session, *, kind: str | None, name: str) -> LoadedRule | None:
    for rule in load_rules(session, kind=kind):
        if rule.name.casefold() == name.casefold():
            return rule
    return None
