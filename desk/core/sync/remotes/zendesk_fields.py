"""Zendesk's ticket fields both ways: a ticket's JSON read into Desk's fields (``_ticket``) and
Desk's changes written as a request body (``_out``), with the users behind requesters and
assignees (looked up by id or e-mail, or sideloaded with a page, and cached with their e-mail,
name and role).

Desk's own fields are Zendesk ticket fields found by title (``desk_fields``); the category is
one of them, or a tag with a prefix on older set-ups. An assignee without an agent seat travels
in "Desk claimed by" only, and a solved or closed ticket nobody served gets the API user as a
stand-in assignee, tagged ``STAND_IN_TAG`` so it reads back unassigned. ``ZendeskFields`` is the
adapter's half that does this (``zendesk.ZendeskRemote``, which holds the state it reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from desk.core.i18n import _
from desk.core.sync import validate
from desk.core.sync.desk_fields import (
    BY_KEY,
    DESK_FIELDS,
    NOBODY,
    ZENDESK_CATEGORY_TITLE,
    tags_in,
    wire_in,
    wire_out,
)
from desk.core.sync.remotes import zendesk_csat
from desk.core.sync.remotes.base import Http, RemotePerson, RemoteTicket, expect
from desk.core.vocabulary import PRIORITIES  # Zendesk's priorities are Desk's: any other is "normal"

STATUS_OUT = {"new": "new", "open": "open", "pending": "pending", "on-hold": "hold",
              "solved": "solved", "closed": "closed"}
STAFF_ROLES = ("agent", "admin")  # Zendesk user roles; "end-user" is a requester
MERGED_TAG = "closed_by_merge"  # Zendesk tags the ticket it closes into another
STAND_IN_TAG = "desk_stand_in_assignee"  # the API user is the assignee only because Zendesk needs one


def _when(stamp: Any) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if isinstance(stamp, str) else None


def _csat(rating: Any) -> dict[str, Any]:
    """Zendesk's own satisfaction rating (the person's e-mail or web survey) counted as Explore
    counts it: "good" and "bad" are ratings, "offered"/"unoffered" (or a bare state string) are
    not. A person's rating wins over "Desk satisfaction" (an agent cannot set it upstream)."""
    if not isinstance(rating, dict) or not str(rating.get("score") or "").startswith(("good", "bad")):
        return {}
    score = "good" if str(rating["score"]).startswith("good") else "bad"
    out: dict[str, Any] = {"satisfaction": score}
    if isinstance(rating.get("comment"), str) and rating["comment"].strip():
        out["satisfaction_comment"] = rating["comment"].strip()
    out["satisfaction_source"] = "person"  # Zendesk's survey is the person's own rating
    if isinstance(rating.get("updated_at"), str):
        out["satisfaction_at"] = wire_in("satisfaction_at", rating["updated_at"])
    return out


def _slug(name: str) -> str:
    return "_".join(name.strip().lower().split())



class ZendeskFields:
    """The mapping half of ``ZendeskRemote``: the state it reads and fills is set up there."""

    config: dict[str, Any]
    status_out: dict[str, str]
    status_in: dict[str, str]
    username: str
    http: Http
    people_out: dict[str, str]
    people_in: dict[str, str]
    users: dict[str, tuple[str | None, str | None]]
    user_ids: dict[str, str | None]
    staff: dict[str, bool]
    skipped: list[str]
    notes: list[str]
    seen_people: list[RemotePerson]
    _tags: dict[str, list[str]]
    _assignees: dict[str, str | None]
    _statuses: dict[str, str]
    _raw_requester: dict[str, str | None]
    _fields: dict[str, int] | None
    _survey: dict[str, zendesk_csat.SurveyRating]

    def normalize(self, field: str, value: Any) -> Any:
        if field in BY_KEY:
            return wire_in(field, value)
        if field == "status":
            return self.status_in.get(self.status_out.get(value, value), value)
        if field == "category" and value is not None and self._category_field() is None:
            return _slug(value)
        if field in ("requester", "assignee") and isinstance(value, str):
            return value.lower()
        if field == "priority" and value is None:
            return "normal"
        return value

    def maps(self, field: str, value: Any, *, lookup: bool = False) -> bool:
        """False for an assignee with no Zendesk account: that field is left alone both ways
        (sending it would unassign the ticket upstream). Without ``lookup`` only the cache is
        consulted (no network inside a transaction)."""
        if field != "assignee" or not value:
            return True
        email = str(value).lower()
        if lookup:
            self._user_id(email)
            self._field_ids()
        if self._fields is not None and "claimed_by" in self._fields:
            return True  # an agent without a seat travels in "Desk claimed by"
        return self.user_ids.get(email, "") is not None

    def has_account(self, email: str | None) -> bool:
        """Whether ``email`` is an agent (or admin) here, who can be a ticket's assignee."""
        if not email:
            return True
        uid = self._user_id(email)
        return uid is not None and self.staff.get(uid, False)

    def _field_ids(self) -> dict[str, int]:
        """Desk's ticket fields on this account by key (``desk_fields``), read once per adapter
        (``config["fields"]`` may name them instead: no request at all)."""
        if self._fields is None:
            configured = self.config.get("fields")
            if isinstance(configured, dict) and configured:
                self._fields = {str(k): int(v) for k, v in configured.items()}
            else:
                self._fields = {}
                by_title = {f.zendesk_title.lower(): f.key for f in DESK_FIELDS}
                by_title[ZENDESK_CATEGORY_TITLE.lower()] = "category"
                for item in self.ticket_fields():
                    key = by_title.get(str(item.get("title") or "").lower())
                    if key and item.get("active", True) and key not in self._fields:
                        self._fields[key] = int(item["id"])
        return self._fields

    def ticket_fields(self) -> list[dict[str, Any]]:
        """Every ticket field of the account (``GET /api/v2/ticket_fields``)."""
        data = self.http.json("GET", "/api/v2/ticket_fields")
        expect(isinstance(data, dict) and isinstance(data.get("ticket_fields"), list), "Zendesk",
               "no ticket_fields list")
        return [item for item in data["ticket_fields"] if isinstance(item, dict) and "id" in item]

    def _category_field(self) -> int | None:
        cat = self.config["category"]
        if "field_id" in cat:
            return int(cat["field_id"])
        return self._field_ids().get("category")  # None: the category travels as a tag (older set-ups)

    def _me(self) -> str | None:
        """The API user's id: the stand-in assignee Zendesk insists on for a solved or closed
        ticket nobody served (a walk-away); "Desk claimed by" says nobody."""
        return self._user_id(self.username) if "@" in self.username else None

    def _user(self, user_id: Any) -> tuple[str | None, str | None]:
        if user_id is None:
            return None, None
        key = str(user_id)
        if key not in self.users:
            data = self.http.json("GET", f"/api/v2/users/{key}")
            expect(isinstance(data, dict) and isinstance(data.get("user"), dict), "Zendesk", "no user object")
            self._remember(key, data["user"])
        return self.users[key]

    def _remember(self, key: str, user: Any) -> None:
        """A user Zendesk sent (looked up or sideloaded): cached with e-mail, name and role, and
        noted with the name it has now (``seen_people``); a malformed one is kept as nobody Desk
        knows and said in the report."""
        problem = validate.zendesk_user_problem(user)
        if problem:
            self.skipped.append(validate.skipped("Zendesk", "user", key, problem))
            user = {}
        email = user.get("email")
        if isinstance(email, str):
            email = self.people_in.get(email.lower(), email)
        email = email.lower() if isinstance(email, str) and email else None
        name = user.get("name")
        self.users[key] = (email, name)
        self.staff[key] = user.get("role") in STAFF_ROLES
        if email:
            self.user_ids[email] = key
        if isinstance(name, str) and name.strip():
            self.seen_people.append(RemotePerson(key=key, email=email, name=name.strip()))

    def _sideloaded(self, data: Mapping[str, Any]) -> None:
        """``include=users``: the users of the listed tickets come with the page (no request per
        user), with the names they have now, so a rename shows when one of their tickets changes."""
        users = data.get("users")
        for user in users if isinstance(users, list) else []:
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                self._remember(str(user["id"]), user)

    def _user_id(self, email: str | None) -> str | None:
        if not email:
            return None
        email = email.lower()
        if email not in self.user_ids:
            upstream = self.people_out.get(email, email)
            data = self.http.json("GET", "/api/v2/users/search", params={"query": f"email:{upstream}"})
            expect(isinstance(data, dict) and isinstance(data.get("users"), list), "Zendesk", "no users list")
            found = [user for user in data["users"] if str(user.get("email", "")).lower() == upstream]
            self.user_ids[email] = str(found[0]["id"]) if found else None
            if found:
                self._remember(str(found[0]["id"]), found[0])
        return self.user_ids[email]

    def _ticket(self, data: Any) -> RemoteTicket:
        expect(isinstance(data, dict) and "id" in data and "status" in data, "Zendesk", "a ticket without id/status")
        problem = validate.zendesk_ticket_problem(data)
        expect(problem is None, "Zendesk", f"ticket {str(data.get('id'))[:40]}: {problem}")
        remote_id = str(data["id"])
        tags = [str(tag) for tag in data.get("tags") or []]
        self._tags[remote_id] = tags
        self._assignees[remote_id] = str(data["assignee_id"]) if data.get("assignee_id") else None
        self._statuses[remote_id] = str(data["status"])
        self._raw_requester[remote_id] = str(data["requester_id"]) if data.get("requester_id") else None
        ids = self._field_ids()
        values: dict[int, Any] = {}
        for item in data.get("custom_fields") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                values[item["id"]] = item.get("value")
        prefix = self.config["category"].get("tag_prefix", "desk_category_")
        category_field = self._category_field()
        if category_field is not None:
            value = values.get(category_field)
            category = value if isinstance(value, str) and value else None  # a number or object is no value
        else:  # older set-ups: the category as a tag (its slug; see normalize)
            matches = sorted(tag[len(prefix):] for tag in tags if tag.startswith(prefix))
            category = matches[0] if matches else None
        requester_email, requester_name = self._user(data.get("requester_id"))
        assignee_email, _name = self._user(data.get("assignee_id"))
        created = data.get("created_at")
        fields: dict[str, Any] = {
            "subject": data.get("subject") or data.get("raw_subject") or "(no subject)",
            "status": self.status_in.get(data["status"], "open"),
            "priority": data.get("priority") if data.get("priority") in PRIORITIES else "normal",
            "category": category,
            "requester": requester_email,
            "assignee": self._assignee_in(assignee_email, values.get(ids["claimed_by"]) if "claimed_by" in ids else None,
                                          stand_in=STAND_IN_TAG in tags),
            # Zendesk's own tags are Desk's tags (not the category's tag, nor the stand-in mark).
            "tags": sorted({tag for tag in tags if not tag.startswith(prefix) and tag != STAND_IN_TAG}),
        }
        for item in DESK_FIELDS:
            if item.merged and item.key != "tags" and item.key in ids:
                fields[item.key] = wire_in(item.key, values.get(ids[item.key]))
        legacy = _csat(data.get("satisfaction_rating"))
        fields.update(legacy)
        survey = self._survey.get(remote_id)
        if survey is not None and (survey.at or "") >= (legacy.get("satisfaction_at") or ""):
            fields.update(survey.fields())  # the newer of the two person's ratings wins
        merged = data["status"] == "closed" and MERGED_TAG in tags
        return RemoteTicket(
            remote_id=remote_id, version=data.get("updated_at"), fields=fields,
            gone="merged" if merged else None,
            gone_detail=_("closed and merged into another ticket on Zendesk") if merged else None,
            uuid=data.get("external_id") or None, description=data.get("description") or "",
            requester_name=requester_name,
            created_at=_when(created),
        )

    def _assignee_in(self, native: str | None, claimed_raw: Any, *, stand_in: bool) -> str | None:
        """Zendesk's assignee, unless it shows nobody or only the stand-in (the API user on a
        walk-away, ``_solvable``): then "Desk claimed by" says who has the person (an agent
        without a seat), or nobody."""
        if native is not None and not (stand_in and native == self.username.lower()):
            return native
        claimed = wire_in("claimed_by", claimed_raw)
        return None if claimed in (None, NOBODY) else claimed

    def _out(self, remote_id: str | None, changes: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        ids = self._field_ids()
        custom: dict[int, Any] = {}
        prefix = self.config["category"].get("tag_prefix", "desk_category_")
        category_field = self._category_field()
        tags = list(self._tags.get(remote_id or "", []))
        tags_changed = False
        for name, value in changes.items():
            if name == "subject":
                body["subject"] = value
            elif name == "status":
                body["status"] = self.status_out.get(value, "open")
            elif name == "priority":
                body["priority"] = value
            elif name == "assignee":
                self._assignee_out(value, body, custom, ids)
            elif name == "requester" and value:
                uid = self._user_id(value)
                if uid:
                    body["requester_id"] = int(uid)
                else:
                    body["requester"] = {"email": value, "name": value.split("@")[0]}
            elif name == "category":
                if category_field is not None:
                    custom[category_field] = value
                else:
                    tags = [t for t in tags if not t.startswith(prefix)] + ([prefix + _slug(value)] if value else [])
                    tags_changed = True
            elif name == "tags":
                tags = [t for t in tags if t.startswith(prefix) or t == STAND_IN_TAG] + tags_in(value)
                tags_changed = True
            elif name in ids and name in BY_KEY:
                custom[ids[name]] = wire_out(name, value)
        if tags_changed:
            body["tags"] = sorted(set(tags))  # tags replace the whole list: the others are kept above
        if custom:
            body["custom_fields"] = [{"id": key, "value": value} for key, value in custom.items()]
        return body

    def _assignee_out(self, email: str | None, body: dict[str, Any], custom: dict[int, Any],
                      ids: Mapping[str, int]) -> None:
        if "claimed_by" in ids:
            custom[ids["claimed_by"]] = (email or NOBODY).lower()
        if not email:
            body["assignee_id"] = None
            return
        uid = self._user_id(email)
        if uid is not None and self.staff.get(uid, False):
            body["assignee_id"] = int(uid)
            return
        # No agent account (or no paid seat): Zendesk would refuse or drop it. Nobody natively;
        # other PCs read the claim from "Desk claimed by".
        where = _("in the field “Desk claimed by”") if "claimed_by" in ids else _(
            "anywhere: run `desk remote prepare` to add Desk's fields")
        note = _("not synced: no account on Zendesk for {email}; the claim travels {where}.").format(
            email=email, where=where)
        if note not in self.notes:
            self.notes.append(note)
        if "claimed_by" in ids:
            body["assignee_id"] = None

    def _solvable(self, remote_id: str | None, body: dict[str, Any], *, closing: bool) -> None:
        """Zendesk refuses to solve or close a ticket without an assignee. A walk-away (nobody
        served them) still has to be closed: the API user stands in natively and the ticket is
        tagged ``STAND_IN_TAG``, so it comes back unassigned (or with the seatless agent "Desk
        claimed by" names). A real assignee later drops the tag."""
        tags = list(body["tags"]) if "tags" in body else list(self._tags.get(remote_id or "", []))
        current = body["assignee_id"] if "assignee_id" in body else self._assignees.get(remote_id or "")
        stand_in = closing and not current and (me := self._me()) is not None
        if stand_in:
            body["assignee_id"] = int(me)  # type: ignore[arg-type]
            if STAND_IN_TAG not in tags:
                body["tags"] = sorted({*tags, STAND_IN_TAG})
        elif "assignee_id" in body and body["assignee_id"] and STAND_IN_TAG in tags:
            body["tags"] = sorted(set(tags) - {STAND_IN_TAG})
