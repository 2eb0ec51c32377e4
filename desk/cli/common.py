"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from desk.cli.main import db_path
from desk.core import errors
from desk.core.db import open_store
from desk.core.ops import people


@contextmanager
def session_for(args: argparse.Namespace) -> Iterator[Session]:
    with open_store(db_path(args)) as store, store.session() as session:
        yield session


def agent_for(session: Session, email: str | None) -> int | None:
    """The agent named by ``--as EMAIL`` (None when not given)."""
    if not email:
        return None
    person = people.find_person_by_email(session, email)
    if person is None or not person.is_agent:
        raise errors.NotFound(f"No agent has the e-mail {email}.")
    return person.id


def print_json(value: object) -> None:
    def default(item: object) -> object:
        if isinstance(item, datetime):
            return item.isoformat()
        raise TypeError(type(item).__name__)

    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=default)
    sys.stdout.write("\n")
