"""The queue table model: holds ticket ids, loads rows lazily, pages with keyset pagination.

* ``set_filter`` / ``sort`` reload the first page of ids (``queries.queue.page``) on the DB
  worker; ``fetchMore`` asks for the next page after the last (sort key, id).
* ``data()`` never touches the DB: a row not yet cached is shown as "…" and its id is queued;
  the queued ids are loaded together (``rows_for``) on the next event-loop turn.
* The display strings of a row (all but the ticking age) are made on the DB worker with the
  row (``row_texts``): a repaint asks ``data()`` ~2,000 times and each answer is a lookup.
* ``mark_stale`` (after a Changes) reloads the ids shown and the rows on screen, and keeps the
  selection by id. The age column ticks: ``tick()`` repaints it.
* Pages, counts and rows are read with ``tasks.sql`` (plain sqlite3, the same statements as the
  ORM path): the first page paints without waiting for SQLAlchemy to load.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal

from desk.core.i18n import N_, _
from desk.core.queries import queue
from desk.core.queries.queue import QueueFilter, QueueRow
from desk.core.vocabulary import (
    DESK_CHANNELS,
    DONE_STATUSES,
    OPEN_STATUSES,
    format_age,
    is_waiting_at_desk,
    word,
)
from desk.ui.language import SHORT_DATE_TIME, show_moment
from desk.ui.tasks import Tasks

if TYPE_CHECKING:
    from PySide6.QtCore import QPersistentModelIndex
    from PySide6.QtGui import QBrush, QFont

    Index = QModelIndex | QPersistentModelIndex

PAGE = 200
MAX_RELOAD = 5000  # a refresh reloads at most this many ids (more come back by scrolling)
MAX_CACHED = 20_000  # cached display rows (a few MB); beyond this the cache starts over
PREFETCH = 60  # rows loaded together with the first page (more than a screenful)

# (header, sort key, tooltip)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("#", "id", N_("Ticket number")),
    ("Wait / age", "waiting", "How long the person has been waiting, while nobody has served or "
     "answered them; after that (in italics) the ticket's age since they arrived"),
    ("Requester", "requester", N_("Who asked")),
    ("Subject", "subject", N_("What it is about")),
    ("Category", "category", N_("Category")),
    ("Channel", "channel", N_("Walk-in, phone, email or web")),
    ("Status", "status", N_("new, open, pending, on-hold, solved, closed")),
    ("Priority", "priority", N_("low, normal, high, urgent")),
    ("Assignee", "assignee", N_("Who has claimed it")),
    ("Location", "location", N_("Building or room")),
    (N_("Due"), "due", N_("When the next SLA target is due (red: breached, amber: due within the hour); "
                          "empty while paused or without a policy")),
)
COL_ID, COL_AGE, COL_PRIORITY, COL_DUE = 0, 1, 7, 10
DUE_SOON_SECONDS = 3600  # a target due within this long is shown in amber
TicketIdRole = Qt.ItemDataRole.UserRole + 1
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
FONT = int(Qt.ItemDataRole.FontRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
ID_ROLE = int(TicketIdRole)
_ROLES = frozenset({DISPLAY, TOOLTIP, ALIGN, FONT, FOREGROUND, ID_ROLE})
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_FONT: list[QFont] = []  # the bold font and the red brush are made when a row first needs them
_BRUSH: list[QBrush] = []
_HORIZONTAL = Qt.Orientation.Horizontal
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # flags() runs per cell per paint

LONG_WAIT_SECONDS = 15 * 60  # a walk-in or caller waiting this long is shown in bold red


def _is_waiting(row: QueueRow) -> bool:
    return is_waiting_at_desk(status=row.status, assignee_id=row.assignee_id, channel=row.channel,
                              service_started_at=row.service_started_at, left_at=row.left_at)


def _still_waiting(row: QueueRow) -> bool:
    """What the "Wait / age" column calls waiting: at the desk, nobody serving them yet; an
    e-mail or web request, no answer yet (docs/metrics.md's start of service and first
    response). Otherwise the column shows the ticket's age."""
    if row.channel in DESK_CHANNELS:
        return _is_waiting(row)
    return row.status in OPEN_STATUSES and row.first_response_at is None


def _italic_font() -> QFont:
    if len(_FONT) < 2:
        from PySide6.QtGui import QFont

        _bold_font()
        font = QFont()
        font.setItalic(True)
        _FONT.append(font)
    return _FONT[1]


def _bold_font() -> QFont:
    if not _FONT:
        from PySide6.QtGui import QFont

        font = QFont()
        font.setBold(True)
        _FONT.append(font)
    return _FONT[0]


def _red() -> QBrush:
    if not _BRUSH:
        from PySide6.QtGui import QBrush

        from desk.ui import theme  # the light/dark pair that keeps AA contrast on the palette

        _BRUSH.append(QBrush(theme.pick(theme.ERROR_TEXT)))
    return _BRUSH[0]


def _amber() -> QBrush:
    if len(_BRUSH) < 2:
        from PySide6.QtGui import QBrush

        from desk.ui import theme

        _red()
        _BRUSH.append(QBrush(theme.pick(theme.WARNING_TEXT)))
    return _BRUSH[1]


TARGET_NAMES = {"first_response": N_("first response"), "next_reply": N_("next reply"),
                "resolution": N_("resolution")}


def due_text(due: datetime | None, now: datetime) -> str:
    """"in 2 h 05" before the SLA target is due, "2 h 05 late" after; "" without a running clock."""
    if due is None:
        return ""
    left = (due - now).total_seconds()
    if left > 0:
        return _("in {time}").format(time=format_age(left))
    return _("{time} late").format(time=format_age(-left))


def due_tooltip(due: datetime | None, target: str | None, now: datetime) -> str:
    if due is None:
        return _("No SLA clock running (no policy, paused, or every target met)")
    from PySide6.QtCore import QDateTime, QLocale

    when = QLocale().toString(QDateTime.fromSecsSinceEpoch(int(due.timestamp())), QLocale.FormatType.ShortFormat)
    name = _(TARGET_NAMES.get(target or "", target or ""))
    if due > now:
        return _("{target} due {when} ({text})").format(target=name.capitalize(), when=when, text=due_text(due, now))
    return _("{target} breached: was due {when} ({text})").format(target=name.capitalize(), when=when,
                                                                  text=due_text(due, now))


Texts = tuple[str, ...]


def row_texts(row: QueueRow) -> Texts:
    """The text of each column of ``row``; the age column (it ticks) is left empty."""
    return (f"↑ {row.id}" if row.unsynced else str(row.id), "", row.requester, row.subject,
            row.category or "", word(row.channel), word(row.status), word(row.priority), row.assignee or "",
            row.location or "", "")


def load_rows(conn: queue.Reader, ids: list[int]) -> tuple[dict[int, QueueRow], dict[int, Texts]]:
    """The rows for ``ids`` and their display strings (runs on the DB worker)."""
    rows = queue.rows_for(conn, ids)
    return rows, {ticket_id: row_texts(row) for ticket_id, row in rows.items()}


def _filter_key(flt: QueueFilter) -> tuple[object, ...]:
    return (flt.view, flt.search, flt.agent_id, flt.day_start, tuple(sorted(flt.extra.items())))


class QueueModel(QAbstractTableModel):
    loaded = Signal()  # a (re)load of the id list finished
    count_changed = Signal(int)  # total matching tickets
    load_failed = Signal(object)

    def __init__(self, tasks: Tasks, parent: object = None, *, clock: Callable[[], datetime] | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._clock = clock or (lambda: datetime.now(UTC))
        self._filter = QueueFilter()
        self._sort = "waiting"
        self._descending = False
        self._ids: list[int] = []
        self._keys: list[tuple[object, int]] = []
        self._rows: dict[int, QueueRow] = {}
        self._texts: dict[int, Texts] = {}  # row_texts of every cached row
        self._wanted: set[int] = set()
        self._in_flight: set[int] = set()
        self._failed: set[int] = set()
        self._has_more = False
        self._fetching = False
        self._generation = 0  # bumps on each reload; late answers for an old list are dropped
        self.total: int | None = None
        self._totals: dict[tuple[object, ...], int] = {}
        self._loaded_once = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._load_wanted)

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY):  # noqa: N802, ANN201
        # Asked ~40 times per header paint, mostly for roles it has nothing for: ints first.
        if (role != DISPLAY and role != TOOLTIP) or orientation is not _HORIZONTAL \
                or not 0 <= section < len(COLUMNS):
            return None
        return _(COLUMNS[section][0]) if role == DISPLAY else _(COLUMNS[section][2]) + _(" (click to sort)")

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        ticket_id = self._ids[index.row()]
        if ticket_id in self._failed:
            return Qt.ItemFlag.NoItemFlags
        return _SELECTABLE

    def data(self, index: Index, role: int = DISPLAY):  # noqa: ANN201
        # Called thousands of times per repaint: plain ints, early exits, no Qt enums.
        if role not in _ROLES:
            return None
        r = index.row()
        if r < 0 or r >= len(self._ids):
            return None
        ticket_id = self._ids[r]
        if role == ID_ROLE:
            return ticket_id
        row = self._rows.get(ticket_id)
        column = index.column()
        if row is None:
            if role == DISPLAY:
                if ticket_id not in self._failed:
                    self._want(ticket_id)
                return str(ticket_id) if column == COL_ID else "…"
            return None
        if role == DISPLAY:
            if column == COL_AGE:
                return format_age(self._age_seconds(row))
            if column == COL_DUE:
                return due_text(row.sla_due_at, self._clock())
            texts = self._texts.get(ticket_id)
            if texts is None:
                texts = self._texts[ticket_id] = row_texts(row)
            return texts[column]
        if role == TOOLTIP:
            return self._tooltip(row, column)
        if role == ALIGN:
            return _RIGHT if column in (COL_ID, COL_AGE) else None
        if column == COL_AGE:
            if not _still_waiting(row):
                return _italic_font() if role == FONT else None  # an age, not a wait
            if _is_waiting(row) and (self._clock() - row.arrived_at).total_seconds() >= LONG_WAIT_SECONDS:
                return _bold_font() if role == FONT else _red() if role == FOREGROUND else None
            return None
        if column == COL_DUE:
            return self._due_style(row, role)
        if column != COL_PRIORITY:
            return None
        if role == FONT and row.priority in ("high", "urgent"):
            return _bold_font()
        if role == FOREGROUND and row.priority == "urgent":
            return _red()
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        if not self.canFetchMore(parent) or not self._keys:
            return
        self._fetching = True
        generation, after = self._generation, self._keys[-1]
        flt, sort, desc = self._filter, self._sort, self._descending
        self._tasks.sql(lambda s: queue.page(s, flt, sort=sort, descending=desc, after=after, limit=PAGE),
                       on_done=lambda keys: self._append(generation, keys),
                       on_error=self._page_failed, owner=self)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.set_sort(column, order):
            self.reload()

    def set_sort(self, column: int, order: Qt.SortOrder) -> bool:
        """Change the order without reloading (the caller reloads); False if nothing changed."""
        if not 0 <= column < len(COLUMNS):
            return False
        new = (COLUMNS[column][1], order == Qt.SortOrder.DescendingOrder)
        changed = new != (self._sort, self._descending)
        self._sort, self._descending = new
        return changed

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        column = next(i for i, c in enumerate(COLUMNS) if c[1] == self._sort)
        return column, Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def has_more(self) -> bool:
        return self._has_more

    # -- public ---------------------------------------------------------------------------------
    @property
    def queue_filter(self) -> QueueFilter:
        return self._filter

    def set_filter(self, flt: QueueFilter) -> None:
        self._filter = flt
        self.reload()

    def update_filter(self, **changes: object) -> None:
        self.set_filter(self._filter._replace(**changes))

    def ticket_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, ticket_id: int) -> int | None:
        try:
            return self._ids.index(ticket_id)
        except ValueError:
            return None

    def cached_row(self, ticket_id: int) -> QueueRow | None:
        return self._rows.get(ticket_id)

    def ids(self) -> list[int]:
        return list(self._ids)

    def is_loading(self) -> bool:
        return self._fetching or bool(self._in_flight) or bool(self._wanted)

    def ready(self) -> bool:
        """The id list has arrived at least once and no row asked for is still loading."""
        return self._loaded_once and not self.is_loading()

    def reload(self, *, keep: int = PAGE) -> None:
        """Fetch the first ``keep`` ids again (at least one page) and the total count."""
        self._generation += 1
        self._fetching = True
        generation = self._generation
        flt, sort, desc = self._filter, self._sort, self._descending
        limit = max(PAGE, min(keep, MAX_RELOAD))

        def work(conn):  # noqa: ANN001, ANN202
            keys = queue.page(conn, flt, sort=sort, descending=desc, limit=limit)
            # The rows on screen come with the ids: one round trip, one repaint.
            rows, texts = load_rows(conn, [ticket_id for _key, ticket_id in keys[:PREFETCH]])
            return keys, limit, rows, texts

        self._tasks.sql(work, on_done=lambda result: self._replace(generation, *result),
                       on_error=self._page_failed, owner=self)
        self._count(generation, flt)

    def _count(self, generation: int, flt: QueueFilter) -> None:
        """The total for the status bar, after the page (the table paints first). Totals are
        kept per filter until something changes; a search shows "200+ matches" instead."""
        key = _filter_key(flt)
        if flt.search.strip() or key in self._totals:
            self._set_total(generation, self._totals.get(key))
            return

        def counted(total: int) -> None:
            self._totals[key] = total
            self._set_total(generation, total)

        self._set_total(generation, None)  # "Loading…" until the count is in

        self._tasks.sql(lambda conn: queue.count(conn, flt), on_done=counted,
                       on_error=self._page_failed, owner=self)

    def _set_total(self, generation: int, total: int | None) -> None:
        if generation == self._generation:
            self.total = total
            self.count_changed.emit(-1 if total is None else total)

    def mark_stale(self, ticket_ids: frozenset[int] | set[int] | None = None) -> None:
        """Something changed: forget cached rows (all, or those ids) and reload the list."""
        if ticket_ids:
            for ticket_id in ticket_ids:
                self._rows.pop(ticket_id, None)
                self._texts.pop(ticket_id, None)
        else:
            self._rows.clear()
            self._texts.clear()
        self._failed.clear()
        self._totals.clear()
        self.reload(keep=len(self._ids))

    def tick(self) -> None:
        if self._ids:
            self.dataChanged.emit(self.index(0, COL_AGE), self.index(len(self._ids) - 1, COL_AGE),
                                  [Qt.ItemDataRole.DisplayRole])

    # -- loading --------------------------------------------------------------------------------
    def _replace(self, generation: int, keys: list[tuple[object, int]], limit: int,
                 rows: dict[int, QueueRow], texts: dict[int, Texts]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._loaded_once = True
        self._rows.update(rows)
        self._texts.update(texts)
        new_ids = [ticket_id for _key, ticket_id in keys]
        self._keys = keys
        self._has_more = len(keys) >= limit
        if new_ids == self._ids:
            if self._ids:  # same rows: repaint them (their cached data may have been dropped)
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))
        else:
            self.beginResetModel()
            self._ids = new_ids
            keep = set(new_ids)
            self._rows = {k: v for k, v in self._rows.items() if k in keep}
            self._texts = {k: v for k, v in self._texts.items() if k in keep}
            self.endResetModel()
        self.loaded.emit()

    def _append(self, generation: int, keys: list[tuple[object, int]]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._has_more = len(keys) >= PAGE
        known = set(self._ids)
        keys = [key for key in keys if key[1] not in known]
        if not keys:
            self._has_more = False
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(keys) - 1)
        self._keys.extend(keys)
        self._ids.extend(ticket_id for _key, ticket_id in keys)
        self.endInsertRows()
        if self.total is None:
            self.count_changed.emit(-1)

    def _page_failed(self, exc: BaseException) -> None:
        self._fetching = False
        self._has_more = False
        self.load_failed.emit(exc)

    def _want(self, ticket_id: int) -> None:
        if ticket_id in self._in_flight or ticket_id in self._wanted:
            return
        self._wanted.add(ticket_id)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _load_wanted(self) -> None:
        ids = sorted(self._wanted - self._in_flight)
        self._wanted.clear()
        if not ids:
            return
        self._in_flight.update(ids)
        self._tasks.sql(lambda s: load_rows(s, ids), on_done=lambda loaded: self._rows_loaded(ids, *loaded),
                       on_error=lambda exc: self._rows_failed(ids, exc), owner=self)

    def _rows_loaded(self, ids: list[int], rows: dict[int, QueueRow], texts: dict[int, Texts]) -> None:
        self._in_flight.difference_update(ids)
        if len(self._rows) > MAX_CACHED:  # scrolled through a lot: forget what is off screen
            self._rows, self._texts = {}, {}
        self._rows.update(rows)
        self._texts.update(texts)
        self._failed.update(i for i in ids if i not in rows)  # deleted meanwhile: shown disabled
        self._emit_rows_changed(ids)

    def _rows_failed(self, ids: list[int], exc: BaseException) -> None:
        self._in_flight.difference_update(ids)
        self._failed.update(ids)
        self._emit_rows_changed(ids)
        self.load_failed.emit(exc)

    def _emit_rows_changed(self, ids: list[int]) -> None:
        positions = {ticket_id: row for row, ticket_id in enumerate(self._ids)}
        rows = sorted(positions[i] for i in ids if i in positions)
        if rows:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(COLUMNS) - 1))

    # -- presentation ---------------------------------------------------------------------------
    def _age_seconds(self, row: QueueRow) -> float:
        if row.status in DONE_STATUSES:
            return ((row.left_at or row.updated_at) - row.arrived_at).total_seconds()
        return (self._clock() - row.arrived_at).total_seconds()

    def _display(self, row: QueueRow, column: int) -> str:
        if column == COL_AGE:
            return format_age(self._age_seconds(row))
        return row_texts(row)[column]

    def _due_style(self, row: QueueRow, role: int) -> object:
        if row.sla_due_at is None or role not in (FONT, FOREGROUND):
            return None
        left = (row.sla_due_at - self._clock()).total_seconds()
        if left <= 0:
            return _bold_font() if role == FONT else _red()
        if left <= DUE_SOON_SECONDS and role == FOREGROUND:
            return _amber()
        return None

    def _tooltip(self, row: QueueRow, column: int) -> str:
        if column == COL_DUE:
            return due_tooltip(row.sla_due_at, row.sla_due_target, self._clock())
        if column == COL_AGE:
            local = show_moment(row.arrived_at.astimezone(), SHORT_DATE_TIME)
            if _still_waiting(row):
                return _('Arrived {local}; waiting {format_age}').format(local=local, format_age=format_age(self._age_seconds(row)))
            return _('Arrived {local}; age {format_age} (no longer waiting)').format(local=local, format_age=format_age(self._age_seconds(row)))
        if column == 2:
            return f"{row.requester} ({word(row.requester_kind)})"
        if column == COL_ID and row.unsynced:
            return _('Ticket #{id}: ↑ local changes not yet synced to the remote helpdesk').format(id=row.id)
        return self._display(row, column)
