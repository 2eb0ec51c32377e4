"""The vocabulary has one home, desk/core/vocabulary.py: no other module of desk/ spells out a set
of statuses or channel codes, nor "waiting at the desk", nor codes a value by its word's length.

The source is read with ``ast`` (nothing is imported): a tuple, list or set literal, an SQL
``IN ('a','b')`` list or a ``CASE … WHEN 'a' … WHEN 'b'`` inside a string (f-strings too) is a
restatement when it holds two or more statuses or two or more channel codes. 'email' and 'phone'
are also a person's fields, so a literal with those two is a channel list only when it holds
nothing else or also names walk-in or web. Mappings (dicts) are left alone: they translate Desk's
words into another system's (Zendesk, RT) or into words to show, which is not a definition.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from desk.core import vocabulary

DESK = Path(__file__).resolve().parents[2] / "desk"
HOME = DESK / "core" / "vocabulary.py"
STATUSES = frozenset(vocabulary.STATUSES)
CHANNELS = frozenset(vocabulary.CHANNELS)
ONLY_CHANNELS = frozenset({"walk-in", "web"})  # the channel codes that are not also a person's field

# (file, the codes it holds) -> why it is no restatement of Desk's vocabulary.
ALLOWED = {
    ("desk/core/sync/remotes/zendesk.py", ("closed", "solved")):
        "ZENDESK_DONE: Zendesk's own statuses in a request body (after STATUS_OUT), not Desk's",
}
# Restatements in files another change owns at the moment; each is to become a use of the
# vocabulary there (then its entry goes).
NOT_YET: dict[tuple[str, tuple[str, ...]], str] = {}
SQL_LIST = re.compile(r"\(\s*'[^']*'(?:\s*,\s*'[^']*')+\s*\)")
SQL_WHEN = re.compile(r"\bWHEN\s+'([^']*)'", re.IGNORECASE)
QUOTED = re.compile(r"'([^']*)'")
BY_LENGTH = re.compile(r"\blength\s*\(\s*(?:\w+\.)?(?:status|channel|satisfaction|priority|kind|role)\s*\)",
                       re.IGNORECASE)
NULL = r"(?:\s+IS\s+NULL|\.is_\(\s*None\s*\)|\s+is\s+None|\s*==\s*None)"


@cache
def sources() -> tuple[tuple[str, str, ast.Module], ...]:
    """(name, text, tree) of every module of desk/ but the vocabulary, read once."""
    found = []
    for path in sorted(DESK.rglob("*.py")):
        if path != HOME:
            name, source = path.relative_to(DESK.parent).as_posix(), path.read_text(encoding="utf-8")
            found.append((name, source, ast.parse(source, name)))
    return tuple(found)


def vocabulary_codes(words: list[str]) -> tuple[str, ...] | None:
    """The statuses or channel codes ``words`` spell out as a set, sorted; None if they do not."""
    present = set(words)
    if len(present & STATUSES) >= 2:
        return tuple(sorted(present & STATUSES))
    channels = present & CHANNELS
    if len(channels) >= 2 and (present <= CHANNELS or channels & ONLY_CHANNELS):
        return tuple(sorted(channels))
    return None


def restatements(tree: ast.Module) -> list[tuple[int, tuple[str, ...], str]]:
    """(line, codes, what) for every literal set of statuses or channels in one module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if (codes := vocabulary_codes(words)) is not None:
                found.append((node.lineno, codes, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in SQL_LIST.finditer(node.value):
                if (codes := vocabulary_codes(QUOTED.findall(match.group()))) is not None:
                    found.append((node.lineno, codes, match.group()))
            if (codes := vocabulary_codes(SQL_WHEN.findall(node.value))) is not None:
                found.append((node.lineno, codes, "CASE " + node.value[:60]))
    return found


CAUGHT = {  # shapes of restatement the check must catch, with the codes it reports
    'DONE = ("solved", "closed")': ("closed", "solved"),
    'AT_DESK = {"walk-in", "phone"}': ("phone", "walk-in"),
    'ok = x in ["email", "phone"]': ("email", "phone"),
    'SQL = "t.status IN (\'new\', \'open\', \'pending\')"': ("new", "open", "pending"),
    'SQL = f"t.channel IN (\'email\',\'web\') AND {x}"': ("email", "web"),
    'SQL = "CASE t.status WHEN \'solved\' THEN 1 WHEN \'closed\' THEN 1 END"': ("closed", "solved"),
}
NOT_CAUGHT = 'FIELDS = ("name", "email", "phone", "kind")\nx = ("closed", "deleted")'  # a person's fields; Zendesk


def test_no_module_but_the_vocabulary_lists_statuses_or_channels() -> None:
    for source, codes in CAUGHT.items():  # the check itself sees what it is meant to
        assert [found[1] for found in restatements(ast.parse(source))] == [codes], source
    assert restatements(ast.parse(NOT_CAUGHT)) == []
    everywhere = {name: restatements(tree) for name, _source, tree in sources()}
    seen = {(name, codes) for name, found in everywhere.items() for _line, codes, _what in found}
    assert set(ALLOWED) <= seen, f"no longer found, drop from ALLOWED: {sorted(set(ALLOWED) - seen)}"
    found = [f"{name}:{line}: {what}" for name, listed in everywhere.items() for line, codes, what in listed
             if (name, codes) not in ALLOWED and (name, codes) not in NOT_YET]
    assert not found, ("statuses or channel codes listed outside desk/core/vocabulary.py (use or add a named "
                       "set there, or allow it here with the reason):\n" + "\n".join(found))


def test_nothing_is_coded_by_the_length_of_its_word() -> None:
    found = [f"{name}:{node.lineno}: {match.group()}" for name, _source, tree in sources()
             for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             for match in BY_LENGTH.finditer(node.value)]
    assert not found, "a vocabulary code told apart by its length (a new word would count as another):\n" + (
        "\n".join(found))


def _units(tree: ast.Module) -> list[ast.AST]:
    """Each function (at any depth) and each module-level statement that is not one."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return functions + [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef
                                                             | ast.ClassDef)]


def _unset(column: str, text: str) -> bool:
    return re.search(rf"\b{column}{NULL}", text, re.IGNORECASE) is not None


def test_waiting_at_the_desk_is_defined_only_in_the_vocabulary() -> None:
    # Waiting at the desk is the one condition that asks for no assignee and no start of service
    # together (WAITING_AT_DESK_SQL / is_waiting_at_desk); a function or statement that asks both
    # spells it out again, in SQL, with the ORM or in Python.
    found = []
    for name, source, tree in sources():
        lines = source.splitlines()
        for unit in _units(tree):
            text = "\n".join(lines[unit.lineno - 1:unit.end_lineno])
            if _unset("assignee_id", text) and _unset("service_started_at", text):
                found.append(f"{name}:{unit.lineno}: {getattr(unit, 'name', 'module statement')}")
    assert not found, "waiting at the desk spelled out again (use vocabulary.WAITING_AT_DESK_SQL):\n" + (
        "\n".join(found))
    home = HOME.read_text(encoding="utf-8")
    assert _unset("assignee_id", home) and _unset("service_started_at", home)  # the check can see it


def test_the_named_sets_fit_together() -> None:
    v = vocabulary
    assert v.OPEN_STATUSES == v.ACTIVE_STATUSES + v.PAUSED_STATUSES
    assert v.STATUSES == v.OPEN_STATUSES + v.DONE_STATUSES
    assert set(v.REOPENED_BY_ANSWER) <= set(v.STATUSES)
    assert set(v.DESK_CHANNELS) < set(v.CHANNELS)
    assert (v.ACTIVE_SQL, v.DONE_SQL) == ("('new','open')", "('solved','closed')")
