"""`desk init [PATH]`: create a new store (or bring an existing one up to date)."""

from __future__ import annotations

import argparse
import sqlite3
from contextlib import closing
from pathlib import Path

from desk.cli.common import say_every_step
from desk.cli.main import add_db_option, db_path
from desk.core import canned_io, db, errors
from desk.core.desk_settings import needs_setup, save_desk_settings
from desk.core.i18n import LANGUAGES, _
from desk.core.ops import choices


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init", help=_("create a new Desk store"),
        description=_("Create and set up a new store at PATH (default: --db, $DESK_DB, else the data "
                    "folder). An existing Desk store is upgraded if older and otherwise left as it is; "
                    "a file that is not a Desk store is refused untouched."),
    )
    add_db_option(parser)
    parser.add_argument("path", nargs="?", type=Path, help=_("where to create the store"))
    parser.add_argument("--defaults", action="store_true",
                        help=_("add the default categories and locations of a university tech desk"))
    parser.add_argument("--language", choices=LANGUAGES,
                        help=_("the store's language: its default canned responses are written in it "
                               "and the window speaks it (default: follow the system)"))
    parser.set_defaults(func=run)


def _refuse_foreign(path: Path) -> None:
    """An SQLite file with tables but no Desk schema version belongs to another program."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with db.translated_errors(path), closing(sqlite3.connect(path)) as conn:
        if db.current_revision(conn) is not None:
            return
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    if tables:
        raise errors.StoreCorrupt(
            _('{path} is an SQLite database of another program, not a Desk store. Nothing was changed; choose another path.').format(path=path)
        )


def run(args: argparse.Namespace) -> int:
    path = (args.path or db_path(args)).expanduser()
    existed = path.is_file() and path.stat().st_size > 0
    _refuse_foreign(path)  # open_store itself refuses a file that is not SQLite at all
    with db.open_store(path, progress=say_every_step if existed else None) as store, store.session() as session:
        seeded = choices.seed_defaults(session).choices if args.defaults else False
        if args.language:
            save_desk_settings(session, actor_id=None, values={"language": args.language})
            installed = bool(canned_io.install_defaults(session).canned)
        first_run = needs_setup(session)
    revision = db.schema_state(path)[0]
    print(f"{'Opened the existing' if existed else 'Created a new'} Desk store at {path} (schema {revision})"
          + ("; added the default categories and locations" if seeded else ""))
    if args.language:
        print(_("Language: {language}; default canned responses added.").format(language=args.language)
              if installed else _("Language: {language}.").format(language=args.language))
    if first_run:
        print(_('Next: add the first agent with `desk agent add --db {path} --name NAME --email EMAIL`, or open the window (`desk --db PATH`) for the set-up assistant.').format(path=path))
    return 0
