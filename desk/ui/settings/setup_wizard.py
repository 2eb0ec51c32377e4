"""The set-up assistant: what a new desk needs on its first morning, page by page.

Opened by the main window when the store has no active agent (``offer_setup``), and again from
Settings. Every page can be skipped ("Skip this page": its values are not saved); only the last
page's Finish wants one agent, because nobody can sign in without one. Finish hands the whole
``SetupPlan`` to one ``tasks.op`` (one transaction, ``setup_plan.apply_setup``); a refused value
(say a duplicate e-mail) shows its message and the assistant stays open to fix it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, QWizard, QWizardPage

from desk.core.changes import Changes
from desk.core.i18n import N_, _
from desk.ui.errors import show_error
from desk.ui.settings.choices import NamesEditor
from desk.ui.settings.desk_forms import (
    DeskForm,
    HolidaysEditor,
    HoursEditor,
    TermsEditor,
    fit_to_screen,
    scrolled,
)
from desk.ui.settings.people import AgentRowsEditor
from desk.ui.settings.setup_plan import (
    AgentPlan,
    ChoicesPlan,
    SetupPlan,
    SetupStart,
    apply_setup,
    load_setup_start,
)
from desk.ui.tasks import Tasks

SKIP = QWizard.WizardButton.CustomButton1


def _needs_setup(session):  # noqa: ANN001, ANN202 - on the DB worker
    from desk.core.desk_settings import needs_setup

    return needs_setup(session)


def offer_setup(window) -> None:  # noqa: ANN001 - a MainWindow
    """Open the assistant once the store is known to have no active agent."""

    def answered(needed: bool) -> None:
        if needed:
            window.show_setup()

    window.tasks.db(_needs_setup, on_done=answered, owner=window, discardable=True)


def _public_holidays(settings: object, country: str, years: tuple[int, ...]):  # noqa: ANN202
    from desk.core.desk_settings import public_holidays

    asked = dataclasses.replace(settings, holidays_country=country, closed_days=())  # type: ignore[type-var]
    return public_holidays(asked, years)


class _Page(QWizardPage):
    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title)
        self.setSubTitle(intro)
        self.skipped = False
        content = QWidget(self)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(content, self))


class SetupWizard(QWizard):
    saved = Signal(object)  # the Changes of a finished set-up

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._start: SetupStart | None = None
        self._saving = False
        self._skipping = False
        self.setObjectName("setupWizard")
        self.setWindowTitle(_("Set up this desk"))
        self.setAccessibleName(_("Set-up assistant"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(SKIP, _("S&kip this page"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Set up &later"))
        self.currentIdChanged.connect(self._page_shown)
        self.customButtonClicked.connect(lambda which: self.skip() if which == SKIP.value else None)
        for which, name in ((QWizard.WizardButton.NextButton, "Next"), (QWizard.WizardButton.BackButton, "Back"),
                            (QWizard.WizardButton.FinishButton, "Finish"), (SKIP, "Skip this page"),
                            (QWizard.WizardButton.CancelButton, "Set up later")):
            self.button(which).setAccessibleName(name)
        self.button(SKIP).setToolTip(_("Leave this page as it is and go on; nothing on it is saved"))
        self.button(QWizard.WizardButton.CancelButton).setToolTip(
            _("Close the assistant without saving; it can be run again from File → Settings"))
        fit_to_screen(self, 760, 600)
        self._build_pages()
        for page in self.pages():
            for made in page.findChildren(QPushButton):
                made.setAutoDefault(False)  # Enter goes to Next / Finish, not the last button focused
        self.tasks.db(load_setup_start, on_done=self._started, owner=self)

    # -- pages ----------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        self.desk_page = _Page(_("Your desk"), _("Its name, time zone and the language of Desk's screens."))
        self.desk_form = DeskForm(self.desk_page)
        self.desk_page.body.addWidget(self.desk_form)
        welcome = QLabel(
            _("<p>A few questions get this desk ready for its first morning: its calendar, what tickets "
            "are about and where, and who works here.</p><p>Nothing is required except one agent, so that "
            "someone can sign in and serve. <b>Skip this page</b> leaves a page as it is; everything can be "
            "changed later under <b>File → Settings</b> (Ctrl+,), where this assistant can also be run again.</p>"),
            self.desk_page)
        welcome.setWordWrap(True)
        welcome.setAccessibleName(_("About the set-up assistant"))
        self.desk_page.body.addSpacing(12)
        self.desk_page.body.addWidget(welcome)
        self.desk_page.body.addStretch(1)
        self.terms_page = _Page(_("Terms"), _("The terms (semesters) that “this semester” in the statistics means. "
                                "Start from a preset and edit any cell."))
        self.terms = TermsEditor(self.terms_page)
        self.terms_page.body.addWidget(self.terms)
        self.hours_page = _Page(_("Opening hours and holidays"),
                                _("When the desk is open, the public holidays it closes on, and its own closed days."))
        row = QHBoxLayout()
        self.hours = HoursEditor(self.hours_page)
        self.holidays = HolidaysEditor(self.hours_page)
        self.holidays.country_changed.connect(self._country_changed)
        row.addWidget(self.hours)
        row.addWidget(self.holidays, 1)
        self.hours_page.body.addLayout(row)
        self.choices_page = _Page(_("Categories and locations"),
                                  _("What tickets are about and where the desk helps. Edit the suggestions freely."))
        row = QHBoxLayout()
        self.categories = NamesEditor("category", self.choices_page)
        self.locations = NamesEditor("location", self.choices_page)
        for label, editor in ((N_("Categories"), self.categories), (N_("Locations"), self.locations)):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{_(label)}</b>", self.choices_page))
            column.addWidget(editor)
            row.addLayout(column)
        self.choices_page.body.addLayout(row)
        self.agents_page = _AgentsPage()
        self.agents = self.agents_page.editor
        for page in (self.desk_page, self.terms_page, self.hours_page, self.choices_page, self.agents_page):
            self.addPage(page)

    def _page_shown(self, page_id: int) -> None:
        last = bool(self.pageIds()) and page_id == self.pageIds()[-1]
        self.setButtonText(SKIP, _("S&kip and finish") if last else _("S&kip this page"))
        self.button(SKIP).setAccessibleName("Skip and finish" if last else "Skip this page")
        self.button(SKIP).setToolTip(_("Finish without adding agents; the other pages are saved") if last
                                     else _("Leave this page as it is and go on; nothing on it is saved"))

    def pages(self) -> list[_Page]:
        return [self.page(i) for i in self.pageIds()]  # type: ignore[misc]

    def _started(self, start: SetupStart) -> None:
        self._start = start
        self.agents_page.has_agents = start.has_active_agent
        self.agents_page.completeChanged.emit()
        settings = start.settings
        self.desk_form.set_values(desk_name=settings.desk_name, timezone=settings.timezone,
                                  language=settings.language, phone=settings.phone,
                                  counter_names=settings.counter_names)
        if start.terms:
            self.terms.set_terms(start.terms)
        else:
            self.terms.use_preset("us")
        self.hours.set_hours(settings.opening_hours)
        # A desk that never chose offers the country of the system's locale (ko_KR: KR), if known.
        country = settings.holidays_country or QLocale.system().name().rpartition("_")[2]
        if self.holidays.country.findData(country) < 0:
            country = settings.holidays_country
        self.holidays.set_values(country=country, closed_days=settings.closed_days)
        self._country_changed(country)
        for editor, existing, defaults in ((self.categories, start.categories, start.default_categories),
                                           (self.locations, start.locations, start.default_locations)):
            editor.set_items([(c.id, c.name) for c in existing] if existing else [(None, n) for n in defaults])

    def _country_changed(self, country: str) -> None:
        if self._start is None:
            return
        if not country:
            self.holidays.show_public({})
            return
        year = date.today().year
        settings = self._start.settings
        self.tasks.db(lambda _s: _public_holidays(settings, country, (year, year + 1)),
                      on_done=self.holidays.show_public, owner=self.holidays, discardable=True)

    # -- skipping and finishing -----------------------------------------------------------------
    def skip(self) -> None:
        page = self.currentPage()
        if isinstance(page, _Page):
            page.skipped = True
        if self.currentId() == self.pageIds()[-1]:
            self.accept()
            return
        self._skipping = True  # next() validates the page, which would count it as not skipped
        try:
            self.next()
        finally:
            self._skipping = False

    def validateCurrentPage(self) -> bool:  # noqa: N802 - Qt override: Next/Finish un-skip the page
        page = self.currentPage()
        if isinstance(page, _Page) and not self._skipping:
            page.skipped = False
        return super().validateCurrentPage()

    def plan(self) -> SetupPlan:
        def choices_plan(editor: NamesEditor) -> ChoicesPlan:
            kept, added, removed = editor.outcome()
            return ChoicesPlan(kept=kept, added=added, removed=removed)

        settings: dict[str, object] = {}
        if not self.desk_page.skipped:
            settings.update(self.desk_form.values())
        if not self.hours_page.skipped:
            settings.update(opening_hours=self.hours.hours(), holidays_country=self.holidays.country_code(),
                            closed_days=tuple(self.holidays.closed_days()))
        return SetupPlan(
            settings=settings or None,
            terms=None if self.terms_page.skipped else self.terms.values(),
            categories=None if self.choices_page.skipped else choices_plan(self.categories),
            locations=None if self.choices_page.skipped else choices_plan(self.locations),
            agents=() if self.agents_page.skipped else [AgentPlan(a.name, a.email, a.role)
                                                          for a in self.agents.agents()],
        )

    def accept(self) -> None:
        if self._saving:
            return
        if self._start is None:  # the store's current settings are not read yet; nothing to compare to
            return
        self._saving = True
        plan = self.plan()
        self.tasks.op(lambda s: apply_setup(s, plan=plan), initiator=self, on_done=self._saved,
                      on_error=self._failed)

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.saved.emit(changes)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        show_error(self, exc)


class _AgentsPage(_Page):
    def __init__(self) -> None:
        super().__init__(_("The first agents"), _("Who works the desk. One agent is needed to sign in and serve; "
                         "more can be added later under File → Settings → People."))
        self.has_agents = False  # the store has an active agent already (the assistant run again)
        self.editor = AgentRowsEditor(self, on_change=self.completeChanged.emit)
        self.editor.name.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.body.addWidget(self.editor)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override: Finish wants one agent
        return self.has_agents or bool(self.editor.agents())
