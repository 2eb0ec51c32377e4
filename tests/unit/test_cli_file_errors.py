"""File errors of every CLI writer (export, stats --output, backup, canned export) are
messages with exit code 1 (an environment error), never a traceback, and leave nothing half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from desk.cli.main import main
from desk.core import files

WRITERS = {
    "export csv": lambda db, out: ["export", "--db", db, "--format", "csv", "--output", out],
    "export json": lambda db, out: ["export", "--db", db, "--format", "json", "-o", out],
    "export sqlite": lambda db, out: ["export", "--db", db, "--format", "sqlite", "-o", out],
    "export xlsx": lambda db, out: ["export", "--db", db, "--format", "xlsx", "-o", out],
    "stats text": lambda db, out: ["stats", "--db", db, "--output", out],
    "stats json": lambda db, out: ["stats", "--db", db, "--format", "json", "--output", out],
    "stats html": lambda db, out: ["stats", "--db", db, "--format", "html", "--output", out],
    "stats xlsx": lambda db, out: ["stats", "--db", db, "--format", "xlsx", "--output", out],
    "stats csv": lambda db, out: ["stats", "--db", db, "--format", "csv", "--output", out],
    "backup": lambda db, out: ["backup", "--db", db, out],
    "canned export": lambda db, out: ["canned", "export", "--db", db, "--output", out],
}


@pytest.fixture
def db(store, session, requester_id) -> str:  # noqa: ANN001
    from desk.core.ops import tickets

    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer jam")
    session.commit()
    return str(store.path)


def run(argv: list[str], capsys) -> str:  # noqa: ANN001
    assert main(argv) == 1  # an environment error (issue 18: 2 is for usage errors)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.startswith("desk: ")
    return captured.err


def no_parts(folder: Path) -> bool:
    return not any(p.name.endswith(".part") for p in folder.rglob("*"))


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_succeeds_first(writer, db, tmp_path, capsys):
    target = tmp_path / "out" / "result"
    target.parent.mkdir()
    assert main(WRITERS[writer](db, str(target))) == 0
    assert target.exists() and no_parts(tmp_path)
    capsys.readouterr()


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_permission_denied(writer, db, unwritable_folder, capsys):
    target = unwritable_folder / "desk-result"
    err = run(WRITERS[writer](db, str(target)), capsys)
    assert "permission denied" in err and str(target) in err
    assert not target.exists()


@pytest.mark.parametrize("writer", sorted(set(WRITERS) - {"stats csv"}))  # csv: --output is a folder
def test_target_is_a_folder(writer, db, tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    err = run(WRITERS[writer](db, str(folder)), capsys)
    assert "it is a folder" in err
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("writer", ["export csv", "export json", "export sqlite", "export xlsx", "canned export"])
def test_missing_folder(writer, db, tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "out.json"
    err = run(WRITERS[writer](db, str(target)), capsys)
    assert "folder does not exist" in err and not target.parent.exists()


@pytest.mark.parametrize("writer", ["stats text", "stats html", "stats xlsx", "stats csv", "backup"])
def test_writers_that_make_their_folder_say_when_they_cannot(writer, db, tmp_path, capsys):
    (tmp_path / "plain-file").write_text("in the way")
    target = tmp_path / "plain-file" / "inside" / "out"
    err = run(WRITERS[writer](db, str(target)), capsys)
    assert "could not be written" in err and str(tmp_path / "plain-file") in err


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_disk_full_leaves_the_earlier_file_untouched(writer, db, tmp_path, capsys, monkeypatch):
    target = tmp_path / "result"
    if writer == "stats csv":
        target.mkdir()
        earlier = target / "01-summary.csv"
    else:
        earlier = target
    earlier.write_text("yesterday's complete file", encoding="utf-8")

    def full(_path: Path) -> None:  # what fsync answers when the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_flush_to_disk", full)
    err = run(WRITERS[writer](db, str(target)), capsys)
    assert "disk is full" in err
    assert earlier.read_text(encoding="utf-8") == "yesterday's complete file"
    assert no_parts(tmp_path)
