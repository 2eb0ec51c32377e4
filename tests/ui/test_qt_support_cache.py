"""PySide6's support code compiled once (desk.ui.qt_support_cache): a second start compiles
none of it, the cache never serves code for another source, and a bad cache costs only time."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.ui import qt_support_cache
from desk.ui.qt_support_cache import HEADER, caching_compile, frame, read_entries, write_entries

# A fresh interpreter (this one loaded PySide6 long ago): it watches every ``compile`` call,
# imports QtCore the way the window does, and prints the file names it saw compiled and the
# message PySide6's signature code writes for a call with the wrong argument type.
START = """
import builtins, json
real, compiled = builtins.compile, []
def watching(source, filename, *args, **kwargs):
    compiled.append(filename)
    return real(source, filename, *args, **kwargs)
builtins.compile = watching
import desk.ui.import_scan
builtins.compile = real
from PySide6.QtCore import QObject
try:
    QObject().setObjectName(1)
except TypeError as exc:
    message = str(exc)
print(json.dumps({"compiled": compiled, "message": message}))
"""

BARE = START.replace("import desk.ui.import_scan", "import PySide6.QtCore")


def _start(cache_home: Path, code: str = START) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _support_files(compiled: list[str]) -> list[str]:
    return [name for name in compiled if name.startswith("shibokensupport/") or name == "signature_bootstrap.py"]


def test_a_second_start_compiles_none_of_pysides_support_code(tmp_path: Path) -> None:
    bare = _start(tmp_path / "unused", BARE)
    assert len(_support_files(bare["compiled"])) >= 10  # what every PySide6 start compiles

    first = _start(tmp_path)
    assert sorted(_support_files(first["compiled"])) == sorted(_support_files(bare["compiled"]))
    assert (tmp_path / "Desk" / qt_support_cache.FILE_NAME).is_file()

    second = _start(tmp_path)
    assert _support_files(second["compiled"]) == []
    # The cached code works as the compiled code did: the same wrong-argument message.
    assert second["message"] == first["message"] == bare["message"]
    assert "Supported signatures" in second["message"]


def test_a_corrupt_cache_is_compiled_again_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "Desk" / qt_support_cache.FILE_NAME
    path.parent.mkdir()
    path.write_bytes(frame(b"\x00 not marshal data"))
    broken = _start(tmp_path)
    assert len(_support_files(broken["compiled"])) >= 10
    assert "Supported signatures" in broken["message"]
    assert read_entries(str(path))  # rewritten, readable again
    assert _support_files(_start(tmp_path)["compiled"]) == []


GOOD = marshal.dumps({"x.py": ("x = 1", 0, compile("x = 1", "x.py", "exec"))})


@pytest.mark.parametrize("content", [
    b"", b"garbage", HEADER, frame(b"\xff\xfe"), frame(b""),
    frame(GOOD).replace(b"desk", b"dusk"),  # another format
    HEADER.replace(sys.implementation.cache_tag.encode(), b"cpython-27") + frame(GOOD)[len(HEADER):],  # another Python
    frame(GOOD)[:-7],  # cut short
    frame(GOOD)[:-20] + bytes([frame(GOOD)[-20] ^ 1]) + frame(GOOD)[-19:],  # one bit changed on disk
])
def test_an_unreadable_cache_has_no_entries(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cache.marshal"
    path.write_bytes(content)
    assert read_entries(str(path)) == {}
    assert read_entries(str(tmp_path / "missing.marshal")) == {}


def test_a_whole_cache_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cache.marshal"
    path.write_bytes(frame(GOOD))
    assert list(read_entries(str(path))) == ["x.py"]


def test_entries_of_the_wrong_shape_are_left_out(tmp_path: Path) -> None:
    good = ("x = 1", 0, compile("x = 1", "good.py", "exec"))
    path = tmp_path / "cache.marshal"
    path.write_bytes(frame(marshal.dumps({"good.py": good, "short.py": ("x",), "text.py": ("x", 0, "not code"),
                                             7: good})))
    assert read_entries(str(path)) == {"good.py": good}
    path.write_bytes(frame(marshal.dumps(["a list"])))
    assert read_entries(str(path)) == {}


def test_an_unwritable_cache_folder_costs_only_the_compile(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    entries = {"x.py": ("x = 1", 0, compile("x = 1", "x.py", "exec"))}
    assert write_entries(str(blocker / "cache.marshal"), entries) is False
    assert write_entries(str(tmp_path / "new" / "cache.marshal"), entries) is True
    assert read_entries(str(tmp_path / "new" / "cache.marshal")) == entries
    assert sorted(os.listdir(tmp_path / "new")) == ["cache.marshal"]  # no partial file left


@given(old=st.integers(), new=st.integers())
def test_the_cache_answers_only_for_the_same_source(old: int, new: int) -> None:
    cached: dict = {}
    caching_compile({}, cached)(f"value = {old}", "module.py", "exec")
    served: dict = {}
    code = caching_compile(cached, served)(f"value = {new}", "module.py", "exec")
    namespace: dict[str, object] = {}
    exec(code, namespace)  # noqa: S102 - the code this test just compiled
    assert namespace["value"] == new
    assert (served["module.py"][2] is cached["module.py"][2]) == (old == new)


def test_the_cache_compiles_with_the_callers_future_flags(tmp_path: Path) -> None:
    """``compile`` inherits the ``from __future__`` imports of the code that calls it; the
    cached code must be the same as when the caller compiled it without the cache."""
    source = "def f(x: undefined_name) -> None: pass\nannotations = f.__annotations__\n"
    caller = tmp_path / "caller.py"
    caller.write_text("def call(compile_, source):\n    return compile_(source, 'm.py', 'exec')\n")
    lazy = tmp_path / "lazy_caller.py"
    lazy.write_text("from __future__ import annotations\n" + caller.read_text())
    sys.path.insert(0, str(tmp_path))
    try:
        import caller as eager_caller  # type: ignore[import-not-found]
        import lazy_caller  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    cached: dict = {}
    lazy_code = lazy_caller.call(caching_compile({}, cached), source)
    assert lazy_code == lazy_caller.call(compile, source)
    eager_code = eager_caller.call(caching_compile(cached, {}), source)  # other flags: compiled again
    assert eager_code == eager_caller.call(compile, source)
    with pytest.raises(NameError):
        exec(eager_code, {})  # noqa: S102 - evaluated annotations: the name is undefined
    namespace: dict[str, object] = {}
    exec(lazy_code, namespace)  # noqa: S102
    assert namespace["annotations"] == {"x": "undefined_name", "return": "None"}


def test_calls_with_options_go_to_compile_unchanged() -> None:
    used: dict = {}
    compile_cached = caching_compile({}, used)
    assert compile_cached("1 + 1", "<expr>", "eval", optimize=2) == compile("1 + 1", "<expr>", "eval", optimize=2)
    assert eval(compile_cached("1 + 1", "<expr>", "eval"))  == 2  # noqa: S307 - a constant
    assert used == {}


def test_the_cache_folder_is_platformdirs_user_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs
    from platformdirs.macos import MacOS

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert qt_support_cache.cache_folder() == platformdirs.user_cache_dir("Desk", appauthor=False)
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert qt_support_cache.cache_folder() == platformdirs.user_cache_dir("Desk", appauthor=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert qt_support_cache.cache_folder() == MacOS(appname="Desk", appauthor=False).user_cache_dir
