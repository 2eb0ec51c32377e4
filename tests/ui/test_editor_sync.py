"""Sync in the ticket editor and the status bar, through the real widgets and a real sync run
against the Zendesk fake: "Not yet synced", the conflict banner, Keep mine / Take theirs."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from sqlalchemy import select

from desk.core.changes import Changes
from desk.core.models import SyncConflict, SyncStatus, Ticket
from desk.core.ops import tickets as ticket_ops
from desk.ui.editor.editor import TicketEditor
from tests.sync.fake_zendesk import FakeZendesk
from tests.ui.conftest import connect_zendesk


@pytest.fixture
def controller(main_window: Any, session: Any, zendesk: FakeZendesk) -> Any:
    controller = connect_zendesk(main_window, session, zendesk)
    main_window.tasks.changes_executed.emit(Changes(remotes=True), None)  # as the Remotes dialog does
    return controller


def sync(qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any) -> list[Any]:
    zendesk.advance(61)  # the export never returns the newest minute
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        controller.sync_now()
    assert isinstance(blocker.args[0], list), blocker.args[0]
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0, timeout=5000)
    return blocker.args[0]


def open_editor(qtbot: Any, main_window: Any, ticket_id: int) -> TicketEditor:
    editor = main_window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: editor.view is not None and editor.sync_banner.state is not None
                    and main_window.tasks.pending == 0, timeout=5000)
    return editor


def button(editor: TicketEditor, name: str) -> QPushButton:
    found = [b for b in editor.sync_banner.buttons.values() if b.accessibleName() == name]
    assert len(found) == 1 and found[0].isEnabled(), f"no button named {name!r}"
    return found[0]


@pytest.fixture
def synced_ticket(qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any, session: Any,
                  agent_id: int, requester_id: int) -> tuple[int, int]:
    """A ticket logged at the desk and sent up: (local id, Zendesk id)."""
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Printer jam in room 204", priority="normal").created_id
    session.rollback()
    sync(qtbot, controller, zendesk, main_window)
    session.rollback()
    remote_id = session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == tid))
    assert remote_id is not None
    return tid, int(remote_id)


def test_unsynced_label_after_a_local_edit_and_gone_after_a_sync(
        qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any, session: Any,
        synced_ticket: tuple[int, int]) -> None:
    tid, remote_id = synced_ticket
    editor = open_editor(qtbot, main_window, tid)
    assert not editor.sync_banner.unsynced.isVisibleTo(editor)
    qtbot.waitUntil(lambda: controller.status.counts.text() == "· 0 not synced · 0 conflicts")
    assert controller.status.counts.isVisibleTo(main_window)

    combo = editor.fields.priority
    combo.setCurrentIndex(combo.findData("high"))
    combo.activated.emit(combo.currentIndex())
    with qtbot.waitSignal(editor.sync_state_shown, timeout=5000):
        editor.save_fields()
    qtbot.waitUntil(lambda: editor.sync_banner.unsynced.isVisibleTo(editor), timeout=5000)
    assert editor.sync_banner.unsynced.text() == "● Not yet synced to zd"
    assert editor.sync_banner.unsynced.accessibleName() and "zd" in editor.sync_banner.unsynced.toolTip()
    qtbot.waitUntil(lambda: controller.status.counts.text() == "· 1 not synced · 0 conflicts")

    sync(qtbot, controller, zendesk, main_window)
    qtbot.waitUntil(lambda: not editor.sync_banner.unsynced.isVisibleTo(editor), timeout=5000)
    assert zendesk.state.tickets[remote_id]["priority"] == "high"
    qtbot.waitUntil(lambda: controller.status.counts.text() == "· 0 not synced · 0 conflicts")


def conflict_on_subject_and_priority(qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any,
                                     session: Any, agent_id: int, tid: int, remote_id: int) -> None:
    status, _ = zendesk.update_ticket(remote_id, {"subject": "Printer jam (web)", "priority": "low"})
    assert status == 200
    ticket = session.get(Ticket, tid)
    ticket_ops.update_ticket(session, ticket_id=tid, actor_id=agent_id, expected_version=ticket.version,
                             fields={"subject": "Printer jam (desk)", "priority": "urgent"})
    session.rollback()
    reports = sync(qtbot, controller, zendesk, main_window)
    assert reports[0].conflicts == 2


def test_conflict_banner_keep_mine_and_take_theirs(
        qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any, session: Any, agent_id: int,
        synced_ticket: tuple[int, int]) -> None:
    tid, remote_id = synced_ticket
    editor = open_editor(qtbot, main_window, tid)
    conflict_on_subject_and_priority(qtbot, controller, zendesk, main_window, session, agent_id, tid, remote_id)

    banner = editor.sync_banner
    qtbot.waitUntil(lambda: banner.box.isVisibleTo(editor) and len(banner.buttons) == 4, timeout=5000)
    assert "Sync conflicts with zd" in banner.title.text()
    texts = {w.accessibleName(): w.text() for w in banner.box.findChildren(QWidget)
             if hasattr(w, "text") and not isinstance(w, QPushButton)}
    assert texts["Subject, mine"] == "Printer jam (desk)"
    assert texts["Subject, theirs"] == "Printer jam (web)"
    assert (texts["Priority, mine"], texts["Priority, theirs"]) == ("urgent", "low")
    for widget in [banner, banner.unsynced, banner.box, *banner.buttons.values()]:
        assert widget.accessibleName() and widget.toolTip(), widget
    for control in banner.buttons.values():
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus
    qtbot.waitUntil(lambda: controller.status.counts.text().endswith("· 2 conflicts"))
    main_window.activateWindow()
    editor.reply.setFocus()
    reached = set()
    for _ in range(80):  # Tab walks the window's focus chain: the banner's buttons are on it
        editor.focusNextChild()
        reached.add(QApplication.focusWidget())
    assert set(banner.buttons.values()) <= reached
    first, *others = banner.buttons.values()
    first.setFocus()
    for expected in others:  # Tab goes through the banner's buttons in order, then on to the
        editor.focusNextChild()  # conversation just below (not after the reply box and fields)
        assert QApplication.focusWidget() is expected
    editor.focusNextChild()
    assert QApplication.focusWidget() is editor._dismiss  # the "changed elsewhere" notice below
    editor.focusNextChild()
    assert QApplication.focusWidget() is editor.tabs.tabBar()
    editor.focusNextChild()
    assert QApplication.focusWidget() is editor.conversation
    # Nothing was resolved on its own: both sides keep their values.
    assert editor.fields.priority.currentData() == "urgent"
    assert zendesk.state.tickets[remote_id]["priority"] == "low"

    elsewhere = editor.banner.text()  # the test's own edit above was made "elsewhere"
    with qtbot.waitSignal(editor.sync_state_shown, timeout=5000):
        button(editor, "Take theirs: Priority").click()
    qtbot.waitUntil(lambda: len(banner.buttons) == 2 and editor.fields.priority.currentData() == "low",
                    timeout=5000)
    assert editor.banner.text() == elsewhere  # the user's own choice is not "changed elsewhere"
    qtbot.waitUntil(lambda: controller.status.counts.text().endswith("· 1 conflict"))

    button(editor, "Keep mine: Subject").click()
    qtbot.waitUntil(lambda: not banner.box.isVisibleTo(editor), timeout=5000)
    assert "Printer jam (desk)" in editor.header.text()
    qtbot.waitUntil(lambda: banner.unsynced.isVisibleTo(editor), timeout=5000)  # mine goes up next sync
    session.rollback()
    assert sorted(c.resolution for c in session.scalars(select(SyncConflict))) == ["mine", "theirs"]

    sync(qtbot, controller, zendesk, main_window)
    qtbot.waitUntil(lambda: not banner.isVisibleTo(editor), timeout=5000)
    remote = zendesk.state.tickets[remote_id]
    assert (remote["subject"], remote["priority"]) == ("Printer jam (desk)", "low")
    session.rollback()
    ticket = session.get(Ticket, tid)
    assert (ticket.subject, ticket.priority) == ("Printer jam (desk)", "low")
    qtbot.waitUntil(lambda: controller.status.counts.text() == "· 0 not synced · 0 conflicts")


def test_conflict_banner_screenshot(qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any,
                                    session: Any, agent_id: int, synced_ticket: tuple[int, int],
                                    request: pytest.FixtureRequest) -> None:
    """Writes resources/screenshots/editor-sync-conflict.png when DESK_SCREENSHOTS is set."""
    import os

    target = os.environ.get("DESK_SCREENSHOTS")
    if not target:
        pytest.skip("set DESK_SCREENSHOTS=DIR to write the screenshot")
    tid, remote_id = synced_ticket
    main_window.resize(1280, 800)
    conflict_on_subject_and_priority(qtbot, controller, zendesk, main_window, session, agent_id, tid, remote_id)
    editor = open_editor(qtbot, main_window, tid)
    qtbot.waitUntil(lambda: len(editor.sync_banner.buttons) == 4, timeout=5000)
    qtbot.waitUntil(lambda: controller.status.counts.text().endswith("· 2 conflicts"))
    button(editor, "Keep mine: Subject").setFocus()
    QApplication.processEvents()  # let the layout settle before grabbing
    assert main_window.grab().save(os.path.join(target, "editor-sync-conflict.png"))
