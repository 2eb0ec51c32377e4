"""Sync menu, status and the Remotes dialog, against the Zendesk fake (and a second one that
refuses the token or is gone), and closing the window during a run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QMessageBox
from sqlalchemy import func, select

from desk.core.models import SyncOutbox, Ticket
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, credentials
from desk.core.sync.run import SyncRun, sync_all
from desk.ui.settings.remotes import RemotesDialog
from desk.ui.settings.sync_action import NO_REMOTE_TIP, SYNC_TIP
from tests.sync.fake_zendesk import FakeZendesk
from tests.ui.conftest import connect_zendesk


@pytest.fixture
def controller(main_window: Any, session: Any, zendesk: FakeZendesk) -> Any:
    return connect_zendesk(main_window, session, zendesk)


def test_sync_now_pulls_in_the_background_and_shows_the_time(qtbot: Any, controller: Any, zendesk: FakeZendesk,
                                                              session: Any, main_window: Any) -> None:
    zendesk.create_ticket({"subject": "From the web", "comment": {"body": "hi"},
                           "requester": {"email": "kim@uni.test", "name": "Kim"}})
    zendesk.advance(61)
    assert controller.sync_action.toolTip()
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        controller.sync_action.trigger()
    assert isinstance(blocker.args[0], list) and blocker.args[0][0].created_local == 1
    assert controller.status.label.text().startswith("Last synced")
    assert not controller.status.offline.isVisible()
    session.rollback()
    assert session.scalar(select(Ticket.subject)) == "From the web"
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_offline_shows_the_indicator(qtbot: Any, controller: Any, zendesk: FakeZendesk, main_window: Any) -> None:
    zendesk.stop()
    waits: list[float] = []
    controller.http_options = {"sleep": waits.append}
    with qtbot.waitSignal(controller.finished, timeout=60000):
        controller.sync_now()
    assert controller.status.offline.isVisibleTo(main_window)
    assert "try again" in controller.status.offline.toolTip()
    assert waits == [0.5, 1.0, 2.0, 4.0]  # backed off before giving up
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_remotes_dialog_lists_and_adds(qtbot: Any, controller: Any, main_window: Any) -> None:
    dialog: RemotesDialog = controller.show_remotes()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and dialog.table.item(0, 5).text() == "stored")
    assert dialog.table.item(0, 0).text() == "zd"
    dialog.add()
    form = dialog.findChild(type(dialog).__mro__[1], "remoteForm")
    assert form is not None
    form.name.setText("rt")
    form.kind.setCurrentIndex(1)
    form.url.setText("http://127.0.0.1:9")
    form.user.setText("root")
    form.token.setText("rt-secret-token")
    assert form.token.echoMode() == QLineEdit.EchoMode.Password
    form.accept()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: credentials.has_secret("rt"), timeout=5000)
    assert credentials.load_secret("rt").token == "rt-secret-token"
    names = [dialog.table.item(i, 0).text() for i in range(2)]
    assert names == ["rt", "zd"]
    for widget in dialog.findChildren(QLineEdit) + [dialog.table, dialog.add_button, dialog.remove_button]:
        assert widget.accessibleName() and widget.toolTip()
    dialog.table.selectRow(0)
    dialog.remove()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    dialog.close()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


# --- one run over every remote, failures shown ------------------------------------------------
def web_ticket(fake: FakeZendesk, subject: str) -> None:
    fake.create_ticket({"subject": subject, "comment": {"body": "hi"},
                        "requester": {"email": "kim@uni.test", "name": "Kim"}})


@pytest.fixture
def broken() -> Iterator[FakeZendesk]:
    """A second Zendesk that answers 401 (Desk holds the wrong token for it)."""
    fake = FakeZendesk()
    yield fake
    fake.stop()


def add_broken(session: Any, broken: FakeZendesk) -> None:
    config.add_remote(session, name="a-broken", kind="zendesk", url=broken.url, username=broken.state.email)
    credentials.store_secret("a-broken", credentials.Secret(token="not-its-token"))
    session.rollback()


def test_a_failed_remote_is_shown_not_last_synced(qtbot: Any, main_window: Any, session: Any,
                                                  zendesk: FakeZendesk, broken: FakeZendesk) -> None:
    add_broken(session, broken)
    controller = connect_zendesk(main_window, session, zendesk)
    web_ticket(zendesk, "From the web")
    zendesk.advance(61)
    qtbot.waitUntil(lambda: controller.remote_count == 2 and main_window.tasks.pending == 0)  # both remotes known
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        controller.sync_action.trigger()
    run = blocker.args[0]
    assert isinstance(run, SyncRun) and [f.remote for f in run.failures] == ["a-broken"]
    label = controller.status.label
    assert not label.text().startswith("Last synced")
    assert label.text().startswith("Sync failed: a-broken — Zendesk refused Desk's credentials (HTTP 401")
    assert "a-broken: Zendesk refused" in label.toolTip() and "Synced: zd." in label.toolTip()
    assert "not-its-token" not in label.text() + label.toolTip()
    assert not controller.status.offline.isVisible()  # it answered: not offline, refused
    session.rollback()
    assert session.scalar(select(Ticket.subject)) == "From the web"  # zd's work was not lost
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    # The next run that reaches every remote says "Last synced" again.
    credentials.store_secret("a-broken", credentials.Secret(token=broken.state.token))
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        controller.sync_action.trigger()
    assert isinstance(blocker.args[0], list) and len(blocker.args[0]) == 2
    assert label.text().startswith("Last synced")
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_an_unreachable_remote_shows_offline_and_which(qtbot: Any, main_window: Any, session: Any,
                                                       zendesk: FakeZendesk, broken: FakeZendesk) -> None:
    add_broken(session, broken)
    broken.stop()  # nothing listens there any more
    controller = connect_zendesk(main_window, session, zendesk)
    controller.http_options = {"sleep": lambda _s: None}
    with qtbot.waitSignal(controller.finished, timeout=20000):
        controller.sync_now()
    assert controller.status.offline.isVisibleTo(main_window)
    assert controller.status.offline.toolTip().startswith("a-broken: Zendesk could not be reached")
    assert controller.status.label.text().startswith("Sync failed: a-broken")
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


@pytest.fixture
def failed_earlier(session: Any, zendesk: FakeZendesk, broken: FakeZendesk) -> None:
    """Before the window opens: `desk sync` in a terminal, where a-broken failed."""
    add_broken(session, broken)
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    credentials.store_secret("zd", credentials.Secret(token=zendesk.state.token))
    assert [f.remote for f in sync_all(session).failures] == ["a-broken"]
    session.rollback()


def test_at_start_the_last_problem_is_shown(qtbot: Any, failed_earlier: None, main_window: Any) -> None:
    controller = main_window.install_sync()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    label = controller.status.label
    assert label.text().startswith("Last sync had a problem: a-broken — Zendesk refused")
    assert not label.text().startswith("Last synced")


# --- the Remotes dialog reaches the window ----------------------------------------------------
class ThreadRecordingKeyring(KeyringBackend):
    """The test keyring, noting which thread each call came from."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, inner: KeyringBackend) -> None:
        super().__init__()
        self.inner = inner
        self.calls: list[tuple[str, str]] = []

    def _note(self, what: str) -> None:
        self.calls.append((what, threading.current_thread().name))

    def get_password(self, service: str, username: str) -> str | None:
        self._note("get")
        return self.inner.get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._note("set")
        self.inner.set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._note("delete")
        self.inner.delete_password(service, username)


@pytest.fixture
def recording_keyring() -> Iterator[ThreadRecordingKeyring]:
    previous = keyring.get_keyring()
    recording = ThreadRecordingKeyring(previous)
    keyring.set_keyring(recording)
    try:
        yield recording
    finally:
        keyring.set_keyring(previous)


def test_adding_and_removing_a_remote_refreshes_the_window_at_once(
        qtbot: Any, main_window: Any, session: Any, agent_id: int, requester_id: int,
        recording_keyring: ThreadRecordingKeyring) -> None:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Projector").created_id
    session.rollback()
    controller = main_window.install_sync()
    editor = main_window.open_ticket(tid)
    qtbot.waitUntil(lambda: editor.sync_banner.state is not None and main_window.tasks.pending == 0)
    assert editor.sync_banner.state.remotes == ()
    # With no remote, Sync now stays pressable and says there is nothing to sync with (it used to be
    # greyed out, so F9 did nothing visible; issue 12); its tooltip says how to add a remote.
    assert controller.status.label.text() == "Local only" and controller.sync_action.isEnabled()
    assert controller.sync_action.toolTip() == NO_REMOTE_TIP
    seen: list[tuple[Any, Any]] = []
    main_window.tasks.changes_executed.connect(lambda changes, initiator: seen.append((changes, initiator)))

    controller.remotes_action.trigger()
    dialog: RemotesDialog = controller.dialog
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.findChild(QDialog, "remoteForm")
    qtbot.keyClicks(form.name, "rt")
    form.kind.setCurrentIndex(form.kind.findData("rt"))
    qtbot.keyClicks(form.url, "http://127.0.0.1:9")
    qtbot.keyClicks(form.user, "root")
    qtbot.keyClicks(form.token, "rt-secret-token")
    ok = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    # The operation's Changes came from the dialog itself, not from the external poll.
    assert any(c.remotes and initiator is dialog for c, initiator in seen)
    qtbot.waitUntil(lambda: controller.sync_action.toolTip() == SYNC_TIP and controller.status.counts.isVisible()
                    and editor.sync_banner.state.remotes == ("rt",), timeout=5000)
    assert controller.status.label.text() == "Not synced yet"
    assert credentials.load_secret("rt").token == "rt-secret-token"

    seen.clear()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert any(c.remotes and initiator is dialog for c, initiator in seen)
    qtbot.waitUntil(lambda: controller.sync_action.toolTip() == NO_REMOTE_TIP and editor.sync_banner.state.remotes == ()
                    and not controller.status.counts.isVisible(), timeout=5000)
    assert controller.status.label.text() == "Local only"
    assert not credentials.has_secret("rt")  # forgotten with the remote
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    calls = recording_keyring.calls  # (the test's own look-ups run on the main thread)
    assert not any(thread.startswith("desk-db") for _what, thread in calls), calls
    writes = [thread for what, thread in calls if what in ("set", "delete")]
    assert len(writes) == 2 and all(thread.startswith("desk-net") for thread in writes), calls
    dialog.close()


# --- closing the window during a run ----------------------------------------------------------
class BlockingTransport(httpx.BaseTransport):
    """Forwards to the fake, but holds the first request until the test releases it."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.holding = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.entered.is_set():
            self.holding = True
            self.entered.set()
            self.release.wait(timeout=30)  # a window that waited for the run would wait this out
            self.holding = False
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_closing_the_window_during_a_sync_does_not_wait_and_loses_nothing(
        qtbot: Any, main_window: Any, session: Any, store: Any, zendesk: FakeZendesk, agent_id: int,
        requester_id: int) -> None:
    controller = connect_zendesk(main_window, session, zendesk)
    web_ticket(zendesk, "From the web")
    zendesk.advance(61)
    local = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                  subject="Logged at the desk").created_id
    session.rollback()
    transport = BlockingTransport()
    controller.http_options = {"transport": transport}
    ended: list[object] = []
    controller.finished.connect(ended.append)
    controller.sync_now()
    qtbot.waitUntil(transport.entered.is_set, timeout=5000)

    main_window.close()
    assert not main_window.isVisible()
    assert transport.holding  # the close did not wait for the request that hangs
    transport.release.set()
    assert controller.wait_stopped(20)
    assert ended == []  # nothing is delivered to a closed window
    # Cancelled at the checkpoint after the first pulled ticket: that ticket is in, the local one
    # still waits in the outbox, and the next run sends it.
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 2
    assert session.scalar(select(func.count()).select_from(SyncOutbox).where(SyncOutbox.ticket_id == local))
    assert not main_window.sync_controller.sync_action.isEnabled()  # no run after the close
    run = sync_all(store)
    assert run.ok and run.reports[0].created_remote == 1 and run.reports[0].created_local == 0
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 0
    assert sorted(t["subject"] for t in zendesk.state.tickets.values()) == ["From the web", "Logged at the desk"]


def test_a_malformed_oauth_credential_adds_no_remote(qtbot: Any, main_window: Any, session: Any) -> None:
    controller = main_window.install_sync()
    dialog: RemotesDialog = controller.show_remotes()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.findChild(QDialog, "remoteForm")
    qtbot.keyClicks(form.name, "zd")
    qtbot.keyClicks(form.url, "https://uni.zendesk.com")
    qtbot.keyClicks(form.user, "agent@uni.test")
    form.auth.setCurrentIndex(form.auth.findData("oauth"))
    qtbot.keyClicks(form.token, '{"access_token": ')
    qtbot.mouseClick(form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    box = dialog.findChild(QMessageBox, "errorBox")
    assert box is not None and box.text() == "The OAuth credential is not valid JSON."
    box.close()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    assert config.list_remotes(session) == [] and dialog.table.rowCount() == 0
    dialog.close()


def test_with_a_remote_a_change_here_goes_up_a_moment_later(qtbot: Any, main_window: Any, session: Any,
                                                            zendesk: FakeZendesk, agent_id: int,
                                                            requester_id: int) -> None:
    """Automatic sync (the default): on start, ~2 s after each change made in this window, and
    every 30 s; a claim made here is on the helpdesk without anyone pressing Sync now."""
    from desk.ui.settings.sync_action import CHANGE_DELAY_MS, DEFAULT_INTERVAL, INTERVALS

    assert DEFAULT_INTERVAL == 30 and 0 in INTERVALS  # 30 s unless set otherwise, and "off" exists
    controller = connect_zendesk(main_window, session, zendesk, automatic=True)
    assert controller.interval_actions[30].isChecked() and controller.timer.interval() == 30_000
    qtbot.waitUntil(lambda: controller.remote_count == 1 and not controller.running, timeout=20000)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                subject="Claimed at the counter").created_id
    session.rollback()
    before = len(zendesk.state.tickets)
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        main_window.tasks.op(lambda s: ticket_ops.claim(s, ticket_id=tid, agent_id=agent_id))
        qtbot.waitUntil(lambda: controller.soon.isActive() or controller.running, timeout=5000)
    assert controller.soon.interval() == CHANGE_DELAY_MS
    assert isinstance(blocker.args[0], list), blocker.args
    assert len(zendesk.state.tickets) == before + 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 0
    controller.interval_actions[0].trigger()  # "Only when asked": nothing runs by itself
    assert not controller.timer.isActive() and not controller.soon.isActive()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_the_agent_map_is_edited_in_the_remotes_dialog(qtbot: Any, controller: Any, main_window: Any,
                                                       session: Any, agent_id: int) -> None:
    """People… lists the agents here; an account typed for one is kept in the remote's config
    (RT login / Zendesk address when it is not the Desk e-mail); the others stay matched by e-mail."""
    import json

    from desk.core.sync.remotes.zendesk import ZendeskRemote

    dialog: RemotesDialog = controller.show_remotes()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and dialog.people_button.isEnabled())
    qtbot.mouseClick(dialog.people_button, Qt.MouseButton.LeftButton)
    people = dialog.people_dialog
    qtbot.waitUntil(lambda: people.loaded)
    assert people.table.accessibleName() == "Agent accounts"
    row = next(r for r in range(people.table.rowCount()) if people.table.item(r, 1).text() == "ana@desk.test")
    people.table.setFocus()
    people.table.setCurrentCell(row, 2)  # moving onto the cell opens its editor (as a click does)
    qtbot.waitUntil(lambda: people.table.findChild(QLineEdit) is not None)
    editor = people.table.findChild(QLineEdit)
    qtbot.keyClicks(editor, "ana.student@zd.test")
    with qtbot.waitSignal(people.saved, timeout=5000):
        qtbot.mouseClick(people.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    session.rollback()
    saved = json.loads(config.get_remote(session, "zd").config)
    assert saved["people"] == {"ana@desk.test": "ana.student@zd.test"}
    session.rollback()
    # The adapter looks the agent up under that address.
    assert ZendeskRemote(url="http://127.0.0.1:9", username="x@y.test", auth="token",
                         secret=credentials.Secret(token="t"), config=saved).people_out == saved["people"]
    dialog.close()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)


def test_a_token_set_in_the_remotes_dialog_reaches_the_window(qtbot: Any, main_window: Any, session: Any,
                                                             zendesk: FakeZendesk) -> None:
    """Setting a token is no store operation (the keyring keeps it), so the dialog's ``changed``
    is how the window hears of it: with automatic sync on, the run that failed for want of a
    token is tried again and the problem goes from the status bar."""
    controller = connect_zendesk(main_window, session, zendesk, automatic=True)
    qtbot.waitUntil(lambda: controller.remote_count == 1 and not controller.running, timeout=20000)
    credentials.delete_secret("zd")
    with qtbot.waitSignal(controller.finished, timeout=20000):
        controller.sync_now()
    assert controller.status.label.text().startswith("Sync failed: zd — No token is stored")
    controller.remotes_action.trigger()
    dialog: RemotesDialog = controller.dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.token_button, Qt.MouseButton.LeftButton)
    token_dialog = dialog.token_dialog
    field = token_dialog.findChild(QLineEdit)
    qtbot.keyClicks(field, zendesk.state.token)
    ok = token_dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(controller.finished, timeout=20000) as blocker:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert isinstance(blocker.args[0], list), blocker.args  # every remote synced
    assert controller.status.label.text().startswith("Last synced")
    dialog.close()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
