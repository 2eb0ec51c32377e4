"""The Stats tab's controls: period and dates, the filters, the staffing target, Business hours,
Refresh and the report's exports, and the row shown only while day summaries are rebuilt.

``ControlsMixin`` is part of ``StatsPanel`` (desk.ui.stats.panel), not a widget of its own: the
controls stay the panel's attributes (``panel.preset``, ``panel.minutes``, ``panel.channel`` …)
that its state and computing read, and what a change does is the panel's (``_schedule``,
``_apply_preset``, ``_dates_edited``, ``refresh``, ``_cancel_clicked``, ``_ask_xlsx``/``_ask_html``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import N_, _
from desk.core.models import CHANNELS, PERSON_KINDS
from desk.core.stats.periods import PRESETS
from desk.core.vocabulary import word

PRESET_LABELS = {"today": N_("Today"), "7 days": N_("Last 7 days"), "30 days": N_("Last 30 days"),
                 "this semester": N_("This semester"), "custom": N_("Custom dates")}


class ControlsMixin:
    """Builds the controls rows of ``StatsPanel`` (a QWidget: the controls are its children)."""

    def _combo(self, name: str, tip: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._schedule)
        return combo

    def _build_controls(self) -> QVBoxLayout:
        self.preset = QComboBox(self)
        self.preset.setAccessibleName(_("Period"))
        self.preset.setToolTip(_("Which days to count (by arrival, in the desk's time zone)"))
        for key in PRESETS:
            self.preset.addItem(_(PRESET_LABELS[key]), key)
        self.preset.setCurrentIndex(PRESETS.index("30 days"))
        self._offer_term(None)
        self.preset.currentIndexChanged.connect(self._apply_preset)
        self.start_edit, self.end_edit = QDateEdit(self), QDateEdit(self)
        for edit, name in ((self.start_edit, N_("From date")), (self.end_edit, N_("To date"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setToolTip(_('{name} (inclusive); editing it switches to custom dates').format(name=_(name)))
            edit.dateChanged.connect(self._dates_edited)
        self.category = self._combo(_("Category filter"), _("Only tickets of this category"), [(_("All categories"), None)])
        self.channel = self._combo(_("Channel filter"), _("Only tickets that came in this way"),
                                   [(_("All channels"), None)] + [(word(c), c) for c in CHANNELS])
        self.kind = self._combo(_("Requester kind filter"), _("Only requests from this kind of person"),
                                [(_("All requesters"), None)] + [(word(k), k) for k in PERSON_KINDS])
        self.agent = self._combo(_("Agent filter"), _("Only tickets assigned to this agent"), [(_("All agents"), None)])
        self.location = self._combo(_("Location filter"), _("Only tickets at this location"), [(_("All locations"), None)])
        self.level = QSpinBox(self)
        self.level.setRange(50, 99)
        self.level.setValue(80)
        self.level.setSuffix(" %")
        # Half minutes: a desk's target may be "within 30 s" (calls) or "within 2.5 min".
        self.minutes = QDoubleSpinBox(self)
        self.minutes.setDecimals(1)
        self.minutes.setRange(0.5, 60)
        self.minutes.setSingleStep(0.5)
        self.minutes.setValue(5)
        self.minutes.setSuffix(_(" min"))
        for box, name, tip in (
            (self.level, _("Service level target"), _("Staffing: share of walk-ins and calls to serve in time")),
            (self.minutes, _("Answer within"), _("Staffing: ... within this many minutes (0.5 = 30 s)")),
        ):
            box.setAccessibleName(name)
            box.setToolTip(tip)
            box.valueChanged.connect(self._schedule)
        self.business_hours = QCheckBox(_("Business hours"), self)
        self.business_hours.setAccessibleName(_("Durations in business hours"))
        self.business_hours.setToolTip(_("Count only the desk's open hours in waits, responses and resolutions "
                                         "(opening hours, holidays and closed days from Settings)"))
        self.business_hours.toggled.connect(self._schedule)
        self.refresh_button = self._push(_("&Refresh"), _("Refresh statistics"), _("Compute again (F5)"), self.refresh)
        self.refresh_button.setShortcut("F5")
        xlsx = self._push(_("Export XLSX…"), _("Export report as XLSX"), _("Every table, one sheet each"), self._ask_xlsx)
        html = self._push(_("Export HTML…"), _("Export printable report"),
                          _("A printable HTML page with every chart and table"), self._ask_html)
        self.status = QLabel("", self)
        self.status.setAccessibleName(_("Statistics status"))
        self.status.setToolTip(_("When the numbers were computed and how long it took"))
        rows = QVBoxLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        for widget in (self.preset, self.start_edit, QLabel(_("to"), self), self.end_edit, self.category,
                       self.channel, self.kind, self.agent, self.location):
            first.addWidget(widget)
        first.addStretch(1)
        for widget in (QLabel(_("Staffing target:"), self), self.level, QLabel(_("within"), self), self.minutes,
                       self.business_hours, self.refresh_button, xlsx, html):
            second.addWidget(widget)
        second.addWidget(self.status, 1)  # the rest of the row: messages are read whole
        self.status.setWordWrap(True)
        rows.addLayout(first)
        rows.addLayout(second)
        rows.addWidget(self._build_working())
        return rows

    def _build_working(self) -> QWidget:
        """The row shown only while day summaries are rebuilt: what, how far, and Cancel."""
        self.working = QWidget(self)
        self.working.setAccessibleName(_("Working out the statistics"))
        self.working_label = QLabel("", self.working)
        self.working_label.setAccessibleName(_("Statistics progress"))
        self.working_bar = QProgressBar(self.working)
        self.working_bar.setAccessibleName(_("Days of history worked out"))
        self.working_bar.setToolTip(_("Day summaries are built once; later reports of these days are quick"))
        self.cancel_button = self._push(_("Cancel"), _("Cancel computing the statistics"),
                                        _("Stop now; the days already worked out are kept"), self._cancel_clicked)
        row = QHBoxLayout(self.working)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.working_label)
        row.addWidget(self.working_bar, 1)
        row.addWidget(self.cancel_button)
        self.working.hide()
        return self.working

    def _push(self, text: str, name: str, tip: str, slot) -> QPushButton:  # noqa: ANN001
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button
