"""Desktop notifications while the window is not in front: a new walk-in or call, a ticket
someone gave me, a reply on a ticket I hold. View → Notifications turns them off (remembered).

When the window loses the focus the newest audit row and comment are noted; each change that
arrives while it is in the background (another PC's work through sync, the CLI, the rules) is
then read from those marks on (a primary-key range: no work on the queue's hot paths, and none
at all while the window is in front). The tray icon is made the first time there is something to say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from desk.core.changes import Changes
from desk.core.i18n import N_, _
from desk.ui.tasks import Tasks

if TYPE_CHECKING:
    from desk.core.queries.frontdesk import DeskEvent, EventMarks

SETTING = "notifications/enabled"
SHOWN_MS = 8000
MAX_SHOWN = 3  # more events than this at once are summed up in one message
TITLES = {"walk-in": N_("Someone is waiting"), "assigned": N_("A ticket for you"), "reply": N_("New reply")}


def should_notify(*, enabled: bool, window_active: bool, changes: Changes) -> bool:
    """Worth a look in the store: on, in the background, and tickets or comments changed."""
    return enabled and not window_active and (changes.tickets or changes.comments)


def message_for(events: list[DeskEvent]) -> tuple[str, str] | None:
    """(title, text) of one notification for ``events``, None for none."""
    if not events:
        return None
    if len(events) == 1:
        return _(TITLES[events[0].kind]), events[0].text
    if len(events) <= MAX_SHOWN:
        return _("Desk"), "\n".join(event.text for event in events)
    shown = "\n".join(event.text for event in events[:MAX_SHOWN])
    return _("Desk"), _('{shown}\n… and {value} more').format(shown=shown, value=len(events) - MAX_SHOWN)


def _marks(session):  # noqa: ANN001, ANN202
    from desk.core.queries.frontdesk import event_marks

    return event_marks(session)


class DeskNotifier(QObject):
    def __init__(self, *, window: QWidget, tasks: Tasks, current_agent: Callable[[], int | None]) -> None:
        super().__init__(window)
        self._window, self._tasks, self._current_agent = window, tasks, current_agent
        self.enabled = bool(QSettings().value(SETTING, True, type=bool))
        self.is_active: Callable[[], bool] = window.isActiveWindow
        self._marks: EventMarks | None = None
        self._tray: QSystemTrayIcon | None = None
        self.action = QAction(_("&Notifications"), window)
        self.action.setCheckable(True)
        self.action.setChecked(self.enabled)
        self.action.setToolTip(_("Show a desktop notification for new walk-ins, tickets given to you and "
                               "replies on your tickets while Desk is not in front"))
        self.action.setStatusTip(self.action.toolTip())
        self.action.toggled.connect(self.set_enabled)
        window.installEventFilter(self)
        tasks.changes_executed.connect(self._on_changes)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        QSettings().setValue(SETTING, enabled)
        if self.action.isChecked() != enabled:
            self.action.setChecked(enabled)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._window and event.type() == QEvent.Type.ActivationChange:
            self._activation_changed()
        return False

    def _activation_changed(self) -> None:
        if self.is_active():
            self._marks = None  # in front: people see for themselves
        elif self.enabled and self._marks is None:
            self._tasks.db(_marks, on_done=self._set_marks, owner=self, discardable=True)

    def _set_marks(self, marks: EventMarks) -> None:
        if not self.is_active() and self._marks is None:
            self._marks = marks

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        marks = self._marks
        if marks is None or not should_notify(enabled=self.enabled, window_active=self.is_active(),
                                              changes=changes):
            return
        agent_id = self._current_agent()

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.queries.frontdesk import desk_events_since

            return desk_events_since(session, marks, agent_id=agent_id)

        self._tasks.db(work, on_done=self._found, owner=self, discardable=True)

    def _found(self, result: tuple[list[DeskEvent], EventMarks]) -> None:
        events, marks = result
        if self._marks is None:
            return  # back in front meanwhile
        self._marks = marks
        shown = message_for(events)
        tray = self._tray_icon() if shown else None
        if tray is not None and shown is not None:
            tray.showMessage(shown[0], shown[1], QSystemTrayIcon.MessageIcon.Information, SHOWN_MS)

    def show_message(self, title: str, text: str) -> bool:
        """A tray message (the rules' notices, SLA warnings); False when there is no tray."""
        tray = self._tray_icon() if self.enabled else None
        if tray is None:
            return False
        tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, SHOWN_MS)
        return True

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            icon = self._window.windowIcon()
            if icon.isNull():
                icon = QApplication.windowIcon()
            if icon.isNull():
                icon = self._window.style().standardIcon(self._window.style().StandardPixmap.SP_MessageBoxInformation)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip(_("Desk"))
            self._tray.messageClicked.connect(self._bring_to_front)
            self._tray.show()
        return self._tray

    def _bring_to_front(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()


def install_notifications(window: QWidget, tasks: Tasks, current_agent: Callable[[], int | None],
                          view_menu: object) -> DeskNotifier:
    """The notifier and its View → Notifications switch."""
    notifier = DeskNotifier(window=window, tasks=tasks, current_agent=current_agent)
    view_menu.addSeparator()  # type: ignore[attr-defined]
    view_menu.addAction(notifier.action)  # type: ignore[attr-defined]
    return notifier
