"""The window with e-mail: the reply button says what will happen, each reply shows its state,
the mail worker delivers, and Settings → E-mail keeps the password in the keyring only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from sqlalchemy import select

from desk.core.mail import settings as ms
from desk.core.models import MailOutbox
from desk.core.ops import tickets
from desk.ui.editor.editor import TicketEditor
from tests.mail import servers


def _named(root: QWidget, name: str) -> QWidget:
    found = [w for w in root.findChildren(QWidget) if w.accessibleName() == name and w.isVisible()]
    assert found, f"no widget named {name!r}"
    return found[0]


def _editor(qtbot, window, ticket_id: int, agent_id: int) -> TicketEditor:  # noqa: ANN001
    editor = TicketEditor(window.tasks, ticket_id, lambda: agent_id)
    qtbot.addWidget(editor)
    editor.resize(1280, 800)
    editor.show()
    qtbot.waitUntil(lambda: editor.view is not None and window.tasks.pending == 0)
    return editor


def _reply(qtbot, editor: TicketEditor, text: str) -> None:  # noqa: ANN001
    editor.reply.setFocus()
    qtbot.keyClicks(editor.reply, text)
    with qtbot.waitSignal(editor.sent):
        qtbot.keyClick(editor.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_without_a_channel_the_button_records_and_nothing_says_sent(
        qtbot, main_window, session, agent_id, requester_id) -> None:  # noqa: ANN001
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Lost USB stick").created_id
    editor = _editor(qtbot, main_window, ticket_id, agent_id)
    assert editor.send_button.text() == "&Record reply" and _named(editor, "Record reply").toolTip()
    assert editor.solve_button.text() == "Record reply and mark solved"

    _reply(qtbot, editor, "We will look in the lost and found.")

    label = _named(editor, "Draft status").text()
    assert "Sent" not in label and label.startswith("Reply recorded; not sent")
    qtbot.waitUntil(lambda: "recorded only, not sent" in editor.conversation.toPlainText())
    qtbot.mouseClick(editor.internal, Qt.MouseButton.LeftButton)
    assert editor.send_button.text() == "&Send note"


def test_with_e_mail_the_reply_is_queued_then_sent_by_the_worker(
        qtbot, main_window, session, agent_id, requester_id, smtp_server) -> None:  # noqa: ANN001
    from tests.mail.conftest import configure

    configure(session, smtp_port=smtp_server.port)
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Beamer flickers").created_id
    smtp_server.stop()  # offline first: the reply waits in the outbox
    editor = _editor(qtbot, main_window, ticket_id, agent_id)
    assert editor.send_button.text() == "&Send"

    _reply(qtbot, editor, "A technician comes at 2 pm.")
    assert _named(editor, "Draft status").text() == "Reply saved; the e-mail is queued."
    qtbot.waitUntil(lambda: "e-mail queued" in editor.conversation.toPlainText())

    worker = main_window.install_mail()  # installed once the queue is painted; the reply woke it
    qtbot.waitUntil(lambda: "will try again" in editor.conversation.toPlainText(), timeout=20000)
    assert "cannot be reached" in editor.conversation.toPlainText()
    qtbot.waitUntil(lambda: _named(main_window, "E-mail status").text().startswith("E-mail: The mail server"))
    qtbot.waitUntil(lambda: not worker.running)

    smtp_server.start()
    session.rollback()
    for row in session.scalars(select(MailOutbox)):  # the back-off is over
        row.next_attempt_at = row.created_at
    session.commit()
    with qtbot.waitSignal(worker.finished, timeout=20000) as online:
        worker.run_now()
    assert online.args[0].sent == 1 and len(smtp_server.messages) == 1
    qtbot.waitUntil(lambda: "e-mail sent" in editor.conversation.toPlainText())
    assert _named(main_window, "E-mail status").text() == "E-mail: all sent"


def test_settings_email_page_saves_servers_and_keeps_the_password_in_the_keyring(
        qtbot, main_window, store, session, agent_id, tmp_path) -> None:  # noqa: ANN001
    main_window.at_desk.sign_in(agent_id)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    qtbot.keyClick(main_window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(w.objectName() == "settingsDialog" and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "settingsDialog")
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "&E-mail"
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    for name, text in (("SMTP server", "smtp.school.test"), ("User name", "desk"),
                       ("IMAP server", "imap.school.test"), ("From address", "help@school.test"),
                       ("Password", servers.PASSWORD)):
        edit = _named(dialog, name)
        assert isinstance(edit, QLineEdit) and edit.toolTip()
        edit.clear()
        qtbot.keyClicks(edit, text)
    assert _named(dialog, "Password").echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(_named(dialog, "Save e-mail settings"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "keyring" in _named(dialog, "E-mail result").text(), timeout=10000)

    session.rollback()
    saved = ms.load_mail_settings(session)
    assert (saved.smtp_host, saved.imap_host, saved.from_address) == ("smtp.school.test", "imap.school.test",
                                                                      "help@school.test")
    assert ms.load_password(saved) == servers.PASSWORD
    assert _named(dialog, "Password").text() == ""
    qtbot.waitUntil(lambda: _named(dialog, "Password").placeholderText() == "(stored in the system keyring)")
    for path in tmp_path.glob("desk.sqlite3*"):
        assert servers.PASSWORD.encode() not in path.read_bytes()
    dialog.close()
