"""Writing rules: add, edit, enable/disable, reorder, delete, export and import (JSON), and the
sensible defaults installed once. One transaction each, with an audit row; SLA policy changes
work out the open tickets' due times again in the same transaction. No Qt here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.desk_settings import load_desk_settings
from desk.core.i18n import N_, _, current_language, gettext_for
from desk.core.models import Rule, Setting, utcnow
from desk.core.ops._audit import record
from desk.core.rules.definitions import KINDS, check_definition
from desk.core.rules.store import load_rules
from desk.core.vocabulary import DESK_CHANNELS

MAX_NAME = 120
DEFAULTS_KEY = "rules_defaults_installed"
EXPORT_FORMAT = "desk-rules/1"


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise errors.InvalidInput(_("A rule needs a name of 1 to {n} characters.").format(n=MAX_NAME))
    return name


def _get(session: Session, rule_id: int) -> Rule:
    rule = session.get(Rule, rule_id)
    if rule is None:
        raise errors.NotFound(_("There is no rule #{id}.").format(id=rule_id))
    return rule


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise errors.InvalidInput(_("A rule is a trigger, an automation or an SLA policy (sla)."))
    return kind


def _name_taken(session: Session, kind: str, name: str, but: int | None = None) -> None:
    query = select(Rule.id).where(Rule.kind == kind, func.lower(Rule.name) == name.lower())
    found = session.scalar(query)
    if found is not None and found != but:
        raise errors.InvalidInput(_("There is already a {kind} named {name!r}.").format(kind=kind, name=name))


def _after_sla_change(session: Session, kind: str, now: datetime) -> None:
    if kind == "sla":
        from desk.core.rules.engine import refresh_all_due

        refresh_all_due(session, now=now)


def add_rule(
    session: Session, *, actor_id: int | None, kind: str, name: str, definition: object,
    active: bool = True, position: int | None = None, now: datetime | None = None,
) -> Changes:
    """A new rule, last of its kind unless ``position`` is given."""
    kind, name = _check_kind(kind), _clean_name(name)
    clean = check_definition(kind, definition)
    now = now or utcnow()
    with unit_of_work(session):
        _name_taken(session, kind, name)
        if position is None:
            position = (session.scalar(select(func.max(Rule.position)).where(Rule.kind == kind)) or 0) + 1
        rule = Rule(kind=kind, name=name, position=position, active=active,
                    definition=json.dumps(clean, ensure_ascii=False), created_at=now, updated_at=now)
        session.add(rule)
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="rule-add", field=kind, new=name)
        _after_sla_change(session, kind, now)
        return Changes(rules=True, tickets=kind == "sla", created_id=rule.id)


def edit_rule(
    session: Session, *, actor_id: int | None, rule_id: int, name: str | None = None,
    definition: object = None, now: datetime | None = None,
) -> Changes:
    now = now or utcnow()
    with unit_of_work(session):
        rule = _get(session, rule_id)
        if name is not None:
            clean_name = _clean_name(name)
            _name_taken(session, rule.kind, clean_name, but=rule.id)
            if clean_name != rule.name:
                record(session, ticket_id=None, actor_id=actor_id, at=now, action="rule-edit", field="name",
                       old=rule.name, new=clean_name)
                rule.name = clean_name
        if definition is not None:
            text = json.dumps(check_definition(rule.kind, definition), ensure_ascii=False)
            if text != rule.definition:
                record(session, ticket_id=None, actor_id=actor_id, at=now, action="rule-edit",
                       field="definition", old=rule.definition, new=text)
                rule.definition = text
        rule.updated_at = max(now, rule.updated_at)
        session.flush()
        _after_sla_change(session, rule.kind, now)
        return Changes(rules=True, tickets=rule.kind == "sla")


def set_active(session: Session, *, actor_id: int | None, rule_id: int, active: bool,
               now: datetime | None = None) -> Changes:
    now = now or utcnow()
    with unit_of_work(session):
        rule = _get(session, rule_id)
        if rule.active == active:
            return Changes()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="rule-enable" if active else "rule-disable",
               field=rule.kind, new=rule.name)
        rule.active = active
        rule.updated_at = max(now, rule.updated_at)
        session.flush()
        _after_sla_change(session, rule.kind, now)
        return Changes(rules=True, tickets=rule.kind == "sla")


def move_rule(session: Session, *, actor_id: int | None, rule_id: int, to: int,
              now: datetime | None = None) -> Changes:
    """Put the rule at place ``to`` (1 = first) among the rules of its kind."""
    now = now or utcnow()
    with unit_of_work(session):
        rule = _get(session, rule_id)
        ordered = [r for r in session.scalars(select(Rule).where(Rule.kind == rule.kind)
                                              .order_by(Rule.position, Rule.id))]
        old = ordered.index(rule) + 1
        ordered.remove(rule)
        ordered.insert(max(0, min(to - 1, len(ordered))), rule)
        for place, item in enumerate(ordered, 1):
            item.position = place
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="rule-move", field=rule.name,
               old=old, new=ordered.index(rule) + 1)
        session.flush()
        _after_sla_change(session, rule.kind, now)
        return Changes(rules=True, tickets=rule.kind == "sla")


def delete_rule(session: Session, *, actor_id: int | None, rule_id: int, now: datetime | None = None) -> Changes:
    """Delete a rule; the audit rows it wrote keep its id (and this row names it)."""
    now = now or utcnow()
    with unit_of_work(session):
        rule = _get(session, rule_id)
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="rule-delete", field=rule.kind,
               old=rule.definition, new=rule.name)
        rule.active = False  # kept, disabled: audit rows refer to it by id
        rule.name = f"{rule.name} (deleted {now:%Y-%m-%d %H:%M})"[:MAX_NAME]
        session.flush()
        _after_sla_change(session, rule.kind, now)
        return Changes(rules=True, tickets=rule.kind == "sla")


def export_rules(session: Session, *, kinds: Iterable[str] = KINDS) -> dict[str, Any]:
    """Every rule as JSON data (what ``import_rules`` reads back)."""
    wanted = set(kinds)
    return {"format": EXPORT_FORMAT, "rules": [
        {"kind": r.kind, "name": r.name, "active": r.active, **r.definition}
        for r in load_rules(session) if r.kind in wanted and "(deleted " not in r.name]}


def import_rules(session: Session, *, actor_id: int | None, data: object, replace: bool = False,
                 now: datetime | None = None) -> Changes:
    """Add the rules of an export (``replace``: a rule of the same kind and name is overwritten,
    otherwise it is an error). All or nothing."""
    items = data.get("rules") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise errors.InvalidInput(_("The file holds no list of rules."))
    now = now or utcnow()
    with unit_of_work(session):
        for index, item in enumerate(items, 1):
            if not isinstance(item, Mapping):
                raise errors.InvalidInput(_("Rule {n} is not an object.").format(n=index))
            body = {key: value for key, value in item.items() if key in ("all", "any", "actions", "targets", "pause")}
            kind, name = str(item.get("kind", "")), str(item.get("name", ""))
            existing = session.scalar(select(Rule.id).where(Rule.kind == kind, func.lower(Rule.name) == name.lower()))
            try:
                if existing is not None and replace:
                    edit_rule(session, actor_id=actor_id, rule_id=existing, definition=body, now=now)
                    set_active(session, actor_id=actor_id, rule_id=existing, active=bool(item.get("active", True)), now=now)
                else:
                    add_rule(session, actor_id=actor_id, kind=kind, name=name, definition=body,
                             active=bool(item.get("active", True)), now=now)
            except errors.InvalidInput as exc:
                raise errors.InvalidInput(_("Rule {n} ({name}): {problem}").format(
                    n=index, name=name or "?", problem=exc.message)) from exc
    return Changes(rules=True, tickets=True)


# The sensible defaults (docs/rules.md, "Defaults"): installed once per store, then the desk's own.
CLOSE_SOLVED = N_("Close solved tickets after 4 days")
DEFAULTS: tuple[dict[str, Any], ...] = (
    {"kind": "automation", "name": CLOSE_SOLVED, "active": True,
     "all": [{"field": "status", "op": "is", "value": "solved"},
             {"field": "hours_since_status", "op": "ge", "value": 96}],
     "actions": [{"action": "set", "field": "status", "value": "closed"}]},
    {"kind": "automation", "name": N_("Remind the requester after 3 business days pending"), "active": True,
     "all": [{"field": "status", "op": "is", "value": "pending"},
             {"field": "hours_since_status", "op": "ge", "value": 27, "business": True}],
     "actions": [{"action": "canned", "title": N_("Waiting for your reply")},  # a default canned response
                 {"action": "note", "body": N_("Pending for 3 business days: the requester was reminded.")}]},
    {"kind": "automation", "name": N_("Solve tickets pending 7 business days"), "active": True,
     "all": [{"field": "status", "op": "is", "value": "pending"},
             {"field": "hours_since_status", "op": "ge", "value": 63, "business": True}],
     "actions": [{"action": "set", "field": "status", "value": "solved"},
                 {"action": "note", "body": N_("No answer for 7 business days: solved (a reply reopens it).")}]},
    {"kind": "automation", "name": N_("Walk-in waiting 15 minutes"), "active": True,
     "all": [{"field": "status", "op": "is", "value": "new"},
             {"field": "channel", "op": "in", "value": list(DESK_CHANNELS)},
             {"field": "assignee", "op": "is", "value": "none"},
             {"field": "hours_since_created", "op": "ge", "value": 0.25}],
     "actions": [{"action": "notify", "text": N_("waiting for 15 minutes; a supervisor may help")}]},
    {"kind": "sla", "name": N_("Standard"), "active": True, "all": [], "pause": True,
     "targets": {"first_response": {"hours": 4, "business": True},
                 "next_reply": {"hours": 8, "business": True},
                 "resolution": {"hours": 27, "business": True}}},
)


def _in_language(item: dict[str, Any], words: Any) -> dict[str, Any]:  # noqa: ANN401 - gettext
    """A default rule with its name, notes, notices and canned title in the store's language."""
    def action(step: dict[str, Any]) -> dict[str, Any]:
        return {k: words(v) if k in ("body", "text", "title") and isinstance(v, str) else v for k, v in step.items()}

    out = {**item, "name": words(item["name"])}
    if "actions" in item:
        out["actions"] = [action(step) for step in item["actions"]]
    return out


def install_defaults(session: Session, *, actor_id: int | None = None, now: datetime | None = None) -> Changes:
    """Add the default rules the first time only (a desk that deleted them keeps them deleted)."""
    if session.get(Setting, DEFAULTS_KEY) is not None:
        return Changes()
    now = now or utcnow()
    from desk.core.models import SyncRemote

    # A desk that syncs with Zendesk or RT lets the helpdesk close its own tickets (it runs its
    # own automations): the closing default comes switched off there, to be turned on knowingly.
    synced = session.scalar(select(func.count(SyncRemote.id))) or 0
    # Written once in the store's language, as the default canned responses are (the reminder
    # names the canned response of that language: both catalogs translate its title alike).
    words = gettext_for(load_desk_settings(session).language or current_language())
    with unit_of_work(session):
        session.merge(Setting(key=DEFAULTS_KEY, value=now.isoformat()))
        for item in DEFAULTS:
            if synced and item["name"] == CLOSE_SOLVED:
                item = {**item, "active": False}
            item = _in_language(item, words)
            if session.scalar(select(Rule.id).where(Rule.kind == item["kind"], Rule.name == item["name"])) is None:
                body = {k: v for k, v in item.items() if k not in ("kind", "name", "active")}
                add_rule(session, actor_id=actor_id, kind=item["kind"], name=item["name"], definition=body,
                         active=item["active"], now=now)
    return Changes(rules=True, tickets=True)
