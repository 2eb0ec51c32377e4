"""The rules while the window is open: automations every minute on the DB worker, the desk's
notices ("notify the desk" actions) and warnings before an SLA target is breached.

Shown in the status bar when the window is in front, as a tray message when it is not. Nothing
here touches the store from the UI thread: each minute is one ``tasks.op`` (the automation pass,
its Changes refresh the screens) and one ``tasks.db`` read.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from desk.core.i18n import _, ngettext
from desk.ui.tasks import Tasks

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from desk.core.rules.notices import DueSoon, Notice

MINUTE_MS = 60_000
STATUS_MS = 15_000
TARGETS = {"first_response": "first response", "next_reply": "next reply", "resolution": "resolution"}


def _pass(session):  # noqa: ANN001, ANN202 - on the DB worker
    from desk.core.rules.automations import run_pass

    return run_pass(session).changes


def _defaults(session):  # noqa: ANN001, ANN202
    from desk.core.rules.ops import install_defaults

    return install_defaults(session)


def _start_mark(session):  # noqa: ANN001, ANN202
    from desk.core.rules.notices import latest_notice_id, unseen_notices

    # Notices left unseen from before the window opened are shown once; older seen ones never.
    unseen = unseen_notices(session, after_id=0, limit=1)
    return unseen[0].id - 1 if unseen else latest_notice_id(session)


def _news(session, after_id: int):  # noqa: ANN001, ANN202
    from desk.core.rules.notices import due_soon, unseen_notices

    return unseen_notices(session, after_id=after_id), due_soon(session)


class RulesRunner(QObject):
    def __init__(self, window: QMainWindow, tasks: Tasks, *, interval_ms: int = MINUTE_MS) -> None:
        super().__init__(window)
        self._window, self._tasks = window, tasks
        self._after_id: int | None = None
        self._warned: dict[int, datetime] = {}  # ticket -> the due time already announced
        self.shown: list[tuple[str, str]] = []  # (title, text) of each message, newest last
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        tasks.op(_defaults, owner=self)
        tasks.db(_start_mark, on_done=self._marked, owner=self)
        tasks.changes_executed.connect(self._on_changes)
        self.timer.start()

    def _marked(self, after_id: int) -> None:
        self._after_id = after_id
        self.tick()

    def tick(self) -> None:
        """Run the automations once, then look for news."""
        self._tasks.op(_pass, owner=self)
        self.look()

    def look(self) -> None:
        if self._after_id is None:
            return
        after = self._after_id
        self._tasks.db(lambda session: _news(session, after), on_done=self._news, owner=self, discardable=True)

    def _on_changes(self, changes: object, _initiator: object) -> None:
        if getattr(changes, "tickets", False):
            self.look()

    def _news(self, found: tuple[list[Notice], list[DueSoon]]) -> None:
        notices, soon = found
        if notices:
            self._after_id = max(self._after_id or 0, notices[-1].id)
            up_to = self._after_id
            self._tasks.op(lambda session: _seen(session, up_to), owner=self)
            self._say(_("Desk"), "\n".join(notice.text for notice in notices))
        fresh = [item for item in soon if self._warned.get(item.ticket_id) != item.due_at]
        for item in fresh:
            self._warned[item.ticket_id] = item.due_at
        if fresh:
            minutes = max(1, round((fresh[0].due_at - datetime.now(fresh[0].due_at.tzinfo)).total_seconds() / 60))
            lines = [_("#{id} {subject}: {target} due in {n} min").format(
                id=item.ticket_id, subject=item.subject, target=_(TARGETS.get(item.target, item.target)),
                n=max(1, round((item.due_at - datetime.now(item.due_at.tzinfo)).total_seconds() / 60)))
                for item in fresh[:3]]
            title = ngettext("An SLA target is due in {n} min", "{count} SLA targets are due soon",
                             len(fresh)).format(n=minutes, count=len(fresh))
            self._say(title, "\n".join(lines))

    def _say(self, title: str, text: str) -> None:
        self.shown.append((title, text))
        notifier = getattr(self._window, "notifier", None)
        if not self._window.isActiveWindow() and notifier is not None and notifier.show_message(title, text):
            return
        self._window.statusBar().showMessage(f"{title}: {text.splitlines()[0]}", STATUS_MS)


def _seen(session, up_to: int):  # noqa: ANN001, ANN202
    from desk.core.rules.notices import mark_seen

    return mark_seen(session, up_to_id=up_to)


def install_rules(window: QMainWindow, tasks: Tasks) -> RulesRunner:
    return RulesRunner(window, tasks)
