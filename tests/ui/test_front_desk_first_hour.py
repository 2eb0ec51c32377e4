"""Issue 12, "Front desk": what people hit in their first hour, pressed and clicked as they do."""

from __future__ import annotations

import re
from datetime import timedelta

from PySide6.QtCore import QEvent, QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from desk.core.db import open_store
from desk.core.models import Comment, Ticket, utcnow
from desk.core.ops import comments, people, tickets
from desk.ui.queue import notify


def _log(session, requester_id, subject, *, minutes_ago=0, channel="walk-in"):  # noqa: ANN001, ANN202
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                              channel=channel, arrived_at=utcnow() - timedelta(minutes=minutes_ago)).created_id


def _ticket(store, ticket_id):  # noqa: ANN001, ANN202
    with store.session() as s:
        return s.get(Ticket, ticket_id)


def _idle(qtbot, window):  # noqa: ANN001, ANN202
    qtbot.waitUntil(lambda: window.tasks.pending == 0 and window.queue_panel.model.ready())


def _line_ids(line, *, waiting=True):  # noqa: ANN001, ANN202
    return [e.ticket_id for e in line.entries() if e.waiting == waiting]


def _click_line_row(qtbot, line, ticket_id):  # noqa: ANN001, ANN202
    row = [e.ticket_id for e in line.entries()].index(ticket_id)
    rect = line.list.visualItemRect(line.list.item(row))
    qtbot.mouseClick(line.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_queue_row(qtbot, panel, ticket_id):  # noqa: ANN001, ANN202
    rect = panel.table.visualRect(panel.model.index(panel.model.row_of(ticket_id), 3))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _open_tab_ids(window):  # noqa: ANN001, ANN202
    return [window.tabs.widget(i).property("ticket_id") for i in range(2, window.tabs.count())]


def _signed_in(qtbot, window, agent_id):  # noqa: ANN001, ANN202
    # After the window's own write the Tasks watch takes the store's data_version as seen, so
    # a commit from the test's connection just before it would go unnoticed: sign in once the
    # test's tickets are on screen.
    window.at_desk.sign_in(agent_id)
    qtbot.waitUntil(lambda: window.current_agent_id() == agent_id and window.tasks.pending == 0)


def test_take_next_selects_the_taken_person_and_enter_opens_them(main_window, qtbot, session, requester_id,
                                                                  agent_id):
    first = _log(session, requester_id, "Password reset", minutes_ago=20)
    second = _log(session, requester_id, "Printer", minutes_ago=5)
    panel, line = main_window.queue_panel, main_window.queue_panel.line
    qtbot.waitUntil(lambda: _line_ids(line) == [first, second] and panel.model.row_of(second) is not None)
    _signed_in(qtbot, main_window, agent_id)
    _idle(qtbot, main_window)
    _click_queue_row(qtbot, panel, second)  # the newer walk-in is selected in the queue
    assert panel.selected_id() == second
    main_window.activateWindow()
    with qtbot.wait_signal(line.taken, timeout=5000) as taken:
        qtbot.keyClick(panel.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert taken.args == [first]
    _idle(qtbot, main_window)
    qtbot.waitUntil(lambda: line.selected_id() == first)
    assert panel.selected_id() in (first, None)  # never the person who was not taken
    assert "took #" in main_window.statusBar().currentMessage()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _open_tab_ids(main_window) == [first])


def test_a_mouse_click_in_the_line_enables_its_buttons(main_window, qtbot, session, requester_id, agent_id):
    waiting = _log(session, requester_id, "Projector", minutes_ago=3)
    line = main_window.queue_panel.line
    qtbot.waitUntil(lambda: _line_ids(line) == [waiting])
    assert not line.serve_button.isEnabled()
    _click_line_row(qtbot, line, waiting)
    assert line.serve_button.isEnabled() and line.done_button.isEnabled() and line.left_button.isEnabled()
    _signed_in(qtbot, main_window, agent_id)
    qtbot.mouseClick(line.serve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _line_ids(line, waiting=False) == [waiting])
    _click_line_row(qtbot, line, waiting)  # being served: Done, but not Start serving or Left
    assert line.done_button.isEnabled()
    assert not line.serve_button.isEnabled() and not line.left_button.isEnabled()


def test_release_puts_a_walk_in_back_at_their_place_in_the_line(main_window, qtbot, store, session, requester_id,
                                                                agent_id):
    first = _log(session, requester_id, "Password reset", minutes_ago=20)
    second = _log(session, requester_id, "Printer", minutes_ago=5)
    line = main_window.queue_panel.line
    qtbot.waitUntil(lambda: _line_ids(line) == [first, second])
    _signed_in(qtbot, main_window, agent_id)
    _click_line_row(qtbot, line, first)
    qtbot.mouseClick(line.serve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _line_ids(line) == [second])
    _click_line_row(qtbot, line, first)
    main_window.activateWindow()
    qtbot.keyClick(line.list, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _line_ids(line) == [first, second])  # back first: she came first
    ticket = _ticket(store, first)
    assert (ticket.status, ticket.assignee_id, ticket.service_started_at) == ("new", None, None)


def test_left_without_service_can_be_undone_from_the_status_bar(main_window, qtbot, store, session, requester_id):
    walk_in = _log(session, requester_id, "Printer", minutes_ago=4)
    line, panel = main_window.queue_panel.line, main_window.queue_panel
    qtbot.waitUntil(lambda: _line_ids(line) == [walk_in])
    _click_line_row(qtbot, line, walk_in)
    qtbot.mouseClick(line.left_button, Qt.MouseButton.LeftButton)
    notice = panel.undo_notice
    qtbot.waitUntil(lambda: notice.isVisible() and _line_ids(line) == [])
    assert f"#{walk_in}" in notice.label.text()
    assert _ticket(store, walk_in).left_at is not None
    assert notice.timer.isActive() and notice.timer.interval() == 10_000  # goes by itself after 10 s
    qtbot.mouseClick(notice.undo_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    qtbot.waitUntil(lambda: _line_ids(line) == [walk_in])
    ticket = _ticket(store, walk_in)
    assert (ticket.status, ticket.left_at) == ("new", None)
    # a second walk-away: the notice times out and the walk-away stays
    _click_line_row(qtbot, line, walk_in)
    qtbot.mouseClick(line.left_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: notice.isVisible())
    notice.timer.timeout.emit()
    assert not notice.isVisible()
    assert _ticket(store, walk_in).left_at is not None


def test_done_offers_a_note_and_enter_solves(main_window, qtbot, store, session, requester_id, agent_id):
    walk_in = _log(session, requester_id, "Toner empty", minutes_ago=2)
    line = main_window.queue_panel.line
    qtbot.waitUntil(lambda: _line_ids(line) == [walk_in])
    _signed_in(qtbot, main_window, agent_id)
    _click_line_row(qtbot, line, walk_in)
    qtbot.mouseClick(line.done_button, Qt.MouseButton.LeftButton)
    dialog = line._done_dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.note.hasFocus())
    assert "Toner empty" in dialog.findChild(QLabel).text()
    qtbot.keyClicks(dialog.note, "Replaced the toner cartridge")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _ticket(store, walk_in).status == "solved")
    with store.session() as s:
        notes = [(c.body, c.is_public) for c in s.query(Comment).filter_by(ticket_id=walk_in)]
    assert notes == [("Replaced the toner cartridge", False)]
    # Esc changes nothing
    other = _log(session, requester_id, "Mouse", minutes_ago=1)
    qtbot.waitUntil(lambda: _line_ids(line) == [other])
    _click_line_row(qtbot, line, other)
    qtbot.mouseClick(line.done_button, Qt.MouseButton.LeftButton)
    dialog = line._done_dialog
    qtbot.waitUntil(lambda: dialog.isVisible())
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert _ticket(store, other).status == "new"


def test_calls_and_walk_ins_are_marked_in_the_line(main_window, qtbot, session, requester_id):
    call = _log(session, requester_id, "Cannot log in", minutes_ago=2, channel="phone")
    walk_in = _log(session, requester_id, "Projector", minutes_ago=1)
    line = main_window.queue_panel.line
    qtbot.waitUntil(lambda: _line_ids(line) == [call, walk_in])
    call_item, walk_in_item = line.list.item(0), line.list.item(1)
    assert "☎" in call_item.text() and "♟" not in call_item.text()
    assert "♟" in walk_in_item.text() and "☎" not in walk_in_item.text()
    assert "phone call" in call_item.toolTip() and "walk-in" in walk_in_item.toolTip()
    assert call_item.data(Qt.ItemDataRole.AccessibleTextRole).startswith("phone call")


def test_every_mnemonic_of_the_window_is_used_once(main_window):
    """Alt+L was both the Location filter and the walk-in line; menus count too."""
    owners: dict[str, list[str]] = {}
    for action in main_window.menuBar().actions():
        found = re.search(r"&(\w)", action.text())
        if found:
            owners.setdefault(found.group(1).lower(), []).append(f"menu {action.text()}")
    for widget in main_window.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton) and widget.isVisibleTo(main_window):
            found = re.search(r"&(\w)", widget.text().replace("&&", ""))
            if found:
                owners.setdefault(found.group(1).lower(), []).append(widget.text())
    assert "l" in owners
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_wait_age_column_says_what_it_shows(main_window, qtbot, session, requester_id, agent_id):
    from desk.ui.queue.model import COL_AGE

    waiting = _log(session, requester_id, "Waiting", minutes_ago=3)
    served = _log(session, requester_id, "Served", minutes_ago=30)
    tickets.claim(session, ticket_id=served, agent_id=agent_id)
    answered = _log(session, requester_id, "Answered by mail", minutes_ago=90, channel="email")
    comments.add_comment(session, ticket_id=answered, author_id=agent_id, body="Done.", public=True)
    unanswered = _log(session, requester_id, "Not answered", minutes_ago=90, channel="email")
    model = main_window.queue_panel.model
    main_window.queue_panel.refresh()
    qtbot.waitUntil(lambda: all(model.cached_row(i) for i in (waiting, served, answered, unanswered)))
    assert model.headerData(COL_AGE, Qt.Orientation.Horizontal) == "Wait / age"
    assert "waiting" in model.headerData(COL_AGE, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)

    def cell(ticket_id, role):  # noqa: ANN001, ANN202
        return model.data(model.index(model.row_of(ticket_id), COL_AGE), role)

    for still_waiting in (waiting, unanswered):
        assert "waiting" in cell(still_waiting, Qt.ItemDataRole.ToolTipRole)
        font = cell(still_waiting, Qt.ItemDataRole.FontRole)
        assert font is None or not font.italic()
    for no_longer in (served, answered):
        assert "; age " in cell(no_longer, Qt.ItemDataRole.ToolTipRole)
        assert cell(no_longer, Qt.ItemDataRole.FontRole).italic()
    assert cell(served, Qt.ItemDataRole.DisplayRole) == "30 min"


def test_ticket_number_search_down_and_enter(main_window, qtbot, session, requester_id):
    wanted = _log(session, requester_id, "Wi-Fi drops")
    tickets.solve(session, ticket_id=wanted, actor_id=None)  # not in "All open"
    _log(session, requester_id, "Printer jam")
    _log(session, requester_id, "Printer toner")
    panel = main_window.queue_panel
    _idle(qtbot, main_window)
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.search.hasFocus())
    qtbot.keyClicks(panel.search, f"#{wanted}")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)  # the one hit opens
    qtbot.waitUntil(lambda: _open_tab_ids(main_window) == [wanted])
    assert panel.model.ids() == [wanted]
    qtbot.waitUntil(lambda: panel._status_label.text().startswith("1 match   ·"))
    main_window.tabs.setCurrentIndex(0)
    panel.search.clear()
    qtbot.keyClicks(panel.search, str(wanted))  # a bare number: that ticket first
    qtbot.waitUntil(lambda: panel.model.ids()[:1] == [wanted] and main_window.tasks.pending == 0)
    panel.search.clear()
    qtbot.keyClicks(panel.search, "printer")
    qtbot.keyClick(panel.search, Qt.Key.Key_Down)  # into the results, the first one selected
    qtbot.waitUntil(lambda: len(panel.model.ids()) == 2)
    assert panel.table.hasFocus()
    qtbot.waitUntil(lambda: panel.selected_id() == panel.model.ids()[0])
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.selected_id() == panel.model.ids()[1]
    qtbot.mouseClick(panel.search, Qt.MouseButton.LeftButton)  # back in the box, a row selected
    qtbot.waitUntil(lambda: panel.search.hasFocus())
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)  # two hits: Enter opens nothing, not the selected row
    _idle(qtbot, main_window)
    assert _open_tab_ids(main_window) == [wanted]


def test_quick_log_problem_goes_once_the_subject_is_typed(main_window, qtbot):
    dialog = main_window.queue_panel.quick_log()
    qtbot.keyClicks(dialog.requester, "Jane Newcomer")
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible() and "subject" in dialog.problem.text()
    qtbot.keyClicks(dialog.subject, "Laptop")
    assert not dialog.problem.isVisible()
    dialog.reject()


def test_quick_log_adds_to_the_existing_ticket_instead(main_window, qtbot, store, session, requester_id):
    earlier = _log(session, requester_id, "No sound in room 101", minutes_ago=30)
    dialog = main_window.queue_panel.quick_log()
    qtbot.keyClicks(dialog.requester, "prof.chen@uni.test")
    qtbot.waitUntil(lambda: [b.text() for b in dialog.add_to_buttons()] == [f"Add to #{earlier} instead"])
    assert "1 open ticket:" in dialog.warning.text()
    qtbot.keyClicks(dialog.subject, "Still no sound")
    qtbot.keyClicks(dialog.details, "Speakers stay mute")
    with qtbot.wait_signal(dialog.added_to, timeout=5000) as added:
        qtbot.mouseClick(dialog.add_to_buttons()[0], Qt.MouseButton.LeftButton)
    assert added.args == [earlier]
    with store.session() as s:
        assert s.query(Ticket).count() == 1  # no duplicate
        notes = [(c.body, c.is_public) for c in s.query(Comment).filter_by(ticket_id=earlier)]
    assert notes == [("Asked again (walk-in): Still no sound\n\nSpeakers stay mute", False)]
    qtbot.waitUntil(lambda: "Added to ticket" in main_window.statusBar().currentMessage())


def test_similar_subject_warning_ignores_common_words(main_window, qtbot, session, requester_id):
    other = people.ensure_requester(session, email="sam@uni.test", name="Sam Lee", kind="student").created_id
    _log(session, other, "Password in the portal", minutes_ago=5)
    dialog = main_window.queue_panel.quick_log()
    with qtbot.wait_signal(dialog.checks_done, timeout=5000):
        qtbot.keyClicks(dialog.subject, "Screen in the office")
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert not dialog.warning.isVisible()
    dialog.reject()


def test_the_window_and_its_title_bar_fit_the_screen(main_window, qtbot):
    from desk.ui.screen_fit import default_size

    available = main_window.screen().availableGeometry()
    qtbot.waitUntil(lambda: available.contains(main_window.frameGeometry()))
    frame = QSize(10, 34)
    for screen in (QRect(0, 0, 1280, 800), QRect(0, 0, 640, 400)):  # 1280×800 at 100 % and 200 %
        size = default_size(screen, frame=frame)
        assert size.width() + frame.width() <= screen.width()
        assert size.height() + frame.height() <= screen.height()
    small = default_size(QRect(0, 0, 640, 400), frame=frame)
    # the window can really be that small: nothing in it insists on more
    assert main_window.minimumSizeHint().width() <= small.width()
    assert main_window.minimumSizeHint().height() <= small.height()
    assert default_size(QRect(0, 0, 2560, 1440)) == QSize(1280, 800)


class _FakeTray:
    """Stands in for the system tray (the offscreen platform has none)."""

    MessageIcon = notify.QSystemTrayIcon.MessageIcon
    shown: list[tuple[str, str]] = []

    class _Signal:
        def connect(self, _slot):  # noqa: ANN001, ANN202
            return None

    def __init__(self, _icon, _parent) -> None:  # noqa: ANN001
        self.messageClicked = self._Signal()

    @staticmethod
    def isSystemTrayAvailable() -> bool:  # noqa: N802
        return True

    def setToolTip(self, _text) -> None:  # noqa: ANN001, N802
        pass

    def show(self) -> None:
        pass

    def showMessage(self, title, text, _icon, _ms) -> None:  # noqa: ANN001, N802
        self.shown.append((title, text))


def test_notifications_while_the_window_is_in_the_background(main_window, qtbot, store, monkeypatch,
                                                             requester_id, agent_id, other_agent_id):
    monkeypatch.setattr(notify, "QSystemTrayIcon", _FakeTray)
    shown = _FakeTray.shown = []
    notifier = main_window.notifier
    assert notifier.action in main_window.menu("View").actions()
    notifier.set_enabled(True)
    _signed_in(qtbot, main_window, agent_id)
    active = [True]
    notifier.is_active = lambda: active[0]

    def from_elsewhere(work):  # noqa: ANN001, ANN202 - another PC's work, arriving through the store
        with open_store(store.path) as other, other.session() as s:
            return work(s)

    from_elsewhere(lambda s: _log(s, requester_id, "In front: no notification"))
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    active[0] = False
    QApplication.sendEvent(main_window, QEvent(QEvent.Type.ActivationChange))  # Desk goes behind
    qtbot.waitUntil(lambda: notifier._marks is not None)
    walk_in = from_elsewhere(lambda s: _log(s, requester_id, "Door badge reader offline"))
    qtbot.waitUntil(lambda: shown == [("Someone is waiting", "Wei Chen is at the desk: Door badge reader offline")],
                    timeout=5000)
    from_elsewhere(lambda s: tickets.update_ticket(s, ticket_id=walk_in, actor_id=other_agent_id,
                                                   expected_version=1, fields={"assignee_id": agent_id}))
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    assert shown[-1] == ("A ticket for you", f"Bo Staff gave you #{walk_in}: Door badge reader offline")
    from_elsewhere(lambda s: comments.add_comment(s, ticket_id=walk_in, author_id=requester_id,
                                                  body="Still broken", public=True))
    qtbot.waitUntil(lambda: len(shown) == 3, timeout=5000)
    assert shown[-1] == ("New reply", f"Wei Chen replied on #{walk_in}: Door badge reader offline")
    # my own work in this window is no news
    main_window.tasks.op(lambda s: comments.add_comment(s, ticket_id=walk_in, author_id=agent_id,
                                                        body="On my way", public=True))
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    # View → Notifications off: remembered, and nothing is shown
    notifier.action.trigger()
    assert not notifier.enabled and QSettings().value(notify.SETTING, type=bool) is False
    from_elsewhere(lambda s: _log(s, requester_id, "Printer jam"))
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and model_has(main_window, "Printer jam"), timeout=5000)
    assert len(shown) == 3
    notifier.action.trigger()
    assert QSettings().value(notify.SETTING, type=bool) is True


def model_has(window, subject):  # noqa: ANN001, ANN201
    model = window.queue_panel.model
    return any((row := model.cached_row(i)) and row.subject == subject for i in model.ids())


def test_notification_decision():
    from desk.core.changes import Changes
    from desk.core.queries.frontdesk import DeskEvent

    ticket = Changes.for_ticket(1)
    assert notify.should_notify(enabled=True, window_active=False, changes=ticket)
    assert not notify.should_notify(enabled=True, window_active=True, changes=ticket)
    assert not notify.should_notify(enabled=False, window_active=False, changes=ticket)
    assert not notify.should_notify(enabled=True, window_active=False, changes=Changes(shifts=True))
    assert notify.message_for([]) is None
    many = [DeskEvent("walk-in", n, f"Person {n} is at the desk: x") for n in range(5)]
    title, text = notify.message_for(many)
    assert title == "Desk" and text.endswith("… and 2 more") and text.count("\n") == 3
