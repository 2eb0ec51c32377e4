"""`desk remote …` (configure hosted helpdesks) and `desk sync [NAME]` (run a sync headless)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import select

from desk.cli import arguments
from desk.cli.common import session_for
from desk.cli.main import add_db_option
from desk.core import errors, inputs
from desk.core.i18n import _, ngettext
from desk.core.models import Person
from desk.core.sync import config, credentials, engine, readiness
from desk.core.sync.run import sync_all


def register(subparsers: argparse._SubParsersAction) -> None:
    remote = subparsers.add_parser("remote", help=_("configure hosted helpdesks to sync with (RT, Zendesk)"),
                                   description=_("Configure the hosted helpdesks Desk syncs with."))
    add_db_option(remote)
    actions = remote.add_subparsers(dest="remote_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help=_("add a remote"), description=(
        _("Add a remote. Then store its token with `desk remote set-token NAME`. HTTPS is required "
        "except on this computer (127.0.0.1, localhost).")))
    add.add_argument("name")
    add.add_argument("--kind", choices=config.KINDS, required=True)
    add.add_argument("--url", required=True, help=_("e.g. https://example.zendesk.com or https://rt.example.org"))
    add.add_argument("--user", default="", help=_("Zendesk: the agent's e-mail; RT: the user name"))
    add.add_argument("--auth", default="token",
                     help=_("RT: token (default) or password; Zendesk: token (default) or oauth"))
    add.add_argument("--config", default=None,
                     help=_("JSON with field mappings (status, priority, category, people, queue…)"))
    add_db_option(add)
    add.set_defaults(func=cmd_add)

    token = actions.add_parser("set-token", help=_("store the remote's token (read from standard input)"),
                               description=(_("Read the token from standard input and keep it in the system "
                                            "keyring. For Zendesk OAuth, give JSON: {\"access_token\": …, "
                                            "\"refresh_token\": …, \"client_id\": …, \"client_secret\": …}.")))
    token.add_argument("name")
    add_db_option(token)
    token.set_defaults(func=cmd_set_token)

    agent_token = actions.add_parser(
        "token", help=_("an agent's own RT token, so their replies are theirs upstream (list, set, clear)"),
        description=_("Request Tracker writes a reply as the user whose token sent it. With an agent's own "
                      "token (made by them in RT: Logged in as → Settings → Auth Tokens) Desk posts their "
                      "replies and notes with it, and RT shows them as the author; without one they go up "
                      "as Desk's RT user with a “written by” line. Without --agent: list which agents have "
                      "one (never the token). With --agent: read the token from standard input (or a "
                      "hidden prompt) into the system keyring; with --clear: forget it."))
    agent_token.add_argument("name")
    agent_token.add_argument("--agent", metavar="EMAIL", default=None, help=_("the agent's e-mail here"))
    agent_token.add_argument("--clear", action="store_true", help=_("forget the agent's token"))
    add_db_option(agent_token)
    agent_token.set_defaults(func=cmd_agent_token)

    listing = actions.add_parser("list", help=_("list remotes"), description=_("List the configured remotes."))
    listing.add_argument("--json", action="store_true")
    add_db_option(listing)
    listing.set_defaults(func=cmd_list)

    remove = actions.add_parser("remove", help=_("forget a remote and its token (tickets stay)"),
                                description=_("Forget a remote, its sync state and its token; tickets stay."))
    remove.add_argument("name")
    add_db_option(remove)
    remove.set_defaults(func=cmd_remove)

    reset = actions.add_parser(
        "reset-cursor", help=_("forget where the pull got to: the next sync pulls everything again"),
        description=_("Forget the remote's saved pull position. Use it when the server refuses the saved "
                      "position (HTTP 422) or after restoring the remote helpdesk; the next sync pulls "
                      "everything again and merges what is unchanged as a no-op."))
    reset.add_argument("name")
    add_db_option(reset)
    reset.set_defaults(func=cmd_reset_cursor)

    conflicts = actions.add_parser("conflicts", help=_("list fields changed on both sides"),
                                   description=_("List sync conflicts waiting for a person."))
    add_db_option(conflicts)
    conflicts.set_defaults(func=cmd_conflicts)

    resolve = actions.add_parser("resolve", help=_("settle a sync conflict"),
                                 description=_("Keep the local value (mine) or the remote's (theirs)."))
    resolve.add_argument("conflict_id", type=arguments.ID)
    resolve.add_argument("keep", choices=("mine", "theirs"))
    add_db_option(resolve)
    resolve.set_defaults(func=cmd_resolve)

    check = actions.add_parser("check", help=_("say what the remote lacks for Desk (reads only)"),
                               description=_("Before any write: list what the remote has and lacks for Desk "
                                             "(queue, custom fields, rights, agent accounts) and the exact "
                                             "steps or API calls to fix each. Exit 1 while something is "
                                             "missing."))
    check.add_argument("name")
    add_db_option(check)
    check.set_defaults(func=cmd_check)

    prepare = actions.add_parser("prepare", help=_("create Desk's custom fields on the remote"),
                                 description=_("Create what `desk remote check` finds missing, where the "
                                               "remote's API and the token's rights allow it (Zendesk ticket "
                                               "fields; an RT queue). RT cannot create custom fields through "
                                               "its API: a data file for rt-setup-database-5 is written."))
    prepare.add_argument("name")
    prepare.add_argument("--datafile", default="desk-rt-fields.pl",
                         help=_("RT: where to write the custom-field data file (default: %(default)s)"))
    add_db_option(prepare)
    prepare.set_defaults(func=cmd_prepare)

    sync = subparsers.add_parser("sync", help=_("sync with one remote or all of them"),
                                 description=_("Pull remote changes and push local ones (all remotes by default)."))
    sync.add_argument("name", nargs="?")
    sync.add_argument("--dry-run", action="store_true",
                      help=_("print what a sync would do (one line per action, with its reason); change nothing"))
    sync.add_argument("--allow-mass-change", action="store_true",
                      help=_("go ahead although the run would close or overwrite a large share of the tickets"))
    add_db_option(sync)
    sync.set_defaults(func=cmd_sync)


def _agents_and_adapter(args: argparse.Namespace):  # noqa: ANN202
    from desk.core.sync.remotes import build_remote

    with session_for(args) as session:
        row = config.get_remote(session, args.name)
        agents = list(session.scalars(select(Person.email).where(
            Person.is_agent.is_(True), Person.active.is_(True), Person.email.is_not(None))))
        session.expunge(row)
    return agents, build_remote(row)


def cmd_check(args: argparse.Namespace) -> int:
    agents, remote = _agents_and_adapter(args)
    tokens = ({email: credentials.load_agent_secret(args.name, email)
               for email in credentials.agents_with_secrets(args.name)} if remote.kind == "rt" else {})
    try:
        findings = readiness.check(remote, agents=agents, agent_tokens=tokens)
    finally:
        remote.close()
    for finding in findings:
        print(f"{_('ok') if finding.ok else _('MISSING')}\t{finding.what}")
        if not finding.ok:
            print(f"\t{_('fix')}: {finding.fix}")
    if readiness.ready(findings) and all(f.ok for f in findings):
        print(_("{name} has everything Desk needs.").format(name=args.name))
        return 0
    if not readiness.ready(findings):
        print(_("Desk will not create tickets on {name} until the essential items above are fixed.").format(
            name=args.name))
    return 1


def cmd_prepare(args: argparse.Namespace) -> int:
    _agents, remote = _agents_and_adapter(args)
    try:
        done = readiness.prepare(remote, datafile=Path(args.datafile))
    finally:
        remote.close()
    for line in done or [_("Nothing to create: {name} has Desk's fields.").format(name=args.name)]:
        print(line)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    mapping = inputs.parse_json(args.config, what="--config") if args.config else None
    with session_for(args) as session:
        config.add_remote(session, name=args.name, kind=args.kind, url=args.url, username=args.user,
                          auth=args.auth, config=mapping)
    print(_('Added remote {name}. Now store its token: desk remote set-token {name}').format(name=args.name))
    return 0


def cmd_set_token(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        config.get_remote(session, args.name)
    if sys.stdin.isatty():
        import getpass

        text = getpass.getpass(_('Token for {name} (not shown): ').format(name=args.name))
    else:
        text = sys.stdin.read()
    credentials.store_secret(args.name, credentials.Secret.loads(text))
    print(_('Stored the token for {name} in the system keyring.').format(name=args.name))
    return 0


def cmd_agent_token(args: argparse.Namespace) -> int:
    """List, set or clear agents' own tokens for an RT remote (the keyring only; never shown)."""
    with session_for(args) as session:
        row = config.get_remote(session, args.name)
        kind = row.kind
        agents = dict(session.execute(select(Person.email, Person.name).where(
            Person.is_agent.is_(True), Person.email.is_not(None))).all())
    agents = {str(email).lower(): str(name) for email, name in agents.items()}
    if kind != "rt":
        raise errors.InvalidInput(_("Agents' own tokens are for Request Tracker; {name} is a Zendesk remote, "
                                    "which keeps each reply's author itself (author_id).").format(name=args.name))
    if args.agent is None:
        if args.clear:
            raise errors.InvalidInput(_("--clear needs --agent EMAIL: whose token to forget."))
        stored = set(credentials.agents_with_secrets(args.name))
        for email in sorted(set(agents) | stored):
            state = _("RT token: set") if email in stored else _("RT token: not set")
            name = agents.get(email) or _("(not an agent here)")
            print(f"{email}\t{name}\t{state}")
        if not agents and not stored:
            print(_("No agents here yet; add them with `desk agent add`."))
        return 0
    email = args.agent.strip().lower()
    if args.clear:
        credentials.delete_agent_secret(args.name, email)
        print(_("Forgot {email}'s token for {name}: their replies go up as Desk's RT user with a "
                "“written by” line.").format(email=email, name=args.name))
        return 0
    if email not in agents:
        raise errors.NotFound(_("There is no agent with the e-mail {email} here; `desk agent list` shows "
                                "them.").format(email=email))
    if sys.stdin.isatty():
        import getpass

        text = getpass.getpass(_("{email}'s RT token for {name} (not shown): ").format(email=email, name=args.name))
    else:
        text = sys.stdin.read()
    credentials.store_agent_secret(args.name, email, credentials.Secret.loads(text))
    print(_("Stored {email}'s token for {name} in the system keyring; `desk remote check {name}` tries "
            "it.").format(email=email, name=args.name))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = [
            {"name": row.name, "kind": row.kind, "url": row.url, "user": row.username, "auth": row.auth,
             "token": "stored" if credentials.has_secret(row.name) else "missing",
             "last_synced": row.last_synced_at.isoformat() if row.last_synced_at else None,
             "pending": config.pending_count(session, row.id), "last_error": row.last_error}
            for row in config.list_remotes(session)
        ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(_("No remotes. Add one with: desk remote add NAME --kind rt|zendesk --url URL --user USER"))
    for row in rows:
        print(_('{row}\t{row2}\t{row3}\tuser={value}\tauth={row4}\ttoken={row5}\tlast synced={value2}\tpending={row6}').format(row=row['name'], row2=row['kind'], row3=row['url'], value=row['user'] or '-', row4=row['auth'], row5=row['token'], value2=row['last_synced'] or 'never', row6=row['pending']))
        if row["last_error"]:
            print(_('\tlast problem: {row}').format(row=row['last_error']))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        config.remove_remote(session, name=args.name)
    print(_('Removed remote {name} (local tickets are kept).').format(name=args.name))
    credentials.delete_secret(args.name)  # after the operation: a refusing keyring is said
    return 0


def cmd_reset_cursor(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        config.reset_cursor(session, name=args.name)
    print(_("The next sync of {name} pulls everything again.").format(name=args.name))
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = engine.open_conflicts(session)
        for row in rows:
            print(_('#{id}\tticket #{ticket_id}\t{field}\tmine={mine}\ttheirs={theirs}').format(id=row.id, ticket_id=row.ticket_id, field=row.field, mine=row.mine, theirs=row.theirs))
        if not rows:
            print(_("No sync conflicts."))
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        engine.resolve_conflict(session, conflict_id=args.conflict_id, keep=args.keep)
    print(_('Conflict #{conflict_id} settled ({keep}); it goes out on the next sync.').format(conflict_id=args.conflict_id, keep=args.keep))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Exit 0 when every remote synced; 1 when a remote failed (each failure is named on standard
    error) or only some items were refused (they stay in the outbox); 2 for a remote name that
    does not exist (a usage error)."""
    with session_for(args) as session:
        names = [args.name] if args.name else None
        if names is None and not config.list_remotes(session):
            raise errors.NotFound(_("No remotes are configured; add one with `desk remote add`."))
        run = sync_all(session, names=names, dry_run=args.dry_run, allow_mass_change=args.allow_mass_change)
    for report in run.reports:
        if args.dry_run:
            print_plan(report)
            continue
        print(f"{report.remote}: pulled {report.pulled} (new {report.created_local}, "
              f"changed {report.updated_local}, replies {report.comments_in}); pushed new "
              f"{report.created_remote}, changed {report.updated_remote}, replies {report.comments_out}; "
              f"conflicts {report.conflicts}; {report.requests} requests")
        if report.people_renamed:
            print("  " + ngettext("{count} person renamed as on {remote}.", "{count} people renamed as on {remote}.",
                                  report.people_renamed).format(count=report.people_renamed, remote=report.remote))
        for note in report.notes:
            print(f"  {note}")
        for reason in report.skipped:
            print(f"  {reason}")
    for remote, problem in run.not_sent:
        print(_('  {remote}: not sent: {problem}').format(remote=remote, problem=problem), file=sys.stderr)
    for failure in run.failures:
        print(_('desk: {remote}: {message}').format(remote=failure.remote, message=failure.message), file=sys.stderr)
    if run.failures:
        failed = ", ".join(failure.remote for failure in run.failures)
        total = len(run.failures) + len(run.reports)
        print(_('desk: sync failed for {failed} ({count} of {total} remote{value}).').format(failed=failed, count=len(run.failures), total=total, value='' if total == 1 else 's'), file=sys.stderr)
        # A remote name that does not exist is a usage error (2); a server or its credentials
        # failing is the world around Desk (1).
        return 2 if all(isinstance(f.error, errors.NotFound) for f in run.failures) else 1
    return 1 if run.not_sent else 0


def print_plan(report: engine.SyncReport) -> None:
    """``desk sync --dry-run``: the plan, one line per action; nothing was changed."""
    lines = report.plan.lines() if report.plan is not None else []
    print(_('{remote}: dry run, nothing changed ({requests} requests, reads only)').format(remote=report.remote, requests=report.requests))
    for line in lines or [_("nothing to do")]:
        print(f"  {line}")
    if report.refused:
        print(f"  refused: {report.refused}")
