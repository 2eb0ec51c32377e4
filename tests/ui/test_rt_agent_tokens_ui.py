"""Settings → Remotes → People… on an RT remote: each agent's own RT token is shown as set / not
set (never the token), Set token… and Clear token store and forget it in the keyring, and the
keyring is only ever called on the network pool."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QTableWidget

from desk.core.ops import people
from desk.core.sync import config, credentials
from desk.ui.settings.remote_people import RemotePeopleDialog
from desk.ui.settings.remotes import RemotesDialog
from tests.ui.test_sync_ui import ThreadRecordingKeyring, recording_keyring  # noqa: F401 - the fixture

TOKEN = "1-42-0123456789abcdef0123456789abcdef"


@pytest.fixture
def rt_remote(main_window: Any, session: Any) -> Iterator[Any]:
    from desk.ui.settings.sync_action import install

    controller = install(main_window)
    controller.set_interval(0)  # no background run against the address below
    people.add_agent(session, name="Ana Student", email="ana@desk.test")
    people.add_agent(session, name="Bo Staff", email="bo@desk.test", role="staff")
    config.add_remote(session, name="rt", kind="rt", url="http://127.0.0.1:9", username="root")
    credentials.store_secret("rt", credentials.Secret(token="the-sync-token"))
    credentials.store_agent_secret("rt", "bo@desk.test", credentials.Secret(token="bo-own-token-1234"))
    session.rollback()
    yield install(main_window)


def click_cell(qtbot: Any, table: QTableWidget, row: int, column: int) -> None:
    rect = table.visualItemRect(table.item(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_people(qtbot: Any, main_window: Any, controller: Any) -> tuple[RemotesDialog, RemotePeopleDialog]:
    dialog: RemotesDialog = controller.show_remotes()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and dialog.people_button.isEnabled())
    qtbot.mouseClick(dialog.people_button, Qt.MouseButton.LeftButton)
    people_dialog = dialog.people_dialog
    qtbot.waitUntil(lambda: people_dialog.loaded and people_dialog.tokens is not None, timeout=5000)
    return dialog, people_dialog


def token_column(dialog: RemotePeopleDialog) -> dict[str, str]:
    table = dialog.table
    return {table.item(r, 1).text(): table.item(r, 3).text() for r in range(table.rowCount())}


def row_of(dialog: RemotePeopleDialog, email: str) -> int:
    return next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 1).text() == email)


def test_an_agents_rt_token_is_set_and_cleared_in_the_people_dialog(
        qtbot: Any, main_window: Any, rt_remote: Any, recording_keyring: ThreadRecordingKeyring) -> None:  # noqa: F811
    recording_keyring.calls.clear()  # from here on every keyring call is the window's
    remotes, dialog = open_people(qtbot, main_window, rt_remote)
    assert dialog.table.horizontalHeaderItem(3).text() == "RT token"
    assert token_column(dialog) == {"ana@desk.test": "not set", "bo@desk.test": "set"}
    set_button = next(b for b in dialog.findChildren(QPushButton) if b.accessibleName() == "Set agent token")
    clear_button = next(b for b in dialog.findChildren(QPushButton) if b.accessibleName() == "Clear agent token")

    click_cell(qtbot, dialog.table, row_of(dialog, "ana@desk.test"), 0)
    assert set_button.isEnabled() and not clear_button.isEnabled()  # nothing to clear for Ana yet
    qtbot.mouseClick(set_button, Qt.MouseButton.LeftButton)
    token_dialog = dialog.findChild(QDialog, "agentTokenDialog")
    qtbot.waitUntil(token_dialog.isVisible)
    field = next(f for f in token_dialog.findChildren(QLineEdit) if f.accessibleName() == "Agent token")
    assert field.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(field, TOKEN)
    store = next(b for b in token_dialog.findChildren(QPushButton) if b.accessibleName() == "Store token")
    with qtbot.waitSignal(dialog.tokens_changed, timeout=5000):
        qtbot.mouseClick(store, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: token_column(dialog)["ana@desk.test"] == "set", timeout=5000)
    assert field.text() == ""  # not kept in the closed dialog

    click_cell(qtbot, dialog.table, row_of(dialog, "bo@desk.test"), 0)
    qtbot.waitUntil(clear_button.isEnabled)
    with qtbot.waitSignal(dialog.tokens_changed, timeout=5000):
        qtbot.mouseClick(clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: token_column(dialog)["bo@desk.test"] == "not set", timeout=5000)

    shown = [w.text() for w in dialog.findChildren(QLabel)] + [
        dialog.table.item(r, c).text() for r in range(dialog.table.rowCount()) for c in range(4)]
    assert all(TOKEN not in text and "bo-own-token" not in text for text in shown)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    calls = list(recording_keyring.calls)
    # Never on the DB worker nor the window's thread (an unlock prompt would freeze it).
    assert calls and not any(thread.startswith("desk-db") or thread == "MainThread" for _what, thread in calls)
    writes = [thread for what, thread in calls if what in ("set", "delete")]
    assert len(writes) >= 2 and all(thread.startswith("desk-net") for thread in writes), calls
    assert credentials.load_agent_secret("rt", "ana@desk.test").token == TOKEN
    assert credentials.load_agent_secret("rt", "bo@desk.test") is None
    assert credentials.agents_with_secrets("rt") == ["ana@desk.test"]
    dialog.close()
    remotes.close()


def test_a_zendesk_remote_has_no_rt_token_column(qtbot: Any, main_window: Any, session: Any, zendesk: Any) -> None:
    from tests.ui.conftest import connect_zendesk

    controller = connect_zendesk(main_window, session, zendesk)
    remotes: RemotesDialog = controller.show_remotes()
    qtbot.waitUntil(lambda: remotes.table.rowCount() == 1 and remotes.people_button.isEnabled())
    qtbot.mouseClick(remotes.people_button, Qt.MouseButton.LeftButton)
    dialog = remotes.people_dialog
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.table.columnCount() == 3
    assert not any(b.accessibleName() == "Set agent token" for b in dialog.findChildren(QPushButton))
    dialog.close()
    remotes.close()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
