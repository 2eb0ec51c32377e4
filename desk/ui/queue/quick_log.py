"""Quick log (Ctrl+N): take a ticket in a few seconds, keyboard only, while the person talks.

Requester look-up as you type (name, e-mail, phone) with inline creation of a new requester;
channel (walk-in by default); "arrived N min ago"; category; location; subject; details.
Enter logs. Before logging it warns about the requester's open tickets and similar subjects
logged in the last two hours (links open them; "Add to #N instead" keeps what was typed as a
note on that ticket rather than logging a duplicate) and shows how long the category usually
takes. A "what is missing" message goes as soon as what it asked for is typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.core.changes import Changes
from desk.core.i18n import _
from desk.core.models import CHANNELS, PERSON_KINDS, utcnow
from desk.core.ops import intake
from desk.core.ops import tickets as ticket_ops
from desk.core.queries import tickets as ticket_queries
from desk.core.queries.expectations import basis_text, expected_resolution
from desk.core.queries.frontdesk import choices
from desk.core.vocabulary import counted, format_age, word
from desk.ui import theme
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import button, guard_composition

LOOKUP_DELAY_MS = 120
SIMILAR_DELAY_MS = 300
MIN_HISTORY = 5
MAX_ADD_TO = 3  # "Add to #N instead" buttons: the requester's open tickets first, then similar ones


@dataclasses.dataclass(frozen=True)
class PersonChoice:
    id: int
    name: str
    email: str | None
    phone: str | None
    kind: str

    @property
    def label(self) -> str:
        contact = " · ".join(x for x in (self.email, self.phone) if x)
        return f"{self.name} ({self.kind})" + (f" — {contact}" if contact else "")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _links(tickets: list[tuple[int, str]]) -> str:
    return ", ".join(f'<a href="ticket:{tid}">#{tid} {_esc(subject[:60])}</a>' for tid, subject in tickets)


class QuickLogDialog(QDialog):
    logged = Signal(int)  # the new ticket's id
    added_to = Signal(int)  # what was typed went to this existing ticket instead
    open_requested = Signal(int)
    checks_done = Signal()  # a duplicate / expectation look-up answered (tests wait on it)

    def __init__(self, tasks: Tasks, current_agent: Callable[[], int | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.current_agent = current_agent
        self.setWindowTitle(_("Log a ticket"))
        self.setObjectName("quickLog")
        self.setAccessibleName(_("Log a ticket"))
        self._matches: list[PersonChoice] = []
        self._chosen: PersonChoice | None = None
        self._open_of_requester: list[tuple[int, str]] = []
        self._similar: list[tuple[int, str]] = []
        self._busy = False
        self._problem_field: QWidget | None = None  # the field the problem line asks for

        def tip(widget: QWidget, name: str, text: str) -> QWidget:
            widget.setAccessibleName(name)
            widget.setToolTip(text)
            return widget

        # Requester and inline new requester
        self.requester = tip(QLineEdit(self), _("Requester"),
                             _("Type a name, e-mail or phone; pick a match with the arrow keys, "
                             "or keep typing to add a new requester"))
        self.requester.setPlaceholderText(_("Name, e-mail or phone"))
        self._completions = QStringListModel(self)
        self.completer = QCompleter(self._completions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.activated[str].connect(self._completion_picked)
        self.requester.setCompleter(self.completer)
        self.requester.textEdited.connect(self._requester_edited)
        self.requester_state = tip(QLabel("", self), _("Requester status"), _("Who the ticket will be for"))
        self.requester_state.setWordWrap(True)
        self.new_box = QGroupBox(_("New requester"), self)
        self.new_box.setToolTip(_("Nobody matched what you typed: these details create the person"))
        self.new_email = tip(QLineEdit(self.new_box), _("New requester e-mail"), _("E-mail of the new requester"))
        self.new_phone = tip(QLineEdit(self.new_box), _("New requester phone"), _("Phone of the new requester"))
        self.new_kind = tip(QComboBox(self.new_box), _("Requester kind"),
                            _("Faculty, staff, student or guest"))
        for kind in PERSON_KINDS:
            self.new_kind.addItem(word(kind), kind)
        self.new_kind.setCurrentIndex(PERSON_KINDS.index("student"))
        new_form = QFormLayout(self.new_box)
        new_form.addRow(_("E-&mail:"), self.new_email)
        new_form.addRow(_("P&hone:"), self.new_phone)
        new_form.addRow(_("&Kind:"), self.new_kind)
        self.new_box.setVisible(False)

        # Ticket fields
        self.channel = tip(QComboBox(self), _("Channel"), _("How the request came in (walk-in by default)"))
        for channel in CHANNELS:
            self.channel.addItem(word(channel), channel)
        self.arrived = tip(QSpinBox(self), _("Arrived minutes ago"),
                           _("When the person arrived or the call began, in minutes ago "
                           "(wait times are measured from it)"))
        self.arrived.setRange(0, 24 * 60)
        self.arrived.setSuffix(_(" min ago"))
        self.arrived.setSpecialValueText(_("just now"))
        self.category = tip(QComboBox(self), _("Category"), _("What kind of request it is"))
        self.location = tip(QComboBox(self), _("Location"), _("Where (building or room)"))
        for combo in (self.category, self.location):
            combo.addItem("(none)", None)
        self.subject = tip(QLineEdit(self), _("Subject"), _("One line: what is wrong or what is wanted"))
        # No setMaxLength: it cuts a pasted subject without a word. A longer one is said below.
        self.subject.setMaxLength(ticket_ops.MAX_SUBJECT * 4)
        self.details = tip(QPlainTextEdit(self), _("Details"),
                           _("Anything else worth knowing (Tab leaves the box, Ctrl+Enter logs)"))
        self.details.setTabChangesFocus(True)
        self.details.setFixedHeight(self.details.fontMetrics().lineSpacing() * 5 + 12)
        self.warning = tip(QLabel("", self), _("Duplicate warning"),
                           _("Open tickets of this requester and similar recent tickets; links open them"))
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.RichText)
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.warning.linkActivated.connect(self._link)
        self.warning.setVisible(False)
        self.add_to_box = QWidget(self)
        self.add_to_box.setToolTip(_("Keep what you typed as a note on that ticket instead of a new one"))
        self._add_to_layout = QHBoxLayout(self.add_to_box)
        self._add_to_layout.setContentsMargins(0, 0, 0, 0)
        self._add_to_layout.addStretch(1)
        self.add_to_box.setVisible(False)
        self.expectation = tip(QLabel("", self), _("Expected resolution"),
                               _("How long tickets of this category took recently (median and 80th percentile)"))
        self.expectation.setWordWrap(True)
        self.expectation.setMinimumHeight(self.expectation.fontMetrics().lineSpacing() * 2 + 4)
        self.problem = tip(QLabel("", self), _("Problem"), _("What is missing before the ticket can be logged"))
        self.problem.setStyleSheet(f"color: {theme.error_css()}")
        self.problem.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.log_button = self.buttons.addButton(_("Log ticket"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_button.setAccessibleName(_("Log ticket"))
        self.log_button.setToolTip(_("Log it (Enter)"))
        self.log_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(_("Cancel"))
        cancel.setToolTip(_("Close without logging (Esc)"))
        self.buttons.accepted.connect(self.submit)
        guard_composition(*self.findChildren(QLineEdit))  # a Korean syllable being typed is not Enter
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.submit)

        form = QFormLayout()
        form.addRow(_("&Requester:"), self.requester)
        form.addRow("", self.requester_state)
        form.addRow(self.new_box)
        form.addRow(_("C&hannel:"), self.channel)
        form.addRow(_("&Arrived:"), self.arrived)
        form.addRow(_("Ca&tegory:"), self.category)
        form.addRow(_("&Location:"), self.location)
        form.addRow(_("&Subject:"), self.subject)
        from desk.ui.queue.intake_hints import IntakeHints

        self.hints = IntakeHints(tasks=tasks, subject=self.subject, category=self.category,
                                 location=self.location, parent=self)
        form.addRow("", self.hints.label)
        form.addRow(_("&Details:"), self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.add_to_box)
        layout.addWidget(self.expectation)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self._lookup_timer = QTimer(self, singleShot=True, interval=LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(self._look_up)
        self._similar_timer = QTimer(self, singleShot=True, interval=SIMILAR_DELAY_MS)
        self._similar_timer.timeout.connect(self._check_similar)
        self.subject.textEdited.connect(lambda _t: self._similar_timer.start())
        self.subject.textEdited.connect(lambda _t: self._clear_problem_if_fixed())
        self.subject.textChanged.connect(self._say_if_too_long)
        self.requester.textEdited.connect(lambda _t: self._clear_problem_if_fixed())
        self.category.currentIndexChanged.connect(lambda _i: self._check_expectation())
        self.new_kind.currentIndexChanged.connect(lambda _i: self._check_expectation())
        tasks.db(choices, on_done=self._fill_choices)
        self.requester.setFocus()

    # -- public ---------------------------------------------------------------------------------
    def chosen_requester(self) -> PersonChoice | None:
        return self._chosen

    def matches(self) -> list[PersonChoice]:
        return list(self._matches)

    def choose(self, person: PersonChoice, *, keep_text: bool = False) -> None:
        self._chosen = person
        if not keep_text:
            self.requester.setText(person.name)
        self._update_requester_state()
        self._check_expectation()  # the expected resolution depends on the requester's kind
        rid = person.id
        self.tasks.db(
            lambda s: [(t.id, t.subject) for t in ticket_queries.open_tickets_of(s, rid)],
            on_done=self._open_tickets_found,
        )

    def submit(self) -> None:
        if self._busy:
            return
        typed = self.requester.text().strip()
        subject = " ".join(self.subject.text().split())
        if not typed:
            self._refuse(self.requester, _("Who is it for? Type their name, e-mail or phone."))
            return
        if not subject:
            self._refuse(self.subject, _("Type a subject: one line saying what it is about."))
            return
        if len(subject) > ticket_ops.MAX_SUBJECT:
            self._refuse(self.subject, _long_subject(len(subject)))
            return
        chosen = self._chosen or self._exact_match(typed)
        new_email = self.new_email.text().strip() or (typed if "@" in typed else None)
        new_name = typed if "@" not in typed else None
        new_phone = self.new_phone.text().strip() or None
        kind = self.new_kind.currentData()
        actor = self.current_agent()
        channel = self.channel.currentData()
        category_id, location_id = self.category.currentData(), self.location.currentData()
        description = self.details.toPlainText().strip()
        arrived_at = utcnow() - timedelta(minutes=self.arrived.value())

        requester = chosen.id if chosen else intake.NewRequester(
            name=new_name, email=new_email, phone=new_phone, kind=kind)

        def work(session) -> Changes:  # noqa: ANN001
            return intake.log_request(
                session, actor_id=actor, requester=requester, subject=subject, channel=channel,
                category_id=category_id, location_id=location_id, description=description,
                arrived_at=arrived_at,
            )

        self._busy = True
        self.log_button.setEnabled(False)
        self.tasks.op(work, initiator=self, on_done=self._logged, on_error=self._failed)

    # -- look-ups -------------------------------------------------------------------------------
    def _requester_edited(self, _text: str) -> None:
        if self._chosen is not None:
            self._chosen = None
            self._open_of_requester = []
            self._render_warning()
        self._update_requester_state()
        self._lookup_timer.start()

    def _look_up(self) -> None:
        typed = self.requester.text().strip()
        if not typed:
            self._set_matches([])
            return

        def work(session):  # noqa: ANN001, ANN202
            found = ticket_queries.find_people(session, typed, limit=8)
            return [PersonChoice(p.id, p.name, p.email, p.phone, p.kind) for p in found]

        self.tasks.db(work, on_done=lambda found: self._set_matches(found, typed), owner=self)

    def _set_matches(self, found: list[PersonChoice], typed: str | None = None) -> None:
        if typed is not None and typed != self.requester.text().strip():
            return  # the user typed on; a newer look-up is coming
        self._matches = found
        self._completions.setStringList([p.label for p in found])
        exact = self._exact_match(self.requester.text().strip())
        if exact is not None and self._chosen is None:
            self.choose(exact, keep_text=True)  # typed in full: warn about their open tickets too
        elif found and self.requester.hasFocus() and self._chosen is None:
            self.completer.complete()
        self._update_requester_state()
        self.checks_done.emit()

    def _completion_picked(self, label: str) -> None:
        person = next((p for p in self._matches if p.label == label), None)
        if person is not None:
            self.choose(person)

    def _exact_match(self, typed: str) -> PersonChoice | None:
        typed = typed.lower()
        exact = [p for p in self._matches
                 if typed in (p.name.lower(), (p.email or "").lower(), (p.phone or "").lower())]
        return exact[0] if len(exact) == 1 else None

    def _update_requester_state(self) -> None:
        typed = self.requester.text().strip()
        person = self._chosen or (self._exact_match(typed) if typed else None)
        if person is not None:
            self.requester_state.setText(f"✓ {_esc(person.label)}")
            if self.new_box.isVisible():
                self.new_box.setVisible(False)
                self._fit()
        elif typed:
            hint = (_('{counted} — pick one with ↓, or').format(counted=counted(len(self._matches), 'match', 'matches'))
                    if self._matches else _("No match:"))
            self.requester_state.setText(_('{hint} a new requester will be added').format(hint=hint))
            if not self.new_box.isVisible():
                self.new_box.setVisible(True)
                self._fit()
            if "@" in typed and not self.new_email.text():
                self.new_email.setPlaceholderText(typed)
        else:
            self.requester_state.setText("")
            if self.new_box.isVisible():
                self.new_box.setVisible(False)
                self._fit()

    def _open_tickets_found(self, found: list[tuple[int, str]]) -> None:
        self._open_of_requester = found
        self._render_warning()
        self.checks_done.emit()

    def _check_similar(self) -> None:
        subject = self.subject.text()
        self.tasks.db(
            lambda s: [(t.id, t.subject) for t in ticket_queries.similar_recent(s, subject)],
            on_done=self._similar_found,
        )

    def _similar_found(self, found: list[tuple[int, str]]) -> None:
        self._similar = found
        self._render_warning()
        self.checks_done.emit()

    def _render_warning(self) -> None:
        parts = []
        if self._open_of_requester and self._chosen is not None:
            n = len(self._open_of_requester)
            parts.append(_('⚠ {esc} already has {counted}: ').format(esc=_esc(self._chosen.name), counted=counted(n, 'open ticket', 'open tickets'))
                         + _links(self._open_of_requester))
        if self._similar:
            parts.append(_("⚠ Similar subject logged in the last 2 hours: ") + _links(self._similar))
        self.warning.setText("<br>".join(parts))
        self.warning.setVisible(bool(parts))
        self._offer_add_to()
        self._fit()
        self.warning.setFocusPolicy(Qt.FocusPolicy.TabFocus if parts else Qt.FocusPolicy.NoFocus)

    def add_to_buttons(self) -> list[QPushButton]:
        return self.add_to_box.findChildren(QPushButton)

    def _offer_add_to(self) -> None:
        """One "Add to #N instead" button per ticket the warning names (a few at most)."""
        for old in self.add_to_buttons():
            self._add_to_layout.removeWidget(old)
            old.deleteLater()
        offered: dict[int, str] = {}
        if self._chosen is not None:
            offered.update(self._open_of_requester)
        for ticket_id, subject in self._similar:
            offered.setdefault(ticket_id, subject)
        for ticket_id, subject in list(offered.items())[:MAX_ADD_TO]:
            made = button(_('Add to #{ticket_id} instead').format(ticket_id=ticket_id),
                          _('Keep what you typed as a note on #{ticket_id} ({subject}) instead of logging a new ticket').format(ticket_id=ticket_id, subject=subject[:60]), self.add_to_box,
                          slot=lambda tid=ticket_id: self.add_to(tid))
            made.setAutoDefault(False)  # Enter still logs a new ticket
            self._add_to_layout.insertWidget(self._add_to_layout.count() - 1, made)
        self.add_to_box.setVisible(bool(offered))

    def add_to(self, ticket_id: int) -> None:
        """What was typed becomes a note on ``ticket_id``; no new ticket."""
        if self._busy:
            return
        subject = " ".join(self.subject.text().split())
        if not subject:
            self._refuse(self.subject, _('Type a subject: it is added to #{ticket_id} as a note.').format(ticket_id=ticket_id))
            return
        actor, channel = self.current_agent(), self.channel.currentData()
        description = self.details.toPlainText().strip()
        self._busy = True
        self.tasks.op(lambda s: intake.add_to_ticket(s, actor_id=actor, ticket_id=ticket_id, subject=subject,
                                                     channel=channel, description=description),
                      initiator=self, on_done=lambda _c: self._added(ticket_id), on_error=self._failed)

    def _added(self, ticket_id: int) -> None:
        self._busy = False
        self.added_to.emit(ticket_id)
        self.accept()

    def _say_if_too_long(self, text: str) -> None:
        """Said as it happens (typed or pasted), never cut without a word."""
        length = len(" ".join(text.split()))
        if length > ticket_ops.MAX_SUBJECT:
            self._problem_field = self.subject
            self.problem.setText(_long_subject(length))
            self.problem.setVisible(True)
        elif self._problem_field is self.subject and self.problem.text().startswith(_long_subject(0)[:12]):
            self.problem.setVisible(False)

    def _clear_problem_if_fixed(self) -> None:
        """The red "what is missing" line goes once what it asked for has been typed."""
        field = self._problem_field
        if self.problem.isVisible() and isinstance(field, QLineEdit) and field.text().strip():
            self.problem.setVisible(False)
        self._say_if_too_long(self.subject.text())  # still too long: that stays said

    def _fit(self) -> None:
        """Grow to show wrapped warnings in full (word-wrapped labels do not push the dialog)."""
        layout = self.layout()
        layout.activate()
        wanted = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        if wanted > 0 and wanted != self.height():
            self.resize(self.width(), wanted)

    def _check_expectation(self) -> None:
        category_id = self.category.currentData()
        kind = self._chosen.kind if self._chosen is not None else self.new_kind.currentData()
        if category_id is not None:
            from desk.core.suggest.intake import expected_for

            def by_kind(session):  # noqa: ANN001, ANN202 - the requester's kind when it has history
                median, p80, n, _by_kind = expected_for(session, category_id=category_id, kind=kind)
                return median, p80, n

            self.tasks.db(by_kind, on_done=self._expectation_found)
            return
        self.tasks.db(lambda s: expected_resolution(s, category_id), on_done=self._expectation_found)

    def _expectation_found(self, result: tuple[timedelta | None, timedelta | None, int]) -> None:
        median, p80, n = result
        what = _("this category") if self.category.currentData() is not None else _("all categories")
        if median is None or p80 is None or n < MIN_HISTORY:
            self.expectation.setText(_('Expected resolution: not enough history for {what} yet.').format(what=what))
        else:
            self.expectation.setText(
                _('Expected resolution: usually {format_age}; 8 in 10 within {format_age2} ({what}, last 90 days, {basis_text}).').format(format_age=format_age(median.total_seconds()), format_age2=format_age(p80.total_seconds()), what=what, basis_text=basis_text(n))
            )
        self.checks_done.emit()

    def _fill_choices(self, found: tuple[list[tuple[int, str]], list[tuple[int, str]]]) -> None:
        for combo, items in zip((self.category, self.location), found, strict=True):
            combo.blockSignals(True)
            for item_id, name in items:
                combo.addItem(name, item_id)
            combo.blockSignals(False)
        self._check_expectation()

    # -- results --------------------------------------------------------------------------------
    def _logged(self, changes: Changes) -> None:
        self._busy = False
        if changes.created_id is not None:
            self.logged.emit(changes.created_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.log_button.setEnabled(True)
        show_error(self, exc)

    def _refuse(self, widget: QWidget, text: str) -> None:
        self._problem_field = widget
        self.problem.setText(text)
        self.problem.setVisible(True)
        widget.setFocus()

    def _link(self, href: str) -> None:
        if href.startswith("ticket:"):
            self.open_requested.emit(int(href.split(":", 1)[1]))


def _long_subject(length: int) -> str:
    return _("The subject is {length:,} characters long; at most {limit} fit. Keep it to one line and put "
             "the rest in the details.").format(length=length, limit=ticket_ops.MAX_SUBJECT)
