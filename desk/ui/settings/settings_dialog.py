"""File → Settings… (Ctrl+,): the desk, its calendar, its people, its categories and locations.

Every button is one ``tasks.op`` of a core operation, done as the agent at the desk; the tabs
reload when ``changes_executed`` says what they show has changed (here, in another window or
another process). Remote helpdesks keep their own dialog (a button opens it), and the set-up
assistant can be run again from here.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.core.changes import Changes
from desk.core.i18n import N_, _, current_language, system_language
from desk.ui.language import restart_notice
from desk.ui.settings.choices import ChoicesTab
from desk.ui.settings.desk_forms import (
    DeskForm,
    HolidaysEditor,
    HoursEditor,
    TermsEditor,
    fit_to_screen,
    scrolled,
)
from desk.ui.settings.mail_page import MailPage
from desk.ui.settings.people import AgentsTab, RequestersTab
from desk.ui.widgets import button, named

TABS = ("Desk", "Calendar", "People", "Categories & locations", "E-mail")


def _load(session):  # noqa: ANN001, ANN202 - on the DB worker
    from desk.core import calendar, desk_settings

    return desk_settings.load_desk_settings(session), calendar.terms(session)


def _save_desk(session, *, actor_id: int | None, values: dict[str, object]):  # noqa: ANN001, ANN202
    from desk.core import desk_settings

    return desk_settings.save_desk_settings(session, actor_id=actor_id, values=values)


def _save_calendar(session, *, actor_id: int | None, terms: list[dict[str, str]],  # noqa: ANN001, ANN202
                   values: dict[str, object]):
    """Terms, hours and holidays: one button, one transaction."""
    from desk.core import calendar
    from desk.core.db import unit_of_work

    with unit_of_work(session):
        changes = calendar.set_terms(session, terms=terms, actor_id=actor_id)
        return changes | _save_desk(session, actor_id=actor_id, values=values)


def _holidays_of(settings: object, country: str):  # noqa: ANN202
    from desk.core.desk_settings import public_holidays

    year = date.today().year
    return public_holidays(dataclasses.replace(settings, holidays_country=country, closed_days=()),  # type: ignore[type-var]
                           (year, year + 1))


class SettingsDialog(QDialog):
    def __init__(self, window, *, tab: str | None = None) -> None:  # noqa: ANN001 - a MainWindow
        super().__init__(window)
        self.window_ = window
        self.tasks = window.tasks
        self._settings: object | None = None
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        fit_to_screen(self, 900, 660)
        layout = QVBoxLayout(self)
        self.tabs = named(QTabWidget(self), _("Settings sections"), _("Desk, calendar, people, categories and locations"))
        actor = window.current_agent_id
        self.tabs.addTab(scrolled(self._desk_tab(), self), _("&Desk"))
        self.tabs.addTab(self._calendar_tab(), _("&Calendar"))
        people = QTabWidget(self)
        self.agents = AgentsTab(self.tasks, actor, people)
        self.requesters = RequestersTab(self.tasks, actor, people)
        people.addTab(self.agents, _("Agents"))
        people.addTab(self.requesters, _("Requesters"))
        self.people_tabs = named(people, _("People"), _("Agents and requesters"))
        self.tabs.addTab(people, _("&People"))
        choices = QWidget(self)
        row = QHBoxLayout(choices)
        self.categories = ChoicesTab(self.tasks, "category", actor, choices)
        self.locations = ChoicesTab(self.tasks, "location", actor, choices)
        for title, tab_widget in ((N_("Categories"), self.categories), (N_("Locations"), self.locations)):
            box = QGroupBox(_(title), choices)
            QVBoxLayout(box).addWidget(tab_widget)
            row.addWidget(box)
        self.tabs.addTab(scrolled(choices, self), _("Categories && l&ocations"))
        self.mail = MailPage(self.tasks, actor, self)
        self.tabs.addTab(scrolled(self.mail, self), _("&E-mail"))
        layout.addWidget(self.tabs)
        bottom = QHBoxLayout()
        self.setup_button = button(_("Run the set-up assistant a&gain…"), _("Go through the first-day set-up again"),
                                   self, slot=self.run_setup)
        self.remotes_button = button(_("&Remote helpdesks…"), _("Zendesk or Request Tracker to sync with"), self,
                                     slot=self.show_remotes)
        bottom.addWidget(self.setup_button)
        bottom.addWidget(self.remotes_button)
        bottom.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        named(close.button(QDialogButtonBox.StandardButton.Close), _("Close"), _("Close the settings"))
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        for made in self.findChildren(QPushButton):
            made.setAutoDefault(False)  # Enter in a field must not press the last button focused
        if tab in TABS:
            self.tabs.setCurrentIndex(TABS.index(tab))
        self.tasks.changes_executed.connect(self._on_changes)
        self.reload()

    # -- tabs -----------------------------------------------------------------------------------
    def _desk_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.desk_form = DeskForm(page)
        column.addWidget(self.desk_form)
        row = QHBoxLayout()
        self.save_desk_button = button(_("&Save"), _("Save the desk's name, time zone and language"), page,
                                       name=_("Save desk settings"), slot=self.save_desk)
        row.addWidget(self.save_desk_button)
        row.addStretch(1)
        column.addLayout(row)
        self.language_notice = named(QLabel("", page), _("Language notice"), _("When a new language takes effect"))
        self.language_notice.setVisible(False)
        column.addWidget(self.language_notice)
        column.addStretch(1)
        return page

    def _calendar_tab(self) -> QWidget:
        """Terms and hours on the left, holidays on the right; the Save button stays in view
        below the scrolling part."""
        page = QWidget(self)
        outer = QVBoxLayout(page)
        content = QWidget(page)
        columns = QHBoxLayout(content)
        columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        terms_box, hours_box = QGroupBox(_("Terms"), content), QGroupBox(_("Opening hours"), content)
        self.terms = TermsEditor(terms_box)
        QVBoxLayout(terms_box).addWidget(self.terms)
        self.hours = HoursEditor(hours_box)
        QVBoxLayout(hours_box).addWidget(self.hours)
        left.addWidget(terms_box, 1)
        left.addWidget(hours_box)
        columns.addLayout(left, 1)
        holidays_box = QGroupBox(_("Holidays"), content)
        self.holidays = HolidaysEditor(holidays_box)
        self.holidays.country_changed.connect(self._country_changed)
        QVBoxLayout(holidays_box).addWidget(self.holidays)
        columns.addWidget(holidays_box, 1)
        outer.addWidget(scrolled(content, page), 1)
        row = QHBoxLayout()
        self.save_calendar_button = button(_("&Save calendar"), _("Save the terms, opening hours and holidays"), page,
                                           name=_("Save calendar"), slot=self.save_calendar)
        row.addWidget(self.save_calendar_button)
        row.addStretch(1)
        outer.addLayout(row)
        return page

    # -- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        self.tasks.db(_load, on_done=self._loaded, owner=self, discardable=True)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.settings:
            self.reload()

    def _loaded(self, found: tuple[object, list]) -> None:
        settings, terms = found
        self._settings = settings
        self.desk_form.set_values(desk_name=settings.desk_name, timezone=settings.timezone,  # type: ignore[attr-defined]
                                  language=settings.language, phone=settings.phone,  # type: ignore[attr-defined]
                                  counter_names=settings.counter_names)  # type: ignore[attr-defined]
        self.terms.set_terms(terms)
        self.hours.set_hours(settings.opening_hours)  # type: ignore[attr-defined]
        self.holidays.set_values(country=settings.holidays_country,  # type: ignore[attr-defined]
                                 closed_days=settings.closed_days)  # type: ignore[attr-defined]
        self._country_changed(self.holidays.country_code())

    def _country_changed(self, country: str) -> None:
        settings = self._settings
        if settings is None or not country:
            self.holidays.show_public({})
            return
        self.tasks.db(lambda _s: _holidays_of(settings, country), on_done=self.holidays.show_public,
                      owner=self.holidays, discardable=True)

    # -- saving ---------------------------------------------------------------------------------
    def save_desk(self) -> None:
        values, actor = self.desk_form.values(), self.window_.current_agent_id()
        self.tasks.op(lambda s: _save_desk(s, actor_id=actor, values=values), initiator=self)
        notice = restart_notice(current_language(), values["language"] or system_language())
        if notice:  # the language was chosen before any widget was made: it applies at the next start
            self.language_notice.setText(notice)
            self.language_notice.setVisible(True)

    def save_calendar(self) -> None:
        terms, actor = self.terms.values(), self.window_.current_agent_id()
        values = {"opening_hours": self.hours.hours(), "holidays_country": self.holidays.country_code(),
                  "closed_days": tuple(self.holidays.closed_days())}
        self.tasks.op(lambda s: _save_calendar(s, actor_id=actor, terms=terms, values=values), initiator=self)

    def run_setup(self) -> QWidget:
        self.accept()
        return self.window_.show_setup()

    def show_remotes(self) -> QWidget:
        return self.window_.install_sync().show_remotes()
