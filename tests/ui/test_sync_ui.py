"""Sync menu, status and the Remotes dialog, against the Zendesk fake."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select

from desk.core.models import Ticket
from desk.core.sync import credentials
from desk.ui.settings.remotes import RemotesDialog
from tests.sync.fake_zendesk import FakeZendesk
from tests.ui.conftest import connect_zendesk


@pytest.fixture
def controller(main_window: Any, session: Any, zendesk: FakeZendesk) -> Any:
    return connect_zendesk(main_window, session, zendesk)


def test_sync_now_pulls_in_the_background_and_shows_the_time(qtbot: Any, controller: Any, zendesk: FakeZendesk,
                                                              session: Any, main_window: Any) -> None:
    zendesk.create_ticket({"subject": "From the web", "comment": {"body": "hi"},
                           "requester": {"email": "kim@uni.test", "name": "Kim"}})
    zendesk.advance(61)
    assert controller.sync_action.toolTip()
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        controller.sync_action.trigger()
    assert isinstance(blocker.args[0], list) and blocker.args[0][0].created_local == 1
    assert controller.status.label.text().startswith("Last synced")
    assert not controller.status.offline.isVisible()
    session.rollback()
    assert session.scalar(select(Ticket.subject)) == "From the web"
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_offline_shows_the_indicator(qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any) -> None:
    zendesk.stop()
    waits: list[float] = []
    controller.http_options = {"sleep": waits.append}
    with qtbot.waitSignal(controller.finished, timeout=60000):
        controller.sync_now()
    assert controller.status.offline.isVisibleTo(main_window)
    assert "try again" in controller.status.offline.toolTip()
    assert waits == [0.5, 1.0, 2.0, 4.0]  # backed off before giving up
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_remotes_dialog_lists_and_adds(qtbot: Any, controller: Any, main_window: Any) -> None:
    dialog: RemotesDialog = controller.show_remotes()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and dialog.table.item(0, 5).text() == "stored")
    assert dialog.table.item(0, 0).text() == "zd"
    dialog.add()
    form = dialog.findChild(type(dialog).__mro__[1], "remoteForm")
    assert form is not None
    form.name.setText("rt")
    form.kind.setCurrentIndex(1)
    form.url.setText("http://127.0.0.1:9")
    form.user.setText("root")
    form.token.setText("rt-secret-token")
    assert form.token.echoMode() == QLineEdit.EchoMode.Password
    form.accept()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: credentials.has_secret("rt"), timeout=5000)
    assert credentials.load_secret("rt").token == "rt-secret-token"
    names = [dialog.table.item(i, 0).text() for i in range(2)]
    assert names == ["rt", "zd"]
    for widget in dialog.findChildren(QLineEdit) + [dialog.table, dialog.add_button, dialog.remove_button]:
        assert widget.accessibleName() and widget.toolTip()
    dialog.table.selectRow(0)
    dialog.remove()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    dialog.close()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
