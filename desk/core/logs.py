"""Desk's log file: what the core and sync did, and what went wrong, for a support person.

* ``setup_logging()`` (called by the CLI and the window at start) sends the ``desk`` loggers
  to ``desk.log`` in the user's log folder (``DESK_LOG_DIR`` overrides it, for tests and for
  a portable install), rotated at 1 MB with 5 old files kept (``RotatingFileHandler``).
* Levels: operations at debug (``desk.core.db.unit_of_work``), sync runs at info
  (``desk.sync``), errors at warning/error with what was being done.
* Secrets never reach the file: ``RedactSecrets`` rewrites every record (message, arguments
  and traceback) so an ``Authorization`` header, a token, a password or the password in a URL
  is replaced by ``[redacted]`` whatever code logged it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

LOG_FILE = "desk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

_SECRET_KEY = r"[\w-]*(?:token|password|passwd|secret|api[_-]?key|client[_-]?secret)"


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]:
    """Compiled on first use (at start-up nothing is logged; compiling them costs ~1.5 ms)."""
    return (
        # Authorization: Bearer abc / "authorization": "Basic abc" / Proxy-Authorization=...
        (re.compile(r"(?i)\b((?:proxy-)?authorization)(['\"]?\s*[:=]\s*['\"]?)(?:(bearer|basic|token)\s+)?"
                    r"[^\s'\",;}]+"),
         lambda m: f"{m.group(1)}{m.group(2)}{(m.group(3) + ' ') if m.group(3) else ''}{REDACTED}"),
        # token=abc, "api_token": "abc", password: abc, client_secret=abc, "password": "two words"
        (re.compile(rf"(?i)\b({_SECRET_KEY})(['\"]?\s*[:=]\s*)(?:\"[^\"]*\"|'[^']*'|[^\s'\"&,;}}]+)"),
         lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}"),
        # a bare bearer token anywhere
        (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), lambda m: f"{m.group(1)} {REDACTED}"),
        # https://user:password@host (an unencoded "/" in the password too: over-redact, never leak)
        (re.compile(r"(://[^/\s:@]+):[^\s@]+@"), lambda m: f"{m.group(1)}:{REDACTED}@"),
    )


def redact(text: str) -> str:
    """``text`` with every secret-looking value replaced by ``[redacted]``."""
    for pattern, replacement in _patterns():
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record so no handler can write a secret (attached to Desk's handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def log_folder() -> Path:
    """Where ``desk.log`` goes: ``DESK_LOG_DIR``, else the user's log folder."""
    env = os.environ.get("DESK_LOG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_log_dir

    return Path(user_log_dir("Desk", appauthor=False))


class _DeskFileHandler(logging.Handler):
    """Desk's file handler: a ``RotatingFileHandler`` made on the first record.

    ``logging.handlers`` costs ~10 ms of imports (it pulls in pickle and socket) and nothing is
    logged before the window's first paint, so the import waits for the first record instead
    of lengthening every start. Filters (``RedactSecrets``) run here, before the file sees it.
    """

    def __init__(self, path: Path, *, level: int) -> None:
        super().__init__(level)
        self.baseFilename = str(path.absolute())
        self._file: logging.Handler | None = None

    def target(self) -> logging.Handler:
        if self._file is None:
            from logging.handlers import RotatingFileHandler

            handler = RotatingFileHandler(self.baseFilename, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                          encoding="utf-8", delay=True)
            handler.setFormatter(logging.Formatter(FORMAT))
            self._file = handler
        return self._file

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.target().handle(record)
        except Exception:  # noqa: BLE001 - logging must never break the caller
            self.handleError(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def setup_logging(*, level: int = logging.DEBUG) -> Path | None:
    """Send the ``desk`` loggers to the rotating log file; returns its path (None when the
    folder cannot be made: Desk still runs, and says so on standard error)."""
    folder = log_folder()
    path = folder / LOG_FILE
    logger = logging.getLogger("desk")
    for handler in list(logger.handlers):
        if isinstance(handler, _DeskFileHandler):
            if Path(handler.baseFilename) == path.absolute():
                return path
            logger.removeHandler(handler)
            handler.close()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"desk: no log file ({folder}: {exc.strerror or exc}); carrying on without one.",
              file=sys.stderr)
        return None
    handler = _DeskFileHandler(path, level=level)
    handler.addFilter(RedactSecrets())
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.level or logging.WARNING))
    return path
