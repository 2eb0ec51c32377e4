"""Writing the files people ask for (exports, reports, backups): whole or not at all.

Every writer of a user-chosen file goes through ``atomic_path`` (or the ``write_text`` /
``write_bytes`` shortcuts over it):

* the content goes to a temporary file beside the target, which is renamed over the target
  only once everything was written and flushed to disk; on any failure the temporary file is
  removed, so a half-written export never sits at the chosen name looking complete (and an
  older file of that name is left as it was);
* an ``OSError`` (permission denied, missing folder, disk full, the path is a folder...)
  becomes an ``errors.FileError`` whose message names the file and says what to do: it is the
  environment, not a bug, and the CLI and the window show it as such.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from desk.core import errors
from desk.core.i18n import _

log = logging.getLogger(__name__)

_REASONS = {
    errno.EACCES: ("permission denied", "Choose a folder you may write to."),
    errno.EPERM: ("permission denied", "Choose a folder you may write to."),
    errno.EROFS: ("the disk is read-only", "Choose a folder on another disk."),
    errno.ENOSPC: ("the disk is full", "Free some space or choose another disk, then try again."),
    errno.EDQUOT: ("your disk quota is used up", "Free some space or choose another disk."),
    errno.ENOENT: ("its folder does not exist", "Create the folder or choose another one."),
    errno.ENOTDIR: ("part of its folder path is a file", "Choose another folder."),
    errno.EISDIR: ("it is a folder", "Give a file name, not a folder."),
    errno.ENAMETOOLONG: ("the name is too long", "Choose a shorter name."),
}


def file_error(path: Path | str, exc: OSError, *, what: str = "file") -> errors.FileError:
    """The typed, explained error for an ``OSError`` met while writing ``path``."""
    reason, advice = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "Choose another file."))
    if exc.errno == errno.ENOSPC:
        message = f"The {what} {path} was not written: {reason}. {advice}"
    else:
        message = f"The {what} {path} could not be written: {reason}. {advice}"
    log.warning("writing %s failed: %s (errno %s)", path, exc.strerror or exc, exc.errno)
    return errors.FileError(message, path=str(path), reason=reason)


@contextmanager
def file_errors(path: Path | str, *, what: str = "file") -> Iterator[None]:
    """Turn an ``OSError`` raised inside into ``FileError`` about ``path``."""
    try:
        yield
    except BrokenPipeError:
        raise  # `desk export -o /dev/stdout | head`: the reader left; not the file's fault
    except OSError as exc:
        raise file_error(path, exc, what=what) from exc


def _check_name(path: Path, *, what: str) -> None:
    """A name the operating system cannot take at all (a NUL character, a lone surrogate)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        bad = True
    else:
        bad = "\x00" in text
    if bad:
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\0")
        raise errors.FileError(f"The {what} {shown} cannot be written: the name holds characters no "
                               "file name can have. Choose another name.", path=shown, reason="invalid name")


def make_folder(folder: Path, *, what: str = "folder") -> Path:
    """``mkdir -p`` with a FileError (not a traceback) when that is not allowed."""
    _check_name(folder, what=what)
    with file_errors(folder, what=what):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, _("a file has that name"), str(folder))
        folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def atomic_path(path: Path, *, what: str = "file") -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed to ``path`` when the block ends
    without an error, removed otherwise. For writers that want a file name (SQLite's backup,
    openpyxl); see ``write_text`` for text."""
    path = Path(path)
    _check_name(path, what=what)
    with file_errors(path, what=what):
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, _("is a folder"), str(path))
        special = path.exists() and not path.is_file()  # /dev/stdout, a named pipe...
        if not special:
            temp = _new_temporary(path)
    if special:  # nothing to rename over: written as it comes
        with file_errors(path, what=what):
            yield path
        return
    try:
        with file_errors(path, what=what):
            yield temp
            _flush_to_disk(temp)
            os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise


def _new_temporary(path: Path) -> Path:
    """A new empty file beside ``path``, created with the usual rights for a new file (the
    umask applies, unlike ``tempfile.mkstemp``'s private 0600)."""
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return temp


def _flush_to_disk(path: Path) -> None:
    """fsync before the rename, so a crash cannot leave an empty file under the final name
    (and a full disk shows here at the latest)."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def write_bytes(path: Path, data: bytes, *, what: str = "file") -> Path:
    with atomic_path(path, what=what) as temp:
        temp.write_bytes(data)
    return path


def write_text(path: Path, text: str, *, what: str = "file", newline: str | None = None) -> Path:
    """``text`` to ``path`` as UTF-8, whole or not at all (``newline`` as for ``open``)."""
    with atomic_path(path, what=what) as temp, temp.open("w", encoding="utf-8", newline=newline) as out:
        out.write(text)
    return path
