"""Sync with no remote, and the Remotes dialog, used as a person would: F9 says there is nothing
to sync with, the empty dialog says what remotes are for, buttons that need a row wait for one,
and a refused form keeps everything typed, the token included."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QMessageBox

from desk.core.sync import config, credentials


def test_f9_with_no_remote_says_so(qtbot: Any, main_window: Any) -> None:
    controller = main_window.install_sync()
    qtbot.waitUntil(lambda: controller.remote_count == 0 and main_window.tasks.pending == 0)
    main_window.activateWindow()
    main_window.setFocus()
    qtbot.keyClick(main_window, Qt.Key.Key_F9)  # the count is checked again first (on the DB worker)
    qtbot.waitUntil(lambda: "no remote helpdesk" in main_window.statusBar().currentMessage())
    message = main_window.statusBar().currentMessage()
    assert "no remote helpdesk" in message and "Sync → Remotes" in message
    assert not controller.running and controller.status.label.text() == "Local only"


def open_remotes(qtbot: Any, main_window: Any):  # noqa: ANN201
    controller = main_window.install_sync()
    controller.remotes_action.trigger()
    dialog = controller.dialog
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    return dialog


def test_empty_remotes_dialog_explains_and_waits_for_a_selection(qtbot: Any, main_window: Any,
                                                                 session: Any) -> None:
    dialog = open_remotes(qtbot, main_window)
    assert dialog.empty.isVisible() and not dialog.table.isVisible()
    assert "No remote helpdesk yet" in dialog.empty.text() and "Add" in dialog.empty.text()
    assert dialog.add_button.isEnabled()
    assert not dialog.token_button.isEnabled() and not dialog.remove_button.isEnabled()

    config.add_remote(session, name="zd", kind="zendesk", url="https://uni.zendesk.com", username="a@uni.test")
    session.rollback()
    dialog.refresh()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and main_window.tasks.pending == 0)
    assert dialog.table.isVisible() and not dialog.empty.isVisible()
    assert dialog.remove_button.isEnabled()  # the only row is selected
    dialog.table.clearSelection()
    assert not dialog.token_button.isEnabled() and not dialog.remove_button.isEnabled()
    rect = dialog.table.visualRect(dialog.table.model().index(0, 0))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.token_button.isEnabled() and dialog.remove_button.isEnabled()
    dialog.close()


def test_a_refused_remote_keeps_what_was_typed_token_included(qtbot: Any, main_window: Any,
                                                              session: Any) -> None:
    dialog = open_remotes(qtbot, main_window)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.findChild(QDialog, "remoteForm")
    qtbot.keyClicks(form.name, "zd")
    qtbot.keyClicks(form.url, "ftp://uni.zendesk.com")  # not an address Desk can sync with
    qtbot.keyClicks(form.user, "agent@uni.test")
    qtbot.keyClicks(form.token, "zd-secret-token")
    ok = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.findChild(QMessageBox, "errorBox") is not None, timeout=5000)
    box = form.findChild(QMessageBox, "errorBox")
    box.close()
    assert form.isVisible()
    assert (form.name.text(), form.url.text(), form.user.text(), form.token.text()) == (
        "zd", "ftp://uni.zendesk.com", "agent@uni.test", "zd-secret-token")
    assert form.token.echoMode() == QLineEdit.EchoMode.Password
    assert config.list_remotes(session) == []

    form.url.selectAll()
    qtbot.keyClicks(form.url, "https://uni.zendesk.com")
    assert ok.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not form.isVisible() and form.token.text() == ""  # gone once used
    assert credentials.load_secret("zd").token == "zd-secret-token"
    session.rollback()
    assert [r.name for r in config.list_remotes(session)] == ["zd"]
    dialog.close()
