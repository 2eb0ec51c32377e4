"""`desk import` and `desk export` as a person types them, and progress on standard error."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.models import Person, Ticket

CSV = "Title,Email,Name\r\nBeamer kaputt,jonas@uni.example,Jonas\r\n프로젝터 고장,min@uni.example,김민수\r\n"


def _tickets(path) -> int:  # noqa: ANN001
    with open_store(path) as store, store.session() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


def test_import_dry_run_says_what_would_happen_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(CSV, encoding="utf-8")
    db = tmp_path / "desk.sqlite3"
    assert main(["import", "--db", str(db), str(tmp_path / "t.csv"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run (CSV): 2 tickets would be imported. Nothing was written." in out
    assert _tickets(db) == 0
    assert main(["import", "--db", str(db), str(tmp_path / "t.csv")]) == 0
    assert "Imported 2 tickets" in capsys.readouterr().out and _tickets(db) == 2


def test_import_of_a_cp949_file_hints_then_imports_with_encoding(tmp_path, capsys):
    (tmp_path / "excel.csv").write_bytes(CSV.replace("Beamer kaputt", "빔 고장").encode("cp949"))
    db = tmp_path / "desk.sqlite3"
    assert main(["import", "--db", str(db), str(tmp_path / "excel.csv")]) == 2
    err = capsys.readouterr().err
    assert "This looks like CP949 (Korean Windows); re-run with --encoding cp949." in err
    assert "Traceback" not in err and _tickets(db) == 0
    assert main(["import", "--db", str(db), str(tmp_path / "excel.csv"), "--encoding", "cp949"]) == 0
    assert _tickets(db) == 2


def test_bad_rows_are_listed_by_line_and_the_exit_code_says_nothing_was_imported(tmp_path, capsys):
    (tmp_path / "t.tsv").write_text("Title\tEmail\nok\ta@uni.example\n\tb@uni.example\n", encoding="utf-8")
    db = tmp_path / "desk.sqlite3"
    assert main(["import", "--db", str(db), str(tmp_path / "t.tsv")]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 't.tsv'}: line 3: subject is empty" in err and "Nothing imported: 1 problem(s)." in err
    assert _tickets(db) == 0


def test_tab_delimiter_by_name_and_a_bad_delimiter(tmp_path, capsys):
    (tmp_path / "t.txt").write_text(CSV.replace(",", "\t"), encoding="utf-8")
    db = tmp_path / "desk.sqlite3"
    assert main(["import", "--db", str(db), str(tmp_path / "t.txt"), "--delimiter", "tab"]) == 0
    assert main(["import", "--db", str(db), str(tmp_path / "t.txt"), "--delimiter", ";;"]) == 2
    assert "--delimiter must be one character" in capsys.readouterr().err


def test_people_import_from_the_command_line(tmp_path, capsys):
    (tmp_path / "people.csv").write_text("name,email,phone,kind\nSora Park,sora@uni.example,+82 2 555,student\n",
                                         encoding="utf-8")
    db = tmp_path / "desk.sqlite3"
    assert main(["import", "--db", str(db), "--people", str(tmp_path / "people.csv")]) == 0
    assert "Imported 1 people" in capsys.readouterr().out
    with open_store(db) as store, store.session() as session:
        sora = session.scalar(select(Person))
        assert (sora.name, sora.phone, sora.kind) == ("Sora Park", "+82 2 555", "student")


def test_sqlite_and_xlsx_exports_need_an_output_file(tmp_path, capsys):
    db = tmp_path / "desk.sqlite3"
    for fmt in ("sqlite", "xlsx"):
        assert main(["export", "--db", str(db), "--format", fmt]) == 2
        assert "-o FILE" in capsys.readouterr().err


def test_json_export_to_stdout_reimports(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(CSV, encoding="utf-8")
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    assert main(["import", "--db", str(first), str(tmp_path / "t.csv")]) == 0
    capsys.readouterr()
    assert main(["export", "--db", str(first), "--format", "json"]) == 0
    exported = capsys.readouterr().out
    assert [item["requester"]["name"] for item in json.loads(exported)] == ["Jonas", "김민수"]
    (tmp_path / "a.json").write_text(exported, encoding="utf-8")
    assert main(["import", "--db", str(second), str(tmp_path / "a.json")]) == 0
    assert _tickets(second) == 2


@pytest.fixture
def demo_db(tmp_path):  # noqa: ANN001, ANN201
    from desk.core.demo import generate

    path = tmp_path / "demo.sqlite3"
    generate(path, tickets=1200, seed=2, end=datetime(2026, 5, 1, tzinfo=UTC), days=20)
    return path


def test_long_work_is_silent_on_a_non_terminal_and_shows_progress_when_asked(demo_db, tmp_path, capsys):
    out = tmp_path / "all.json"
    assert main(["export", "--db", str(demo_db), "--format", "json", "-o", str(out)]) == 0
    assert "%" not in capsys.readouterr().err  # stderr is captured here: no terminal, no bar
    assert main(["export", "--db", str(demo_db), "--format", "json", "-o", str(out), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "export: 1,200 of 1,200 (100%)" in err and err.count("export:") <= 11
    assert main(["import", "--db", str(tmp_path / "b.sqlite3"), str(out), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "import: 1,200 of 1,200 (100%)" in captured.err and "Imported 1200 tickets" in captured.out
    assert main(["backup", "--db", str(demo_db), str(tmp_path / "copy.sqlite3"), "--progress"]) == 0
    assert "(100%)" in capsys.readouterr().err
    assert main(["demo", "--db", str(tmp_path / "new.sqlite3"), "--tickets", "300", "--days", "10",
                 "--progress"]) == 0
    assert "demo: 600 of 600 (100%)" in capsys.readouterr().err


def test_progress_bar_draws_on_a_terminal(monkeypatch, capsys):
    """On a terminal the bar is rich's (drawn on standard error, gone when done)."""
    import argparse
    import io

    from desk.cli import progress

    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stderr", terminal)
    with progress.progress_bar(argparse.Namespace(progress=False), "import") as tick:
        assert tick is not None
        tick(5, 10)
        tick(10, 10)
    drawn = terminal.getvalue()
    assert "import" in drawn and "10/10" in drawn and "\x1b[" in drawn  # a bar, redrawn in place
    assert capsys.readouterr().out == ""
