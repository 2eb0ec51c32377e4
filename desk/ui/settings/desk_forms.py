"""Editors for the desk's own settings, shared by the set-up assistant and the Settings dialog:
name / time zone / language, terms, opening hours, holidays. They only hold values; whoever
shows them saves through the core (``desk_settings.save_desk_settings``, ``calendar.set_terms``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from zoneinfo import available_timezones

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Qt, QTime, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desk.core import calendar
from desk.core.desk_settings import DEFAULT_HOURS, NINE_TO_SIX, WEEKDAYS, Period
from desk.core.i18n import N_, _, current_language, territory_name
from desk.ui.widgets import button, named

LANGUAGES = ((N_("Follow the system"), ""), ("English", "en"), ("한국어 (Korean)", "ko"))
# Offered first in the country chooser; every country the holidays package knows follows.
COMMON_COUNTRIES = (("", N_("No public holidays")), ("KR", "South Korea"), ("US", "United States"),
                    ("GB", "United Kingdom"), ("CA", "Canada"), ("AU", "Australia"), ("DE", "Germany"),
                    ("FR", "France"), ("JP", "Japan"), ("CN", "China"), ("IN", "India"))


class _EnterCalls(QObject):
    def __init__(self, edit: QLineEdit, slot: Callable[[], object]) -> None:
        super().__init__(edit)
        self._edit, self._slot = edit, slot
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self._edit.text().strip()):
            self._slot()
            return True  # not also the dialog's default button (Next, Finish)
        return False


def enter_calls(edit: QLineEdit, slot: Callable[[], object]) -> None:
    """Enter in ``edit`` calls ``slot`` when something is typed (an empty field lets Enter reach
    the dialog's default button as usual)."""
    _EnterCalls(edit, slot)


def scrolled(content: QWidget, parent: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area, so a page still fits a small or scaled screen."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` × ``height``, or to 90 % of the screen where that is smaller."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, int(room.width() * 0.9)), min(height, int(room.height() * 0.9))
    window.resize(width, height)


def _other_countries() -> list[tuple[str, str]]:
    """Every other country the holidays package knows, named in English by Qt, by name."""
    import holidays

    common = dict(COMMON_COUNTRIES)
    found = []
    for code in holidays.list_supported_countries():
        if code not in common and len(code) == 2:
            territory = QLocale.codeToTerritory(code)
            name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code
            found.append((code, name))
    return sorted(found, key=lambda item: item[1])


def _zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


class ZoneCombo(QComboBox):
    """A searchable list of IANA time zones: type any part ("seoul") and pick."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(_zones())
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def zone(self) -> str:
        return self.currentText().strip()

    def set_zone(self, name: str) -> None:
        index = self.findText(name)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(name)


class DeskForm(QWidget):
    """Desk name, time zone (the system's by default) and language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.name = named(QLineEdit(self), _("Desk name"), _("Shown in the window title and on the counter screen"))
        self.name.setPlaceholderText(_("e.g. Tech Desk, School of Education"))
        self.zone = named(ZoneCombo(self), _("Time zone"),
                          _("The desk's time zone: days in the stats and opening hours use it. Type to search."))
        self.language = named(QComboBox(self), _("Language"), _("The language of Desk's screens"))
        for label, code in LANGUAGES:
            self.language.addItem(_(label), code)
        form.addRow(_("Desk &name:"), self.name)
        form.addRow(_("&Time zone:"), self.zone)
        form.addRow(_("&Language:"), self.language)
        self.phone = named(QLineEdit(self), "Phone", _("Shown on the counter display's closed screen and on receipts"))
        self.phone.setPlaceholderText(_("e.g. 02-880-1234"))
        form.addRow(_("&Phone:"), self.phone)
        self.counter_names = named(QComboBox(self), "Names on the counter display",
                                   _("How the counter display, which faces the room, names the people waiting"))
        for label, code in ((_("First name and initial (Kim L.)"), "first-initial"),
                            (_("First name only (Kim)"), "first"), (_("No names: ticket numbers only"), "none")):
            self.counter_names.addItem(label, code)
        form.addRow(_("Names on the &counter display:"), self.counter_names)

    def set_values(self, *, desk_name: str, timezone: str, language: str, phone: str = "",
                   counter_names: str = "first-initial") -> None:
        self.name.setText(desk_name)
        self.zone.set_zone(timezone)
        self.language.setCurrentIndex(max(0, self.language.findData(language)))
        self.phone.setText(phone)
        self.counter_names.setCurrentIndex(max(0, self.counter_names.findData(counter_names)))

    def values(self) -> dict[str, str]:
        return {"desk_name": " ".join(self.name.text().split()), "timezone": self.zone.zone(),
                "language": self.language.currentData() or "", "phone": self.phone.text().strip(),
                "counter_names": self.counter_names.currentData() or "first-initial"}


class TermsEditor(QWidget):
    """Terms as a small table (name, first day, last day), filled from a preset or typed."""

    def __init__(self, parent: QWidget | None = None, *, first_year: int | None = None) -> None:
        super().__init__(parent)
        self._year = first_year or date.today().year
        layout = QVBoxLayout(self)
        presets = QHBoxLayout()
        for key, label in (("us", _("&US academic year")), ("ko", _("K&orean academic year"))):
            presets.addWidget(button(label, _(calendar.PRESETS[key].title), self,
                                     slot=lambda k=key: self.use_preset(k)))
        presets.addStretch(1)
        layout.addLayout(presets)
        self.table = named(QTableWidget(0, 3, self), _("Terms"),
                           _("Name, first day and last day (YYYY-MM-DD) of each term; edit any cell"))
        self.table.setHorizontalHeaderLabels((_("Name"), _("First day"), _("Last day")))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        layout.addWidget(self.table)
        rows = QHBoxLayout()
        rows.addWidget(button(_("Add &term"), _("Add an empty term to fill in"), self, slot=self.add_row))
        rows.addWidget(button(_("&Remove term"), _("Remove the selected term"), self, slot=self.remove_row))
        rows.addStretch(1)
        layout.addLayout(rows)

    def use_preset(self, key: str) -> None:
        self.set_terms(calendar.preset_terms(key, years=(self._year - 1, self._year, self._year + 1)))

    def set_terms(self, terms: Sequence[calendar.Term]) -> None:
        self.table.setRowCount(0)
        for term in terms:
            self.add_row(term.name, term.start.isoformat(), term.end.isoformat())

    def add_row(self, name: str = "", start: str = "", end: str = "") -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((name, start, end)):
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setCurrentCell(row, 0)

    def remove_row(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())

    def values(self) -> list[dict[str, str]]:
        """Rows as {name, start, end} (entirely empty rows left out); the core validates them."""
        found = []
        for row in range(self.table.rowCount()):
            cells = [(self.table.item(row, c).text().strip() if self.table.item(row, c) else "") for c in range(3)]
            if any(cells):
                found.append(dict(zip(("name", "start", "end"), cells, strict=True)))
        return found


class HoursEditor(QWidget):
    """Opening hours: per weekday open or closed, from and to. A day the store gives several
    periods (set with ``desk settings``) keeps them unless its first one is changed here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        self.open_boxes: list[QCheckBox] = []
        self.from_edits: list[QTimeEdit] = []
        self.to_edits: list[QTimeEdit] = []
        self._loaded: list[tuple[Period, ...]] = [()] * len(WEEKDAYS)
        for row, day in enumerate(WEEKDAYS):
            shown = _(day)  # WEEKDAYS are English (N_ in desk.core.stats.export); the names stay English
            box = named(QCheckBox(shown, self), f"Open on {day}", _('Is the desk open on {day}s?').format(day=shown))
            start = named(QTimeEdit(self), f"{day} opens at", _('When the desk opens on {day}s').format(day=shown))
            end = named(QTimeEdit(self), f"{day} closes at", _('When the desk closes on {day}s').format(day=shown))
            for edit in (start, end):
                edit.setDisplayFormat(_("HH:mm"))
            box.toggled.connect(start.setEnabled)
            box.toggled.connect(end.setEnabled)
            grid.addWidget(box, row, 0)
            grid.addWidget(start, row, 1)
            grid.addWidget(QLabel(_("to"), self), row, 2)
            grid.addWidget(end, row, 3)
            self.open_boxes.append(box)
            self.from_edits.append(start)
            self.to_edits.append(end)
        grid.setColumnStretch(4, 1)
        self.set_hours(DEFAULT_HOURS)

    def set_hours(self, week: Sequence[Sequence[Period]]) -> None:
        self._loaded = [tuple(week[i]) if i < len(week) else () for i in range(len(WEEKDAYS))]
        for index, box in enumerate(self.open_boxes):
            periods = self._loaded[index]
            box.setChecked(bool(periods))
            self.from_edits[index].setEnabled(bool(periods))
            self.to_edits[index].setEnabled(bool(periods))
            opens, closes = periods[0] if periods else NINE_TO_SIX[0]
            self.from_edits[index].setTime(QTime(opens.hour, opens.minute))
            self.to_edits[index].setTime(QTime(closes.hour, closes.minute))
            if len(periods) > 1:
                box.setToolTip(_('Open on {WEEKDAYS}s: ').format(WEEKDAYS=_(WEEKDAYS[index])) + ", ".join(
                    f"{o:%H:%M}–{c:%H:%M}" for o, c in periods) + _(" (only the first is shown here)"))

    def hours(self) -> tuple[tuple[Period, ...], ...]:
        week = []
        for index, box in enumerate(self.open_boxes):
            if not box.isChecked():
                week.append(())
                continue
            shown = (self.from_edits[index].time().toPython(), self.to_edits[index].time().toPython())
            loaded = self._loaded[index]
            week.append(loaded if loaded and loaded[0] == shown else (shown,))
        return tuple(week)


class HolidaysEditor(QWidget):
    """The country whose public holidays close the desk (shown for this year and the next, as
    ``lookup`` finds them), and the desk's own closed days (add a date, remove the selected)."""

    country_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.country = named(QComboBox(self), _("Holidays country"),
                             _("The country whose public holidays the desk is closed on"))
        for code, title in list(COMMON_COUNTRIES) + _other_countries():
            if not code:
                title = _(title)
            elif current_language() != "en":  # Qt names countries in English only; CLDR has the rest
                title = territory_name({"UK": "GB"}.get(code, code)) or title  # holidays' UK is CLDR's GB
            self.country.addItem(f"{title} ({code})" if code else title, code)
        self.country.currentIndexChanged.connect(lambda _i: self.country_changed.emit(self.country_code()))
        form.addRow(_("Public holidays of:"), self.country)
        layout.addLayout(form)
        self.public = named(QListWidget(self), _("Public holidays"), _("The public holidays of the chosen country"))
        self.public.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(QLabel(_("Public holidays (the desk is closed):"), self))
        layout.addWidget(self.public)
        layout.addWidget(QLabel(_("The desk's own closed days:"), self))
        self.closed = named(QListWidget(self), _("Closed days"), _("Days the desk is closed besides public holidays"))
        layout.addWidget(self.closed)
        row = QHBoxLayout()
        self.new_day = named(QDateEdit(QDate.currentDate(), self), _("Closed day to add"), _("A date the desk is closed"))
        self.new_day.setCalendarPopup(True)
        self.new_day.setDisplayFormat("yyyy-MM-dd")
        row.addWidget(self.new_day)
        row.addWidget(button(_("Add closed &day"), _("Add the date on the left"), self, slot=self.add_closed_day))
        row.addWidget(button(_("Remove closed day"), _("Remove the selected closed day"), self,
                             slot=self.remove_closed_day))
        row.addStretch(1)
        layout.addLayout(row)

    def country_code(self) -> str:
        return self.country.currentData() or ""

    def set_values(self, *, country: str, closed_days: Sequence[date]) -> None:
        index = self.country.findData(country)
        if index < 0 and country:
            self.country.addItem(country, country)
            index = self.country.count() - 1
        self.country.setCurrentIndex(max(0, index))
        self.closed.clear()
        for day in sorted(closed_days):
            self._add_day(day)

    def show_public(self, found: dict[date, str], *, closed: Callable[[], Sequence[date]] | None = None) -> None:
        own = set(closed() if closed else self.closed_days())
        self.public.clear()
        for day, name in sorted(found.items()):
            if day not in own:
                self.public.addItem(f"{day.isoformat()}  {name}")

    def add_closed_day(self) -> None:
        day = self.new_day.date().toPython()
        if day not in self.closed_days():
            self._add_day(day)

    def _add_day(self, day: date) -> None:
        item = QListWidgetItem(day.isoformat())
        item.setData(Qt.ItemDataRole.UserRole, day)
        self.closed.addItem(item)
        self.closed.sortItems()

    def remove_closed_day(self) -> None:
        row = self.closed.currentRow()
        if row >= 0:
            self.closed.takeItem(row)

    def closed_days(self) -> list[date]:
        return [self.closed.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.closed.count())]
