"""Every `desk` sub-command, fuzzed in-process (issue 18): arguments and input files of every
kind that once printed a traceback — lone surrogates, numbers and dates out of range, search
syntax, deeply nested or wrongly shaped JSON, missing or unwritable paths, broken URLs.

Whatever the input: no traceback and no bug exit (70), exit 0, 1 (environment) or 2 (usage),
a message on standard error when it is not 0, and the store exactly as it was when the command
refused. ``DESK_FUZZ_EXAMPLES`` raises the number of examples per sub-command (default 8).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.cli.main import BUG_EXIT, build_parser, main

EXAMPLES = int(os.environ.get("DESK_FUZZ_EXAMPLES", "8"))
INVOCATIONS = {"count": 0}

TEXT = [
    "\udcff", "a\ud800b", "\udce9t\udce9", "", " ", "\t", "x" * 5000, "<b>bold</b>", "<img src=x onerror=1>",
    "Ünïcødé 한국어 🎉", "'", '"', "%s", "{0}", "{{subject}}", "\\", "--", "-x", "null", "[]", "{}",
    "Robert'); DROP TABLE tickets;--",
]
NUMBER = ["0", "-1", "1", "2", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
          "9" * 30, "#99999999999999999999", "1e309", "nan", "inf", "-0", "1.5", "٣", "²", "0x10", "1_000"]
DATE = ["0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "99999-01-01", "2026-02-30", "yesterday",
        "2026-13-01", "2026-01-01T25:00", "-2026-01-01"]
SEARCH = ['"', '""', "NEAR(", "a OR", "AND", "NOT x", "*", "^x", "col:1", "subject:x", "rank:1", "a AND (b",
          "-", "+", "1e5", "x*", "\"unterminated", "NEAR(a b, 99999999999)", "{subject description}:x"]
EMAIL = ["ana@desk.test", "a@b", "not-an-address", "@", "a@@b", "ANA@DESK.TEST", "#1", "#2", "1"]
URL = ["http://[::1", "http://[zz]/", "https://[::1]:99999/", "ftp://x", "http://", "https://user:pw@h/",
       "https://h/?q=1", "http://10.0.0.1/", "https://\udcff/", "https://example.test/" + "a" * 3000, "::"]
NAMES = ["zd", "rt", "none", "", "a" * 300]
FILES = {
    "nested.json": "[" * 5000 + "]" * 5000,
    "nested-object.json": '{"a":' * 3000 + "1" + "}" * 3000,
    "shallow-nested.json": "[" * 80 + "]" * 80,
    "actions-not-list.json": json.dumps([{"title": "t", "body": "b", "actions": {"field": "status"}}]),
    "wrong-shape.json": json.dumps([{"title": {"x": 1}, "body": [1], "actions": "x"}]),
    "canned-export.json": json.dumps({"format": "desk-canned", "canned_responses": "nope"}),
    "macros.json": json.dumps({"macros": [{"title": 5, "actions": [{"field": None}, "x", 3]}]}),
    "surrogate-escape.json": '[{"title": "\\ud800", "body": "\\udfff"}]',
    "nul.json": '[{"title": "a\\u0000b", "body": "x"}]',
    "huge-number.json": '[{"title": "t", "body": "b", "usage_count": 1' + "0" * 40 + "}]",
    "terms.json": json.dumps([{"name": 1, "start": "x", "end": None}, {"name": "a", "start": "99999-01-01"}]),
    "terms-object.json": json.dumps({"terms": [{"name": "a", "start": "2026-01-01", "end": "0001-01-01"}]}),
    "not-json.json": "{nope",
    "empty.json": "",
    "tickets.csv": "subject,requester_email,arrived_at,status\nx,a@b.test,99999-01-01,open\n"
                   "y,b@c.test,yesterday,bogus\n\ud800,c@d.test,,\n",
    "long-subject.csv": "subject,requester_email\n" + "x" * 100_000 + ",a@b.test\n",
    "tickets.ndjson": '{"subject": 5, "requester_email": 7}\n{"subject": null}\n[1,2]\n',
    "people.csv": "name,email,kind\nAna,9,alien\n,,\n",
}
BINARY = {"random.bin": bytes(range(256)) * 2, "latin1.csv": "subject,requester_email\ncafé,a@b.test\n".encode("latin-1"),
          "bad-utf8.json": b'[{"title": "\xff\xfe"}]'}


@pytest.fixture(scope="module", autouse=True)
def _count_invocations() -> Iterator[None]:
    """How many fuzzed invocations ran (shown with ``pytest -s``, for the issue's report)."""
    yield
    print(f"\nfuzzed desk invocations: {INVOCATIONS['count']}")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store with the defaults, an agent, a requester, tickets and a reply."""
    folder = tmp_path_factory.mktemp("fuzz-template")
    path = folder / "desk.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["init", str(path), "--defaults"]) == 0
        assert main(["agent", "add", "--db", str(path), "--name", "Ana", "--email", "ana@desk.test"]) == 0
        for subject in ("Projector flickers", "Printer jam"):
            assert main(["log", "--db", str(path), "--requester", "wei@uni.test", "--category", "Printing",
                         "--subject", subject, "--as", "ana@desk.test"]) == 0
    return path


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store just made by `desk init --defaults`: categories and locations, nobody, no tickets."""
    path = tmp_path_factory.mktemp("fuzz-fresh") / "desk.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["init", str(path), "--defaults"]) == 0
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The input files, copied into each example's folder (a command may overwrite one)."""
    folder = tmp_path_factory.mktemp("fuzz-inputs")
    for name, text in FILES.items():
        (folder / name).write_bytes(text.encode("utf-8", "surrogatepass"))
    for name, data in BINARY.items():
        (folder / name).write_bytes(data)
    (folder / "a-folder").mkdir()
    return folder


# Paths as drawn: "@name" is that file in the example's own folder; the others are absolute.
PATHS = [f"@{name}" for name in [*FILES, *BINARY, "a-folder", "missing.json", "no/such/x.json", "a\udcffb.json"]] + [
    "/sys/desk-cannot-write-here", "/sys/no-such-folder/out.csv", "/proc/self/status"]


# The commands that open a window and wait in its event loop are not headless commands.
WINDOWS = {("gui",), ("counter",)}


def leaves() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*prefix, name))
                return
        if prefix not in WINDOWS:
            found.append((prefix, parser))

    walk(build_parser(), ())
    return found


COMMANDS = {" ".join(prefix): parser for prefix, parser in leaves()}


def values_for(action: argparse.Action) -> st.SearchStrategy[str]:
    """Values of the kind the option takes, and of every kind it does not."""
    name = (action.dest or "").lower()
    kind = getattr(action.type, "__name__", "") if action.type else ""
    nasty = st.sampled_from(TEXT + NUMBER + DATE)
    if action.choices:
        typed = st.sampled_from([str(choice) for choice in action.choices])
    elif kind == "Path" or name in ("file", "path", "output"):
        typed = st.sampled_from(PATHS)
    elif kind in ("whole number", "number", "int", "float"):
        typed = st.sampled_from(NUMBER)
    elif kind in ("iso_date",) or name in ("start", "end"):
        typed = st.sampled_from(DATE)
    elif name == "search":
        typed = st.sampled_from(SEARCH)
    elif name in ("requester", "agent", "email", "who", "person", "keep", "merge", "user"):
        typed = st.sampled_from(EMAIL)
    elif name == "url":
        typed = st.sampled_from(URL)
    elif name == "name" and "remote" in (action.help or "").lower():
        typed = st.sampled_from(NAMES)
    else:
        typed = st.sampled_from(TEXT + SEARCH)
    return st.one_of(typed, typed, nasty, st.text(max_size=30))


@st.composite
def argv_for(draw: st.DrawFn, command: str) -> list[str]:
    parser = COMMANDS[command]
    argv = command.split()
    for action in parser._actions:
        if action.dest in ("help", "db") or isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # positional: usually given, sometimes left out
            if action.nargs in ("?", "*") and draw(st.booleans()):
                continue
            argv.append(draw(values_for(action)))
        elif draw(st.integers(0, 9)) < 4:
            flag = draw(st.sampled_from(action.option_strings))
            if action.nargs == 0:
                argv.append(flag)
            else:
                argv += [flag, draw(values_for(action))]
    return argv


def fingerprint(path: Path) -> tuple:
    """Rows and versions of every table (the search index too): changes when anything is written."""
    if not path.exists():
        return ()
    with closing(sqlite3.connect(path)) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'ticket_fts_%' AND name != 'ticket_ko' ORDER BY name")]
        rows = [(name, conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()) for name in names]
        rows.append(conn.execute("SELECT total(version), max(updated_at), group_concat(subject) FROM tickets").fetchone())
        rows.append(conn.execute("SELECT group_concat(name), group_concat(hidden) FROM categories").fetchone())
        rows.append(conn.execute("SELECT group_concat(name), group_concat(email) FROM people").fetchone())
        rows.append(conn.execute("SELECT group_concat(value) FROM settings").fetchone())
        return tuple(rows)


@contextlib.contextmanager
def scratch_store(template: Path, inputs: Path) -> Iterator[Path]:
    """A copy of the store and the inputs in a folder of the example's own, which is also the
    working directory: a fuzzed relative path (an export, a backup, `init`) lands there."""
    folder = Path(tempfile.mkdtemp(prefix="desk-fuzz-"))
    here = os.getcwd()
    try:
        shutil.copytree(inputs, folder, dirs_exist_ok=True)
        path = folder / "desk.sqlite3"
        shutil.copy(template, path)
        os.chdir(folder)
        yield path
    finally:
        os.chdir(here)
        shutil.rmtree(folder, ignore_errors=True)


def invoke(argv: list[str]) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exited:  # argparse: usage errors (2) and --help (0)
            code = exited.code  # type: ignore[assignment]
    INVOCATIONS["count"] += 1
    return code, out.getvalue(), err.getvalue()


def check_invocation(argv: list[str], store: Path) -> None:
    before = fingerprint(store)
    code, out, err = invoke(argv)
    shown = [arg.encode("utf-8", "backslashreplace").decode()[:60] for arg in argv]
    assert "Traceback" not in out + err, shown
    assert code != BUG_EXIT, (shown, err)
    assert code in (0, 1, 2), (shown, code, err)
    if code != 0:
        assert err.strip(), (shown, code, "refused without a word")
        assert fingerprint(store) == before, (shown, "the store changed although the command was refused", err)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_fuzzed_command_never_shows_a_traceback(command, template, fresh_template, inputs):
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(argv=argv_for(command), store_choice=st.sampled_from(["store", "store", "store", "fresh", "missing",
                                                                         "unwritable", "folder", "not-a-store"]))
    def run(argv: list[str], store_choice: str) -> None:
        with scratch_store(fresh_template if store_choice == "fresh" else template, inputs) as store:
            target = {"store": store, "fresh": store, "missing": store.parent / "no" / "desk.sqlite3",
                      "unwritable": Path("/sys/desk.sqlite3"), "folder": store.parent}.get(store_choice)
            if store_choice == "not-a-store":
                target = store.parent / "notes.sqlite3"
                target.write_text("shopping list\n", encoding="utf-8")
            argv = [str(store.parent / arg[1:]) if arg.startswith("@") else arg for arg in argv]
            check_invocation([*argv, "--db", str(target)], store)

    run()


def test_every_sub_command_is_fuzzed():
    names = {" ".join(prefix) for prefix, _parser in leaves()}
    assert names == set(COMMANDS) and len(names) >= 47
    assert {"log", "list", "show", "import", "canned import", "remote add", "sync", "terms set", "check",
            "stats", "person merge", "settings set"} <= names
