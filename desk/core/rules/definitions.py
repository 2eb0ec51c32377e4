"""What a rule is made of, checked: conditions, actions and SLA targets as JSON.

One shape for all three kinds, so the CLI's JSON, the window's form and the Zendesk import
produce the same thing::

    {"all": [condition, ...], "any": [condition, ...],          # every kind
     "actions": [action, ...],                                  # triggers and automations
     "targets": {"first_response": {"hours": 1, "business": true}, ...},   # SLA policies
     "pause": true}                                             # SLA: clocks stop while pending/on-hold

A condition is ``{"field": F, "op": O, "value": V}``:

* fields of the ticket: ``status``, ``priority``, ``channel``, ``category``, ``location`` (names),
  ``assignee`` (an agent's e-mail or ``none``), ``requester_kind``, ``tags``; ops ``is``,
  ``is_not``, ``in``, ``not_in`` (``tags``: ``includes``, ``excludes``);
* ``text`` ``contains`` (subject, description and the operation's comment; no case);
* ``business_hours`` ``is`` true/false (the desk is open now);
* ``update`` ``is`` ``create`` or ``change`` (triggers);
* ``changed`` of a field: ops ``changed``, ``changed_from``, ``changed_to`` (triggers);
* clocks (automations): ``hours_since_status``, ``hours_since_created``, ``hours_since_update``
  with ops ``ge``/``lt`` and a number of hours (``"business": true`` counts open hours only).

An action is ``{"action": A, ...}``: ``set`` (``field`` status/priority/category/location/assignee,
``value``), ``tags_add``/``tags_remove``/``tags_set`` (``value``: names), ``note`` (``body``),
``canned`` (``title`` of a canned response; sent as a public reply through the reply path),
``notify`` (``text``, shown to the desk). No Qt here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from desk.core import errors, inputs
from desk.core.i18n import _
from desk.core.vocabulary import CHANNELS, PERSON_KINDS, PRIORITIES, STATUSES

KINDS = ("trigger", "automation", "sla")
TICKET_FIELDS = ("status", "priority", "channel", "category", "location", "assignee", "requester_kind", "tags")
CHOICES: dict[str, tuple[str, ...]] = {
    "status": STATUSES, "priority": PRIORITIES, "channel": CHANNELS, "requester_kind": PERSON_KINDS,
}
FIELD_OPS = ("is", "is_not", "in", "not_in")
TAG_OPS = ("includes", "excludes")
CHANGE_OPS = ("changed", "changed_from", "changed_to")
CLOCKS = ("hours_since_status", "hours_since_created", "hours_since_update")
CLOCK_OPS = ("ge", "lt")
SET_FIELDS = ("status", "priority", "category", "location", "assignee")
TAG_ACTIONS = ("tags_add", "tags_remove", "tags_set")
ACTIONS = ("set", *TAG_ACTIONS, "note", "canned", "notify")
TARGETS = ("first_response", "next_reply", "resolution")
MAX_RULES_TEXT = 20_000
MAX_CONDITIONS = 50
MAX_HOURS = 24 * 366


def _bad(message: str) -> errors.InvalidInput:
    return errors.InvalidInput(message)


def _condition(raw: object, *, kind: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise _bad(_("Each condition is an object with a field, an op and a value."))
    field, op, value = raw.get("field"), raw.get("op", "is"), raw.get("value")
    if field in TICKET_FIELDS and field != "tags" and op in CHANGE_OPS:
        field = f"changed:{field}"  # {"field": "status", "op": "changed_to", ...} reads naturally
    clean: dict[str, Any] = {"field": field, "op": op}
    if field in TICKET_FIELDS:
        ops = TAG_OPS if field == "tags" else FIELD_OPS
        if op not in ops:
            raise _bad(_("The condition on {field} needs one of the ops {ops}.").format(field=field, ops=", ".join(ops)))
        values = list(value) if op in ("in", "not_in") or field == "tags" and isinstance(value, list) else [value]
        if field == "tags":
            values = [str(item).strip().lower() for item in values if str(item).strip()]
            if not values:
                raise _bad(_("A condition on tags needs at least one tag."))
        allowed = CHOICES.get(field)
        for item in values:
            if allowed is not None and item not in allowed:
                raise _bad(_("{value!r} is not a {field}; choose one of {allowed}.").format(
                    value=item, field=field, allowed=", ".join(allowed)))
        clean["value"] = values if op in ("in", "not_in") or field == "tags" else values[0]
    elif field == "text":
        if op != "contains" or not str(value or "").strip():
            raise _bad(_("A text condition is 'contains' with the words to look for."))
        clean["value"] = str(value).strip()
    elif field == "business_hours":
        clean.update(op="is", value=bool(value))
    elif field == "update":
        if kind != "trigger" or value not in ("create", "change"):
            raise _bad(_("The update condition (create or change) belongs to triggers."))
        clean.update(op="is", value=value)
    elif isinstance(field, str) and field.startswith("changed:"):
        name = field.removeprefix("changed:")
        if kind != "trigger" or name not in TICKET_FIELDS or op not in CHANGE_OPS:
            raise _bad(_("A 'changed' condition belongs to triggers and names a ticket field."))
        if op != "changed":
            allowed = CHOICES.get(name)
            if allowed is not None and value not in allowed:
                raise _bad(_("{value!r} is not a {field}.").format(value=value, field=name))
            clean["value"] = value
    elif field in CLOCKS:
        if kind != "automation" or op not in CLOCK_OPS:
            raise _bad(_("Clock conditions (hours since …) belong to automations, with ge or lt."))
        try:
            hours = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise _bad(_("{field} needs a number of hours.").format(field=field)) from exc
        if not 0 <= hours <= MAX_HOURS:
            raise _bad(_("{field}: the hours must be between 0 and {most}.").format(field=field, most=MAX_HOURS))
        clean.update(value=hours, business=bool(raw.get("business", False)))
    else:
        raise _bad(_("Unknown condition field {field!r}.").format(field=field))
    return clean


def _action(raw: object) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or raw.get("action") not in ACTIONS:
        raise _bad(_("Each action is an object whose action is one of {actions}.").format(actions=", ".join(ACTIONS)))
    action = raw["action"]
    if action == "set":
        field, value = raw.get("field"), raw.get("value")
        if field not in SET_FIELDS:
            raise _bad(_("A set action names one of {fields}.").format(fields=", ".join(SET_FIELDS)))
        allowed = CHOICES.get(field)
        if allowed is not None and value not in allowed:
            raise _bad(_("{value!r} is not a {field}.").format(value=value, field=field))
        return {"action": "set", "field": field, "value": None if value in (None, "") else str(value)}
    if action in TAG_ACTIONS:
        value = raw.get("value")
        names = [value] if isinstance(value, str) else list(value or [])
        return {"action": action, "value": sorted({str(n).strip().lower() for n in names if str(n).strip()})}
    text_key = {"note": "body", "canned": "title", "notify": "text"}[action]
    text = str(raw.get(text_key) or "").strip()
    if not text:
        raise _bad(_("The {action} action needs its {what}.").format(action=action, what=text_key))
    return {"action": action, text_key: text}


def _targets(raw: object) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, Mapping) or not raw:
        raise _bad(_("An SLA policy needs targets: first_response, next_reply or resolution."))
    clean = {}
    for name, target in raw.items():
        if name not in TARGETS:
            raise _bad(_("Unknown SLA target {name!r}; use {targets}.").format(name=name, targets=", ".join(TARGETS)))
        if not isinstance(target, Mapping):
            target = {"hours": target}
        try:
            hours = float(target.get("hours"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise _bad(_("The {name} target needs a number of hours.").format(name=name)) from exc
        if not 0 < hours <= MAX_HOURS:
            raise _bad(_("The {name} target must be more than 0 hours.").format(name=name))
        clean[name] = {"hours": hours, "business": bool(target.get("business", True))}
    return {name: clean[name] for name in TARGETS if name in clean}


def check_definition(kind: str, raw: object) -> dict[str, Any]:
    """The rule's definition, validated and in its one canonical form (InvalidInput otherwise)."""
    if kind not in KINDS:
        raise _bad(_("A rule is a trigger, an automation or an SLA policy (sla)."))
    if isinstance(raw, str):
        raw = inputs.parse_json(raw, what=_("The rule"))
    if not isinstance(raw, Mapping):
        raise _bad(_("A rule's definition is a JSON object."))
    unknown = set(raw) - {"all", "any", "actions", "targets", "pause"}
    if unknown:
        raise _bad(_("Unknown part {part!r} in the rule.").format(part=sorted(unknown)[0]))
    clean: dict[str, Any] = {}
    for group in ("all", "any"):
        items = raw.get(group) or []
        if not isinstance(items, list) or len(items) > MAX_CONDITIONS:
            raise _bad(_("'{group}' is a list of at most {n} conditions.").format(group=group, n=MAX_CONDITIONS))
        clean[group] = [_condition(item, kind=kind) for item in items]
    if kind == "sla":
        if raw.get("actions"):
            raise _bad(_("An SLA policy has targets, not actions."))
        static = [c for c in clean["all"] + clean["any"] if c["field"] not in TICKET_FIELDS]
        if static:
            raise _bad(_("An SLA policy's conditions are on ticket fields (priority, category, channel, "
                         "requester kind, tags)."))
        clean["targets"] = _targets(raw.get("targets"))
        clean["pause"] = bool(raw.get("pause", True))
    else:
        if raw.get("targets"):
            raise _bad(_("Only SLA policies have targets."))
        actions = raw.get("actions") or []
        if not isinstance(actions, list) or not actions:
            raise _bad(_("A rule needs at least one action."))
        clean["actions"] = [_action(item) for item in actions]
        if kind == "automation" and not any(c["field"] in CLOCKS for c in clean["all"]):
            raise _bad(_("An automation needs a clock condition in 'all' (such as hours_since_status ge 96)."))
    if len(json.dumps(clean)) > MAX_RULES_TEXT:
        raise _bad(_("The rule is too long."))
    return clean


def digest(conditions: object) -> str:
    """A short fingerprint of a rule's conditions: editing them re-arms an automation."""
    text = json.dumps(conditions, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
