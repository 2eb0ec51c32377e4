"""One case of each kind of input that printed a traceback before issue 18: a message, the exit
code of its kind (2 usage, 1 environment), and nothing written."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desk.cli.main import main


@pytest.fixture
def db(tmp_path: Path, capsys) -> str:  # noqa: ANN001
    path = tmp_path / "desk.sqlite3"
    assert main(["init", str(path), "--defaults"]) == 0
    assert main(["log", "--db", str(path), "--requester", "wei@uni.test", "--category", "Printing",
                 "--subject", "Printer jam"]) == 0
    capsys.readouterr()
    return str(path)


def snapshot(db: str) -> tuple:
    # ticket_ko (0009) is contentless FTS5 and cannot be counted; its shadow tables are.
    with closing(sqlite3.connect(db)) as conn:
        return tuple(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for (table,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'ticket_fts%' AND name != 'ticket_ko' ORDER BY name"))


def refused(argv: list[str], db: str, capsys, *, code: int) -> str:  # noqa: ANN001
    before = snapshot(db)
    try:
        got = main([*argv, "--db", db])
    except SystemExit as exited:
        got = exited.code
    out, err = capsys.readouterr()
    assert got == code, err
    assert "Traceback" not in out + err and err.strip()
    assert snapshot(db) == before
    return err


@pytest.mark.parametrize(("argv", "message"), [
    (["category", "add", "\udcff"], "is not valid text"),
    (["log", "--requester", "a@b.test", "--category", "X", "--subject", "a\ud800b"], "is not valid text"),
    (["list", "--search", "\udce9t\udce9"], "is not valid text"),
    (["remote", "set-token", "zd\udcff"], "is not valid text"),
    (["show", "9223372036854775808"], "is not between 1 and 9,223,372,036,854,775,807"),
    (["canned", "apply", "1", "99999999999999999999999"], "is not between"),
    (["remote", "resolve", "999999999999999999999999999999", "mine"], "is not between"),
    (["list", "--limit", "1" + "0" * 30], "is not between 1 and 1,000,000"),
    (["person", "list", "--limit", "-5"], "is not between"),
    (["stats", "--from", "10000-01-01"], "is not a date"),
    (["stats", "--to", "0001-01-01"], "is not between 0001-01-02 and 9999-12-30"),
    (["stats", "--target-level", "nan"], "is not between"),
    (["log", "--requester", "a@b.test", "--category", "X", "--subject", "Y", "--arrived-minutes-ago", "9" * 20],
     "is not between 0 and"),
    (["terms", "set-preset", "us", "--from-year", "99999"], "is not between"),
    (["demo", "--tickets", "9" * 20], "is not between"),
    (["person", "edit", "#99999999999999999999", "--name", "X"], "No person has the id #99999999999999999999."),
    (["agent", "deactivate", "#99999999999999999999"], "No agent has the id"),
    (["category", "hide", "9" * 30], "There is no category"),
    (["location", "merge", "9" * 30, "²"], "There is no location"),
    (["remote", "add", "zd", "--kind", "zendesk", "--url", "http://[::1", "--user", "a@b.test"], "is not a web address"),
    (["remote", "add", "zd", "--kind", "zendesk", "--url", "https://[zz]/", "--user", "a@b.test"], "is not a web address"),
    (["remote", "add", "zd", "--kind", "rt", "--url", "https://h.test:99999/"], "is not a web address"),
    (["remote", "add", "zd", "--kind", "rt", "--url", "https://h.test/", "--config", '{"a":' * 200 + "1" + "}" * 200],
     "nested more than"),
])
def test_usage_errors_exit_2(db, capsys, argv, message):
    assert message in refused(argv, db, capsys, code=2)


@pytest.mark.parametrize(("content", "message"), [
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ('[{"title": "\\ud800", "body": "x"}]', "lone surrogates"),
    ('[{"title": "a\\u0000b", "body": "x"}]', "NUL character"),
    ('[{"title": "t", "usage_count": 1' + "0" * 40 + "}]", "too large"),
    ("{nope", "is not JSON"),
])
def test_bad_canned_json_exits_2(db, tmp_path, capsys, content, message):
    file = tmp_path / "canned.json"
    file.write_text(content, encoding="utf-8")
    assert message in refused(["canned", "import", str(file)], db, capsys, code=2)


def test_wrongly_shaped_canned_actions_are_reported_not_a_traceback(db, tmp_path, capsys):
    file = tmp_path / "macros.json"
    file.write_text(json.dumps([{"title": "Reset", "actions": ["x", 3, {"field": "status", "value": "solved"}]}]),
                    encoding="utf-8")
    assert main(["canned", "import", str(file), "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Reset" in out + err


@pytest.mark.parametrize("content", ["[" * 5000 + "]" * 5000, '{"subject":' * 3000 + "1" + "}" * 3000])
def test_deeply_nested_ticket_import_exits_2(db, tmp_path, capsys, content):
    file = tmp_path / "tickets.json"
    file.write_text(content, encoding="utf-8")
    assert "nested" in refused(["import", str(file)], db, capsys, code=2)


@pytest.mark.parametrize("argv", [
    ["export", "-o", "/sys/no-such-folder/t.csv"],
    ["canned", "export", "-o", "/sys/desk-canned.json"],
    ["backup", "/sys/desk-copy.sqlite3"],
])
def test_unwritable_or_missing_folders_exit_1(db, capsys, argv):
    err = refused(argv, db, capsys, code=1)
    assert "/sys/" in err and "written" in err


def test_a_store_in_a_folder_that_cannot_be_entered_exits_1(capsys):
    assert main(["init", "/sys/desk/desk.sqlite3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("desk: ") and "Traceback" not in err


def test_a_nul_in_an_output_name_is_a_message(db, capsys):
    assert "is not valid text" in refused(["export", "-o", "out\x00.csv"], db, capsys, code=2)


def test_demo_into_a_store_made_by_init_defaults_is_refused_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "desk.sqlite3"
    assert main(["init", str(path), "--defaults"]) == 0
    capsys.readouterr()
    assert main(["demo", "--db", str(path), "--tickets", "5"]) == 2
    err = capsys.readouterr().err
    assert "already has people or categories" in err and "Traceback" not in err
