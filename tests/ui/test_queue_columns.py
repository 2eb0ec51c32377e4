"""Choosing the queue's columns: a right-click on the header (or View → Queue columns) hides or
shows one, the choice is remembered, and a new window puts it back."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from desk.ui.queue import columns
from desk.ui.queue.model import COLUMNS

LOCATION = [key for _t, key, _tip in COLUMNS].index("location")
PRIORITY = [key for _t, key, _tip in COLUMNS].index("priority")


def _click(qtbot, menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def _popup(qtbot) -> QMenu:
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    return QApplication.activePopupWidget()


def test_a_right_click_on_the_header_hides_a_column_and_it_stays_hidden(qtbot, main_window, store):
    table = main_window.queue_panel.table
    header = table.horizontalHeader()
    assert not table.isColumnHidden(LOCATION)
    at = QPoint(header.sectionViewportPosition(LOCATION) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.RightButton, pos=at)
    # A desktop sends the context-menu event with the right click; QTest's click does not.
    QApplication.sendEvent(header.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at,
                                                                header.viewport().mapToGlobal(at)))
    menu = _popup(qtbot)
    texts = [action.text() for action in menu.actions()]
    assert "Location" in texts and "#" not in texts and "Subject" not in texts  # those always show
    _click(qtbot, menu, "Location")
    assert table.isColumnHidden(LOCATION) and not table.isColumnHidden(PRIORITY)
    assert QSettings().value(columns.SETTING) in (["location"], "location")

    # A new window (as `desk gui` builds it) puts the choice back before it shows.
    from desk.ui.app import MainWindow

    second = MainWindow(store)
    qtbot.addWidget(second)
    columns.restore(second.queue_panel.table, QSettings().value(columns.SETTING))
    assert second.queue_panel.table.isColumnHidden(LOCATION)
    second.close()
    second.tasks.shutdown()


def test_the_view_menu_shows_the_same_choice_and_brings_a_column_back(qtbot, main_window):
    table = main_window.queue_panel.table
    columns.show_column(table, PRIORITY, False)
    view = main_window.menu("View")
    submenu = next(a.menu() for a in view.actions() if a.text().replace("&", "") == "Queue columns")
    submenu.aboutToShow.emit()
    checks = {action.text(): action.isChecked() for action in submenu.actions()}
    assert checks["Priority"] is False and checks["Location"] is True
    submenu.popup(main_window.mapToGlobal(QPoint(10, 10)))
    qtbot.waitUntil(submenu.isVisible)
    _click(qtbot, submenu, "Priority")
    assert not table.isColumnHidden(PRIORITY)
    assert QSettings().value(columns.SETTING) in ([], None, "")


def test_an_old_or_hand_edited_setting_is_harmless(qtbot, main_window):
    table = main_window.queue_panel.table
    for remembered in (None, "", "location", ["subject", "id", "nonsense", "location"], 42):
        columns.restore(table, remembered)
        assert not table.isColumnHidden(0) and not table.isColumnHidden(3)  # number and subject stay
        assert table.isColumnHidden(LOCATION) == (remembered in ("location",) or isinstance(remembered, list))
