"""Canned responses: create, edit, duplicate, delete; preview and apply to a ticket.

A canned response has a body with placeholders (``desk.core.templating``) and actions, a JSON
list of ``{"field": …, "value": …}``:

=============  ===============================================================
``status``      one of the ticket statuses
``priority``    one of the priorities
``category``    a category name (created when first applied if it does not exist)
``tags_add``    list of tags to add          ``tags_remove``  list of tags to remove
``tags_set``    list of tags replacing all of the ticket's tags
``assignee``    ``"me"`` (the agent applying it), ``"none"``, or an agent's e-mail
``public``      true: the text goes out as a public reply; false: as an internal note
=============  ===============================================================

Unknown placeholders are refused when the response is saved (``UnknownPlaceholders``), so a
requester never receives ``{{tikcet.id}}``. A shared response (``owner_id`` None) is seen by
every agent; a personal one only by its owner.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors, templating
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import PRIORITIES, STATUSES, CannedResponse, Category, Person, Ticket, utcnow
from desk.core.ops._audit import record
from desk.core.ops.replies import send_reply
from desk.core.queries.tickets import get_ticket

ACTION_FIELDS = ("status", "priority", "category", "tags_add", "tags_remove", "tags_set",
                 "assignee", "public")
ACTION_LABELS = {
    "status": "Status", "priority": "Priority", "category": "Category", "tags_add": "Add tags",
    "tags_remove": "Remove tags", "tags_set": "Set tags", "assignee": "Assignee",
    "public": "Reply type",
}
MAX_TITLE = 200


class UnknownPlaceholders(errors.InvalidInput):
    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        known = ", ".join("{{" + name + "}}" for name in templating.PLACEHOLDERS)
        listed = ", ".join("{{" + name + "}}" for name in self.names)
        super().__init__(f"Unknown placeholder(s): {listed}. Known placeholders: {known}.")


def tag_name(name: str) -> str:
    """Tags as the ticket operations store them: lower case, spaces become underscores."""
    return "_".join(name.strip().lower().split())


def _tag_list(value: object, what: str) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise errors.InvalidInput(_('{what} must be a list of tag names.').format(what=what))
    return sorted({tag_name(item) for item in value if item.strip()})


def _find_agent(session: Session, email: str) -> Person | None:
    return session.scalar(
        select(Person).where(func.lower(Person.email) == email.strip().lower(), Person.is_agent.is_(True))
    )


def normalise_actions(session: Session | None, actions: object) -> list[dict[str, Any]]:
    """Check and tidy a list of actions; raises ``InvalidInput`` naming the bad one.

    With a session, an assignee e-mail must belong to an agent of this store.
    """
    if isinstance(actions, str):
        try:
            actions = json.loads(actions or "[]")
        except json.JSONDecodeError as exc:
            raise errors.InvalidInput(_('The actions are not valid JSON: {exc}.').format(exc=exc)) from exc
    if not isinstance(actions, (list, tuple)):
        raise errors.InvalidInput(_("Actions must be a list of {field, value} pairs."))
    tidy: dict[str, Any] = {}
    for action in actions:
        if not isinstance(action, Mapping) or "field" not in action:
            raise errors.InvalidInput(_('Not an action: {action!r}.').format(action=action))
        name, value = action["field"], action.get("value")
        if name not in ACTION_FIELDS:
            raise errors.InvalidInput(
                _('Unknown action {name!r}; a canned response can set {join}.').format(name=name, join=', '.join(ACTION_FIELDS))
            )
        if name == "status" and value not in STATUSES:
            raise errors.InvalidInput(_('Status must be one of {join} (got {value!r}).').format(join=', '.join(STATUSES), value=value))
        if name == "priority" and value not in PRIORITIES:
            raise errors.InvalidInput(_('Priority must be one of {join} (got {value!r}).').format(join=', '.join(PRIORITIES), value=value))
        if name == "category":
            value = " ".join(str(value or "").split())
            if not value:
                raise errors.InvalidInput(_("The category action needs a category name."))
        if name.startswith("tags_"):
            value = _tag_list(value, ACTION_LABELS[name])
        if name == "assignee":
            value = str(value or "").strip()
            if value.lower() in ("me", "none"):
                value = value.lower()
            elif "@" not in value:
                raise errors.InvalidInput(_('Assignee must be "me", "none" or an agent\'s e-mail address.'))
            elif session is not None and _find_agent(session, value) is None:
                raise errors.InvalidInput(_('{value} is not an agent in this store.').format(value=value))
        if name == "public" and not isinstance(value, bool):
            raise errors.InvalidInput(_("The reply-type action must be true (public) or false (internal)."))
        tidy[name] = value  # a later action for the same field wins, as in Zendesk
    return [{"field": name, "value": tidy[name]} for name in ACTION_FIELDS if name in tidy]


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise errors.InvalidInput(_("A canned response needs a title."))
    return title[:MAX_TITLE]


def _check_body(body: str, allow_unknown: bool) -> None:
    unknown = templating.unknown_placeholders(body)
    if unknown and not allow_unknown:
        raise UnknownPlaceholders(unknown)


def _get(session: Session, canned_id: int) -> CannedResponse:
    canned = session.get(CannedResponse, canned_id)
    if canned is None:
        raise errors.NotFound(_('There is no canned response #{canned_id}.').format(canned_id=canned_id))
    return canned


def _check_owner(canned: CannedResponse, actor_id: int | None) -> None:
    if canned.owner_id is not None and canned.owner_id != actor_id:
        raise errors.InvalidInput(_("“{title}” is someone else's personal canned response.").format(title=canned.title))


def _actions_json(session: Session, actions: object, origin: str | None) -> str:
    """The actions as stored: checked and tidied when typed here; as the remote sent them when
    pulled (``origin``): a helpdesk's macro may carry actions Desk does not know (``preview``
    applies only the ones it does), and refusing them would stop the sync."""
    if origin is None:
        return json.dumps(normalise_actions(session, actions))
    return json.dumps(list(actions) if isinstance(actions, (list, tuple)) else [])


def create_canned(
    session: Session, *, actor_id: int | None, title: str, body: str = "",
    actions: object = (), owner_id: int | None = None, allow_unknown: bool = False,
    uuid: str | None = None, usage_count: int = 0, now: datetime | None = None,
    origin: str | None = None,
) -> Changes:
    """A new canned response, shared (``owner_id`` None) or personal. ``origin`` names the
    remote a pulled one came from (its macro): kept with the remote's placeholders and actions."""
    title = _clean_title(title)
    _check_body(body, allow_unknown or origin is not None)
    now = now or utcnow()
    with unit_of_work(session):
        canned = CannedResponse(title=title, body=body, actions=_actions_json(session, actions, origin),
                                owner_id=owner_id, usage_count=usage_count, created_at=now, updated_at=now)
        if uuid:
            canned.uuid = uuid
        session.add(canned)
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="canned-create",
               field="canned_response", new=title, origin=origin)
        return Changes(canned=True, created_id=canned.id)


_UNSET: Any = object()


def update_canned(
    session: Session, *, canned_id: int, actor_id: int | None, title: str = _UNSET,
    body: str = _UNSET, actions: object = _UNSET, owner_id: int | None = _UNSET,
    allow_unknown: bool = False, now: datetime | None = None, origin: str | None = None,
) -> Changes:
    """Change the given parts; ``owner_id=None`` makes it shared, an id makes it personal.
    ``origin``: the remote whose macro changed (as in ``create_canned``)."""
    now = now or utcnow()
    if title is not _UNSET:
        title = _clean_title(title)
    if body is not _UNSET:
        _check_body(body, allow_unknown or origin is not None)
    with unit_of_work(session):
        canned = _get(session, canned_id)
        _check_owner(canned, actor_id)
        old_title = canned.title
        if title is not _UNSET:
            canned.title = title
        if body is not _UNSET:
            canned.body = body
        if actions is not _UNSET:
            canned.actions = _actions_json(session, actions, origin)
        if owner_id is not _UNSET:
            canned.owner_id = owner_id
        canned.updated_at = now
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="canned-edit",
               field="canned_response", old=old_title, new=canned.title, origin=origin)
        return Changes(canned=True)


def duplicate_canned(
    session: Session, *, canned_id: int, actor_id: int | None, owner_id: int | None = _UNSET,
    now: datetime | None = None,
) -> Changes:
    """A copy titled “… (copy)”; same sharing unless ``owner_id`` is given. Use count starts at 0."""
    now = now or utcnow()
    with unit_of_work(session):
        original = _get(session, canned_id)
        _check_owner(original, actor_id)
        copy = CannedResponse(
            title=_clean_title(f"{original.title} (copy)"), body=original.body,
            actions=original.actions,
            owner_id=original.owner_id if owner_id is _UNSET else owner_id,
            created_at=now, updated_at=now,
        )
        session.add(copy)
        session.flush()
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="canned-create",
               field="canned_response", old=original.title, new=copy.title)
        return Changes(canned=True, created_id=copy.id)


def delete_canned(
    session: Session, *, canned_id: int, actor_id: int | None, now: datetime | None = None
) -> Changes:
    now = now or utcnow()
    with unit_of_work(session):
        canned = _get(session, canned_id)
        _check_owner(canned, actor_id)
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="canned-delete",
               field="canned_response", old=canned.title)
        session.delete(canned)
        return Changes(canned=True)


@dataclass(frozen=True)
class FieldChange:
    field: str  # the action's label, e.g. "Status"
    old: str
    new: str


@dataclass(frozen=True)
class CannedPreview:
    canned_id: int
    title: str
    text: str  # the body with its placeholders filled
    public: bool
    unknown: tuple[str, ...]
    empty: tuple[str, ...]
    changes: tuple[FieldChange, ...]  # only what would actually change
    fields: dict[str, object]  # for ``update_ticket`` / ``send_reply``
    new_category: str | None = None  # a category the apply will create
    marked: str = ""  # ``text`` with each placeholder that has no value shown as a gap, "[location?]"

    @property
    def summary(self) -> str:
        return "; ".join(f"{change.field}: {change.old} → {change.new}" for change in self.changes)


def actions_of(canned: CannedResponse) -> list[dict[str, Any]]:
    try:
        loaded = json.loads(canned.actions or "[]")
    except json.JSONDecodeError:
        return []
    return loaded if isinstance(loaded, list) else []


def _person_label(person: Person | None) -> str:
    return person.name if person is not None else "(nobody)"


def preview(session: Session, *, canned_id: int, ticket_id: int, agent_id: int | None) -> CannedPreview:
    """What applying the response to the ticket would post and change; changes nothing."""
    canned = _get(session, canned_id)
    ticket = get_ticket(session, ticket_id)
    rendered = templating.render(canned.body, templating.context_for(
        session, ticket_id=ticket_id, agent_id=agent_id, ticket=ticket))
    public = True
    fields: dict[str, object] = {}
    changes: list[FieldChange] = []
    new_category = None
    tags = [tag.name for tag in ticket.tags]
    new_tags = list(tags)
    for action in actions_of(canned):
        name, value = action.get("field"), action.get("value")
        if name == "public":
            public = bool(value)
        elif name in ("status", "priority") and value != getattr(ticket, name):
            fields[name] = value
            changes.append(FieldChange(ACTION_LABELS[name], getattr(ticket, name), str(value)))
        elif name == "category":
            category = session.scalar(select(Category).where(func.lower(Category.name) == str(value).lower()))
            if category is None:
                new_category = str(value)  # created when applied, in the same transaction
            elif category.id != ticket.category_id:
                fields["category_id"] = category.id
            if category is None or category.id != ticket.category_id:
                old = ticket.category.name if ticket.category else "(none)"
                changes.append(FieldChange("Category", old, str(value) + (" (new)" if category is None else "")))
        elif name == "tags_set":
            new_tags = list(value or [])
        elif name == "tags_add":
            new_tags += [tag for tag in value or [] if tag not in new_tags]
        elif name == "tags_remove":
            new_tags = [tag for tag in new_tags if tag not in (value or [])]
        elif name == "assignee":
            if value == "me":
                assignee = session.get(Person, agent_id) if agent_id is not None else None
            elif value == "none":
                assignee = None
            else:
                assignee = _find_agent(session, str(value))
                if assignee is None:
                    raise errors.InvalidInput(_('“{title}” assigns to {value}, who is not an agent here.').format(title=canned.title, value=value))
            if (assignee.id if assignee else None) != ticket.assignee_id:
                fields["assignee_id"] = assignee.id if assignee else None
                changes.append(FieldChange("Assignee", _person_label(ticket.assignee), _person_label(assignee)))
    new_tags = sorted(set(new_tags))
    if new_tags != tags:
        fields["tags"] = new_tags
        changes.append(FieldChange("Tags", ", ".join(tags) or "(none)", ", ".join(new_tags) or "(none)"))
    if not public:
        changes.insert(0, FieldChange("Reply type", "public reply", "internal note"))
    return CannedPreview(
        canned_id=canned.id, title=canned.title, text=rendered.text, public=public,
        unknown=rendered.unknown, empty=rendered.empty, changes=tuple(changes), fields=fields,
        new_category=new_category, marked=rendered.marked,
    )


def apply_canned(
    session: Session, *, canned_id: int, ticket_id: int, agent_id: int | None,
    expected_version: int, body: str | None = None, extra_fields: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> Changes:
    """Post the filled-in text (or ``body`` if the agent edited it) and apply the actions,
    in one transaction; counts the use. ``ConflictError`` if the ticket moved on."""
    shown = preview(session, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id)
    fields = dict(shown.fields)
    fields.update(extra_fields or {})
    return send_reply(
        session, ticket_id=ticket_id, author_id=agent_id,
        body=shown.text if body is None else body, public=shown.public,
        expected_version=expected_version, fields=fields, canned_id=canned_id,
        new_category=shown.new_category if "category_id" not in (extra_fields or {}) else None,
        now=now,
    )


def ticket_version(session: Session, ticket_id: int) -> int:
    version = session.scalar(select(Ticket.version).where(Ticket.id == ticket_id))
    if version is None:
        raise errors.NotFound(_('There is no ticket #{ticket_id}.').format(ticket_id=ticket_id))
    return version
