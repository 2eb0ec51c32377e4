"""The front desk driven through its real widgets."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desk.core.db import open_store
from desk.core.models import Person, Ticket, utcnow
from desk.core.ops import people, shifts, tickets


def _log(session, requester_id, subject, *, minutes_ago=0, channel="walk-in"):
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                              channel=channel, arrived_at=utcnow() - timedelta(minutes=minutes_ago)).created_id


def _queue_ids(window):
    return window.queue_panel.model.ids()


def _wait_queue(qtbot, window, predicate, timeout=5000):
    qtbot.waitUntil(lambda: window.tasks.pending == 0 and predicate(_queue_ids(window)), timeout=timeout)


def _ticket(store, ticket_id):
    with store.session() as s:
        return s.get(Ticket, ticket_id)


def _focused():
    return QApplication.focusWidget()


def test_log_walk_in_with_keyboard_only(main_window, qtbot, store, wait_idle):
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: main_window.queue_panel._dialog is not None)
    dialog = main_window.queue_panel._dialog
    qtbot.waitUntil(lambda: _focused() is dialog.requester)
    qtbot.keyClicks(_focused(), "Jane Newcomer")
    qtbot.waitUntil(lambda: dialog.new_box.isVisible())
    for _ in range(20):  # Tab through the form to the subject
        if _focused() is dialog.subject:
            break
        qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is dialog.subject
    qtbot.keyClicks(dialog.subject, "Laptop will not join eduroam")
    with qtbot.wait_signal(dialog.logged, timeout=5000) as logged:
        qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    ticket_id = logged.args[0]
    _wait_queue(qtbot, main_window, lambda ids: ticket_id in ids)
    t = _ticket(store, ticket_id)
    assert t.subject == "Laptop will not join eduroam"
    assert t.channel == "walk-in"
    with store.session() as s:
        assert s.get(Person, t.requester_id).name == "Jane Newcomer"
    assert ticket_id in [e.ticket_id for e in main_window.queue_panel.line.entries()]


def test_quick_log_existing_requester_and_duplicate_warning(main_window, qtbot, session, requester_id):
    earlier = _log(session, requester_id, "Projector in room 101 shows no signal", minutes_ago=30)
    other = people.ensure_requester(session, email="sam@uni.test", name="Sam Lee", kind="student").created_id
    similar = _log(session, other, "Wireless projector adapter missing", minutes_ago=10)
    dialog = main_window.queue_panel.quick_log()
    qtbot.keyClicks(dialog.requester, "Wei")
    qtbot.waitUntil(lambda: len(dialog.matches()) == 1)
    dialog.choose(dialog.matches()[0])
    qtbot.waitUntil(lambda: dialog.warning.isVisible())
    assert "already has 1 open ticket" in dialog.warning.text()
    assert f"ticket:{earlier}" in dialog.warning.text()
    qtbot.keyClicks(dialog.subject, "projector")
    qtbot.waitUntil(lambda: f"ticket:{similar}" in dialog.warning.text())
    assert "Similar subject" in dialog.warning.text()
    with qtbot.wait_signal(dialog.open_requested) as opened:
        dialog.warning.linkActivated.emit(f"ticket:{similar}")
    assert opened.args == [similar]
    qtbot.waitUntil(lambda: main_window.tabs.count() == 3)
    assert main_window.tabs.tabText(2) == f"#{similar}"
    dialog.reject()


def test_expected_resolution_shown(main_window, qtbot, session, requester_id):
    cat = people.ensure_category(session, name="Curriculum support").created_id
    now = utcnow()
    for hours in (1, 2, 3, 4, 10):
        tid = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Moodle",
                                 category_id=cat, now=now - timedelta(hours=hours + 1)).created_id
        tickets.solve(session, ticket_id=tid, actor_id=requester_id, now=now - timedelta(hours=1))
    dialog = main_window.queue_panel.quick_log()
    qtbot.waitUntil(lambda: dialog.category.count() > 1)
    with qtbot.wait_signal(dialog.checks_done):
        dialog.category.setCurrentIndex(dialog.category.findData(cat))
    assert "usually 3 h 00" in dialog.expectation.text()
    assert "8 in 10 within 4 h 00" in dialog.expectation.text()
    dialog.reject()


def test_take_next_claims_longest_waiting(main_window, qtbot, store, session, requester_id, agent_id):
    first = _log(session, requester_id, "Password reset", minutes_ago=20)
    second = _log(session, requester_id, "Printer", minutes_ago=5)
    _log(session, requester_id, "Email only", minutes_ago=60, channel="email")
    line = main_window.queue_panel.line
    qtbot.waitUntil(lambda: line.waiting_count() == 2, timeout=5000)
    assert [e.ticket_id for e in line.entries()] == [first, second]
    main_window.at_desk.sign_in(agent_id)
    qtbot.waitUntil(lambda: main_window.current_agent_id() == agent_id)
    with qtbot.wait_signal(line.taken, timeout=5000) as taken:
        qtbot.mouseClick(line.take_next_button, Qt.MouseButton.LeftButton)
    assert taken.args == [first]
    assert _ticket(store, first).assignee_id == agent_id
    qtbot.waitUntil(lambda: line.waiting_count() == 1)
    # the person who was taken is now shown as being served; mark the other one as having left
    line.list.setCurrentRow([e.ticket_id for e in line.entries()].index(second))
    qtbot.mouseClick(line.left_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: line.waiting_count() == 0)
    assert _ticket(store, second).left_at is not None
    with store.session() as s:
        assert shifts.open_shift(s, agent_id) is not None


def test_take_next_leaves_the_focus_where_the_person_moved_it_meanwhile(main_window, qtbot, session,
                                                                       requester_id, agent_id):
    """Take next gives the line the focus (Enter opens the person taken), but not when the student
    clicked elsewhere before the answer came (the helpdesk confirms a claim first): their next
    key must act where they are, not on the person taken."""
    first = _log(session, requester_id, "Password reset", minutes_ago=20)
    _log(session, requester_id, "Printer", minutes_ago=5)
    panel = main_window.queue_panel
    qtbot.waitUntil(lambda: panel.line.waiting_count() == 2, timeout=5000)
    main_window.at_desk.sign_in(agent_id)
    qtbot.waitUntil(lambda: main_window.current_agent_id() == agent_id and main_window.tasks.pending == 0)

    panel.table.setFocus()
    qtbot.waitUntil(lambda: _focused() is panel.table)
    with qtbot.wait_signal(panel.line.taken, timeout=5000) as taken:
        qtbot.keyClick(panel.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
        panel.search.setFocus()  # moved on before the answer: it is delivered by the event loop
    assert taken.args == [first]
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert _focused() is panel.search

    with qtbot.wait_signal(panel.line.taken, timeout=5000):  # stayed put: the line takes the focus
        qtbot.keyClick(panel.search, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert _focused() is panel.line.list


def test_claim_and_release_by_two_agents(main_window, qtbot, store, session, requester_id, agent_id,
                                         other_agent_id):
    ticket_id = _log(session, requester_id, "Zoom room camera frozen")
    panel = main_window.queue_panel
    _wait_queue(qtbot, main_window, lambda ids: ticket_id in ids)
    main_window.at_desk.sign_in(agent_id)
    assert panel.select_ticket(ticket_id)
    qtbot.mouseClick(panel.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _ticket(store, ticket_id).assignee_id == agent_id)

    # Mine shows it for Ana
    from desk.core.queries.queue import VIEWS

    panel.views.setCurrentRow(list(VIEWS).index("mine"))
    _wait_queue(qtbot, main_window, lambda ids: ids == [ticket_id])

    # Bo cannot take it while Ana holds it: a friendly message, nothing changes
    main_window.at_desk.sign_in(other_agent_id)
    _wait_queue(qtbot, main_window, lambda ids: ids == [])  # Mine is Bo's now: empty
    panel.views.setCurrentRow(0)
    _wait_queue(qtbot, main_window, lambda ids: ticket_id in ids)
    assert panel.select_ticket(ticket_id)
    qtbot.mouseClick(panel.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _error_box() is not None)
    assert "already claimed by Ana Student" in _error_box().text()
    _error_box().done(0)
    assert _ticket(store, ticket_id).assignee_id == agent_id

    # Ana releases (back at the desk), then Bo claims
    main_window.at_desk.sign_in(agent_id)
    panel.select_ticket(ticket_id)
    qtbot.mouseClick(panel.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _ticket(store, ticket_id).assignee_id is None)
    main_window.at_desk.sign_in(other_agent_id)
    qtbot.waitUntil(lambda: panel.select_ticket(ticket_id) and main_window.tasks.pending == 0)
    qtbot.mouseClick(panel.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _ticket(store, ticket_id).assignee_id == other_agent_id)
    _wait_queue(qtbot, main_window, lambda ids: ticket_id in ids)
    row = panel.model.row_of(ticket_id)
    qtbot.waitUntil(lambda: panel.model.index(row, 8).data() == "Bo Staff")


def _error_box():
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "errorBox" and w.isVisible()]
    return boxes[-1] if boxes else None


def test_search(main_window, qtbot, session, requester_id):
    wanted = _log(session, requester_id, "Canvas gradebook export fails")
    _log(session, requester_id, "Projector bulb")
    panel = main_window.queue_panel
    _wait_queue(qtbot, main_window, lambda ids: len(ids) == 2)
    qtbot.keyClicks(panel.search, "gradeb")
    _wait_queue(qtbot, main_window, lambda ids: ids == [wanted])
    for nasty in ('"', "NEAR(", "a:b", "*", "-x", "'; DROP TABLE tickets; --", "(((", "ÄÖÜ"):
        panel.search.setText(nasty)
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
        assert _error_box() is None
    panel.search.clear()
    qtbot.keyClicks(panel.search, "wei chen")  # the requester's name is indexed too
    _wait_queue(qtbot, main_window, lambda ids: len(ids) == 2)


def test_change_from_another_connection_appears(main_window, qtbot, store, requester_id):
    _wait_queue(qtbot, main_window, lambda ids: ids == [])
    with open_store(store.path) as other, other.session() as s:
        ticket_id = _log(s, requester_id, "Logged from the CLI")
    qtbot.waitUntil(lambda: ticket_id in _queue_ids(main_window), timeout=3000)
    qtbot.waitUntil(lambda: any(e.ticket_id == ticket_id for e in main_window.queue_panel.line.entries()))


def test_saved_view(main_window, qtbot, session, requester_id):
    cat = people.ensure_category(session, name="AV").created_id
    in_cat = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Mic",
                                category_id=cat).created_id
    _log(session, requester_id, "Other")
    panel = main_window.queue_panel
    qtbot.waitUntil(lambda: panel.filters._combos["category_id"].findData(cat) > 0)
    combo = panel.filters._combos["category_id"]
    combo.setCurrentIndex(combo.findData(cat))
    _wait_queue(qtbot, main_window, lambda ids: ids == [in_cat])
    panel.save_current_view("Audio-visual")
    qtbot.waitUntil(lambda: panel.views.count() == 8)
    combo.setCurrentIndex(0)
    _wait_queue(qtbot, main_window, lambda ids: len(ids) == 2)
    panel.views.setCurrentRow(0)
    panel.views.setCurrentRow(7)
    _wait_queue(qtbot, main_window, lambda ids: ids == [in_cat])
    assert panel.delete_view_button.isEnabled()


def test_accessible_names(main_window):
    from PySide6.QtWidgets import QWidget

    names = {w.accessibleName() for w in main_window.findChildren(QWidget)}
    for name in ("Queue", "Views", "Search tickets", "Take next", "Claim", "Release", "At the desk"):
        assert name in names
    dialog = main_window.queue_panel.quick_log()
    names = {w.accessibleName() for w in dialog.findChildren(QWidget)}
    for name in ("Requester", "Channel", "Category", "Location", "Subject", "Details", "Log ticket"):
        assert name in names
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    for widget in main_window.findChildren(QWidget) + dialog.findChildren(QWidget):
        if isinstance(widget, QAbstractButton | QComboBox | QLineEdit) and widget.isVisibleTo(widget.window()):
            assert widget.toolTip() or widget.parent().toolTip(), widget.accessibleName() or widget
    dialog.reject()


def test_queue_model_passes_qtmodeltester(main_window, qtbot, qtmodeltester, session, requester_id):
    for n in range(30):
        _log(session, requester_id, f"Ticket {n}", minutes_ago=n)
    model = main_window.queue_panel.model
    _wait_queue(qtbot, main_window, lambda ids: len(ids) == 30)
    qtmodeltester.check(model)
    for column in range(model.columnCount()):
        model.sort(column, Qt.SortOrder.DescendingOrder)
        _wait_queue(qtbot, main_window, lambda ids: len(ids) == 30)
    qtmodeltester.check(model)


def test_keyboard_reaches_every_front_desk_control(main_window, qtbot, session, requester_id):
    """Tab from the search box goes round every control of the window and comes back."""
    from PySide6.QtWidgets import QWidget

    _log(session, requester_id, "Someone is waiting")
    main_window.activateWindow()
    panel = main_window.queue_panel
    qtbot.waitUntil(lambda: panel.line.take_next_button.isEnabled())
    panel.focus_search()
    qtbot.waitUntil(lambda: panel.search.hasFocus())
    seen: list[QWidget] = []
    for _ in range(80):
        widget = _focused()
        if widget in seen:
            break
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    names = {w.accessibleName() for w in seen}
    assert "" not in names, [type(w).__name__ for w in seen if not w.accessibleName()]
    for name in ("Search tickets", "Queue", "Views", "Take next", "Claim", "Release", "At the desk",
                 "New ticket", "Walk-in line", "Save view", "Filter category"):
        assert name in names, f"{name} is not reachable with Tab"


def test_search_accepts_anything_typed(main_window, qtbot, session, requester_id):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    _log(session, requester_id, "Projector bulb")
    model = main_window.queue_panel.model

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=st.text(max_size=40))
    def check(text):
        model.update_filter(search=text)
        qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and model.ready())
        assert _error_box() is None

    check()


def test_typing_a_full_email_picks_the_person_and_warns(main_window, qtbot, session, requester_id):
    earlier = _log(session, requester_id, "Laptop fan noise")
    dialog = main_window.queue_panel.quick_log()
    qtbot.keyClicks(dialog.requester, "prof.chen@uni.test")
    qtbot.waitUntil(lambda: dialog.chosen_requester() is not None)
    assert dialog.chosen_requester().id == requester_id
    qtbot.waitUntil(lambda: f"ticket:{earlier}" in dialog.warning.text())
    assert not dialog.new_box.isVisible()
    dialog.reject()


def test_ticket_logged_by_the_cli_appears_within_two_seconds(main_window, qtbot, store):
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "desk.cli.main", "log", "--db", str(store.path), "--requester", "kim@uni.test",
         "--name", "Kim Park", "--category", "Facilities", "--subject", "Door badge reader offline"],
        check=True, capture_output=True,
    )
    model = main_window.queue_panel.model
    qtbot.waitUntil(lambda: any((r := model.cached_row(i)) and r.subject == "Door badge reader offline"
                                for i in model.ids()), timeout=2500)
    # the new category reached the filter bar too
    qtbot.waitUntil(lambda: main_window.queue_panel.filters._combos["category_id"].findText("Facilities") > 0)


def test_scrolling_pages_in_more_ids_in_order(main_window, qtbot, session, requester_id, qtmodeltester):
    from desk.ui.queue.model import PAGE

    total = PAGE * 2 + 17
    now = utcnow()
    expected = [
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=f"Ticket {n}",
                           arrived_at=now - timedelta(minutes=total - n), now=now).created_id
        for n in range(total)
    ]
    panel = main_window.queue_panel
    panel.refresh()
    _wait_queue(qtbot, main_window, lambda ids: len(ids) >= PAGE)
    table = panel.table
    for _ in range(10):
        table.scrollToBottom()
        qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
        if panel.model.rowCount() == total:
            break
    assert panel.model.ids() == expected  # oldest arrival first, no gaps, no duplicates
    assert panel.model.total == total
    qtmodeltester.check(panel.model)
    # a refresh (e.g. a change from elsewhere) keeps the place the user scrolled to
    bar = table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place = bar.value()
    panel.model.mark_stale()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and panel.model.ready())
    assert bar.value() == place
    assert panel.model.rowCount() == total
    _log(session, requester_id, "One more")  # the list itself changes: rows are reset
    qtbot.waitUntil(lambda: panel.model.rowCount() == total + 1 and main_window.tasks.pending == 0)
    assert bar.value() == place


def test_long_waits_stand_out(main_window, qtbot, session, requester_id):
    from desk.ui.queue.model import COL_AGE

    long_wait = _log(session, requester_id, "Waiting a while", minutes_ago=20)
    short_wait = _log(session, requester_id, "Just arrived", minutes_ago=1)
    model = main_window.queue_panel.model
    _wait_queue(qtbot, main_window, lambda ids: {long_wait, short_wait} <= set(ids))
    qtbot.waitUntil(lambda: model.cached_row(long_wait) is not None and model.cached_row(short_wait) is not None)
    long_index = model.index(model.row_of(long_wait), COL_AGE)
    short_index = model.index(model.row_of(short_wait), COL_AGE)
    assert model.data(long_index, Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(short_index, Qt.ItemDataRole.ForegroundRole) is None
    assert "waiting 20 min" in model.data(long_index, Qt.ItemDataRole.ToolTipRole)


def test_category_created_while_sending_a_reply_reaches_the_category_filter(qtbot, store, session, agent_id,
                                                                             requester_id):
    """Changes.choices, not the one-second poll of other processes' commits (switched off here)."""
    from desk.core.ops import choices, replies
    from desk.ui.app import MainWindow
    from desk.ui.tasks import Tasks

    ticket = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Book the media lab").created_id
    other = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                               subject="Projector").created_id
    choices.add_choice(session, kind="category", name="Zoom rooms", actor_id=agent_id)  # after "Lab booking"
    session.rollback()
    window = MainWindow(store, tasks=Tasks(store, watch_interval_ms=0))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
    stats = window.show_stats()  # the Stats tab's filter, and another ticket's pick list, too
    editor = window.open_ticket(other)
    qtbot.waitUntil(lambda: window.tasks.pending == 0 and stats.category.count() > 1)
    stats.category.setCurrentIndex(1)  # a category chosen in Stats stays chosen
    chosen = stats.category.currentText()
    filters = (window.queue_panel.filters._combos["category_id"], stats.category, editor.fields.category_id)
    assert all(combo.findText("Lab booking") < 0 for combo in filters)
    window.tasks.op(lambda s: replies.send_reply(s, ticket_id=ticket, author_id=agent_id, body="Booked.",
                                                 public=True, expected_version=1, new_category="Lab booking"))
    qtbot.waitUntil(lambda: all(combo.findText("Lab booking") > 0 for combo in filters))
    assert stats.category.currentText() == chosen
    # The chosen category merged away: the Stats figures are then of all categories again.
    keep, merged = (stats.category.itemData(stats.category.findText(name)) for name in ("Lab booking", chosen))
    window.tasks.op(lambda s: choices.merge_choices(s, actor_id=agent_id, kind="category", keep_id=keep,
                                                    merge_id=merged))
    qtbot.waitUntil(lambda: stats.category.findText(chosen) < 0)
    assert stats.category.currentIndex() == 0 and stats.category.currentData() is None
    window.close()
    window.tasks.shutdown()


def test_status_line_counts_searches_and_who_is_at_the_desk(main_window, qtbot, session, requester_id):
    from desk.ui.queue.status_line import status_text

    assert status_text(total=12345, shown=50, more=True, searching=False, waiting=2, at_desk=["Ana", "Bo"]) == (
        "12,345 tickets   ·   2 waiting at the desk   ·   At the desk: Ana, Bo")
    assert status_text(total=None, shown=1200, more=True, searching=True, waiting=0, at_desk=[]) == (
        "1,200+ matches   ·   0 waiting at the desk   ·   At the desk: nobody")
    assert status_text(total=None, shown=3, more=False, searching=True, waiting=1, at_desk=None) == (
        "3 matches   ·   1 waiting at the desk")
    assert status_text(total=None, shown=0, more=False, searching=False, waiting=0, at_desk=None).startswith("Loading…")

    for subject in ("Projector flickers", "Printer jam"):
        _log(session, requester_id, subject)
    status = main_window.queue_panel._status_label
    qtbot.waitUntil(lambda: status.text().startswith("2 tickets   ·   2 waiting at the desk"))
    panel = main_window.queue_panel
    qtbot.keyClicks(panel.search, "printer")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: status.text() == "1 match   ·   2 waiting at the desk   ·   At the desk: nobody")  # "1 matches" was issue 12
