"""Zendesk triggers and automations (``GET /api/v2/triggers``, ``/api/v2/automations`` JSON)
as Desk rules; what cannot be mapped is listed, as for macros (``desk.core.canned_io``).

A condition of "all" that cannot be mapped skips the whole rule (without it the rule would
fire on more tickets than in Zendesk); one of "any" is left out and listed (the rule fires on
fewer). An action that cannot be mapped is listed; a rule left with no action is skipped.
Importing the same file again updates the rules of the same name. No Qt here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desk.core import errors, inputs
from desk.core.canned_io import ImportReport, Unmapped
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.rules import ops
from desk.core.rules.store import rule_by_name

STATUSES = {"new": "new", "open": "open", "pending": "pending", "hold": "on-hold", "solved": "solved",
            "closed": "closed"}
PRIORITIES = ("low", "normal", "high", "urgent")
VIA = {"0": "web", "4": "email", "30": "phone", "44": "phone", "45": "phone", "46": "phone", "48": "web"}
HOURS_SINCE_STATUS = {"NEW": "new", "OPEN": "open", "PENDING": "pending", "HOLD": "on-hold", "SOLVED": "solved",
                      "CLOSED": "closed"}
HOURS_SINCE = {"created_at": "hours_since_created", "updated_at": "hours_since_update"}


class NotMapped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _status(value: object) -> str:
    status = STATUSES.get(str(value).lower())
    if status is None:
        raise NotMapped(_("not a status Desk knows"))
    return status


def _field_condition(name: str, operator: str, value: object) -> list[dict[str, Any]]:
    op = {"is": "is", "is_not": "is_not", "value": "changed_to", "value_previous": "changed_from",
          "changed": "changed", "not_value": None}.get(operator)
    if op is None:
        raise NotMapped(_("the operator {op!r} has no equivalent").format(op=operator))
    if name == "status":
        picked = _status(value) if op != "changed" else None
    else:
        picked = str(value).lower()
        if op != "changed" and picked not in PRIORITIES:
            raise NotMapped(_("not a priority Desk knows"))
    condition: dict[str, Any] = {"field": name, "op": op}
    if op != "changed":
        condition["value"] = picked
    return [condition]


def _condition(raw: dict[str, Any], *, kind: str) -> list[dict[str, Any]]:
    name, operator, value = str(raw.get("field", "")), str(raw.get("operator", "is")), raw.get("value")
    if name in ("status", "priority"):
        return _field_condition(name, operator, value)
    if name == "update_type":
        return [{"field": "update", "op": "is", "value": str(value).lower()}]
    if name == "via_id":
        channel = VIA.get(str(value))
        if channel is None or operator not in ("is", "is_not"):
            raise NotMapped(_("a channel Desk does not have"))
        return [{"field": "channel", "op": operator, "value": channel}]
    if name == "current_tags":
        tags = str(value or "").split()
        op = {"includes": "includes", "not_includes": "excludes"}.get(operator)
        if op is None or not tags:
            raise NotMapped(_("the operator {op!r} has no equivalent").format(op=operator))
        if op == "includes" and len(tags) > 1:  # Zendesk: any of the tags
            raise NotMapped(_("'includes any of several tags' has no equivalent; split the rule"))
        return [{"field": "tags", "op": op, "value": tags}]
    if name in ("comment_includes_word", "subject_includes_word"):
        if operator not in ("includes", "is"):
            raise NotMapped(_("only 'contains' can be mapped"))
        return [{"field": "text", "op": "contains", "value": str(value)}]
    if name == "within_business_hours":
        return [{"field": "business_hours", "op": "is", "value": str(value).lower() == "true"}]
    if name == "assignee_id" and value in ("", None) and operator == "is":
        return [{"field": "assignee", "op": "is", "value": "none"}]
    if kind == "automation" and (name in HOURS_SINCE_STATUS or name in HOURS_SINCE):
        business = operator.endswith("_business_hours")
        base = operator.removesuffix("_business_hours").removeprefix("is_business_hours") or "is"
        op = {"greater_than": "ge", "is": "ge", "less_than": "lt"}.get(base)
        try:
            hours = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise NotMapped(_("the hours are not a number")) from exc
        if op is None:
            raise NotMapped(_("the operator {op!r} has no equivalent").format(op=operator))
        if name in HOURS_SINCE:
            return [{"field": HOURS_SINCE[name], "op": op, "value": hours, "business": business}]
        return [{"field": "status", "op": "is", "value": HOURS_SINCE_STATUS[name]},
                {"field": "hours_since_status", "op": op, "value": hours, "business": business}]
    raise NotMapped(_("Desk has no such condition (groups, forms, custom fields, users by id)"))


def _action(raw: dict[str, Any], actions: list[dict[str, Any]], public: bool) -> None:
    name, value = str(raw.get("field", "")), raw.get("value")
    if name == "status":
        actions.append({"action": "set", "field": "status", "value": _status(value)})
    elif name == "priority":
        if str(value).lower() not in PRIORITIES:
            raise NotMapped(_("not a priority Desk knows"))
        actions.append({"action": "set", "field": "priority", "value": str(value).lower()})
    elif name in ("set_tags", "current_tags", "remove_tags"):
        tags = value if isinstance(value, list) else str(value or "").split()
        kind = {"set_tags": "tags_set", "current_tags": "tags_add", "remove_tags": "tags_remove"}[name]
        actions.append({"action": kind, "value": tags})
    elif name in ("comment_value", "comment_value_html"):
        text = value[-1] if isinstance(value, list) else value
        if public:
            raise NotMapped(_("a public comment: make it a canned response and use the canned action"))
        actions.append({"action": "note", "body": str(text)})
    elif name in ("notification_user", "notification_group", "notification_target"):
        subject = value[1] if isinstance(value, list) and len(value) > 1 else name
        actions.append({"action": "notify", "text": str(subject)})
    elif name == "comment_mode_is_public":
        return
    else:
        raise NotMapped(_("Desk has no such action (groups, forms, users by id, custom fields)"))


def convert(item: dict[str, Any], *, kind: str, report: ImportReport) -> dict[str, Any] | None:
    """One Zendesk trigger or automation as a Desk rule definition, or None (skipped)."""
    title = str(item.get("title") or item.get("id") or "?")
    conditions = item.get("conditions") or {}
    clean: dict[str, Any] = {"all": [], "any": [], "actions": []}
    for group in ("all", "any"):
        for raw in conditions.get(group) or []:
            try:
                clean[group] += _condition(raw, kind=kind)
            except NotMapped as exc:
                if group == "all":
                    report.skipped.append((title, _("condition {field} {op} {value}: {why}").format(
                        field=raw.get("field"), op=raw.get("operator"), value=raw.get("value"), why=exc.reason)))
                    return None
                report.unmapped.append(Unmapped(title, str(raw.get("field")), json.dumps(raw.get("value")), exc.reason))
    if conditions.get("any") and not clean["any"]:
        report.skipped.append((title, _("none of its 'any' conditions can be mapped")))
        return None
    public = not any(a.get("field") == "comment_mode_is_public" and str(a.get("value")).lower() == "false"
                     for a in item.get("actions") or [])
    for raw in item.get("actions") or []:
        try:
            _action(raw, clean["actions"], public)
        except NotMapped as exc:
            report.unmapped.append(Unmapped(title, str(raw.get("field")), json.dumps(raw.get("value")), exc.reason))
    if not clean["actions"]:
        report.skipped.append((title, _("none of its actions can be mapped")))
        return None
    return clean


def import_zendesk(session: Session, *, data: object, actor_id: int | None = None,
                   include_inactive: bool = False) -> ImportReport:
    """Import ``{"triggers": [...]}`` and/or ``{"automations": [...]}`` (either or both), all or nothing."""
    if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in ("triggers", "automations")):
        raise errors.InvalidInput(_("This is not a Zendesk triggers or automations export."))
    report = ImportReport()
    with unit_of_work(session):
        for key, kind in (("triggers", "trigger"), ("automations", "automation")):
            items = sorted(data.get(key) or [], key=lambda item: (item.get("position") or 0, item.get("id") or 0))
            for item in items:
                title = " ".join(str(item.get("title") or "").split())
                if not title:
                    report.skipped.append((f"{kind} {item.get('id', '?')}", _("it has no title")))
                    continue
                if not item.get("active", True) and not include_inactive:
                    report.skipped.append((title, _("inactive in Zendesk")))
                    continue
                definition = convert(item, kind=kind, report=report)
                if definition is None:
                    continue
                try:
                    existing = rule_by_name(session, kind=kind, name=title)
                    if existing is not None:
                        ops.edit_rule(session, actor_id=actor_id, rule_id=existing.id, definition=definition)
                        report.updated.append(title)
                    else:
                        ops.add_rule(session, actor_id=actor_id, kind=kind, name=title, definition=definition,
                                     active=bool(item.get("active", True)))
                        report.created.append(title)
                except errors.InvalidInput as exc:
                    report.skipped.append((title, exc.message))
    return report


def import_zendesk_file(session: Session, path: Path, *, actor_id: int | None = None,
                        include_inactive: bool = False) -> ImportReport:
    # Unreadable, not UTF-8, too deep, surrogates, NUL: a message, never a crash.
    data = inputs.read_json_file(path, what=path.name)
    return import_zendesk(session, data=data, actor_id=actor_id, include_inactive=include_inactive)
