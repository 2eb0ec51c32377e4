"""Shared fixtures: a real store file per test, and a few people to act with."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desk.core.db import Store, open_store  # noqa: E402
from desk.core.logs import _DeskFileHandler  # noqa: E402
from desk.core.ops import people  # noqa: E402
from tests.sync.fake_zendesk import FakeZendesk  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the user's real store, config, log folder or keyring."""
    monkeypatch.setenv("DESK_DB", str(tmp_path / "default-store.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("DESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    yield
    # The CLI and the window set up the log file; no test leaves it to the next one.
    logger = logging.getLogger("desk")
    for handler in [h for h in logger.handlers if isinstance(h, _DeskFileHandler)]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.NOTSET)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "desk.sqlite3") as opened:
        yield opened


@pytest.fixture
def session(store: Store):  # noqa: ANN201
    with store.session() as opened:
        yield opened


@pytest.fixture
def agent_id(session) -> int:  # noqa: ANN001
    return people.add_agent(session, name="Ana Student", email="ana@desk.test").created_id


@pytest.fixture
def other_agent_id(session) -> int:  # noqa: ANN001
    return people.add_agent(session, name="Bo Staff", email="bo@desk.test", role="staff").created_id


@pytest.fixture
def requester_id(session) -> int:  # noqa: ANN001
    return people.ensure_requester(
        session, email="prof.chen@uni.test", name="Wei Chen", kind="faculty"
    ).created_id


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    """A fake Zendesk Support API on a loopback port (tests/sync/fake_zendesk.py)."""
    fake = FakeZendesk()
    yield fake
    fake.stop()


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """A real folder the test process may not create files in (permission denied): a
    chmod 0500 folder, or, when running as root (who ignores that), /sys, where even root may
    not create files."""
    if os.geteuid() == 0:
        yield Path("/sys")
        return
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    folder.chmod(0o500)
    yield folder
    folder.chmod(0o700)
