"""Import and export canned responses as JSON; import Zendesk macros; install the default set.

Desk's own format::

    {"format": "desk-canned-responses", "version": 1,
     "canned_responses": [{"uuid": …, "title": …, "body": …, "actions": [{"field", "value"}],
                           "shared": true, "owner_email": null, "usage_count": 0}]}

Zendesk macros are read in the shape ``GET /api/v2/macros`` returns (``{"macros": [...]}``),
a single ``{"macro": {...}}``, or a bare list. Anything that cannot be mapped (group, custom
fields, a Zendesk user id, …) is listed in the report, never silently dropped. Importing the
same file twice updates the responses it created instead of duplicating them.
"""

from __future__ import annotations

import json
import re
import uuid as uuid_module
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.core import errors, files, inputs, templating
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.desk_settings import load_desk_settings
from desk.core.i18n import _, current_language
from desk.core.models import CannedResponse, Person, utcnow
from desk.core.ops._audit import record
from desk.core.ops.canned import MAX_TITLE, normalise_actions
from desk.core.queries.canned import list_canned
from desk.core.settings import get_setting

FORMAT = "desk-canned-responses"
DEFAULTS_PATH = Path(__file__).resolve().parent.parent.parent / "resources" / "canned" / "default.json"
# The default set in each language Desk speaks; a store gets the one of its language.
DEFAULTS_BY_LANGUAGE = {"en": DEFAULTS_PATH, "ko": DEFAULTS_PATH.with_name("default.ko.json")}
DEFAULTS_SETTING = "canned.defaults_installed"

# Zendesk placeholder -> Desk placeholder (only the ones that mean the same thing)
ZENDESK_PLACEHOLDERS = {
    "ticket.id": "ticket.id",
    "ticket.title": "ticket.subject",
    "ticket.status": "ticket.status",
    "ticket.priority": "ticket.priority",
    "ticket.requester.first_name": "requester.first_name",
    "ticket.requester.name": "requester.name",
    "ticket.requester.email": "requester.email",
    "current_user.first_name": "agent.first_name",
    "current_user.name": "agent.name",
}
ZENDESK_STATUS = {"new": "new", "open": "open", "pending": "pending", "hold": "on-hold",
                  "solved": "solved", "closed": "closed"}


@dataclass(frozen=True)
class Unmapped:
    title: str
    field: str
    value: str
    reason: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (title, why)
    unmapped: list[Unmapped] = field(default_factory=list)
    unknown_placeholders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report in words, for the CLI and the import dialog."""
        out = [f"{len(self.created)} created, {len(self.updated)} updated, {len(self.skipped)} skipped."]
        out += [f"Skipped “{title}”: {why}" for title, why in self.skipped]
        out += [f"Not imported from “{item.title}”: {item.field} = {item.value} ({item.reason})"
                for item in self.unmapped]
        out += [f"“{title}” uses unknown placeholder(s): " + ", ".join("{{" + n + "}}" for n in names)
                for title, names in self.unknown_placeholders.items()]
        out += self.notes
        return out


# ---------------------------------------------------------------------------------------- export


def export_data(session: Session, *, agent_id: int | None = None, everyone: bool = True) -> dict[str, Any]:
    """Every canned response (or only those ``agent_id`` can see) in Desk's JSON format."""
    emails = {row[0]: row[1] for row in session.execute(select(Person.id, Person.email))}
    items = []
    for row in list_canned(session, agent_id=agent_id, everyone=everyone):
        items.append({
            "uuid": row.uuid, "title": row.title, "body": row.body, "actions": row.actions,
            "shared": row.shared, "owner_email": emails.get(row.owner_id) if row.owner_id else None,
            "usage_count": row.usage_count,
        })
    return {"format": FORMAT, "version": 1, "canned_responses": items}


def export_json(session: Session, *, agent_id: int | None = None, everyone: bool = True) -> str:
    return json.dumps(export_data(session, agent_id=agent_id, everyone=everyone), indent=2,
                      ensure_ascii=False) + "\n"


def export_file(session: Session, *, path: Path, agent_id: int | None = None, everyone: bool = True) -> Path:
    """``export_json`` to ``path``, whole or not at all (FileError on trouble)."""
    text = export_json(session, agent_id=agent_id, everyone=everyone)
    return files.write_text(path, text, what="canned-response export")


# ---------------------------------------------------------------------------------------- import


class _Text(HTMLParser):
    """HTML to plain text, keeping paragraph and line breaks (comment_value_html)."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        elif tag in ("p", "div", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def zendesk_body(text: str) -> str:
    """Rename the Zendesk placeholders Desk knows; leave the others (they get reported)."""

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        return "{{" + ZENDESK_PLACEHOLDERS[name] + "}}" if name in ZENDESK_PLACEHOLDERS else match.group(0)

    return templating.PLACEHOLDER_RE.sub(rename, text)


def _comment_text(value: object) -> str:
    # comment_value is a string, or ["channel:all", "text"] in some accounts' exports
    if isinstance(value, list):
        strings = [item for item in value if isinstance(item, str)]
        if len(strings) >= 2 and strings[0].startswith("channel:"):
            return strings[1]
        return "\n".join(strings)
    return "" if value is None else str(value)


def _truthy(value: object) -> bool:
    return value in (True, "true", "True", "1", 1)


def macro_to_item(macro: dict[str, Any], report: ImportReport) -> dict[str, Any] | None:
    """One Zendesk macro as a Desk item; what cannot be mapped goes into ``report``."""
    title = " ".join(str(macro.get("title") or "").split())[:MAX_TITLE]
    if not title:
        report.skipped.append((f"macro {macro.get('id', '?')}", "it has no title"))
        return None
    body_text, body_html = "", ""
    actions: list[dict[str, Any]] = []

    def unmapped(name: str, value: object, reason: str) -> None:
        report.unmapped.append(Unmapped(title, name, json.dumps(value, ensure_ascii=False), reason))

    raw_actions = macro.get("actions")
    for action in raw_actions if isinstance(raw_actions, list) else []:
        if not isinstance(action, dict):
            unmapped("?", action, "an action that is not an object")
            continue
        name, value = action.get("field"), action.get("value")
        if name == "comment_value":
            body_text = _comment_text(value)
        elif name == "comment_value_html":
            body_html = _comment_text(value)
        elif name == "comment_mode_is_public":
            actions.append({"field": "public", "value": _truthy(value)})
        elif name == "status":
            if isinstance(value, str) and value in ZENDESK_STATUS:
                actions.append({"field": "status", "value": ZENDESK_STATUS[value]})
            else:
                unmapped(name, value, "not a status Desk knows")
        elif name == "priority":
            if isinstance(value, str) and value in ("low", "normal", "high", "urgent"):
                actions.append({"field": "priority", "value": value})
            else:
                unmapped(name, value, "not a priority Desk knows")
        elif name in ("current_tags", "remove_tags", "set_tags"):
            desk_name = {"current_tags": "tags_add", "remove_tags": "tags_remove", "set_tags": "tags_set"}[name]
            tags = [str(tag) for tag in value] if isinstance(value, list) else str(value or "").split()
            actions.append({"field": desk_name, "value": tags})
        elif name == "assignee_id" and value == "current_user":
            actions.append({"field": "assignee", "value": "me"})
        elif name == "assignee_id" and value in ("", None):
            actions.append({"field": "assignee", "value": "none"})
        elif name == "assignee_id":
            unmapped(name, value, "a Zendesk user id; set the assignee by e-mail after import")
        elif name in ("group_id", "brand_id", "ticket_form_id"):
            unmapped(name, value, "Desk has no groups, brands or forms")
        elif name == "type":
            unmapped(name, value, "Desk has no ticket type")
        elif isinstance(name, str) and name.startswith("custom_fields_"):
            unmapped(name, value, "custom fields have no equivalent in Desk")
        else:
            unmapped(str(name), value, "not an action Desk knows")
    body = zendesk_body(body_text or (html_to_text(body_html) if body_html else ""))
    if body_html and not body_text:
        report.notes.append(f"“{title}”: the HTML text was converted to plain text.")
    restriction = macro.get("restriction") or {}
    item = {
        "uuid": str(uuid_module.uuid5(uuid_module.NAMESPACE_URL,
                                      str(macro.get("url") or f"zendesk-macro:{macro.get('id', title)}"))),
        "title": title, "body": body, "actions": actions, "shared": True, "owner_email": None,
        "usage_count": 0,
    }
    if restriction.get("type") == "User":
        item["shared"] = False  # personal in Zendesk: personal for the agent importing it
    elif restriction.get("type") == "Group":
        report.notes.append(f"“{title}” was limited to Zendesk group(s) {restriction.get('ids') or restriction.get('id')}; "
                            "it is shared in Desk.")
    return item


def parse(data: object, report: ImportReport, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Desk items from either format."""
    if isinstance(data, dict) and data.get("format") == FORMAT:
        items = data.get("canned_responses")
        if not isinstance(items, list):
            raise errors.InvalidInput(_("The file has no canned_responses list."))
        return [item for item in items if isinstance(item, dict)]
    if isinstance(data, dict) and isinstance(data.get("macros"), list):
        macros = data["macros"]
        if data.get("next_page"):
            report.notes.append("The file is one page of several (next_page is set); "
                                "import the other pages too.")
    elif isinstance(data, dict) and isinstance(data.get("macro"), dict):
        macros = [data["macro"]]
    elif isinstance(data, list):
        macros = data
    else:
        raise errors.InvalidInput(_("This is neither a Desk canned-response export nor Zendesk macros "
                                  "(GET /api/v2/macros)."))
    items = []
    for macro in macros:
        if not isinstance(macro, dict):
            continue
        if macro.get("active") is False and not include_inactive:
            report.skipped.append((str(macro.get("title") or macro.get("id")), "inactive in Zendesk"))
            continue
        item = macro_to_item(macro, report)
        if item is not None:
            items.append(item)
    return items


def _clean_actions(session: Session, title: str, raw: object, report: ImportReport) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for action in raw if isinstance(raw, list) else []:
        try:
            kept += normalise_actions(session, [action])
        except errors.InvalidInput as exc:
            value = action.get("value") if isinstance(action, dict) else action
            report.unmapped.append(Unmapped(title, str(action.get("field") if isinstance(action, dict) else "?"),
                                            json.dumps(value, ensure_ascii=False), exc.message))
    return normalise_actions(None, kept)  # merges repeats, keeps one order


def _store_items(
    session: Session, items: list[dict[str, Any]], report: ImportReport, *, owner_id: int | None,
    actor_id: int | None,
) -> None:
    now = utcnow()
    for item in items:
        title = " ".join(str(item.get("title") or "").split())[:MAX_TITLE]
        if not title:
            report.skipped.append(("(untitled)", "it has no title"))
            continue
        body = str(item.get("body") or "")
        unknown = templating.unknown_placeholders(body)
        if unknown:
            report.unknown_placeholders[title] = unknown
        actions = _clean_actions(session, title, item.get("actions"), report)
        owner = None
        if not item.get("shared", True):
            email = item.get("owner_email")
            person = session.scalar(select(Person).where(func.lower(Person.email) == str(email).lower())) \
                if email else None
            owner = person.id if person is not None else owner_id
            if owner is None:
                report.notes.append(f"“{title}” was personal; with nobody signed in it is shared.")
        key = str(item.get("uuid") or "") or None
        canned = session.scalar(select(CannedResponse).where(CannedResponse.uuid == key)) if key else None
        if canned is None:
            canned = CannedResponse(title=title, created_at=now, usage_count=int(item.get("usage_count") or 0))
            if key:
                canned.uuid = key
            session.add(canned)
            report.created.append(title)
        else:
            report.updated.append(title)
        canned.title, canned.body, canned.actions = title, body, json.dumps(actions)
        canned.owner_id, canned.updated_at = owner, now
    session.flush()
    record(session, ticket_id=None, actor_id=actor_id, at=now, action="canned-import",
           field="canned_response", new=f"{len(report.created)} created, {len(report.updated)} updated")


def import_data(
    session: Session, data: object, *, actor_id: int | None = None, owner_id: int | None = None,
    include_inactive: bool = False,
) -> tuple[Changes, ImportReport]:
    """Import Desk or Zendesk JSON (already parsed) in one transaction. ``owner_id`` receives
    responses that were personal where they came from."""
    report = ImportReport()
    items = parse(data, report, include_inactive=include_inactive)
    with unit_of_work(session):
        _store_items(session, items, report, owner_id=owner_id, actor_id=actor_id)
    return Changes(canned=True), report


def import_file(
    session: Session, path: Path | str, *, actor_id: int | None = None, owner_id: int | None = None,
    include_inactive: bool = False,
) -> tuple[Changes, ImportReport]:
    path = Path(path)
    data = inputs.read_json_file(path, what=str(path))
    return import_data(session, data, actor_id=actor_id, owner_id=owner_id, include_inactive=include_inactive)


def defaults_path(session: Session) -> Path:
    """The default set for this store's language."""
    language = load_desk_settings(session).language or current_language()
    return DEFAULTS_BY_LANGUAGE.get(language, DEFAULTS_PATH)


def _default_sets() -> dict[str, list[dict[str, Any]]]:
    return {lang: json.loads(path.read_text(encoding="utf-8"))["canned_responses"]
            for lang, path in DEFAULTS_BY_LANGUAGE.items()}


def default_title_variants(title: str) -> list[str]:
    """``title``, then the titles of the same default response in Desk's other languages, when
    ``title`` is a default's title in one of them. A default rule names its canned response in
    the language the rules were installed in, and the responses may have been installed, or
    rewritten by the set-up assistant, in another."""
    sets = _default_sets()
    variants = [title]
    for items in sets.values():
        for index, item in enumerate(items):
            if item["title"].casefold() == title.casefold():
                variants += [other[index]["title"] for other in sets.values() if other[index]["title"] not in variants]
    return variants


def defaults_follow_language(session: Session, *, language: str, actor_id: int | None = None) -> bool:
    """Inside the caller's transaction (the set-up assistant's): the default responses nobody
    has used or edited yet are rewritten in ``language`` — the window installs them as it
    starts, before the assistant asks for the desk's language. True when any changed."""
    target = DEFAULTS_BY_LANGUAGE.get(language)
    if target is None:
        return False
    sets = _default_sets()
    wanted = sets[language]
    untouched = {(item["title"], item["body"]): index
                 for lang, items in sets.items() if lang != language for index, item in enumerate(items)}
    changed = False
    now = utcnow()
    for canned in session.scalars(select(CannedResponse).where(CannedResponse.usage_count == 0)):
        index = untouched.get((canned.title, canned.body))
        if index is None:
            continue
        old = canned.title
        canned.title, canned.body, canned.updated_at = wanted[index]["title"], wanted[index]["body"], now
        record(session, ticket_id=None, actor_id=actor_id, at=now, action="canned-edit",
               field="canned_response", old=old, new=canned.title)
        changed = True
    return changed


def install_defaults(session: Session, *, path: Path | None = None) -> Changes:
    """Load the default canned responses once per store, in the store's language (the desk's
    language setting; when it follows the system, the language Desk speaks now). Calling it
    again does nothing, so a default the team deleted stays deleted."""
    if get_setting(session, DEFAULTS_SETTING):
        return Changes()
    path = path or defaults_path(session)
    data = json.loads(path.read_text(encoding="utf-8"))
    report = ImportReport()
    items = parse(data, report)
    with unit_of_work(session):
        from desk.core.models import Setting

        if session.get(Setting, DEFAULTS_SETTING) is not None:  # another window was quicker
            return Changes()
        _store_items(session, items, report, owner_id=None, actor_id=None)
        session.add(Setting(key=DEFAULTS_SETTING, value=utcnow().isoformat()))
    return Changes(canned=True, settings=True)
