"""The counter display: a second window for a monitor or TV facing the people waiting.

It shows the line (position, the name as the desk chose to show it, time waited, the wait
estimate as a range), who is being served and by whom (with a chime when someone is called),
a closed screen with the opening hours and phone outside hours, and the exit survey after Done.
Nothing on it needs a keyboard. It reads the store through the window's ``Tasks`` and reloads on
every change, its own and other processes' (the ``data_version`` watch, every second), so it
follows any Desk on the same store within about a second; a timer refreshes the clocks.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from desk.core.i18n import _, ngettext
from desk.core.models import utcnow
from desk.core.queries.counter import CounterBoard, DoneTicket, counter_board, done_since, last_audit_id
from desk.core.queries.wait_estimate import WaitRange
from desk.ui.counter.chime import Chime
from desk.ui.counter.survey import SurveyPage
from desk.ui.tasks import Tasks
from desk.ui.widgets import named

log = logging.getLogger(__name__)

ROWS = 8  # people listed; the rest are counted
TICK_MS = 20_000  # clocks and open/closed follow time, not only changes
STYLE = """
#counterDisplay { background: #10243e; }
#counterDisplay QLabel, #counterDisplay QCheckBox { color: #f4f6fa; font-size: %(size)dpt; }
#counterDisplay QLabel[role="headline"] { color: #ffd75e; font-weight: 600; font-size: %(big)dpt; }
#counterDisplay QLabel[role="muted"] { color: #b8c4d6; font-size: %(small)dpt; }
#counterDisplay QPushButton { background: #1f3d63; color: #f4f6fa; border: 2px solid #6b8fbf;
                              border-radius: 18px; padding: 12px; font-size: %(big)dpt; }
#counterDisplay QCheckBox::indicator { width: %(size)dpx; height: %(size)dpx; }
#counterDisplay QPushButton:pressed { background: #33608f; }
#counterDisplay QPlainTextEdit { background: #f4f6fa; color: #10243e; font-size: %(size)dpt; }
"""


def minutes_text(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    return ngettext("{n} min", "{n} min", minutes).format(n=minutes)


def estimate_text(estimate: WaitRange | None) -> str:
    """Always a range or an honest "not yet", never one number."""
    if estimate is None:
        return _("no estimate yet")
    low, high = estimate.low // 60, estimate.high // 60
    if low == 0:
        return ngettext("up to {high} min", "up to {high} min", high).format(high=high)
    return _("about {low}–{high} min").format(low=low, high=high)


class CounterDisplay(QWidget):
    """Top-level window. ``called`` is emitted (with the chime) when a new person is called."""

    called = Signal(int)  # ticket id
    board_shown = Signal()  # a board was loaded and shown (tests wait for it)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        """``clock``: now, in UTC (tests pass a fixed one)."""
        super().__init__(parent, Qt.WindowType.Window)
        self.tasks = tasks
        self._clock = clock
        self.setObjectName("counterDisplay")
        self.setAccessibleName("Counter display")
        self.setWindowTitle(_("Desk — counter display"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.set_text_size(24)
        self.setToolTip(_("For the people waiting; Esc closes it"))
        self.chime = Chime(self)
        self.board: CounterBoard | None = None
        self._serving_seen: set[int] | None = None  # None until the first board: nobody is "new" then
        self._mark: int | None = None  # audit rows after this one are new Done's (survey)
        self._surveys: deque[DoneTicket] = deque()
        self._loading = False
        self._again = False
        self.pages = QStackedWidget(self)
        # whatever the text size, the screen's size wins (a page too wide for a small screen
        # would push the window out of full screen)
        self.pages.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addWidget(self.pages)
        self._build_line_page()
        self._build_closed_page()
        self.survey = SurveyPage(self)
        self.survey.rated.connect(self._store_rating)
        self.survey.finished.connect(self._survey_done)
        self.pages.addWidget(self.survey)
        tasks.changes_executed.connect(self._changed)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.reload)
        self._tick.start()
        self.reload()

    # -- pages --------------------------------------------------------------------------------
    def _build_line_page(self) -> None:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.title = named(QLabel(page), "Desk name", _("The desk"))
        self.title.setProperty("role", "headline")
        column.addWidget(self.title)
        self.serving = named(QLabel(page), "Now serving", _("Who is being served, and by whom"))
        self.serving.setProperty("role", "headline")
        self.serving.setWordWrap(True)
        column.addWidget(self.serving)
        self.count = named(QLabel(page), "Waiting count", _("How many people are waiting"))
        column.addWidget(self.count)
        grid_box = QWidget(page)
        self.grid = QGridLayout(grid_box)
        self.grid.setHorizontalSpacing(40)
        for column_index, stretch in enumerate((1, 5, 2, 3)):  # the name gets the room
            self.grid.setColumnStretch(column_index, stretch)
        self.rows: list[tuple[QLabel, QLabel, QLabel, QLabel]] = []
        for header, column_index in ((_("#"), 0), (_("Name"), 1), (_("Waited"), 2), (_("Expected wait"), 3)):
            label = QLabel(header, grid_box)
            label.setProperty("role", "muted")
            self.grid.addWidget(label, 0, column_index)
        for row in range(1, ROWS + 1):
            labels = tuple(named(QLabel(grid_box), f"{what} {row}", tip) for what, tip in (
                ("Position", _("Place in the line")), ("Name", _("Who is waiting")),
                ("Waited", _("How long they have waited")), ("Estimate", _("Expected wait, as a range"))))
            for column_index, label in enumerate(labels):
                self.grid.addWidget(label, row, column_index)
            self.rows.append(labels)  # type: ignore[arg-type]
        column.addWidget(grid_box)
        self.more = named(QLabel(page), "More waiting", _("People waiting beyond the list"))
        column.addWidget(self.more)
        column.addStretch(1)
        self.note = named(QLabel(_("Estimates are ranges from how long recent visits took."), page),
                          "Estimate note", _("How the expected wait is worked out"))
        self.note.setProperty("role", "muted")
        column.addWidget(self.note)
        self.line_page = page
        self.pages.addWidget(page)

    def _build_closed_page(self) -> None:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.addStretch(1)
        self.closed = named(QLabel(_("We are closed"), page), "Closed", _("The desk is closed now"))
        self.closed.setProperty("role", "headline")
        self.next_open = named(QLabel(page), "Next opening", _("When the desk opens again"))
        self.hours = named(QLabel(page), "Opening hours", _("The desk's opening hours"))
        self.phone = named(QLabel(page), "Phone", _("The desk's phone number"))
        for label in (self.closed, self.next_open, self.hours, self.phone):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            column.addWidget(label)
        column.addStretch(1)
        self.closed_page = page
        self.pages.addWidget(page)

    # -- loading ------------------------------------------------------------------------------
    def _changed(self, changes: object, _initiator: object) -> None:
        if not self._tick.isActive():
            return  # closed
        if any(getattr(changes, name, False) for name in ("tickets", "settings", "shifts", "people")):
            self.reload()

    def reload(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        mark, clock = self._mark, self._clock

        def read(session):  # noqa: ANN001, ANN202 - runs on the DB worker
            now = clock()
            board = counter_board(session, now=now)
            if mark is None:  # opened just now: only Done's from here on are asked about
                return board, [], last_audit_id(session)
            done = done_since(session, audit_id=mark, now=now)
            return board, done, max([mark, *(item.audit_id for item in done)])

        self.tasks.db(read, on_done=self._loaded, on_error=self._failed, discardable=True)

    def _failed(self, exc: BaseException) -> None:
        log.warning("counter display could not read the store: %s", exc)
        self._finish_load()

    def _finish_load(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()

    def _loaded(self, result: tuple[CounterBoard, list[DoneTicket], int]) -> None:
        board, done, mark = result
        self.board, self._mark = board, mark
        queued = {item.ticket_id for item in self._surveys}
        self._surveys.extend(item for item in done if item.ticket_id not in queued)
        serving = {item.ticket_id for item in board.serving}
        if self._serving_seen is not None:
            for ticket_id in sorted(serving - self._serving_seen):
                self.chime.ring()
                self.called.emit(ticket_id)
        self._serving_seen = serving
        self._show(board)
        self._finish_load()
        self.board_shown.emit()

    # -- showing ------------------------------------------------------------------------------
    def _show(self, board: CounterBoard) -> None:
        now = self._clock()
        self.title.setText(board.opening.desk_name or _("Service desk"))
        lines = [_("Now serving {name} — with {agent}").format(name=item.name or f"#{item.ticket_id}", agent=item.agent)
                 for item in board.serving]
        self.serving.setText("\n".join(lines) if lines else "")
        self.serving.setVisible(bool(lines))
        count = len(board.waiting)
        self.count.setText(ngettext("{n} person waiting", "{n} people waiting", count).format(n=count)
                           if count else _("Nobody is waiting"))
        for index, (position, name, waited, estimate) in enumerate(self.rows):
            item = board.waiting[index] if index < count else None
            for label in (position, name, waited, estimate):
                label.setVisible(item is not None)
            if item is None:
                continue
            position.setText(str(item.position))
            name.setText(item.name or f"#{item.ticket_id}")
            waited.setText(minutes_text((now - item.arrived_at).total_seconds()))
            estimate.setText(estimate_text(item.estimate))
        extra = count - len(self.rows)
        self.more.setText(ngettext("and {n} more", "and {n} more", extra).format(n=extra) if extra > 0 else "")
        self._show_closed(board)
        if not self.survey.busy:
            self._next_page(board)

    def _show_closed(self, board: CounterBoard) -> None:
        opening = board.opening
        locale = QLocale()
        days = []
        for weekday, periods in enumerate(opening.hours):
            day = locale.dayName(weekday + 1, QLocale.FormatType.LongFormat)
            spans = ", ".join(f"{opens}–{closes}" for opens, closes in periods) or _("closed")
            days.append(f"{day}: {spans}")
        self.hours.setText("\n".join(days))
        if opening.next_open is not None:
            moment = QDateTime.fromSecsSinceEpoch(int(opening.next_open.timestamp()),
                                                  QTimeZone(opening.timezone.encode()))
            when = (f"{locale.toString(moment.date(), QLocale.FormatType.LongFormat)} "
                    f"{locale.toString(moment.time(), QLocale.FormatType.ShortFormat)}")
            self.next_open.setText(_("We open again {when}").format(when=when))
        else:
            self.next_open.setText("")
        self.phone.setText(_("Phone: {phone}").format(phone=opening.phone) if opening.phone else "")

    def _next_page(self, board: CounterBoard) -> None:
        if self._surveys:
            self.survey.ask(self._surveys.popleft())
            self.pages.setCurrentWidget(self.survey)
            return
        self.pages.setCurrentWidget(self.line_page if board.opening.is_open or board.waiting or board.serving
                                    else self.closed_page)

    @property
    def showing(self) -> str:
        """"line", "closed" or "survey": the page on screen."""
        return {id(self.line_page): "line", id(self.closed_page): "closed"}.get(id(self.pages.currentWidget()), "survey")

    # -- survey -------------------------------------------------------------------------------
    def _store_rating(self, ticket_id: int, rating: str, comment: str, anonymous: bool) -> None:
        from desk.core.ops import survey

        self.tasks.op(lambda session: survey.record_rating(session, ticket_id=ticket_id, rating=rating,
                                                           comment=comment, anonymous=anonymous),
                      initiator=self, on_error=lambda exc: log.warning("rating not stored: %s", exc), owner=self)

    def _survey_done(self) -> None:
        if self.board is not None:
            self._next_page(self.board)

    # -- window -------------------------------------------------------------------------------
    def show_on(self, screen_index: int | None = None) -> None:
        """Full screen on screen ``screen_index`` (0 = the first), or on the last screen that is
        not the main window's (a second monitor or TV) when there is one."""
        screens = QGuiApplication.screens()
        if screen_index is not None and 0 <= screen_index < len(screens):
            screen = screens[screen_index]
        else:
            others = [item for item in screens if item is not QGuiApplication.primaryScreen()]
            screen = others[-1] if others else QGuiApplication.primaryScreen()
        self.setScreen(screen)
        geometry = screen.geometry()
        self.move(geometry.topLeft())
        self.resize(geometry.size())
        self.set_text_size(max(14.0, geometry.height() / 32))  # readable across a room
        self.showFullScreen()

    def set_text_size(self, points: float) -> None:
        """Text at ``points`` (headlines half again as big): set in the style sheet, which
        styled labels follow (they do not inherit a parent's setFont)."""
        size = round(points)
        self.setStyleSheet(STYLE % {"size": size, "big": round(size * 1.5), "small": round(size * 0.7)})

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        if not self._tick.isActive():  # shown again after a close: catch up
            self._tick.start()
            self.reload()
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._tick.stop()  # hidden: no reading for nobody (View → Counter display shows it again)
        super().closeEvent(event)
