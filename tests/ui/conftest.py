"""UI fixtures: a MainWindow on a temp store, closed (tasks shut down) after the test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


@pytest.fixture
def tasks(store: Store, qtbot) -> Iterator[object]:  # noqa: ANN001
    """A Tasks on the test store (no data_version watch), shut down after the test."""
    from desk.ui.tasks import Tasks

    made = Tasks(store, watch_interval_ms=0)
    yield made
    qtbot.waitUntil(lambda: made.pending == 0)
    made.shutdown()


def connect_zendesk(main_window, session, zendesk, *, automatic: bool = False):  # noqa: ANN001, ANN201
    """Configure remote "zd" on the fake Zendesk, store its token, install the Sync menu.
    Syncing "Only when asked" unless ``automatic`` (on start, after changes, every 30 s), so a
    test of Sync now is not raced by a background run."""
    from desk.core.sync import config, credentials
    from desk.ui.settings.sync_action import DEFAULT_INTERVAL, install

    controller = install(main_window)
    controller.set_interval(DEFAULT_INTERVAL if automatic else 0)
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    credentials.store_secret("zd", credentials.Secret(token=zendesk.state.token))
    session.rollback()
    return install(main_window)


@contextmanager
def shown_stats_panel(qtbot, store: Store) -> Iterator[object]:  # noqa: ANN001
    """A StatsPanel on ``store`` at 1280×800, shown, with its first report computed and painted;
    its tasks are shut down afterwards."""
    from desk.ui.stats.panel import StatsPanel
    from desk.ui.tasks import Tasks

    tasks = Tasks(store, watch_interval_ms=0)
    widget = StatsPanel(tasks)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    try:
        with qtbot.wait_signal(widget.report_shown, timeout=20000):
            pass
        qtbot.waitUntil(lambda: tasks.pending == 0, timeout=20000)
        yield widget
    finally:
        tasks.shutdown()
