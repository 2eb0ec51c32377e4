"""UI fixtures: a MainWindow on a temp store, closed (tasks shut down) after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desk.core.db import Store


@pytest.fixture
def main_window(qtbot, store: Store) -> Iterator[object]:  # noqa: ANN001
    """The real main window on the test's store, shown, with its first loads finished."""
    from desk.ui.app import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    yield window
    window.close()  # closeEvent shuts the tasks down
    window.tasks.shutdown()


@pytest.fixture
def wait_idle(qtbot):  # noqa: ANN001, ANN201
    """``wait_idle(window_or_tasks)``: wait until no DB/network work is in flight."""

    def wait(target: object, timeout: int = 5000) -> None:
        tasks = getattr(target, "tasks", target)
        qtbot.waitUntil(lambda: tasks.pending == 0, timeout=timeout)

    return wait
