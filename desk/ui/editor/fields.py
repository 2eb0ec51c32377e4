"""The ticket's fields in the editor. Edits are staged (marked with •) until Send or Save.

What the user chose per field is staged in the editor's ``EditSession``; the panel shows it.
When the ticket changes elsewhere the fields the user did not touch follow, the touched ones
keep what the user chose.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk.core.edit_session import EditSession
from desk.core.i18n import N_, _
from desk.core.models import PRIORITIES, STATUSES
from desk.core.ops.canned import tag_name
from desk.core.queries.editor import FIELD_LABELS, TicketView
from desk.core.vocabulary import word
from desk.ui.queue.quick_log import PersonChoice
from desk.ui.widgets import button

TIPS = {
    "status": N_("Where the ticket stands: new, open, pending (waiting on the requester), on-hold, solved, closed"),
    "priority": N_("How urgent it is"),
    "category_id": N_("What kind of request this is"),
    "location_id": N_("Building or room"),
    "assignee_id": N_("The agent working on it"),
    "tags": N_("Comma-separated tags; existing tags are suggested as you type"),
    "satisfaction": N_("What the person told you about the service, recorded as agent-reported: it is "
                       "not counted in CSAT (people rate themselves on the counter display's exit survey)"),
    "expected_resolution": N_("What you promised the requester about when it will be done"),
}
COMBOS = ("status", "priority", "category_id", "location_id", "assignee_id", "satisfaction")


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt override
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index: QModelIndex) -> str:  # noqa: N802 - Qt override
        done = [part.strip() for part in self.widget().text().split(",")[:-1] if part.strip()]
        return ", ".join([*done, str(index.data())]) + ", "


def parse_tags(text: str) -> list[str]:
    return sorted({tag_name(part) for part in text.replace(";", ",").split(",") if part.strip()})


class FieldsPanel(QWidget):
    edited = Signal()  # the user changed a field
    change_requester = Signal()  # the user asked to pick another requester

    def __init__(self, session: EditSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._new_label: str | None = None  # the category the "(new)" item stands for
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._requester_id: int | None = None
        self._people: dict[int, PersonChoice] = {}  # requesters picked here, for their labels
        self.requester = QLabel(self)
        self.requester.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.requester.setAccessibleName(_("Requester"))
        self.requester.setToolTip(_("Who asked (name, e-mail, kind)"))
        self.requester.setWordWrap(True)
        self.change_requester_button = button(
            _("Change…"), _("Pick another person as the requester (staged like the other fields)"), self,
            name=_("Change requester"), slot=self.change_requester.emit)
        requester_row = QVBoxLayout()  # name and e-mail get the full width; the button sits below
        requester_row.setContentsMargins(0, 0, 0, 0)
        requester_row.addWidget(self.requester)
        requester_row.addWidget(self.change_requester_button, 0, Qt.AlignmentFlag.AlignLeft)
        requester_label = QLabel(_(FIELD_LABELS["requester_id"]), self)
        requester_label.setBuddy(self.change_requester_button)
        form.addRow(requester_label, requester_row)
        self.status = self._combo("status", [(word(s), s) for s in STATUSES])
        self.priority = self._combo("priority", [(word(p), p) for p in PRIORITIES])
        self.category_id = self._combo("category_id", [])
        self.location_id = self._combo("location_id", [])
        self.assignee_id = self._combo("assignee_id", [])
        self.tags = QLineEdit(self)
        self.tags.setPlaceholderText(_("e.g. av, classroom"))
        self._tag_model = QStringListModel(self)
        completer = TagCompleter(self._tag_model, self.tags)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.tags.setCompleter(completer)
        self.tags.textEdited.connect(lambda _t: self._touch("tags"))
        self.satisfaction = self._combo("satisfaction", [(_("(not rated)"), None), (word("good"), "good"), (word("bad"), "bad")])
        self.expected_resolution = QLineEdit(self)
        self.expected_resolution.textEdited.connect(lambda _t: self._touch("expected_resolution"))
        self.labels: dict[str, QLabel] = {"requester_id": requester_label}
        self._label_text: dict[str, str] = {}  # labels that differ from FIELD_LABELS for this ticket
        for name in ("status", "priority", "category_id", "location_id", "assignee_id", "tags",
                     "satisfaction", "expected_resolution"):
            widget = getattr(self, name)
            widget.setAccessibleName(FIELD_LABELS[name])
            widget.setToolTip(_(TIPS[name]))
            label = QLabel(_(FIELD_LABELS[name]), self)
            label.setBuddy(widget)
            self.labels[name] = label
            form.addRow(label, widget)
        self.estimate = QLabel(self)
        self.estimate.setWordWrap(True)
        self.estimate.setAccessibleName(_("Estimate"))
        self.estimate.setToolTip(_("How long recent tickets of this category took (8 in 10 within)"))
        self.estimate.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", self.estimate)

    def tab_chain(self) -> list[QWidget]:
        """The panel's controls top to bottom (the editor's Tab order)."""
        return [self.change_requester_button, *(getattr(self, name) for name in self.labels if name != "requester_id")]

    def _combo(self, name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        for text, data in items:
            combo.addItem(text, data)
        combo.activated.connect(lambda _i: self._touch(name))
        return combo

    @property
    def _view(self) -> TicketView | None:
        return self.session.view

    def _touch(self, name: str) -> None:
        if name == "category_id" and self.category_id.currentData() == ("new",) and self._new_label:
            self.session.stage_new_category(self._new_label)
        else:
            self.session.stage(name, self.value(name))
        self._mark()
        self.edited.emit()

    # -- values ---------------------------------------------------------------------------------
    def value(self, name: str) -> object:
        if name == "requester_id":
            return self._requester_id
        if name == "tags":
            return parse_tags(self.tags.text())
        if name == "expected_resolution":
            return self.expected_resolution.text().strip() or None
        data = getattr(self, name).currentData()
        return None if data == ("new",) else data

    def changed_fields(self) -> dict[str, object]:
        """Staged fields whose value differs from the ticket as last loaded."""
        return self.session.changed_fields()

    def choose_requester(self, person: PersonChoice) -> None:
        """The user picked ``person`` as the requester (staged until Save or Send)."""
        self._people[person.id] = person
        self.stage({"requester_id": person.id})

    def _show_requester(self) -> None:
        view, person = self._view, self._people.get(self._requester_id or 0)
        if person is not None and (view is None or person.id != view.requester_id):
            name, kind, email = person.name, person.kind, person.email
        elif view is not None and self._requester_id not in (None, view.requester_id):  # e.g. from a draft
            name, kind, email = view.label("requester_id", self._requester_id), "", None
        elif view is not None:
            name, kind, email = view.requester, view.requester_kind, view.requester_email
        else:
            return
        self.requester.setText(f"<b>{_esc(name)}</b>" + (f" · {word(kind)}" if kind else "")
                               + (f"<br>{_esc(email)}" if email else ""))

    def set_value(self, name: str, value: object) -> None:
        if name == "requester_id":
            self._requester_id = value  # type: ignore[assignment]
            self._show_requester()
        elif name == "tags":
            self.tags.setText(", ".join(value or []))  # type: ignore[arg-type]
        elif name == "expected_resolution":
            self.expected_resolution.setText(str(value or ""))
        else:
            combo: QComboBox = getattr(self, name)
            index = combo.findData(value)
            if index < 0 and name in ("assignee_id", "category_id", "location_id") and value is not None:
                combo.addItem(self._view.label(name, value) if self._view else f"#{value}", value)
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))

    def stage(self, fields: dict[str, object], *, new_category: str | None = None) -> None:
        """Put values in as if the user had chosen them (a canned response does this)."""
        for name, value in fields.items():
            self.set_value(name, value)
            self.session.stage(name, self.value(name))
        if new_category:
            self._show_new_category(new_category)
            self.session.stage_new_category(new_category)
        self._mark()
        self.edited.emit()

    def _show_new_category(self, name: str) -> None:
        index = self.category_id.findData(("new",))
        if index >= 0:
            self.category_id.removeItem(index)
        self.category_id.addItem(_('{name} (new)').format(name=name), ("new",))
        self.category_id.setCurrentIndex(self.category_id.count() - 1)
        self._new_label = name

    def reset(self) -> None:
        """Forget the staged edits and show the ticket as loaded."""
        self.session.revert()
        if self._view is not None:
            self.set_view(self._view)

    def _mark(self) -> None:
        changed = self.session.marked_fields()
        for name, label in self.labels.items():
            label.setText(_(self._label_text.get(name, FIELD_LABELS[name])) + (" •" if name in changed else ""))
            font = label.font()
            font.setBold(name in changed)
            label.setFont(font)

    # -- loading --------------------------------------------------------------------------------
    def set_view(self, view: TicketView) -> None:
        """Show ``view`` (the session's): fields the user touched keep the user's value."""
        self._fill(self.category_id, [(_("(none)"), None), *[(n, i) for i, n in view.categories]])
        self._fill(self.location_id, [(_("(none)"), None), *[(n, i) for i, n in view.locations]])
        self._fill(self.assignee_id, [(_("(nobody)"), None), *[(n, i) for i, n in view.agents]])
        self._tag_model.setStringList(view.tags)
        new_category = self.session.new_category
        for name in view.fields:
            if not self.session.is_staged(name):
                self.set_value(name, view.fields[name])
            elif name in COMBOS and not (name == "category_id" and new_category):
                staged = self.session.staged_value(name)
                if getattr(self, name).currentData() != staged:  # its choice left the list: put it back
                    self.set_value(name, staged)
        self._show_rating_owner(view)
        self._show_requester()
        if new_category:
            self._show_new_category(new_category)
        self.estimate.setText(
            _('Tickets like this usually take {estimate} (8 in 10).').format(estimate=view.estimate) if view.estimate
            else _("Not enough history for an estimate yet.")
        )
        self.expected_resolution.setPlaceholderText(view.estimate or _("e.g. about a week"))
        self._mark()

    def _show_rating_owner(self, view: TicketView) -> None:
        """A rating the person gave is theirs: shown, locked (the core refuses a change too)."""
        self.satisfaction.setEnabled(not view.rated_by_person)
        self._label_text["satisfaction"] = (N_("Person's rating") if view.rated_by_person
                                            else FIELD_LABELS["satisfaction"])
        self.satisfaction.setAccessibleName(_(self._label_text["satisfaction"]))
        self.satisfaction.setToolTip(_("The person rated this themselves; nobody can change it")
                                     if view.rated_by_person else _(TIPS["satisfaction"]))

    def _fill(self, combo: QComboBox, items: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)
