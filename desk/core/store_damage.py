"""A store with damaged pages is not written to again.

When SQLite reports corruption (SQLITE_CORRUPT) during any statement, ``found_damage`` confirms it
with ``PRAGMA quick_check``; the store is then refused for every later write in this process
(``db.unit_of_work`` calls ``refuse_if_damaged`` before BEGIN) and a marker file beside it carries
the finding to the next process, whose ``open_store`` runs ``quick_check`` again
(``recheck_on_open``): a file restored from a backup is trusted again, a damaged one is not. The
message says how to recover from the backup and how to export what is still readable.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

from desk.core import errors
from desk.core.i18n import _

log = logging.getLogger("desk.core.db")

# Stores found damaged in this process (resolved path -> the message): nothing more is written
# to them. A marker file beside the store carries the finding to the next process, which runs
# ``quick_check`` on open (see ``open_store``) instead of trusting the file again.
_damaged: dict[str, errors.StoreDamaged] = {}
DAMAGE_MARKER_SUFFIX = "-damaged"


def _marker(path: Path) -> Path:
    return path.with_name(path.name + DAMAGE_MARKER_SUFFIX)


def quick_check(path: Path) -> list[str]:
    """``PRAGMA quick_check`` on a connection of its own; [] when the pages are sound."""
    from desk.core.db import BUSY_TIMEOUT_MS  # db imports this module: loaded by now

    try:
        with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _damage_error(path: Path, findings: list[str]) -> errors.StoreDamaged:
    return errors.StoreDamaged(_(
        "{path} has damaged pages (SQLite's check says: {finding}). Desk will not write to it, so nothing "
        "more is lost. To recover: close Desk, keep this file aside, and put your latest backup in its place "
        "(a copy made by `desk backup`, or the {stem}.before-… copy Desk makes before an upgrade); "
        "`desk check --db COPY` tells whether a copy is sound. What is still readable can be saved first "
        "with `desk export --db {path} --format json -o FILE`.").format(
            path=path, finding=findings[0][:200], stem=path.stem), sqlite_error="SQLITE_CORRUPT")


def found_damage(path: Path) -> errors.StoreDamaged | None:
    """After SQLite reported corruption: check the pages; when damaged, refuse every later write
    to ``path`` (in this process, and in the next through the marker file)."""
    key = str(Path(path).resolve())
    if key in _damaged:
        return _damaged[key]
    findings = quick_check(path)
    if not findings:
        return None
    log.error("%s has damaged pages: %s", path, "; ".join(findings))
    _damaged[key] = error = _damage_error(Path(path), findings)
    try:
        _marker(Path(path)).write_text("; ".join(findings) + "\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not leave the damage marker beside %s: %s", path, exc)
    return error


def refuse_if_damaged(path: Path) -> None:
    error = _damaged.get(str(Path(path).resolve()))
    if error is not None:
        raise error



def recheck_on_open(path: Path) -> None:
    if not _marker(path).exists():
        return
    findings = quick_check(path)
    if findings:
        _damaged[str(path.resolve())] = _damage_error(path, findings)
    else:
        _damaged.pop(str(path.resolve()), None)
        with suppress(OSError):
            _marker(path).unlink()  # restored from a backup: sound again
