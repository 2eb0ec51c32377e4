"""The set-up assistant through the real window: an empty store to an agent serving walk-ins;
Skip leaves a usable store and the assistant comes back from Settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QWidget,
    QWizard,
)
from shiboken6 import isValid

from desk.core import calendar
from desk.core.desk_settings import load_desk_settings, needs_setup
from desk.core.models import AuditEvent, Category, Location, Person, Ticket
from desk.core.ops import people


def _top(object_name):
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == object_name and w.isVisible()]
    return found[-1] if found else None


def _focused():
    return QApplication.focusWidget()


def _click(qtbot, widget):
    assert widget.isVisible() and widget.isEnabled()  # a person can only click what is shown
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@pytest.fixture
def first_run_window(qtbot, store) -> Iterator[object]:
    """The window as ``desk`` opens it on a new store: with the first-run check."""
    from desk.ui.app import MainWindow

    window = MainWindow(store, first_run=True)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    yield window
    window.close()
    window.tasks.shutdown()


def _open_wizard(qtbot, window):
    qtbot.waitUntil(lambda: _top("setupWizard") is not None)
    wizard = _top("setupWizard")
    qtbot.waitUntil(lambda: wizard._start is not None and window.tasks.pending == 0)
    _activate(qtbot, wizard)
    return wizard


def _closed(widget):
    return not isValid(widget) or not widget.isVisible()  # closed dialogs delete themselves


def _activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _next(qtbot, wizard):
    _click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


def test_a_bare_window_on_an_empty_store_opens_no_assistant(main_window, qtbot, store):
    with store.session() as s:
        assert needs_setup(s)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert _top("setupWizard") is None


def test_first_run_to_an_agent_taking_the_next_walk_in(first_run_window, qtbot, store):
    window = first_run_window
    wizard = _open_wizard(qtbot, window)
    fields = (QLineEdit, QComboBox, QAbstractItemView, QCheckBox, QAbstractSpinBox, QAbstractButton)
    unnamed = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}" for w in wizard.findChildren(QWidget)
               if isinstance(w, fields) and not w.accessibleName()
               and not isinstance(w.parentWidget(), QComboBox | QAbstractSpinBox)  # their inner parts
               and w.isVisibleTo(wizard)]
    assert unnamed == []

    # 1. the desk: its name typed, the zone found by typing part of it, Korean screens
    form = wizard.desk_form
    assert form.zone.zone()  # the system's zone is the default
    form.name.setFocus()
    qtbot.keyClicks(form.name, "Tech Desk")
    form.zone.lineEdit().selectAll()
    qtbot.keyClicks(form.zone.lineEdit(), "Asia/Seoul")
    form.language.setFocus()
    qtbot.keyClick(form.language, Qt.Key.Key_End)  # the last entry: 한국어
    _next(qtbot, wizard)

    # 2. terms: the Korean preset
    assert wizard.currentPage() is wizard.terms_page
    (korean,) = [b for b in wizard.terms.findChildren(type(wizard.button(QWizard.WizardButton.NextButton)))
                 if b.accessibleName() == "Korean academic year"]
    _click(qtbot, korean)
    assert wizard.terms.values()[0]["name"].startswith("Spring semester")
    _next(qtbot, wizard)

    # 3. hours and holidays: open on Saturdays too, Korean public holidays, one own closed day
    assert wizard.currentPage() is wizard.hours_page
    _click(qtbot, wizard.hours.open_boxes[5])
    holidays = wizard.holidays
    holidays.country.setFocus()
    holidays.country.setCurrentIndex(holidays.country.findData("KR"))
    qtbot.waitUntil(lambda: holidays.public.count() > 5)
    texts = [holidays.public.item(i).text() for i in range(holidays.public.count())]
    assert any("-12-25" in text for text in texts)
    _next(qtbot, wizard)

    # 4. categories and locations: the defaults, one added, one removed
    assert wizard.currentPage() is wizard.choices_page
    defaults = wizard.categories.names()
    assert len(defaults) >= 5
    wizard.categories.name.setFocus()
    qtbot.keyClicks(wizard.categories.name, "Laptop loans")
    qtbot.keyClick(wizard.categories.name, Qt.Key.Key_Return)  # adds, does not leave the page
    assert wizard.currentPage() is wizard.choices_page
    gone = defaults[0]
    wizard.categories.list.setCurrentRow(0)
    (remove,) = [b for b in wizard.categories.findChildren(type(korean)) if b.accessibleName() == "Remove category"]
    _click(qtbot, remove)
    assert "Laptop loans" in wizard.categories.names() and gone not in wizard.categories.names()
    _next(qtbot, wizard)

    # 5. the first agent; Finish is only offered once there is one
    assert wizard.currentPage() is wizard.agents_page
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    _activate(qtbot, wizard)  # the zone's completer popup took the activation on the first page
    wizard.agents.name.setFocus()
    qtbot.keyClicks(wizard.agents.name, "Mina Park")
    qtbot.keyClick(wizard.agents.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(_focused(), "mina@uni.test")
    qtbot.keyClick(_focused(), Qt.Key.Key_Return)  # adds her to the list
    assert wizard.agents.table.rowCount() == 1 and wizard.isVisible()
    assert finish.isEnabled()
    with qtbot.wait_signal(wizard.saved, timeout=10000):
        _click(qtbot, finish)
    qtbot.waitUntil(lambda: _closed(wizard))

    with store.session() as s:
        (mina,) = [p for p in s.query(Person).filter_by(is_agent=True)]
        assert (mina.name, mina.email, mina.role) == ("Mina Park", "mina@uni.test", "student-worker")
        settings = load_desk_settings(s)
        assert (settings.desk_name, settings.timezone, settings.language) == ("Tech Desk", "Asia/Seoul", "ko")
        assert settings.holidays_country == "KR"
        assert settings.opening_hours[5] and not settings.opening_hours[6]
        assert calendar.terms(s)[0].name.startswith("Spring semester")
        categories = {c.name for c in s.query(Category)}
        assert "Laptop loans" in categories and gone not in categories
        assert s.query(Location).count() >= 1
        assert not needs_setup(s)
        assert s.query(AuditEvent).filter(AuditEvent.actor_id == mina.id).count() >= 1

    # "At the desk" offers her: picking her with the keyboard signs her in
    combo = window.at_desk.combo
    qtbot.waitUntil(lambda: combo.findText("Mina Park") >= 0)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.current_agent_id() == mina.id)

    # she logs a walk-in (Ctrl+N, type, Enter) and takes the next one (Ctrl+T)
    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.queue_panel._dialog is not None)
    dialog = window.queue_panel._dialog
    qtbot.waitUntil(lambda: _focused() is dialog.requester)
    qtbot.keyClicks(_focused(), "Jane Newcomer")
    qtbot.waitUntil(lambda: dialog.new_box.isVisible())
    for _ in range(20):
        if _focused() is dialog.subject:
            break
        qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.subject, "Cannot print from the lab")
    with qtbot.wait_signal(dialog.logged, timeout=5000) as logged:
        qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    ticket_id = logged.args[0]
    line = window.queue_panel.line
    qtbot.waitUntil(lambda: line.waiting_count() == 1)
    _activate(qtbot, window)
    with qtbot.wait_signal(line.taken, timeout=5000) as taken:
        qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert taken.args == [ticket_id]
    with store.session() as s:
        assert s.get(Ticket, ticket_id).assignee_id == mina.id


def test_skip_every_page_leaves_a_usable_store_and_settings_reopens_it(first_run_window, qtbot, store):
    window = first_run_window
    wizard = _open_wizard(qtbot, window)
    skip = wizard.button(QWizard.WizardButton.CustomButton1)
    assert skip.accessibleName() == "Skip this page"
    for _ in range(len(wizard.pageIds()) - 1):
        assert skip.text().replace("&", "") == "Skip this page"
        _click(qtbot, skip)
    assert skip.text().replace("&", "") == "Skip and finish"
    _click(qtbot, skip)
    qtbot.waitUntil(lambda: _closed(wizard))
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    with store.session() as s:
        assert needs_setup(s)
        assert s.query(Category).count() == 0
        assert calendar.terms(s) == []
    # the store is usable: a walk-in can still be logged
    dialog = window.queue_panel.quick_log()
    qtbot.keyClicks(dialog.requester, "Sam Visitor")
    qtbot.waitUntil(lambda: dialog.new_box.isVisible())
    qtbot.keyClicks(dialog.subject, "Wi-Fi")
    with qtbot.wait_signal(dialog.logged, timeout=5000):
        qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    # and the assistant comes back from File → Settings
    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _top("settingsDialog") is not None)
    _click(qtbot, _top("settingsDialog").setup_button)
    again = _open_wizard(qtbot, window)
    assert again is not wizard and _top("settingsDialog") is None
    _click(qtbot, again.button(QWizard.WizardButton.CancelButton))
    qtbot.waitUntil(lambda: _closed(again))


def test_skipped_pages_are_not_saved_and_the_rest_is(first_run_window, qtbot, store):
    wizard = _open_wizard(qtbot, first_run_window)
    skip = wizard.button(QWizard.WizardButton.CustomButton1)
    wizard.desk_form.name.setFocus()
    qtbot.keyClicks(wizard.desk_form.name, "Never saved")
    _click(qtbot, skip)  # the desk page
    _click(qtbot, skip)  # terms
    _click(qtbot, skip)  # hours
    _next(qtbot, wizard)  # categories: the defaults are taken
    qtbot.keyClicks(wizard.agents.name, "Ola Supervisor")
    wizard.agents.role.setCurrentIndex(wizard.agents.role.findData("supervisor"))
    with qtbot.wait_signal(wizard.saved, timeout=10000):
        _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))  # the typed agent is taken
    with store.session() as s:
        assert load_desk_settings(s).desk_name != "Never saved"
        assert calendar.terms(s) == []
        assert s.query(Category).count() == len(wizard.categories.names())
        (ola,) = s.query(Person).filter_by(is_agent=True).all()
        assert (ola.name, ola.role) == ("Ola Supervisor", "supervisor")


def test_a_refused_value_saves_nothing_and_keeps_the_assistant_open(main_window, qtbot, store):
    with store.session() as s:
        people.add_agent(s, name="Old Agent", email="old@uni.test")
    wizard = main_window.show_setup()  # run again from Settings
    qtbot.waitUntil(lambda: wizard._start is not None)
    for _ in range(4):
        _next(qtbot, wizard)
    qtbot.keyClicks(wizard.agents.name, "Old Agent Again")
    wizard.agents.email.setText("old@uni.test")  # the e-mail of another agent: refused
    wizard.desk_form.name.setText("Should not be saved")
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: _top("errorBox") is not None)
    box = _top("errorBox")
    assert isinstance(box, QMessageBox) and "old@uni.test" in box.text()
    box.done(0)
    assert wizard.isVisible()
    with store.session() as s:
        assert load_desk_settings(s).desk_name != "Should not be saved"
        assert s.query(Category).count() == 0
    wizard.reject()


def test_run_again_finishes_without_a_new_agent_and_keeps_renames(main_window, qtbot, store, agent_id):
    with store.session() as s:
        people.ensure_category(s, name="Moodle")
        people.ensure_category(s, name="Zoom")
    wizard = main_window.show_setup()
    qtbot.waitUntil(lambda: wizard._start is not None)
    _activate(qtbot, wizard)
    for _ in range(3):
        _next(qtbot, wizard)
    assert wizard.categories.names() == ["Moodle", "Zoom"]  # the store's own, not the defaults
    wizard.categories.list.setCurrentRow(0)
    _type_over(qtbot, wizard.categories.name, "Learning platform")
    (rename,) = [b for b in wizard.categories.findChildren(QAbstractButton) if b.accessibleName() == "Rename category"]
    _click(qtbot, rename)
    wizard.categories.list.setCurrentRow(1)
    (remove,) = [b for b in wizard.categories.findChildren(QAbstractButton) if b.accessibleName() == "Remove category"]
    _click(qtbot, remove)
    _next(qtbot, wizard)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isEnabled()  # Ana is an agent already
    with qtbot.wait_signal(wizard.saved, timeout=10000):
        _click(qtbot, finish)
    with store.session() as s:
        rows = {c.name: c.hidden for c in s.query(Category)}
        assert rows == {"Learning platform": False, "Zoom": True}  # renamed in place; removed = hidden
        assert s.query(Person).filter_by(is_agent=True).count() == 1


def _type_over(qtbot, edit, text):
    edit.selectAll()
    qtbot.keyClicks(edit, text)
