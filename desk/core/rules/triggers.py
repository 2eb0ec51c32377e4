"""Triggers: rules run when an operation created or changed a ticket, inside its transaction.

``run_triggers`` is called by ``engine.after_operation`` (the one hook every unit of work runs
before it commits), never by the operations themselves. Active triggers are taken in order;
each that matches acts at once and the later ones see its changes, then the list is gone
through again for triggers that now match. **Loop guard**: a trigger fires at most once per
ticket per operation, so two triggers undoing each other's changes stop after one round each.
Changes pulled from a remote helpdesk run no trigger (the remote runs its own).

``run_actions`` is shared with automations: every change goes through the operations' own
helpers (the ticket's ``_apply``, the comments' ``insert_comment``, the reply path
``send_reply`` for a canned reply) with the rule named in the audit rows. A rule's action that
cannot be done (a category deleted since, a canned response renamed) is skipped and logged, so
a stale rule never makes a person's operation fail. No Qt here.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.models import CannedResponse, Category, DeskNotice, Location, Person, Ticket
from desk.core.ops._audit import ACTING_RULE, PENDING, AuditNote
from desk.core.rules.matching import AUDIT_FIELDS, Event, audit_values, matches
from desk.core.rules.store import LoadedRule

log = logging.getLogger(__name__)


def _by_name(session: Session, model: type, name: str | None) -> int | None:
    if name is None:
        return None
    found = session.scalar(select(model.id).where(func.lower(model.name) == name.lower()))  # type: ignore[attr-defined]
    if found is None:
        raise errors.NotFound(f"There is no {model.__tablename__[:-1]} named {name!r}.")  # type: ignore[attr-defined]
    return found


def _agent(session: Session, who: str | None) -> int | None:
    if who in (None, "none"):
        return None
    found = session.scalar(select(Person.id).where(Person.is_agent.is_(True), Person.active.is_(True),
                                                   func.lower(Person.email) == str(who).lower()))
    if found is None:
        raise errors.NotFound(f"No active agent has the e-mail {who}.")
    return found


def _set(session: Session, ticket: Ticket, action: dict[str, Any], fields: dict[str, object]) -> None:
    name, value = action["field"], action["value"]
    if name in ("status", "priority"):
        fields[name] = value
    elif name == "category":
        fields["category_id"] = _by_name(session, Category, value)
    elif name == "location":
        fields["location_id"] = _by_name(session, Location, value)
    elif name == "assignee":
        fields["assignee_id"] = _agent(session, value)


def _canned_titled(session: Session, title: str) -> int | None:
    return session.scalar(select(CannedResponse.id).where(func.lower(CannedResponse.title) == title.lower()))


def _canned_reply(session: Session, ticket: Ticket, title: str, now: datetime) -> None:
    from desk.core.ops.canned import preview
    from desk.core.ops.replies import send_reply

    canned_id = _canned_titled(session, title)
    if canned_id is None:
        from desk.core.canned_io import default_title_variants

        # A default rule installed in one language, its default response in another (the first
        # variant is the title itself, looked up above).
        others = default_title_variants(title)[1:]
        canned_id = next(filter(None, (_canned_titled(session, other) for other in others)), None)
    if canned_id is None:
        raise errors.NotFound(f"There is no canned response titled {title!r}.")
    shown = preview(session, canned_id=canned_id, ticket_id=ticket.id, agent_id=None)
    fields = {name: value for name, value in shown.fields.items() if name != "assignee_id"}  # nobody is "me"
    send_reply(session, ticket_id=ticket.id, author_id=None, body=shown.text, public=shown.public,
               expected_version=ticket.version, fields=fields, canned_id=canned_id,
               new_category=shown.new_category, now=now)


def run_actions(session: Session, ticket: Ticket, rule: LoadedRule, *, now: datetime, kind: str) -> bool:
    """Do the rule's actions on ``ticket`` (audit rows name the rule); True if anything was done."""
    from desk.core.ops.comments import insert_comment
    from desk.core.ops.tickets import _apply, bump_version

    session.info[ACTING_RULE] = rule.id
    did = False
    try:
        fields: dict[str, object] = {}
        tags = [tag.name for tag in ticket.tags]
        new_tags = list(tags)
        for action in rule.definition["actions"]:
            name = action["action"]
            try:
                if name == "set":
                    _set(session, ticket, action, fields)
                elif name == "tags_add":
                    new_tags += [tag for tag in action["value"] if tag not in new_tags]
                elif name == "tags_remove":
                    new_tags = [tag for tag in new_tags if tag not in action["value"]]
                elif name == "tags_set":
                    new_tags = list(action["value"])
                elif name == "note":
                    insert_comment(session, ticket, author_id=None, body=action["body"], public=False,
                                   now=now, status=None)
                    did = True
                elif name == "canned":
                    _canned_reply(session, ticket, action["title"], now)
                    did = True
                elif name == "notify":
                    session.add(DeskNotice(at=now, ticket_id=ticket.id, rule_id=rule.id,
                                           text=f"#{ticket.id} {ticket.subject}: {action['text']}"))
                    did = True
            except (errors.NotFound, errors.InvalidInput) as exc:
                log.warning("%s %r skipped its %s action on ticket #%s: %s", kind, rule.name, name, ticket.id, exc)
        if sorted(set(new_tags)) != tags:
            fields["tags"] = sorted(set(new_tags))
        if fields and _apply(session, ticket, fields, actor_id=None, now=now, action=kind):
            bump_version(ticket, now)
            did = True
    finally:
        session.info.pop(ACTING_RULE, None)
    return did


def event_of(session: Session, notes: list[AuditNote]) -> Event:
    event = Event(created=any(note.action == "create" for note in notes))
    for note in notes:
        name = AUDIT_FIELDS.get(note.field or "")
        if name is not None and note.action != "create":
            old, new = audit_values(session, note.field or "", note.old, note.new)
            event.merge(name, old, new)
        if note.text:
            event.text = f"{event.text} {note.text}".strip()
    return event


def run_triggers(
    session: Session, ticket: Ticket, notes: list[AuditNote], *, triggers: list[LoadedRule], now: datetime,
    calendar: object,
) -> None:
    """Run ``triggers`` on what the operation did to ``ticket`` (its audit ``notes``)."""
    if not any(note.origin is None and note.rule_id is None for note in notes):
        return  # pulled from a remote, or already a rule's own doing
    event = event_of(session, notes)
    fired: set[int] = set()
    for _round in range(len(triggers)):
        progressed = False
        for trigger in triggers:
            if trigger.id in fired or not matches(trigger.definition, ticket, event=event, now=now,
                                                  calendar=calendar):  # type: ignore[arg-type]
                continue
            fired.add(trigger.id)  # the loop guard: once per ticket per operation
            mark = len(session.info.get(PENDING, []))
            run_actions(session, ticket, trigger, now=now, kind="trigger")
            later = event_of(session, [n for n in session.info.get(PENDING, [])[mark:] if n.ticket_id == ticket.id])
            for name, (old, new) in later.changes.items():
                event.merge(name, old, new)
            progressed = True
        if not progressed:
            break
