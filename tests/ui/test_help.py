"""Help: the shortcut sheet is read from the window, the guide opens offline, About tells the
store's path and schema version, Open data folder shows the store's folder."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from desk.core.db import SCHEMA_HEAD
from desk.ui import help as desk_help


def _dialog(object_name):
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == object_name and w.isVisible()]
    return found[0] if found else None


def test_shortcut_sheet_opens_with_ctrl_slash_and_lists_the_real_keys(main_window, qtbot):
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _dialog("shortcutsDialog") is not None)
    sheet = _dialog("shortcutsDialog")
    keys = sheet.keys()
    assert "Ctrl+N" in keys and "Ctrl+T" in keys and "Ctrl+," in keys and "Ctrl+/" in keys
    rows = {(r.keys, r.what) for r in desk_help.shortcut_rows(main_window)}
    assert ("Ctrl+T", "Take next") in rows
    assert ("Ctrl+N", "New ticket") in rows
    assert ("Return", "Open the selected ticket (in the queue)") in rows
    assert not [r for r in rows if "no description" in r[1]]  # every key says what it does
    # A key that is not in the window is not in the sheet.
    assert "Ctrl+Alt+Z" not in keys
    qtbot.keyClicks(sheet.filter, "take")
    shown = [sheet.table.item(i, 1).text() for i in range(sheet.table.rowCount()) if not sheet.table.isRowHidden(i)]
    assert shown == ["Take next"]
    sheet.reject()


def test_shortcut_sheet_follows_the_window(main_window):
    before = {r.keys for r in desk_help.shortcut_rows(main_window)}
    main_window._action("View", "Zoom in", lambda: None, "Ctrl+Alt+Z")
    after = {r.keys for r in desk_help.shortcut_rows(main_window)}
    assert after - before == {"Ctrl+Alt+Z"}


def test_guide_opens_offline_from_f1(main_window, qtbot):
    assert desk_help.GUIDE_PATH.is_file()
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: _dialog("guideDialog") is not None)
    guide = _dialog("guideDialog")
    text = guide.browser.toPlainText()
    assert "Desk user guide" in text and "Ctrl+T" in text
    assert guide.browser.source().isLocalFile()
    guide.reject()


def test_guide_says_so_when_missing(qtbot, tmp_path):
    guide = desk_help.GuideDialog(path=tmp_path / "nowhere.html")
    qtbot.addWidget(guide)
    assert "missing" in guide.browser.toPlainText()


def test_about_shows_full_path_and_schema(main_window, qtbot, store):
    (action,) = [a for a in main_window.menu("Help").actions() if a.text().replace("&", "") == "About Desk"]
    action.trigger()
    qtbot.waitUntil(lambda: _dialog("aboutBox") is not None)
    box = _dialog("aboutBox")
    assert str(store.path.resolve()) in box.text()
    assert f"Schema version: {SCHEMA_HEAD} (up to date)" in box.text()
    box.done(QMessageBox.StandardButton.Ok)


def test_about_text_names_an_old_schema(store):
    assert "this Desk expects" in desk_help.about_text(store, "0001")


def test_open_data_folder_shows_the_store_folder(main_window, monkeypatch, store):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    (action,) = [a for a in main_window.menu("Help").actions() if a.text().replace("&", "") == "Open data folder"]
    action.trigger()
    assert opened == [str(store.path.resolve().parent)]
