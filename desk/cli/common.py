"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from desk.cli.main import db_path
from desk.core import errors
from desk.core.db import open_store
from desk.core.i18n import _
from desk.core.ops import people


def say_progress(what: str, _done: int, _total: int) -> None:
    """``open_store``'s progress on standard error, so an older store's backup and upgrade
    are visible without mixing with a command's output: the backup and the upgrade's start
    (a new store's creation is not news). ``desk migrate`` says every step."""
    if getattr(what, "kind", "") in ("backup", "upgrade"):  # a db.StoreStep, in the language shown
        print(what, file=sys.stderr)


def say_every_step(what: str, _done: int, _total: int) -> None:
    print(what, file=sys.stderr)


def existing_store(args: argparse.Namespace) -> Path:
    """The store path, refused when nothing is there: a typo in --db must not quietly start
    a new, empty desk. Only the window, `desk init`, `desk demo` and `desk import` create one."""
    path = db_path(args).expanduser()
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        raise errors.NotFound(_('No Desk store at {path}. Create one with `desk init {path}`.').format(path=path))
    return path


@contextmanager
def session_for(args: argparse.Namespace, *, create: bool = False) -> Iterator[Session]:
    """A session on the store; a missing store is refused unless ``create`` (see ``existing_store``)."""
    path = db_path(args) if create else existing_store(args)
    with open_store(path, progress=say_progress) as store, store.session() as session:
        yield session


def agent_for(session: Session, email: str | None) -> int | None:
    """The agent named by ``--as EMAIL`` (None when not given)."""
    if not email:
        return None
    person = people.find_person_by_email(session, email)
    if person is None or not person.is_agent:
        raise errors.NotFound(_('No agent has the e-mail {email}.').format(email=email))
    return person.id


def print_json(value: object) -> None:
    def default(item: object) -> object:
        if isinstance(item, datetime):
            return item.isoformat()
        raise TypeError(type(item).__name__)

    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=default)
    sys.stdout.write("\n")
