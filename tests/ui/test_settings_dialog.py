"""File → Settings (Ctrl+,) through its real widgets: agents, requesters, categories, the desk."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desk.core.desk_settings import load_desk_settings
from desk.core.models import AuditEvent, Category, Person, Ticket
from desk.core.ops import people, tickets
from desk.core.queries.frontdesk import choices


def _top(object_name):
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == object_name and w.isVisible()]
    return found[-1] if found else None


def _click(qtbot, widget):
    assert widget.isVisible() and widget.isEnabled()  # a person can only click what is shown
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _open(qtbot, window, agent_id=None):
    if agent_id is not None:
        window.at_desk.sign_in(agent_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _top("settingsDialog") is not None)
    dialog = _top("settingsDialog")
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    return dialog


def _type(qtbot, edit, text):
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_add_then_deactivate_and_reactivate_an_agent(main_window, qtbot, store, agent_id):
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(2)
    tab = dialog.agents
    assert [r.name for r in tab.rows()] == ["Ana Student"]
    _type(qtbot, tab.name, "Cai Worker")
    _type(qtbot, tab.email, "cai@desk.test")
    tab.role.setCurrentIndex(tab.role.findData("staff"))
    _click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: "Cai Worker" in [r.name for r in tab.rows()])
    combo = main_window.at_desk.combo
    qtbot.waitUntil(lambda: combo.findText("Cai Worker") >= 0)  # offered at the desk at once

    tab.select("Cai Worker")
    assert tab.active_button.accessibleName() == "Deactivate agent"
    _click(qtbot, tab.active_button)
    qtbot.waitUntil(lambda: not next(r for r in tab.rows() if r.name == "Cai Worker").active)
    qtbot.waitUntil(lambda: combo.findText("Cai Worker") < 0)  # no longer offered
    with store.session() as s:
        cai = s.query(Person).filter_by(email="cai@desk.test").one()
        assert (cai.name, cai.role, cai.active) == ("Cai Worker", "staff", False)
        actions = [e.action for e in s.query(AuditEvent).filter(AuditEvent.actor_id == agent_id)]
        assert "add-agent" in actions and any("deactivate" in a for a in actions)
    tab.select("Cai Worker")
    assert tab.active_button.accessibleName() == "Reactivate agent"
    _click(qtbot, tab.active_button)
    qtbot.waitUntil(lambda: next(r for r in tab.rows() if r.name == "Cai Worker").active)
    dialog.reject()


def test_a_duplicate_agent_e_mail_is_explained(main_window, qtbot, agent_id):
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(2)
    tab = dialog.agents
    _type(qtbot, tab.name, "Another Ana")
    _type(qtbot, tab.email, "ana@desk.test")
    _click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: _top("errorBox") is not None)
    assert "ana@desk.test" in _top("errorBox").text()
    _top("errorBox").done(0)
    assert [r.name for r in tab.rows()] == ["Ana Student"]
    dialog.reject()


def test_rename_and_hide_a_category(main_window, qtbot, store, session, agent_id, requester_id):
    cat = people.ensure_category(session, name="Moodle").created_id
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Quiz",
                                   category_id=cat).created_id
    session.commit()
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(3)
    tab = dialog.categories
    qtbot.waitUntil(lambda: [c.name for c in tab.rows()] == ["Moodle"])
    tab.select("Moodle")
    _type(qtbot, tab.name, "Learning platform")
    _click(qtbot, tab.rename_button)
    qtbot.waitUntil(lambda: [c.name for c in tab.rows()] == ["Learning platform"])
    tab.select("Learning platform")
    assert tab.hide_button.text() == "Hide"
    _click(qtbot, tab.hide_button)
    qtbot.waitUntil(lambda: tab.rows()[0].hidden)
    assert tab.list.item(0).text() == "Learning platform  (1 ticket, hidden)"
    with store.session() as s:
        assert s.get(Category, cat).name == "Learning platform"
        assert s.get(Ticket, ticket_id).category_id == cat  # the ticket keeps it
        assert cat not in [c[0] for c in choices(s)[0]]  # quick log no longer offers it
    dialog.reject()


def test_merge_two_categories_after_confirming(main_window, qtbot, store, session, agent_id, requester_id):
    keep = people.ensure_category(session, name="Wi-Fi").created_id
    gone = people.ensure_category(session, name="Wireless").created_id
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="eduroam",
                                   category_id=gone).created_id
    session.commit()
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(3)
    tab = dialog.categories
    qtbot.waitUntil(lambda: len(tab.rows()) == 2)
    tab.select("Wireless")
    tab.merge_target.setCurrentIndex(tab.merge_target.findData(keep))
    _click(qtbot, tab.merge_button)
    qtbot.waitUntil(lambda: _top("confirmMerge") is not None)
    box = _top("confirmMerge")
    (merge,) = [b for b in box.buttons() if b.text() == "Merge"]
    _click(qtbot, merge)
    qtbot.waitUntil(lambda: [c.name for c in tab.rows()] == ["Wi-Fi"])
    with store.session() as s:
        assert s.get(Ticket, ticket_id).category_id == keep
    dialog.reject()


def test_edit_and_merge_two_requesters(main_window, qtbot, store, session, agent_id):
    first = people.ensure_requester(session, email="min.lee@uni.test", name="Min Lee", kind="student").created_id
    second = people.ensure_requester(session, email="minlee@gmail.test", name="Min  Lee", kind="guest").created_id
    ticket_id = tickets.log_ticket(session, actor_id=None, requester_id=second, subject="Card reader").created_id
    session.commit()
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(2)
    dialog.people_tabs.setCurrentIndex(1)
    tab = dialog.requesters
    _type(qtbot, tab.search, "min")
    qtbot.waitUntil(lambda: len(tab.rows()) == 2 and main_window.tasks.pending == 0)
    # edit one: a phone number
    row = [r.id for r in tab.rows()].index(first)
    tab.table.selectRow(row)
    _type(qtbot, tab.phone, "+82 2 1234 5678")
    _click(qtbot, tab.save_button)
    qtbot.waitUntil(lambda: any(r.phone == "+82 2 1234 5678" for r in tab.rows()))
    # merge: both selected, confirmed, the first kept
    tab.table.clearSelection()
    model = tab.table.selectionModel()
    for index in range(2):
        model.select(tab.table.model().index(index, 0),
                     QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert tab.merge_button.isEnabled()
    _click(qtbot, tab.merge_button)
    qtbot.waitUntil(lambda: _top("confirmMergePeople") is not None)
    box = _top("confirmMergePeople")
    assert isinstance(box, QMessageBox) and "min.lee@uni.test" in box.text() and "minlee@gmail.test" in box.text()
    kept_first = [r.id for r in tab.selected()][0]
    (keep_button,) = [b for b in box.buttons() if b.text().startswith("Keep 1")]
    _click(qtbot, keep_button)
    qtbot.waitUntil(lambda: [r.id for r in tab.rows()] == [kept_first])
    with store.session() as s:
        assert s.get(Ticket, ticket_id).requester_id == kept_first
        merged = s.get(Person, second if kept_first == first else first)
        assert merged is None or merged.merged_into == kept_first
    dialog.reject()


def test_merge_cancelled_changes_nothing(main_window, qtbot, store, session, agent_id):
    people.ensure_requester(session, email="a@uni.test", name="Jo Park")
    people.ensure_requester(session, email="b@uni.test", name="Jo Park")
    session.commit()
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(2)
    dialog.people_tabs.setCurrentIndex(1)
    tab = dialog.requesters
    _type(qtbot, tab.search, "Jo Park")
    qtbot.waitUntil(lambda: len(tab.rows()) == 2 and main_window.tasks.pending == 0)
    tab.table.selectAll()
    _click(qtbot, tab.merge_button)
    qtbot.waitUntil(lambda: _top("confirmMergePeople") is not None)
    box = _top("confirmMergePeople")
    _click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert len(tab.rows()) == 2
    dialog.reject()


def test_desk_tab_saves_the_time_zone(main_window, qtbot, store, agent_id):
    dialog = _open(qtbot, main_window, agent_id)
    form = dialog.desk_form
    _type(qtbot, form.name, "Media Desk")
    form.zone.set_zone("America/New_York")
    _click(qtbot, dialog.save_desk_button)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    with store.session() as s:
        saved = load_desk_settings(s)
        assert (saved.desk_name, saved.timezone) == ("Media Desk", "America/New_York")
    form.zone.set_zone("Mars/Olympus")  # not a zone: the core's message, nothing saved
    _click(qtbot, dialog.save_desk_button)
    qtbot.waitUntil(lambda: _top("errorBox") is not None)
    assert "Mars/Olympus" in _top("errorBox").text()
    _top("errorBox").done(0)
    with store.session() as s:
        assert load_desk_settings(s).timezone == "America/New_York"
    dialog.reject()


def test_calendar_tab_saves_terms_hours_and_closed_days(main_window, qtbot, store, agent_id):
    from desk.core import calendar

    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(1)
    dialog.terms.use_preset("ko")
    _click(qtbot, dialog.hours.open_boxes[4])  # closed on Fridays
    dialog.holidays.new_day.setDate(dialog.holidays.new_day.date().addDays(3))
    day = dialog.holidays.new_day.date().toPython()
    dialog.holidays.add_closed_day()
    _click(qtbot, dialog.save_calendar_button)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    with store.session() as s:
        saved = load_desk_settings(s)
        assert saved.opening_hours[4] == () and saved.opening_hours[0]
        assert saved.closed_days == (day,)
        assert calendar.terms(s)[0].name.startswith("Spring semester")
    dialog.reject()


def test_remotes_stay_their_own_dialog(main_window, qtbot, agent_id):
    dialog = _open(qtbot, main_window, agent_id)
    _click(qtbot, dialog.remotes_button)
    qtbot.waitUntil(lambda: _top("remotesDialog") is not None)
    remotes = _top("remotesDialog")
    assert remotes.objectName() == "remotesDialog"
    remotes.reject()
    dialog.reject()


def test_edit_an_agent_keeps_their_history(main_window, qtbot, store, session, agent_id, requester_id):
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="VPN").created_id
    session.commit()
    dialog = _open(qtbot, main_window, agent_id)
    dialog.tabs.setCurrentIndex(2)
    tab = dialog.agents
    qtbot.waitUntil(lambda: len(tab.rows()) == 1)
    tab.select("Ana Student")
    assert tab.name.text() == "Ana Student"  # the form shows the selected agent
    _type(qtbot, tab.name, "Ana Kim")
    tab.role.setCurrentIndex(tab.role.findData("supervisor"))
    _click(qtbot, tab.save_button)
    qtbot.waitUntil(lambda: [r.name for r in tab.rows()] == ["Ana Kim"])
    qtbot.waitUntil(lambda: main_window.at_desk.combo.findText("Ana Kim", Qt.MatchFlag.MatchStartsWith) >= 0)
    with store.session() as s:
        ana = s.get(Person, agent_id)
        assert (ana.name, ana.role) == ("Ana Kim", "supervisor")
        assert s.get(Ticket, ticket_id).id == ticket_id
        assert s.query(AuditEvent).filter(AuditEvent.actor_id == agent_id, AuditEvent.old == "Ana Student").count() >= 1
    dialog.reject()
