"""Checks of values that arrive from outside (the command line, files, the window), so a bad one
becomes an ``InvalidInput`` with a message instead of an error deep in SQLite or the encoder.

* ``parse_id``: ``12`` or ``#12`` (ASCII digits only; ``isdigit`` also says yes to ``²``) as an
  id that can exist in SQLite, else None: an id beyond SQLite's INTEGER names nothing.
* ``bounded_int``: a count or number that must fit a range (SQLite's INTEGER at most).
* ``require_text``: a string that can be stored and printed: no lone surrogates (what a broken
  terminal, a mis-decoded file or JSON's ``"\\ud800"`` hands over) and no NUL characters.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from desk.core import errors
from desk.core.i18n import _

SQLITE_INT_MAX = 2**63 - 1
SQLITE_INT_MIN = -(2**63)
_ID = re.compile(r"#?([0-9]{1,19})")


def parse_id(text: str) -> int | None:
    """The id written as ``12`` or ``#12``; None when ``text`` is not one or is too large to exist."""
    match = _ID.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if number <= SQLITE_INT_MAX else None


def looks_like_id(text: str) -> bool:
    """``text`` is written as an id (``12``, ``#12``), whether or not it is small enough to exist."""
    return re.fullmatch(r"#?[0-9]+", text.strip()) is not None


def bounded_int(value: int, *, what: str, low: int = SQLITE_INT_MIN, high: int = SQLITE_INT_MAX) -> int:
    if not low <= value <= high:
        raise errors.InvalidInput(_("{what} must be between {low} and {high} (it is {value}).").format(
            what=what, low=f"{low:,}", high=f"{high:,}", value=_shorten(str(value))))
    return value


def bounded_timedelta(*, minutes: int, what: str) -> timedelta:
    """``minutes`` as a timedelta that a date can still move by (at most ~10,000 years)."""
    limit = int(timedelta.max.total_seconds() // 60) // 1000
    bounded_int(minutes, what=what, low=-limit, high=limit)
    return timedelta(minutes=minutes)


def shifted(moment: datetime, delta: timedelta, *, what: str) -> datetime:
    """``moment`` moved by ``delta``, refused when that leaves the years 1..9999."""
    try:
        return moment + delta
    except OverflowError:
        raise errors.InvalidInput(_("{what} leads to a date before the year 1 or after 9999.").format(what=what)) from None


def check_date_range(value: date, *, what: str) -> date:
    """Dates are fine between year 1 and 9999 (Python's own bounds); one day of margin either
    side so that "the day after" or a time-zone shift of it still exists."""
    if value <= date.min or value >= date.max:
        raise errors.InvalidInput(_("{what} must be between 0001-01-02 and 9999-12-30.").format(what=what))
    return value


def problem_of_text(value: object) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    if not isinstance(value, str):
        return _("it is not text (it is {kind})").format(kind=type(value).__name__)
    if "\x00" in value:
        return _("it holds a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("it holds characters that are not valid Unicode (lone surrogates)")
    return None


def require_text(value: object, *, what: str) -> str:
    problem = problem_of_text(value)
    if problem is not None:
        raise errors.InvalidInput(_("{what} cannot be used: {problem}.").format(what=what, problem=problem))
    assert isinstance(value, str)
    return value


def printable(text: str) -> str:
    """``text`` safe to show anywhere: lone surrogates as ``\\udcff`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


MAX_JSON_DEPTH = 64  # deeper than any file Desk reads or writes; deeper is a broken or hostile file


def parse_json(text: str, *, what: str) -> object:
    """``text`` parsed as JSON, or ``InvalidInput`` saying why not: not JSON, nested deeper
    than ``MAX_JSON_DEPTH`` (Python's parser would overflow its stack first), or strings that
    cannot be stored (lone surrogates such as ``"\\ud800"``, NUL characters)."""
    import json

    try:
        data = json.loads(text)
    except RecursionError:
        data = None
        problem = _("it is nested too deeply")
    except ValueError as exc:
        raise errors.InvalidInput(_("{what} is not JSON ({detail}).").format(
            what=what, detail=getattr(exc, "msg", str(exc)))) from None
    else:
        problem = _json_problem(data)
    if problem is not None:
        raise errors.InvalidInput(_("{what} cannot be read: {problem}.").format(what=what, problem=problem))
    return data


def _json_problem(data: object) -> str | None:
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return _("it is nested more than {limit} levels deep").format(limit=MAX_JSON_DEPTH)
        if isinstance(value, str):
            problem = problem_of_text(value)
            if problem is not None:
                return _("a text in it cannot be used: {problem}").format(problem=problem)
        elif isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, int) and not isinstance(value, bool) and not SQLITE_INT_MIN <= value <= SQLITE_INT_MAX:
            return _("a number in it is too large ({digits} digits)").format(digits=len(str(abs(value))))
        elif isinstance(value, float) and value != value:  # noqa: PLR0124 - NaN is the one float unequal to itself
            return _("it holds NaN, which is not a number")
    return None


def read_json_file(path: object, *, what: str) -> object:
    """A JSON file (UTF-8) parsed by ``parse_json``; a file that cannot be read is ``InvalidInput``."""
    from pathlib import Path

    file = Path(str(path))
    try:
        text = file.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise errors.InvalidInput(_("{path} is a folder, not a file.").format(path=file)) from None
    except OSError as exc:
        raise errors.InvalidInput(_("Cannot read {path}: {reason}.").format(
            path=file, reason=exc.strerror or exc)) from None
    except UnicodeDecodeError as exc:
        raise errors.InvalidInput(_("{path} is not UTF-8 text (byte {at}).").format(path=file, at=exc.start)) from None
    except ValueError as exc:  # an embedded NUL in the path
        raise errors.InvalidInput(_("{path!r} is not a usable file name ({reason}).").format(
            path=printable(str(file)), reason=exc)) from None
    return parse_json(text, what=what.format(path=file) if "{path}" in what else what)
