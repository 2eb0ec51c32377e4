"""PySide6's support modules, compiled once instead of at every start.

The first thing ``import PySide6.QtCore`` does is load shiboken6, which runs PySide6's
signature support: fourteen Python modules kept inside libshiboken as a zip archive. They are
compiled from source with ``compile`` every time, because there is no ``__pycache__`` to hold
their bytecode. On the bench machine that costs ~20 ms of each start, about a sixth of what a
bare PySide6 window takes. PySide6's own fix (``SBK_EMBED=0``) writes the files into the
installed package, which an installed Desk must not do.

``import_qtcore()`` imports QtCore while ``compile`` answers those calls from a cache file in
Desk's user cache folder. A call is answered from the cache only when its source, file name
and inherited ``__future__`` flags all equal the cached entry, so the code is exactly what
``compile`` would return. The cache is written again whenever something had to be compiled,
for example on the first start or after a PySide6 upgrade. Every other ``compile`` call in
that time goes through unchanged. If the cache cannot be read, is corrupt or cannot be
written, the only cost is the compile.

No Qt here, and only modules that are already loaded: this runs before Qt.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import importlib
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from types import CodeType

# The flags a ``compile`` call inherits from the code that calls it (PEP 236): each
# ``from __future__`` import sets one. The cache compiles with the caller's flags, not its own.
FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag

# The file's first bytes. Bytecode is only valid for the interpreter that wrote it, so a file
# written by another Python version (or another format of this cache) is not even unmarshalled.
# After them comes the CRC-32 of the rest: damaged bytecode could crash the interpreter when
# run, so a file that was cut short or changed on disk is compiled again instead.
HEADER = b"desk-qt-support-2\0" + sys.implementation.cache_tag.encode() + f"-{sys.hexversion:x}\0".encode()
FILE_NAME = "qt-support-bytecode.marshal"

Entries = dict[str, tuple[object, int, CodeType]]  # file name -> (source, flags, code)


def cache_folder() -> str:
    """Desk's user cache folder: the one ``platformdirs.user_cache_dir("Desk", appauthor=False)``
    names (a test checks), worked out here: importing platformdirs this early (~14 ms with the
    modules it loads) would cost most of what the cache saves."""
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        return os.path.join(os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local"), "Desk", "Cache")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "Desk")
    return os.path.join(os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(home, ".cache"), "Desk")


def cache_path() -> str:
    return os.path.join(cache_folder(), FILE_NAME)


def read_entries(path: str) -> Entries:
    """The cached entries, or none if the file is missing, unreadable, corrupt or from another
    Python."""
    try:
        with open(path, "rb") as file:
            data = file.read()
        checksum, payload = data[len(HEADER):len(HEADER) + 4], data[len(HEADER) + 4:]
        if not data.startswith(HEADER) or checksum != zlib.crc32(payload).to_bytes(4, "big"):
            return {}
        entries = marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {name: entry for name, entry in entries.items()
            if isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 3
            and isinstance(entry[1], int) and isinstance(entry[2], CodeType)}


def frame(payload: bytes) -> bytes:
    """The file's content for a marshalled ``payload``: the header, its checksum, itself."""
    return HEADER + zlib.crc32(payload).to_bytes(4, "big") + payload


def write_entries(path: str, entries: Entries) -> bool:
    """Replace the cache file in one step: a reader sees either the old file or the new one,
    never half of one. Returns False if it cannot be written (the next start compiles again)."""
    partial = f"{path}.{os.getpid()}.partial"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(partial, "wb") as file:
            file.write(frame(marshal.dumps(entries)))
        os.replace(partial, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.remove(partial)
        return False
    return True


def caching_compile(cached: Entries, used: Entries, real: Callable[..., CodeType] = builtins.compile,
                    ) -> Callable[..., CodeType]:
    """A stand-in for ``compile``: a plain ``compile(source, filename, "exec")`` is answered from
    ``cached`` when the entry has the same source and inherited flags. Every entry it answers
    or compiles is put in ``used``."""

    def compile_cached(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **options):  # noqa: ANN001, ANN202
        if (mode != "exec" or flags or dont_inherit or optimize != -1 or options
                or not isinstance(filename, str) or not isinstance(source, (str, bytes))):
            return real(source, filename, mode, flags, dont_inherit, optimize, **options)
        # What ``compile`` would inherit: the flags of the code that called it, not this function's.
        inherited = sys._getframe(1).f_code.co_flags & FUTURE_FLAGS
        entry = cached.get(filename)
        if entry is None or entry[1] != inherited or entry[0] != source:
            entry = (source, inherited, real(source, filename, mode, inherited, True))
        used[filename] = entry
        return entry[2]

    return compile_cached


@contextlib.contextmanager
def cached_compiles(path: str) -> Iterator[Entries]:
    """Within the block, ``compile`` answers from the cache at ``path``; afterwards the cache is
    rewritten if anything had to be compiled. Yields the entries used so far."""
    cached = read_entries(path)
    used: Entries = {}
    real = builtins.compile
    builtins.compile = caching_compile(cached, used, real)
    try:
        yield used
    finally:
        builtins.compile = real
    if used and any(cached.get(name) is not entry for name, entry in used.items()):
        write_entries(path, used)


def import_qtcore() -> None:
    """Import PySide6.QtCore (with shiboken6 and its support modules), their compiles cached.

    Not with an import statement: once PySide6's import hook is in place, it reads the source of
    each module whose import statements it sees (see desk.ui.import_scan)."""
    if "shiboken6" in sys.modules:  # already loaded (a test process): nothing left to compile
        importlib.import_module("PySide6.QtCore")
        return
    with cached_compiles(cache_path()):
        importlib.import_module("PySide6.QtCore")
