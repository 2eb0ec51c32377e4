"""The window's mail worker: sends what is due in the outbox and reads answers by IMAP.

Like a sync run, each pass is a thread of its own with its own Session (``sender.deliver_due``
and ``reader.read_new`` keep their transactions short; the password is read from the keyring
there, never on the UI thread). A pass starts every 30 s, soon after a reply or a new ticket,
and every 60 s reads the IMAP folder (polling: the standard library has no IDLE before Python
3.14). Results come back by a queued signal; screens refresh through ``changes_executed``. A
small status-bar label says what waits or what went wrong; it is hidden while e-mail is not set
up, and then no thread is ever started.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from desk.core.changes import Changes
from desk.core.db import Store
from desk.core.i18n import _, ngettext
from desk.ui.tasks import Tasks

SEND_INTERVAL_MS = 30_000
READ_INTERVAL_MS = 60_000
SOON_MS = 300  # after a reply: gather a burst of changes into one pass


@dataclass
class Pass:
    changes: Changes = field(default_factory=Changes)
    sent: int = 0
    waiting: int = 0
    problems: list[str] = field(default_factory=list)


def _configured(session):  # noqa: ANN001, ANN202 - on the DB worker
    from desk.core.mail.outbox import counts
    from desk.core.mail.settings import load_mail_settings

    settings = load_mail_settings(session)
    found = counts(session)
    return settings.sending or settings.receiving, found["queued"] + found["sending"]


def one_pass(store: Store, *, read: bool) -> Pass:
    """Send what is due, then (``read``) file new mail. Environment failures become problems."""
    from desk.core import errors
    from desk.core.mail import outbox, reader, sender, smtp
    from desk.core.mail.settings import load_mail_settings, load_password

    result = Pass()
    with store.session() as session:
        settings = load_mail_settings(session)
        try:
            password = load_password(settings)
        except errors.DeskError as exc:
            result.problems.append(exc.message)
            return result
        if settings.sending:
            delivered = sender.deliver_due(session, password=password, settings=settings)
            result.changes |= delivered.changes
            result.sent = len(delivered.sent)
            result.problems += [why for _id, why in delivered.retrying + delivered.failed]
        if read and settings.receiving:
            try:
                result.changes |= reader.read_new(session, password=password, settings=settings).changes
            except smtp.MailFailure as exc:
                result.problems.append(exc.message)
        found = outbox.counts(session)
        result.waiting = found["queued"] + found["sending"]
        waiting_problem = outbox.waiting_problem(session) if result.waiting else None
        if waiting_problem and waiting_problem not in result.problems:
            result.problems.append(waiting_problem)  # a pass with nothing due still says why mail waits
    return result


class _Bridge(QObject):
    ended = Signal(object)  # a Pass, or the exception of a bug


class MailWorker(QObject):
    finished = Signal(object)  # the Pass just shown (tests wait on it)

    def __init__(self, window: QMainWindow, tasks: Tasks, store: Store) -> None:
        super().__init__(window)
        self.window_ = window
        self.tasks, self.store = tasks, store
        self.enabled = False
        self.running = False
        self.closed = False
        self._again = False
        self._read_next = True
        self.bridge = _Bridge()
        self.bridge.ended.connect(self._ended)
        self.label = QLabel(window)
        self.label.setAccessibleName(_("E-mail status"))
        self.label.setToolTip(_("The desk's e-mail: what waits in the outbox, or what went wrong"))
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.send_timer = self._timer(SEND_INTERVAL_MS, self.run_now)
        self.read_timer = self._timer(READ_INTERVAL_MS, self._time_to_read)
        self.soon = self._timer(SOON_MS, self.run_now)
        self.soon.setSingleShot(True)
        tasks.changes_executed.connect(self._changes_executed)
        self.check_configured()

    def _timer(self, interval_ms: int, slot) -> QTimer:  # noqa: ANN001
        timer = QTimer(self)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def check_configured(self) -> None:
        self.tasks.db(_configured, on_done=self._show_configured, owner=self, discardable=True)

    def _show_configured(self, found: tuple[bool, int]) -> None:
        enabled, waiting = found
        self.enabled = enabled and not self.closed
        self.label.setVisible(self.enabled)
        if not self.enabled:
            self.send_timer.stop()
            self.read_timer.stop()
            return
        if not self.running:
            self._show_waiting(waiting)
        if not self.send_timer.isActive():
            self.send_timer.start()
            self.read_timer.start()
            self.run_now()

    def _changes_executed(self, changes: Changes, initiator: object) -> None:
        if initiator is self:
            return
        if changes.settings:
            self.check_configured()
        elif self.enabled and (changes.comments or changes.tickets):
            self.soon.start()

    def _time_to_read(self) -> None:
        self._read_next = True
        self.run_now()

    def run_now(self) -> None:
        if not self.enabled or self.closed:
            return
        if self.running:
            self._again = True
            return
        self.running, self._again = True, False
        read, self._read_next = self._read_next, False
        bridge, store = self.bridge, self.store

        def work() -> None:
            try:
                result: object = one_pass(store, read=read)
            except BaseException as exc:  # noqa: BLE001 - a bug: shown by the window
                result = exc
            bridge.ended.emit(result)

        self._thread = threading.Thread(target=work, name="desk-mail", daemon=True)
        self._thread.start()

    def _ended(self, result: object) -> None:
        self.running = False
        if self.closed:
            return
        if not isinstance(result, Pass):
            from desk.ui.errors import show_error

            show_error(self.window_, result)  # type: ignore[arg-type]
            return
        if result.changes != Changes():
            self.tasks.changes_executed.emit(result.changes, self)
        if result.problems:
            self.label.setText(_("E-mail: {problem}").format(problem=result.problems[0][:80]))
            self.label.setToolTip("\n".join(result.problems))
        else:
            self._show_waiting(result.waiting)
        self.finished.emit(result)
        if self._again:
            self.run_now()

    def _show_waiting(self, waiting: int) -> None:
        self.label.setText(ngettext("E-mail: {n} waiting", "E-mail: {n} waiting", waiting).format(n=waiting)
                           if waiting else _("E-mail: all sent"))
        self.label.setToolTip(_("The desk's e-mail: what waits in the outbox, or what went wrong"))

    def shutdown(self) -> None:
        self.closed = True
        for timer in (self.send_timer, self.read_timer, self.soon):
            timer.stop()

    def wait_stopped(self, timeout: float) -> bool:
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


def install(window: QMainWindow) -> MailWorker:
    worker = MailWorker(window, window.tasks, window.store)  # type: ignore[attr-defined]
    window.mail_worker = worker  # type: ignore[attr-defined]
    return worker
