"""`desk remote check` and `desk remote prepare`: what a remote lacks before Desk writes to it,
with the exact steps (or API calls) to fix each thing, and the creating of Desk's fields where
the remote's API and the token's rights allow it.

``check`` only reads. Each ``Finding`` says what was looked at, whether it is missing, why it
matters and how to fix it; the CLI prints them and exits non-zero while something essential
is missing (the uuid field above all: without it the sync refuses to create tickets there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from desk.core.i18n import _
from desk.core.sync.credentials import Secret
from desk.core.sync.desk_fields import DESK_FIELDS, ZENDESK_CATEGORY_TITLE
from desk.core.sync.remotes.base import Remote, RemoteAuthError, RemoteRejected


@dataclass(frozen=True)
class Finding:
    what: str
    ok: bool
    fix: str = ""  # the steps or the API call, when not ok
    essential: bool = False  # sync refuses to write without it


def check(remote: Remote, *, agents: Iterable[str] = (),
          agent_tokens: Mapping[str, Secret | None] | None = None) -> list[Finding]:
    """What ``remote`` has and lacks for Desk (reads only). ``agents``: the local agents'
    e-mails, each looked for as an account that can be assigned tickets. ``agent_tokens``
    (RT): each agent's own token (None: listed but gone from the keyring), each tried with one
    GET; the findings name the RT user it belongs to, never the token."""
    if remote.kind == "rt":
        return _check_rt(remote, agents) + _agent_token_findings(remote, agent_tokens or {})
    return _check_zendesk(remote, agents)


def ready(findings: Iterable[Finding]) -> bool:
    return all(f.ok for f in findings if f.essential)


def _agent_findings(remote: Remote, agents: Iterable[str], where: str, fix: str) -> list[Finding]:
    out = []
    for email in sorted({a.lower() for a in agents if a}):
        has = remote.has_account(email)  # type: ignore[attr-defined]
        out.append(Finding(what=_("agent account for {email}").format(email=email), ok=has,
                           fix="" if has else fix.format(email=email, where=where)))
    return out


def rt_datafile(fields: Iterable[str], queue: str) -> str:
    """A data file for ``rt-setup-database-5 --action insert`` creating the custom fields
    (RT's REST 2 API cannot create them)."""
    lines = ["@CustomFields = ("]
    for name in fields:
        lines.append(f"    {{ Name => {name!r}, Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',")
        lines.append(f"      Queue => [{queue!r}], Description => 'Desk (shared desk work, see desk remote check)' }},")
    lines.append(");")
    lines.append("1;")
    return "\n".join(lines) + "\n"


def _rt_field_names(remote: Remote) -> list[str]:
    config = remote.config  # type: ignore[attr-defined]
    return [config["uuid_field"], config["category_field"], *(f.rt_name for f in DESK_FIELDS)]


def _check_rt(remote: Remote, agents: Iterable[str]) -> list[Finding]:
    config = remote.config  # type: ignore[attr-defined]
    queue = str(config.get("queue") or "General")
    findings: list[Finding] = []
    try:
        have = remote.queue_fields()  # type: ignore[attr-defined]
    except RemoteRejected:
        return [Finding(what=_("queue {queue}").format(queue=queue), ok=False, essential=True,
                        fix=_("Create it (RT: Admin → Queues → Create) or run `desk remote prepare`: "
                              "POST /REST/2.0/queue {{\"Name\": \"{queue}\"}}.").format(queue=queue))]
    findings.append(Finding(what=_("queue {queue}").format(queue=queue), ok=True))
    for name in _rt_field_names(remote):
        essential = name == config["uuid_field"]
        findings.append(Finding(
            what=_("ticket custom field “{name}”").format(name=name), ok=name in have, essential=essential,
            fix=_("RT: Admin → Custom Fields → Create: name “{name}”, type “Enter one value”, applies to "
                  "Tickets; then Applies to → queue {queue}. Or `desk remote prepare` writes a data file "
                  "for rt-setup-database-5 --action insert.").format(name=name, queue=queue)))
    user = remote.username  # type: ignore[attr-defined]
    try:
        data = remote.http.json("GET", f"/REST/2.0/user/{quote(user, safe='@')}") if user else None
        privileged = isinstance(data, dict) and str(data.get("Privileged") or "") not in ("", "0")
    except (RemoteRejected, RemoteAuthError):
        privileged = False
    findings.append(Finding(
        what=_("Desk's RT user {user} is staff (privileged)").format(user=user or "?"), ok=privileged,
        fix=_("RT: Admin → Users → {user} → check “Let this user be granted rights (Privileged)”, and grant "
              "the queue's ShowTicket, ModifyTicket, OwnTicket, ReplyToTicket, CommentOnTicket, "
              "SeeCustomField, ModifyCustomField.").format(user=user or "?")))
    findings += _agent_findings(
        remote, agents, "Request Tracker",
        _("RT: Admin → Users → Create with e-mail {email}, Privileged, in a group with OwnTicket on the "
          "queue. Until then the claim travels in “Desk Claimed By” ({where} shows Nobody)."))
    return findings


def _agent_token_findings(remote: Remote, tokens: Mapping[str, Secret | None]) -> list[Finding]:
    from desk.core.sync.remotes import rt_agents

    accounts = remote.people_out  # type: ignore[attr-defined]
    name = remote.agent_tokens.remote  # type: ignore[attr-defined]
    out = []
    for email in sorted(tokens):
        state = rt_agents.probe(remote.http, email=email, secret=tokens[email], account=accounts.get(email))
        what = _("RT token of {email}").format(email=email)
        again = _("set it again: `desk remote token {remote} --agent {email}` (a token made by that agent in "
                  "RT: Logged in as → Settings → Auth Tokens)").format(remote=name, email=email)
        if state.state == "valid" and state.privileged:
            out.append(Finding(what=_("{what}: valid, RT user {login}").format(what=what, login=state.login),
                               ok=True))
        elif state.state == "valid":
            out.append(Finding(what=_("{what}: valid, RT user {login}, who is not staff").format(
                what=what, login=state.login), ok=False, fix=_(
                    "RT: Admin → Users → {login} → check “Let this user be granted rights (Privileged)”; "
                    "until then RT may refuse their replies, which then go up as Desk's RT user.").format(
                        login=state.login)))
        elif state.state == "mismatch":
            out.append(Finding(what=_("{what}: belongs to the RT user {login} ({rt_email}), not to them").format(
                what=what, login=state.login or "?", rt_email=state.rt_email or _("no e-mail")), ok=False,
                fix=_("Desk does not use it (their replies would be credited to someone else); "
                      "{again}, or map them to {login} in Settings → Remotes → People….").format(
                          again=again, login=state.login or "?")))
        elif state.state == "refused":
            out.append(Finding(what=_("{what}: refused by RT ({detail})").format(what=what, detail=state.detail),
                               ok=False, fix=_("Revoked or mistyped: {again}.").format(again=again)))
        elif state.state == "unreadable":
            out.append(Finding(what=_("{what}: not an RT auth token").format(what=what), ok=False,
                               fix=_("RT's tokens read 1-<number>-<32 hex digits>: {again}.").format(again=again)))
        else:
            out.append(Finding(what=_("{what}: listed, but no longer in the system keyring").format(what=what),
                               ok=False, fix=_("{again}, or forget it: `desk remote token {remote} --agent "
                                               "{email} --clear`.").format(again=again, remote=name, email=email)))
    return out


def _check_zendesk(remote: Remote, agents: Iterable[str]) -> list[Finding]:
    titles = {str(item.get("title") or "").lower() for item in remote.ticket_fields()}  # type: ignore[attr-defined]
    findings = [Finding(what=_("the uuid (Zendesk's built-in external_id)"), ok=True, essential=True)]
    for title, kind in [*((f.zendesk_title, f.zendesk_type) for f in DESK_FIELDS), (ZENDESK_CATEGORY_TITLE, "text")]:
        findings.append(Finding(
            what=_("ticket field “{title}”").format(title=title), ok=title.lower() in titles,
            fix=_("`desk remote prepare` (an admin's token), or: POST /api/v2/ticket_fields "
                  "{{\"ticket_field\": {{\"type\": \"{kind}\", \"title\": \"{title}\"}}}}").format(
                      kind=kind, title=title)))
    findings += _agent_findings(
        remote, agents, "Zendesk",
        _("Zendesk: Admin Center → Team members → add {email} as an agent (a seat). Until then the claim "
          "travels in “Desk claimed by” and {where} shows the ticket unassigned."))
    return findings


def prepare(remote: Remote, *, datafile: Path | None = None) -> list[str]:
    """Create what ``check`` found missing where the API allows it; returns what was done (or,
    for RT's custom fields, the data file written and the command to run)."""
    try:
        return _prepare(remote, datafile)
    except RemoteAuthError:
        raise RemoteRejected(_("{remote} refused to create Desk's fields: that needs an administrator's "
                               "token. `desk remote check` lists the fields and the calls an admin can make.").format(
                                   remote=remote.http.name)) from None


def _prepare(remote: Remote, datafile: Path | None) -> list[str]:
    missing = [f for f in check(remote) if not f.ok]
    done: list[str] = []
    if remote.kind == "zendesk":
        for item in [*DESK_FIELDS]:
            if any(f.what == _("ticket field “{title}”").format(title=item.zendesk_title) for f in missing):
                remote.http.json("POST", "/api/v2/ticket_fields",  # type: ignore[attr-defined]
                                 json={"ticket_field": {"type": item.zendesk_type, "title": item.zendesk_title}},
                                 ok=(200, 201))
                done.append(_("created the ticket field “{title}”").format(title=item.zendesk_title))
        if any(f.what == _("ticket field “{title}”").format(title=ZENDESK_CATEGORY_TITLE) for f in missing):
            remote.http.json("POST", "/api/v2/ticket_fields",  # type: ignore[attr-defined]
                             json={"ticket_field": {"type": "text", "title": ZENDESK_CATEGORY_TITLE}}, ok=(200, 201))
            done.append(_("created the ticket field “{title}”").format(title=ZENDESK_CATEGORY_TITLE))
        return done
    config = remote.config  # type: ignore[attr-defined]
    queue = str(config.get("queue") or "General")
    if any(f.what == _("queue {queue}").format(queue=queue) for f in missing):
        remote.http.json("POST", "/REST/2.0/queue", json={"Name": queue}, ok=(201,))  # type: ignore[attr-defined]
        done.append(_("created the queue {queue}").format(queue=queue))
        remote._queue_fields = None  # type: ignore[attr-defined]  # noqa: SLF001 - read again
        missing = [f for f in check(remote) if not f.ok]
    names = [name for name in _rt_field_names(remote)
             if any(f.what == _("ticket custom field “{name}”").format(name=name) for f in missing)]
    if names and datafile is not None:
        datafile.write_text(rt_datafile(names, queue), encoding="utf-8")
        done.append(_("RT's REST 2 API cannot create custom fields: wrote {file}; on the RT server run "
                      "`rt-setup-database-5 --action insert --datafile {file}` (as root), then "
                      "`desk remote check` again.").format(file=datafile))
    return done
