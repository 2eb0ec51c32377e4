"""Files people ask for are written whole or not at all, and their errors are messages."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from desk.core import errors, files


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_written_whole_with_the_usual_rights(tmp_path):
    target = tmp_path / "report.csv"
    files.write_text(target, "a,b\n1,2\n")
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert leftovers(tmp_path) == []


def test_permission_denied(unwritable_folder):
    with pytest.raises(errors.FileError, match="permission denied") as raised:
        files.write_text(unwritable_folder / "desk-report.csv", "x")
    assert raised.value.path == str(unwritable_folder / "desk-report.csv")
    assert not (unwritable_folder / "desk-report.csv").exists()


def test_missing_folder(tmp_path):
    with pytest.raises(errors.FileError, match="folder does not exist"):
        files.write_text(tmp_path / "nowhere" / "report.csv", "x")
    assert not (tmp_path / "nowhere").exists()


def test_path_is_a_folder(tmp_path):
    with pytest.raises(errors.FileError, match="it is a folder"):
        files.write_bytes(tmp_path, b"x")


def test_folder_path_through_a_file(tmp_path):
    (tmp_path / "plain").write_text("not a folder")
    with pytest.raises(errors.FileError, match="is a file|part of its folder path"):
        files.make_folder(tmp_path / "plain" / "inside")


def test_disk_full_leaves_the_old_file_and_no_part_file(tmp_path, monkeypatch):
    target = tmp_path / "export.json"
    target.write_text("the complete export of yesterday", encoding="utf-8")

    def full(_path: Path) -> None:  # what fsync answers on a full disk
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_flush_to_disk", full)
    with pytest.raises(errors.FileError, match="disk is full") as raised:
        files.write_text(target, "half of today's")
    assert raised.value.reason == "the disk is full"
    assert target.read_text(encoding="utf-8") == "the complete export of yesterday"
    assert leftovers(tmp_path) == []


def test_a_failure_while_writing_removes_the_part_file(tmp_path):
    target = tmp_path / "big.csv"
    with pytest.raises(ZeroDivisionError), files.atomic_path(target) as temp:
        temp.write_text("partial", encoding="utf-8")
        assert leftovers(tmp_path) == [temp.name]
        1 / 0  # noqa: B018 - a writer's bug halfway
    assert not target.exists() and leftovers(tmp_path) == []
