"""Request Tracker's ticket fields both ways: a ticket's JSON read into Desk's fields
(``_ticket``) and Desk's changes written as a request body (``_out``), with the RT users behind
requesters and owners and the first line naming a comment's author (``AUTHOR_LINE``).

Statuses and priorities go through the remote's tables (``rt.DEFAULT_CONFIG``); the category and
Desk's own fields are ticket custom fields (``desk_fields``). Owners are RT user names: an agent's
e-mail is mapped through the configured ``people``, else looked up by EmailAddress (privileged
users only); an agent without an RT account travels in "Desk Claimed By" only. Users shown with a
RealName are noted for ``sync.people_sync``. ``RTFields`` is the adapter's half that does this
(``rt.RTRemote``, which holds the state it reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from desk.core.i18n import _
from desk.core.sync.desk_fields import BY_KEY, DESK_FIELDS, NOBODY, wire_in, wire_out
from desk.core.sync.remotes.base import (
    Http,
    RemoteAuthError,
    RemotePerson,
    RemoteRejected,
    RemoteTicket,
    expect,
)

UNKNOWN_OWNER: Any = object()  # owned by a login with no e-mail: Desk cannot say who
CLAIMED_BY = next(f for f in DESK_FIELDS if f.key == "claimed_by")
UNSET_DATE = "1970-01-01T00:00:00Z"
AUTHOR_LINE = "[Desk: written by {email}]"  # first line of a reply sent for another agent


def _real_name(ref: Any) -> str | None:
    """A requester's RealName when RT sent one (``fields[Requestor]=RealName``): names survive."""
    if isinstance(ref, dict) and isinstance(ref.get("RealName"), str) and ref["RealName"].strip():
        return ref["RealName"].strip()
    return None


def _author_line(text: str) -> tuple[str | None, str]:
    """(the agent named in a Desk author line, the text without it), or (None, text)."""
    first, _newline, rest = text.partition("\n")
    prefix, suffix = AUTHOR_LINE.split("{email}")
    if first.startswith(prefix) and first.rstrip().endswith(suffix):
        email = first.strip()[len(prefix):-len(suffix)].strip().lower()
        if "@" in email:
            return email, rest
    return None, text


class RTFields:
    """The mapping half of ``RTRemote``: the state it reads and fills is set up there."""

    config: dict[str, Any]
    http: Http
    api: str
    people_out: dict[str, str]
    people_in: dict[str, str]
    notes: list[str]
    seen_people: list[RemotePerson]
    _staff: dict[str, bool | None]
    _owners: dict[str, str | None]
    _logins: dict[str, str | None]

    def _status_in(self, value: str) -> str:
        return self.config["status_in"].get(value, "open")

    def _priority_in(self, value: Any) -> str:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return "normal"
        if number <= 0:
            return "normal"  # RT's default "unset" priority
        table: dict[str, int] = self.config["priority"]
        return min(table, key=lambda name: (abs(table[name] - number), -table[name]))

    def normalize(self, field: str, value: Any) -> Any:
        if field in BY_KEY:
            return wire_in(field, value)
        if field == "status":
            return self._status_in(self.config["status"].get(value, value))
        if field == "priority":
            return self._priority_in(self.config["priority"].get(value, 0))
        if field in ("requester", "assignee") and isinstance(value, str):
            return value.lower()
        if field == "category" and value == "":
            return None
        return value

    def _email(self, ref: Any) -> str | None:
        if not isinstance(ref, dict):
            return None
        email = ref.get("EmailAddress")
        name = str(ref.get("id") or "")
        if name in self.people_in:
            return self.people_in[name]
        if isinstance(email, str) and email:
            return email.lower()
        if name in ("", "Nobody", "RT_System"):
            return None
        return name.lower() if "@" in name else None

    def _owner_out(self, email: str | None) -> str | None:
        """The RT user name for an agent's e-mail: the configured map first, then RT's users
        looked up by EmailAddress (privileged ones only: RT refuses others as owners). None when
        RT has no such agent: the claim then travels in "Desk Claimed By" only."""
        if not email:
            return "Nobody"
        email = email.lower()
        if email in self.people_out:
            return self.people_out[email]
        if email not in self._owners:
            self._owners[email] = self._find_user(email)
        return self._owners[email]

    def _find_user(self, email: str) -> str | None:
        try:
            data = self.http.json("POST", f"{self.api}/users", params={"fields": "Name,EmailAddress"},
                                  json=[{"field": "EmailAddress", "operator": "=", "value": email}])
        except (RemoteRejected, RemoteAuthError):  # may not list users: try the e-mail as the name
            return email
        items = data.get("items") if isinstance(data, dict) else None
        for item in items or []:
            if isinstance(item, dict) and str(item.get("EmailAddress") or "").lower() == email:
                name = str(item.get("Name") or item.get("id") or email)
                # The collection leaves Privileged empty; RT refuses unprivileged owners.
                return name if self._privileged({"id": name}) is not False else None
        return None

    def _login_email(self, login: str) -> str | None:
        """An owner's e-mail when only the login came (``GET /user/:login``, once per login)."""
        if login not in self._logins:
            try:
                data = self.http.json("GET", f"{self.api}/user/{quote(login, safe='@')}")
            except (RemoteRejected, RemoteAuthError):
                data = None
            email = data.get("EmailAddress") if isinstance(data, dict) else None
            self._logins[login] = email.lower() if isinstance(email, str) and email else None
            if self._logins[login]:
                self.people_in.setdefault(login, self._logins[login])
        return self._logins[login]

    def has_account(self, email: str | None) -> bool:
        """Whether ``email`` can own tickets here (for "not synced: no account on RT")."""
        return not email or self._owner_out(email) is not None

    def _assignee_in(self, owner: Any, cfs: Mapping[str, Any]) -> str | None:
        """RT's owner, or, when RT shows nobody, the agent "Desk Claimed By" names (an agent
        without an RT account: other PCs still see who has the person)."""
        native = self._email(owner)
        if native:
            return native
        login = str(owner.get("id") or "") if isinstance(owner, dict) else ""
        if login and login not in ("Nobody", "RT_System"):
            found = self._login_email(login)
            return found if found else UNKNOWN_OWNER
        claimed = wire_in("claimed_by", cfs.get(CLAIMED_BY.rt_name))
        return None if claimed in (None, NOBODY) else claimed

    def _ticket(self, data: Any, version: str | None = None) -> RemoteTicket:
        expect(isinstance(data, dict) and "id" in data, "Request Tracker", "a ticket without id")
        cfs = {}
        for cf in data.get("CustomFields") or []:
            if isinstance(cf, dict) and isinstance(cf.get("name"), str):
                values = cf.get("values")
                first = values[0] if isinstance(values, list) and values else None
                cfs[cf["name"]] = first if isinstance(first, str) else None  # a number or object is no value
        requestors = data.get("Requestor") or []
        first = requestors[0] if isinstance(requestors, list) and requestors else None
        requester = self._email(first)
        self._observe(first)
        self._observe(data.get("Owner"))
        created = data.get("Created")
        fields: dict[str, Any] = {
            "subject": data.get("Subject") or "(no subject)",
            "status": self._status_in(str(data.get("Status", "open"))),
            "priority": self._priority_in(data.get("Priority")),
            "category": cfs.get(self.config["category_field"]) or None,
            "requester": requester,
            "assignee": self._assignee_in(data.get("Owner"), cfs),
        }
        if fields["assignee"] is UNKNOWN_OWNER:
            del fields["assignee"]  # an RT login Desk cannot tie to anyone: left alone both ways
        # The desk's own work, from the custom fields the queue has (an absent one is left alone).
        for item in DESK_FIELDS:
            if item.merged and item.rt_name in cfs:
                fields[item.key] = wire_in(item.key, cfs[item.rt_name])
        deleted = str(data.get("Status", "")) == "deleted"
        return RemoteTicket(
            remote_id=str(data["id"]), version=version or data.get("LastUpdated"),
            gone="deleted" if deleted else None, gone_detail=_("deleted on Request Tracker") if deleted else None,
            fields=fields,
            uuid=cfs.get(self.config["uuid_field"]) or None,
            requester_name=_real_name(first) or requester,
            requester_ref=str(first["id"]) if isinstance(first, dict) and first.get("id") else None,
            created_at=(datetime.fromisoformat(created.replace("Z", "+00:00"))
                        if isinstance(created, str) and created != UNSET_DATE else None),
        )

    def _out(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        cfs: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "subject":
                body["Subject"] = value
            elif name == "status":
                body["Status"] = self.config["status"].get(value, "open")
            elif name == "priority":
                body["Priority"] = self.config["priority"].get(value, 50)
            elif name == "assignee":
                owner = self._owner_out(value)
                if owner is not None:
                    body["Owner"] = owner
                else:  # no RT staff account: nobody natively, the claim in "Desk Claimed By"
                    body["Owner"] = "Nobody"
                    note = _("not synced: no account on Request Tracker for {email}; the claim travels in "
                             "the custom field “{field}”.").format(email=value, field=CLAIMED_BY.rt_name)
                    if note not in self.notes:
                        self.notes.append(note)
                cfs[CLAIMED_BY.rt_name] = (value or NOBODY).lower()
            elif name == "requester" and value:
                body["Requestor"] = [value]
            elif name == "category":
                cfs[self.config["category_field"]] = value or None
            elif name in BY_KEY:
                cfs[BY_KEY[name].rt_name] = wire_out(name, value)
        if cfs:
            body["CustomFields"] = cfs
        return body

    def _observe(self, ref: Any) -> None:
        """A user the listing showed with a RealName: noted for ``sync.people_sync``."""
        name = _real_name(ref)
        if name and isinstance(ref, dict) and ref.get("id") and str(ref["id"]) not in ("Nobody", "RT_System"):
            self.seen_people.append(RemotePerson(key=str(ref["id"]), email=self._email(ref), name=name))

    def _privileged(self, ref: Any) -> bool | None:
        """RT's privileged users are its staff (they get the web UI); unprivileged ones are
        requesters. The transaction's inline Creator leaves ``Privileged`` empty, so each author
        is read once per adapter (``/user/:id``)."""
        name = str(ref.get("id") or "") if isinstance(ref, dict) else ""
        if not name or name in ("Nobody", "RT_System"):
            return None
        if name not in self._staff:
            try:
                data = self.http.json("GET", f"{self.api}/user/{quote(name, safe='@')}")
            except (RemoteRejected, RemoteAuthError):  # not allowed to see users: unknown, not fatal
                data = None
            value = data.get("Privileged") if isinstance(data, dict) else None
            self._staff[name] = None if value is None else str(value) not in ("", "0")
        return self._staff[name]

    def _set_real_name(self, email: str, name: str) -> None:
        """RT makes requesters from their e-mail alone; give it the person's name so other PCs
        (and RT's own screens) show the name, not the address. Refused (no AdminUsers right):
        the name stays on this PC only."""
        try:
            data = self.http.json("GET", f"{self.api}/user/{quote(email, safe='@')}")
            if isinstance(data, dict) and not str(data.get("RealName") or "").strip():
                answer = self.http.json("PUT", f"{self.api}/user/{quote(email, safe='@')}", json={"RealName": name},
                                        ok=(200,))
                if isinstance(answer, list) and any("changed" in str(m).lower() for m in answer):
                    data["RealName"] = name  # RT answers 200 to a refusal too: only its word counts
            if isinstance(data, dict) and data.get("Name"):  # the name RT now has: this PC's last seen
                self._observe({"id": data["Name"], "EmailAddress": data.get("EmailAddress"),
                               "RealName": data.get("RealName")})
        except (RemoteRejected, RemoteAuthError):
            pass
