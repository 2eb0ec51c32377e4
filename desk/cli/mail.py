"""`desk mail setup|test|status|outbox|retry|send|fetch`: the desk's own e-mail (no hosted helpdesk).

The password is read from standard input (hidden when typed at a terminal) and goes to the
system keyring only, after the settings' operation; it is never printed.
"""

from __future__ import annotations

import argparse
import sys

from desk.cli import arguments
from desk.cli.common import agent_for, print_json, session_for
from desk.cli.main import add_db_option
from desk.core import errors
from desk.core.i18n import _, ngettext
from desk.core.mail import outbox, reader, sender, smtp
from desk.core.mail import settings as ms
from desk.core.mail.intake import skipped

# option -> MailSettings field
OPTIONS = {
    "smtp_host": "--smtp-host", "smtp_port": "--smtp-port", "smtp_security": "--smtp-security",
    "username": "--user", "imap_host": "--imap-host", "imap_port": "--imap-port",
    "imap_security": "--imap-security", "imap_folder": "--imap-folder", "from_address": "--from",
    "from_name": "--from-name",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mail", help=_("set up, check and run the desk's own e-mail (SMTP out, IMAP in)"),
        description=_("E-mail for desks without a hosted helpdesk: public replies and \"we have your request\" "
                      "go out through SMTP from a durable outbox; people's answers come back by IMAP."),
    )
    add_db_option(parser)
    actions = parser.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    setup = actions.add_parser("setup", help=_("set the mail servers, the address and the password"))
    for name, option in OPTIONS.items():
        kwargs: dict[str, object] = {"dest": name, "default": None, "help": _(name.replace("_", " "))}
        if name in ("smtp_security", "imap_security"):
            kwargs |= {"choices": ms.SECURITY}
        setup.add_argument(option, **kwargs)  # type: ignore[arg-type]
    setup.add_argument("--password-stdin", action="store_true",
                       help=_("read the password from standard input (hidden at a terminal); kept in the keyring"))
    setup.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent making the change"))
    setup.set_defaults(func=run_setup)
    test = actions.add_parser("test", help=_("log in to the SMTP and IMAP servers (sends nothing)"))
    test.set_defaults(func=run_test)
    status = actions.add_parser("status", help=_("what is set up, what waits in the outbox, what was skipped"))
    status.add_argument("--json", action="store_true", help=_("machine-readable output"))
    status.set_defaults(func=run_status)
    box = actions.add_parser("outbox", help=_("list the e-mails queued, sent and failed"))
    box.add_argument("--state", choices=outbox.STATES, action="append", help=_("only these states (repeatable)"))
    box.add_argument("--limit", type=arguments.whole_number(low=1, high=100_000), default=50, help=_("how many (newest first; default 50)"))
    box.add_argument("--json", action="store_true", help=_("machine-readable output"))
    box.set_defaults(func=run_outbox)
    retry = actions.add_parser("retry", help=_("try a failed e-mail again now"))
    retry.add_argument("mail_id", type=arguments.whole_number(low=1), metavar="ID", help=_("the mail's number (`desk mail outbox` lists them)"))
    retry.add_argument("--as", dest="agent", metavar="EMAIL", help=_("the agent asking"))
    retry.set_defaults(func=run_retry)
    send = actions.add_parser("send", help=_("send what is due in the outbox now"))
    send.set_defaults(func=run_send)
    fetch = actions.add_parser("fetch", help=_("read new mail from the IMAP folder onto tickets"))
    fetch.set_defaults(func=run_fetch)
    for action in (setup, test, status, box, retry, send, fetch):
        add_db_option(action)


def _read_password() -> str:
    try:
        if sys.stdin.isatty():
            import getpass

            return getpass.getpass(_("Mail password (not shown): "))
        return sys.stdin.read().rstrip("\r\n")
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # no usable standard input
        raise errors.InvalidInput(_("Could not read the password from standard input ({error}).").format(
            error=type(exc).__name__)) from None


def run_setup(args: argparse.Namespace) -> int:
    values = {name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None}
    password = _read_password() if args.password_stdin else None
    if not values and password is None:
        raise errors.InvalidInput(_("Nothing to set; `desk mail setup --help` lists the options."))
    with session_for(args) as session:
        changes = ms.save_mail_settings(session, actor_id=agent_for(session, args.agent), values=values) \
            if values else None
        settings = ms.load_mail_settings(session)
    if password is not None:
        ms.store_password(settings, password)  # after the operation, off any transaction
        print(_("Stored the mail password in the system keyring."))
    if changes is not None:
        print(_("Mail settings saved.") if changes.settings else _("Mail settings unchanged."))
    if not settings.sending:
        print(_("To send, set at least --smtp-host and --from."))
    return 0


def run_test(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        settings = ms.load_mail_settings(session)
    if not settings.sending and not settings.receiving:
        raise errors.InvalidInput(_("No mail server is set up; see `desk mail setup --help`."))
    password = ms.load_password(settings)
    failed = False
    if settings.sending:
        try:
            smtp.check(settings, password)
            print(_("SMTP {host}:{port}: OK").format(host=settings.smtp_host, port=settings.smtp_port))
        except smtp.MailFailure as exc:
            failed = True
            print(_("SMTP: {why}").format(why=exc.message))
    if settings.receiving:
        from desk.core.mail import imap

        try:
            with imap.open_folder(settings, password):
                pass
            print(_("IMAP {host}:{port} folder {folder}: OK").format(host=settings.imap_host, port=settings.imap_port,
                                                                   folder=settings.imap_folder))
        except smtp.MailFailure as exc:
            failed = True
            print(_("IMAP: {why}").format(why=exc.message))
    return 1 if failed else 0


def _channel_text(session: object, settings: ms.MailSettings) -> str:
    if outbox.has_remote(session):  # type: ignore[arg-type]
        return _("a hosted helpdesk tells people (Desk's own e-mail is not used)")
    if settings.sending:
        return _("e-mail from {address}").format(address=settings.from_address)
    return _("none: public replies are recorded only")


def run_status(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        settings = ms.load_mail_settings(session)
        counts = outbox.counts(session)
        failures = [(row.id, row.ticket_id, row.state, row.last_error) for row in outbox.listing(
            session, states=("queued", "failed"), limit=10) if row.last_error]
        skips = [(row.message_id, row.sender, row.subject, row.skipped) for row in skipped(session, limit=10)]
        next_at = outbox.next_due(session)
        channel = _channel_text(session, settings)
    has_password = ms.has_password(settings)
    if args.json:
        print_json({"channel": channel, "settings": {name: getattr(settings, name) for name in ms.FIELDS},
                    "password_stored": has_password, "outbox": counts, "next_attempt": next_at,
                    "problems": [dict(zip(("id", "ticket", "state", "error"), row, strict=True)) for row in failures],
                    "skipped": [dict(zip(("message_id", "from", "subject", "why"), row, strict=True))
                                for row in skips]})
        return 0
    print(_("Channel to people: {channel}").format(channel=channel))
    print(_("SMTP: {where}").format(where=f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})"
                                    if settings.smtp_host else _("not set")))
    print(_("IMAP: {where}").format(where=f"{settings.imap_host}:{settings.imap_port} ({settings.imap_security}), "
                                    f"{settings.imap_folder}" if settings.imap_host else _("not set")))
    print(_("Password: {state}").format(state=_("stored in the system keyring") if has_password else _("none stored")))
    print(_("Outbox: {queued} queued, {sent} sent, {failed} failed").format(
        queued=counts["queued"] + counts["sending"], sent=counts["sent"], failed=counts["failed"]))
    if next_at is not None and counts["queued"]:
        print(_("Next attempt: {when}").format(when=next_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")))
    for mail_id, ticket_id, state, error in failures:
        print(_("  mail {id} (ticket #{ticket}, {state}): {error}").format(id=mail_id, ticket=ticket_id, state=state,
                                                                          error=error))
    if skips:
        print(ngettext("{n} incoming mail was skipped:", "{n} incoming mails were skipped:", len(skips))
              .format(n=len(skips)))
        for _id, sender_address, subject, why in skips:
            print(f"  {sender_address or '?'} «{subject}»: {why}")
    return 0


def run_outbox(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        rows = [{"id": row.id, "ticket": row.ticket_id, "kind": row.kind, "to": row.to_address, "state": row.state,
                 "attempts": row.attempts, "created": row.created_at, "sent": row.sent_at, "error": row.last_error,
                 "message_id": row.message_id}
                for row in outbox.listing(session, states=args.state or outbox.STATES, limit=args.limit)]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(_("The outbox is empty."))
        return 0
    for row in rows:
        when = (row["sent"] or row["created"]).astimezone().strftime("%Y-%m-%d %H:%M")
        line = f"{row['id']:>5}  #{row['ticket']:<6} {row['kind']:<12} {row['state']:<8} {when}  {row['to']}"
        print(line + (f"  — {row['error']}" if row["error"] else ""))
    return 0


def run_retry(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        changes = outbox.retry(session, mail_id=args.mail_id, actor_id=agent_for(session, args.agent))
    if not changes.ticket_ids:
        raise errors.NotFound(_("There is no failed or waiting e-mail number {id}.").format(id=args.mail_id))
    print(_("Mail {id} is queued again; `desk mail send` sends it now.").format(id=args.mail_id))
    return 0


def run_send(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        if not ms.load_mail_settings(session).sending:
            raise errors.InvalidInput(_("E-mail is not set up; see `desk mail setup --help`."))
        result = sender.deliver_due(session)
    print(ngettext("Sent {n} e-mail.", "Sent {n} e-mails.", len(result.sent)).format(n=len(result.sent)))
    for _id, why in result.retrying:
        print(_("Will try again later: {why}").format(why=why))
    for mail_id, why in result.failed:
        print(_("Mail {id} failed: {why}").format(id=mail_id, why=why))
    return 1 if result.retrying or result.failed else 0


def run_fetch(args: argparse.Namespace) -> int:
    with session_for(args) as session:
        if not ms.load_mail_settings(session).receiving:
            raise errors.InvalidInput(_("IMAP is not set up; see `desk mail setup --help`."))
        try:
            result = reader.read_new(session)
        except smtp.MailFailure as exc:
            print(_("IMAP: {why}").format(why=exc.message))
            return 1
    print(ngettext("{n} mail filed on tickets.", "{n} mails filed on tickets.", len(result.landed))
          .format(n=len(result.landed)))
    for why in result.skipped:
        print(_("Skipped: {why}").format(why=why))
    return 0
