"""`desk remote …` (configure hosted helpdesks) and `desk sync [NAME]` (run a sync headless)."""

from __future__ import annotations

import argparse
import json
import sys

from desk.cli.common import session_for
from desk.cli.main import add_db_option
from desk.core import errors
from desk.core.sync import config, credentials, engine
from desk.core.sync.run import sync_all


def register(subparsers: argparse._SubParsersAction) -> None:
    remote = subparsers.add_parser("remote", help="configure hosted helpdesks to sync with (RT, Zendesk)",
                                   description="Configure the hosted helpdesks Desk syncs with.")
    add_db_option(remote)
    actions = remote.add_subparsers(dest="remote_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a remote", description=(
        "Add a remote. Then store its token with `desk remote set-token NAME`. HTTPS is required "
        "except on this computer (127.0.0.1, localhost)."))
    add.add_argument("name")
    add.add_argument("--kind", choices=config.KINDS, required=True)
    add.add_argument("--url", required=True, help="e.g. https://example.zendesk.com or https://rt.example.org")
    add.add_argument("--user", default="", help="Zendesk: the agent's e-mail; RT: the user name")
    add.add_argument("--auth", default="token",
                     help="RT: token (default) or password; Zendesk: token (default) or oauth")
    add.add_argument("--config", default=None,
                     help="JSON with field mappings (status, priority, category, people, queue…)")
    add_db_option(add)
    add.set_defaults(func=cmd_add)

    token = actions.add_parser("set-token", help="store the remote's token (read from standard input)",
                               description=("Read the token from standard input and keep it in the system "
                                            "keyring. For Zendesk OAuth, give JSON: {\"access_token\": …, "
                                            "\"refresh_token\": …, \"client_id\": …, \"client_secret\": …}."))
    token.add_argument("name")
    add_db_option(token)
    token.set_defaults(func=cmd_set_token)

    listing = actions.add_parser("list", help="list remotes", description="List the configured remotes.")
    listing.add_argument("--json", action="store_true")
    add_db_option(listing)
    listing.set_defaults(func=cmd_list)

    remove = actions.add_parser("remove", help="forget a remote and its token (tickets stay)",
                                description="Forget a remote, its sync state and its token; tickets stay.")
    remove.add_argument("name")
    add_db_option(remove)
    remove.set_defaults(func=cmd_remove)

    conflicts = actions.add_parser("conflicts", help="list fields changed on both sides",
                                   description="List sync conflicts waiting for a person.")
    add_db_option(conflicts)
    conflicts.set_defaults(func=cmd_conflicts)

    resolve = actions.add_parser("resolve", help="settle a sync conflict",
                                 description="Keep the local value (mine) or the remote's (theirs).")
    resolve.add_argument("conflict_id", type=int)
    resolve.add_argument("keep", choices=("mine", "theirs"))
    add_db_option(resolve)
    resolve.set_defaults(func=cmd_resolve)

    sync = subparsers.add_parser("sync", help="sync with one remote or all of them",
                                 description="Pull remote changes and push local ones (all remotes by default).")
    sync.add_argument("name", nargs="?")
    sync.add_argument("--dry-run", action="store_true",
                      help="print what a sync would do (one line per action, with its reason); change nothing")
    sync.add_argument("--allow-mass-change", action="store_true",
                      help="go ahead although the run would close or overwrite a large share of the tickets")
    add_db_option(sync)
    sync.set_defaults(func=cmd_sync)


def cmd_add(args: argparse.Namespace) -> int:
    try:
        mapping = json.loads(args.config) if args.config else None
    except json.JSONDecodeError as exc:
        raise errors.InvalidInput(f"--config is not valid JSON ({exc.msg}).") from None
    with session_for(args) as session:
        config.add_remote(session, name=args.name, kind=args.kind, url=args.url, username=args.user,
                          auth=args.auth, config=mapping)
    print(f"Added remote {args.name}. Now store its token: desk remote set-token {args.name}")
    return 0


def cmd_set_token(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        config.get_remote(session, args.name)
    if sys.stdin.isatty():
        import getpass

        text = getpass.getpass(f"Token for {args.name} (not shown): ")
    else:
        text = sys.stdin.read()
    credentials.store_secret(args.name, credentials.Secret.loads(text))
    print(f"Stored the token for {args.name} in the system keyring.")
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
        print("No remotes. Add one with: desk remote add NAME --kind rt|zendesk --url URL --user USER")
    for row in rows:
        print(f"{row['name']}\t{row['kind']}\t{row['url']}\tuser={row['user'] or '-'}\tauth={row['auth']}"
              f"\ttoken={row['token']}\tlast synced={row['last_synced'] or 'never'}\tpending={row['pending']}")
        if row["last_error"]:
            print(f"\tlast problem: {row['last_error']}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        config.remove_remote(session, name=args.name)
    print(f"Removed remote {args.name} (local tickets are kept).")
    credentials.delete_secret(args.name)  # after the operation: a refusing keyring is said
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = engine.open_conflicts(session)
        for row in rows:
            print(f"#{row.id}\tticket #{row.ticket_id}\t{row.field}\tmine={row.mine}\ttheirs={row.theirs}")
        if not rows:
            print("No sync conflicts.")
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        engine.resolve_conflict(session, conflict_id=args.conflict_id, keep=args.keep)
    print(f"Conflict #{args.conflict_id} settled ({args.keep}); it goes out on the next sync.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Exit 0 when every remote synced; 1 when a remote failed (each failure is named on standard
    error) or only some items were refused (they stay in the outbox); 2 for a remote name that
    does not exist (a usage error)."""
    with session_for(args) as session:
        names = [args.name] if args.name else None
        if names is None and not config.list_remotes(session):
            raise errors.NotFound("No remotes are configured; add one with `desk remote add`.")
        run = sync_all(session, names=names, dry_run=args.dry_run, allow_mass_change=args.allow_mass_change)
    for report in run.reports:
        if args.dry_run:
            print_plan(report)
            continue
        print(f"{report.remote}: pulled {report.pulled} (new {report.created_local}, "
              f"changed {report.updated_local}, replies {report.comments_in}); pushed new "
              f"{report.created_remote}, changed {report.updated_remote}, replies {report.comments_out}; "
              f"conflicts {report.conflicts}; {report.requests} requests")
    for remote, problem in run.not_sent:
        print(f"  {remote}: not sent: {problem}", file=sys.stderr)
    for failure in run.failures:
        print(f"desk: {failure.remote}: {failure.message}", file=sys.stderr)
    if run.failures:
        failed = ", ".join(failure.remote for failure in run.failures)
        total = len(run.failures) + len(run.reports)
        print(f"desk: sync failed for {failed} ({len(run.failures)} of {total} "
              f"remote{'' if total == 1 else 's'}).", file=sys.stderr)
        # A remote name that does not exist is a usage error (2); a server or its credentials
        # failing is the world around Desk (1).
        return 2 if all(isinstance(f.error, errors.NotFound) for f in run.failures) else 1
    return 1 if run.not_sent else 0


def print_plan(report: engine.SyncReport) -> None:
    """``desk sync --dry-run``: the plan, one line per action; nothing was changed."""
    lines = report.plan.lines() if report.plan is not None else []
    print(f"{report.remote}: dry run, nothing changed ({report.requests} requests, reads only)")
    for line in lines or ["nothing to do"]:
        print(f"  {line}")
    if report.refused:
        print(f"  refused: {report.refused}")
