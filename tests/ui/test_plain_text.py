"""Remote and requester text is shown as text, never interpreted as Qt rich text (issue 18):
subjects and names like ``<img src=…>`` or ``<b>`` in the walk-in line's tooltips, the conflict
banner, the sync status, error boxes and the undo notice; and a subject over the limit is said
in the quick-log form instead of being cut."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from desk.core import errors
from desk.core.changes import Changes
from desk.core.ops import people, tickets
from desk.core.sync.config import OpenConflict, TicketSyncState
from desk.ui import plain_text
from desk.ui.editor.sync_banner import SyncBanner
from desk.ui.errors import show_error
from desk.ui.queue.quick_log import QuickLogDialog

NASTY_SUBJECT = '<img src="http://127.0.0.1:9/tracker.png"><b>Projector</b>'
NASTY_NAME = "<b>Eve</b> <i>Hacker</i>"


def as_qt_shows(tip: str) -> str:
    """What a tooltip (or an AutoText label) shows: Qt's own rich-text guess, then the text."""
    doc = QTextDocument()
    if GuiQt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()


def shown_label(label: QLabel) -> str:
    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    if label.textFormat() == Qt.TextFormat.AutoText:
        return as_qt_shows(label.text())
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def test_the_plain_tooltip_shows_markup_literally():
    for text in (NASTY_SUBJECT, NASTY_NAME, "plain words", "two\nlines <b>x</b>", "a & b < c"):
        assert as_qt_shows(plain_text.tooltip(text)) == text


def test_walk_in_line_tooltips_show_remote_text_as_text(main_window, qtbot, session, agent_id):
    requester = people.ensure_requester(session, email="eve@uni.test", name=NASTY_NAME).created_id
    tickets.log_ticket(session, actor_id=agent_id, requester_id=requester, subject=NASTY_SUBJECT)
    session.commit()
    main_window.tasks.changes_executed.emit(Changes(tickets=True, people=True), None)
    line = main_window.queue_panel.line
    qtbot.waitUntil(lambda: line.list.count() == 1)
    shown = as_qt_shows(line.list.item(0).toolTip())
    assert NASTY_SUBJECT in shown and NASTY_NAME in shown


def test_the_conflict_banner_shows_their_values_as_text(qtbot):
    banner = SyncBanner()
    qtbot.addWidget(banner)
    conflict = OpenConflict(id=1, remote="zd", field="subject", mine="Projector", theirs=NASTY_SUBJECT)
    banner.show_state(TicketSyncState(remotes=("zd",), unsynced=("zd",), conflicts=(conflict,)))
    banner.show()
    theirs = [w for w in banner.findChildren(QLabel) if w.accessibleName().endswith("theirs")]
    assert theirs and shown_label(theirs[0]) == NASTY_SUBJECT
    assert NASTY_SUBJECT in as_qt_shows(theirs[0].toolTip())
    take = banner.buttons[(1, "theirs")]
    assert NASTY_SUBJECT in as_qt_shows(take.toolTip())
    assert banner.unsynced.textFormat() == Qt.TextFormat.PlainText


def test_an_error_box_shows_a_remote_message_as_text(qtbot):
    box = show_error(None, errors.InvalidInput(f"Zendesk refused it: {NASTY_SUBJECT}"))
    assert isinstance(box, QMessageBox)
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText and NASTY_SUBJECT in box.text()


def test_quick_log_says_a_subject_is_too_long_instead_of_cutting_it(qtbot, tasks, agent_id):
    dialog = QuickLogDialog(tasks, lambda: agent_id)
    qtbot.addWidget(dialog)
    dialog.show()
    subject = "Projector " * 60  # 600 characters, as a paste would bring them
    qtbot.keyClicks(dialog.requester, "wei@uni.test")
    dialog.subject.setFocus()
    dialog.subject.insert(subject)
    assert dialog.subject.text() == subject  # nothing cut
    assert dialog.problem.isVisible() and "599 characters long; at most 500 fit" in dialog.problem.text()
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)
    assert dialog.isVisible() and "at most 500 fit" in dialog.problem.text()  # refused, said
    dialog.subject.setText("Projector flickers")
    assert not dialog.problem.isVisible()


def test_the_remotes_dialog_shows_a_remote_error_as_text(qtbot, main_window, session):
    from sqlalchemy import update

    from desk.core.models import SyncRemote
    from desk.core.sync import config
    from tests.ui.test_remotes_dialog import open_remotes

    config.add_remote(session, name="zd", kind="zendesk", url="https://desk.zendesk.test", username="a@b.test")
    session.execute(update(SyncRemote).values(last_error=f"Zendesk refused: {NASTY_SUBJECT}"))
    session.commit()
    dialog = open_remotes(qtbot, main_window)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    cell = dialog.table.item(0, dialog.table.columnCount() - 1)
    assert cell.text() == f"Zendesk refused: {NASTY_SUBJECT}"
    assert NASTY_SUBJECT in as_qt_shows(cell.toolTip())
