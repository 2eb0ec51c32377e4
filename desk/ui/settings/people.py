"""People: the first agents typed into the set-up assistant (kept in the form until it finishes),
and the Settings tabs for agents (add, edit, deactivate / reactivate) and requesters (search,
edit, merge two records of one person). Each change is one core operation (``ops.people``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core.changes import Changes
from desk.core.i18n import N_, _
from desk.core.models import AGENT_ROLES, PERSON_KINDS
from desk.core.vocabulary import word
from desk.ui.settings.desk_forms import enter_calls
from desk.ui.tasks import Tasks
from desk.ui.widgets import button, named

if TYPE_CHECKING:
    from desk.core.queries.choices import AgentRow

ROLE_TITLES = {"student-worker": N_("Student worker"), "staff": N_("Staff"), "supervisor": N_("Supervisor")}


def _role_combo(parent: QWidget) -> QComboBox:
    combo = named(QComboBox(parent), _("Role"), _("Student workers and staff serve; supervisors also plan and report"))
    for role in AGENT_ROLES:
        combo.addItem(_(ROLE_TITLES.get(role, role)), role)
    return combo


def _agent_fields(parent: QWidget, layout: QVBoxLayout) -> tuple[QLineEdit, QLineEdit, QComboBox]:
    """Name, e-mail and role fields of an agent, in a form added to ``layout``."""
    form = QFormLayout()
    name = named(QLineEdit(parent), _("Agent name"), _("The agent's full name, as colleagues know it"))
    email = named(QLineEdit(parent), _("Agent e-mail"), _("Their work e-mail (optional; used by sync)"))
    role = _role_combo(parent)
    form.addRow(_("&Name:"), name)
    form.addRow(_("&E-mail:"), email)
    form.addRow(_("&Role:"), role)
    layout.addLayout(form)
    return name, email, role


def _table(parent: QWidget, name: str, tip: str, headers: tuple[str, ...]) -> QTableWidget:
    table = named(QTableWidget(0, len(headers), parent), name, tip)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _set_row(table: QTableWidget, row: int, cells: tuple[str, ...]) -> None:
    for column, text in enumerate(cells):
        table.setItem(row, column, QTableWidgetItem(text))


@dataclass(frozen=True)
class NewAgent:
    name: str
    email: str
    role: str


class AgentRowsEditor(QWidget):
    """The assistant's agents: name, e-mail and role typed in, listed below, nothing saved yet."""

    def __init__(self, parent: QWidget | None = None, *, on_change: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self._agents: list[NewAgent] = []
        self._on_change = on_change
        layout = QVBoxLayout(self)
        self.name, self.email, self.role = _agent_fields(self, layout)
        row = QHBoxLayout()
        self.add_button = button(_("&Add agent"), _("Add this agent to the list"), self, name=_("Add agent"), slot=self.add)
        row.addWidget(self.add_button)
        row.addWidget(button(_("Remove agent"), _("Remove the selected agent from the list"), self, slot=self.remove))
        row.addStretch(1)
        layout.addLayout(row)
        for edit in (self.name, self.email):
            enter_calls(edit, self.add)
        self.table = _table(self, _("New agents"), _("The agents who will be created"), (_("Name"), _("E-mail"), _("Role")))
        layout.addWidget(self.table)

    def add(self) -> None:
        name = " ".join(self.name.text().split())
        if not name:
            self.name.setFocus()
            return
        self._agents.append(NewAgent(name, self.email.text().strip(), self.role.currentData()))
        self.table.setRowCount(len(self._agents))
        _set_row(self.table, len(self._agents) - 1, (name, self.email.text().strip(), self.role.currentText()))
        self.name.clear()
        self.email.clear()
        self.name.setFocus()
        if self._on_change:
            self._on_change()

    def remove(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._agents):
            del self._agents[row]
            self.table.removeRow(row)
            if self._on_change:
                self._on_change()

    def agents(self) -> list[NewAgent]:
        """The listed agents, plus one still typed in the form but not yet added."""
        typed = " ".join(self.name.text().split())
        extra = [NewAgent(typed, self.email.text().strip(), self.role.currentData())] if typed else []
        return list(self._agents) + extra


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    email: str
    phone: str
    kind: str


def _row(person) -> PersonRow:  # noqa: ANN001
    return PersonRow(person.id, person.name, person.email or "", person.phone or "", person.kind)


def load_agents(session) -> list[AgentRow]:  # noqa: ANN001 - runs on the DB worker
    """Every agent, inactive ones too (the at-desk list leaves those out)."""
    from desk.core.queries.choices import agent_rows

    return agent_rows(session)


def find_requesters(session, typed: str) -> list[PersonRow]:  # noqa: ANN001 - runs on the DB worker
    from desk.core.queries.tickets import find_people

    # Agents are edited on their own tab; a record merged away is no longer offered.
    return [_row(p) for p in find_people(session, typed, limit=200)
            if not p.is_agent and p.merged_into is None]


def _ops():  # noqa: ANN202 - imported on the DB worker, where the ops run
    from desk.core.ops import people

    return people


class _ActorMixin:
    _actor_id: object

    def actor_id(self) -> int | None:
        return self._actor_id() if callable(self._actor_id) else self._actor_id  # type: ignore[return-value]


class AgentsTab(QWidget, _ActorMixin):
    """Settings → People → Agents."""

    def __init__(self, tasks: Tasks, actor_id: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self._actor_id = tasks, actor_id
        self._rows: list[AgentRow] = []
        layout = QVBoxLayout(self)
        self.table = _table(self, _("Agents"), _("Everyone who works the desk; inactive agents keep their history"),
                            (_("Name"), _("E-mail"), _("Role"), _("Active")))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table)
        self.name, self.email, self.role = _agent_fields(self, layout)
        row = QHBoxLayout()
        self.add_button = button(_("&Add agent"), _("Add a new agent with the name, e-mail and role above"), self,
                                 name=_("Add agent"), slot=self.add)
        self.save_button = button(_("&Save changes"), _("Save the name, e-mail and role of the selected agent"), self,
                                  name=_("Save agent"), slot=self.save)
        self.active_button = button(_("Deacti&vate"), _("Deactivate the selected agent (history keeps the name)"), self,
                                    name=_("Deactivate agent"), slot=self.toggle_active)
        for made in (self.add_button, self.save_button, self.active_button):
            row.addWidget(made)
        row.addStretch(1)
        layout.addLayout(row)
        tasks.changes_executed.connect(self._on_changes)
        self.reload()

    def reload(self) -> None:
        self.tasks.db(load_agents, on_done=self._fill, owner=self, discardable=True)

    def rows(self) -> list[AgentRow]:
        return list(self._rows)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.people or changes.choices:
            self.reload()

    def _fill(self, rows: list[AgentRow]) -> None:
        keep = self.current()
        self._rows = rows
        self.table.setRowCount(len(rows))
        for index, agent in enumerate(rows):
            role = agent.role or ""
            _set_row(self.table, index, (agent.name, agent.email or "", _(ROLE_TITLES.get(role, role)),
                                         _("yes") if agent.active else _("no (deactivated)")))
        ids = [r.id for r in rows]
        if keep is not None and keep.id in ids:
            self.table.selectRow(ids.index(keep.id))
        self._selected()

    def current(self) -> AgentRow | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        row = rows.pop() if len(rows) == 1 else -1
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def select(self, name: str) -> None:
        self.table.selectRow([r.name for r in self._rows].index(name))

    def _selected(self) -> None:
        chosen = self.current()
        self.save_button.setEnabled(chosen is not None)
        self.active_button.setEnabled(chosen is not None)
        if chosen is None:
            return
        self.active_button.setText(_("Deacti&vate") if chosen.active else _("Reacti&vate"))
        self.active_button.setAccessibleName("Deactivate agent" if chosen.active else "Reactivate agent")
        self.name.setText(chosen.name)
        self.email.setText(chosen.email or "")
        self.role.setCurrentIndex(max(0, self.role.findData(chosen.role)))

    def add(self) -> None:
        name, email, role, actor = self.name.text().strip(), self.email.text().strip(), self.role.currentData(), \
            self.actor_id()
        self.table.clearSelection()
        self.tasks.op(lambda s: _ops().add_agent(s, name=name, email=email, role=role, actor_id=actor),
                      initiator=self)

    def save(self) -> None:
        chosen, actor = self.current(), self.actor_id()
        if chosen is None:
            return
        name, email, role = self.name.text().strip(), self.email.text().strip(), self.role.currentData()
        self.tasks.op(lambda s: _ops().edit_agent(s, actor_id=actor, agent_id=chosen.id, name=name, email=email,
                                                  role=role), initiator=self)

    def toggle_active(self) -> None:
        chosen, actor = self.current(), self.actor_id()
        if chosen is not None:
            self.tasks.op(lambda s: _ops().deactivate_agent(s, actor_id=actor, agent_id=chosen.id,
                                                            active=not chosen.active), initiator=self)


class RequestersTab(QWidget, _ActorMixin):
    """Settings → People → Requesters: search, edit, merge two records of the same person."""

    def __init__(self, tasks: Tasks, actor_id: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self._actor_id = tasks, actor_id
        self._rows: list[PersonRow] = []
        layout = QVBoxLayout(self)
        self.search = named(QLineEdit(self), _("Search people"), _("Type part of a name, e-mail or phone number"))
        self.search.setPlaceholderText(_("Search by name, e-mail or phone"))
        self.search.textChanged.connect(lambda _t: self.reload())
        layout.addWidget(self.search)
        self.table = _table(self, _("People"), _("Select one to edit, or two to merge"),
                            (_("Name"), _("E-mail"), _("Phone"), _("Kind")))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table)
        form = QFormLayout()
        self.name = named(QLineEdit(self), _("Person name"), _("The person's name"))
        self.email = named(QLineEdit(self), _("Person e-mail"), _("Their e-mail address"))
        self.phone = named(QLineEdit(self), _("Person phone"), _("Their phone number"))
        self.kind = named(QComboBox(self), _("Person kind"), _("Faculty, staff, student or guest"))
        for kind in PERSON_KINDS:
            self.kind.addItem(word(kind).capitalize(), kind)
        for label, widget in ((_("&Name:"), self.name), (_("&E-mail:"), self.email), (_("P&hone:"), self.phone),
                              (_("&Kind:"), self.kind)):
            form.addRow(label, widget)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = button(_("&Save changes"), _("Save the selected person's details"), self,
                                  name=_("Save person"), slot=self.save)
        self.merge_button = button(_("&Merge the two selected…"), _("Merge two records of the same person into one"),
                                   self, name=_("Merge people"), slot=self.merge)
        row.addWidget(self.save_button)
        row.addWidget(self.merge_button)
        row.addStretch(1)
        layout.addLayout(row)
        tasks.changes_executed.connect(self._on_changes)
        self._selected()
        self.reload()

    def reload(self) -> None:
        typed = self.search.text()
        self.tasks.db(lambda s: find_requesters(s, typed), on_done=self._fill, owner=self, discardable=True)

    def rows(self) -> list[PersonRow]:
        return list(self._rows)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.people:
            self.reload()

    def _fill(self, rows: list[PersonRow]) -> None:
        self._rows = rows
        self.table.setRowCount(len(rows))
        for index, person in enumerate(rows):
            _set_row(self.table, index, (person.name, person.email, person.phone, word(person.kind)))
        self._selected()

    def selected(self) -> list[PersonRow]:
        indexes = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self._rows[i] for i in indexes if i < len(self._rows)]

    def _selected(self) -> None:
        chosen = self.selected()
        self.save_button.setEnabled(len(chosen) == 1)
        self.merge_button.setEnabled(len(chosen) == 2)
        if len(chosen) == 1:
            person = chosen[0]
            self.name.setText(person.name)
            self.email.setText(person.email)
            self.phone.setText(person.phone)
            self.kind.setCurrentIndex(max(0, self.kind.findData(person.kind)))

    def save(self) -> None:
        chosen, actor = self.selected(), self.actor_id()
        if len(chosen) != 1:
            return
        person_id = chosen[0].id
        name, email, phone, kind = (self.name.text().strip(), self.email.text().strip(), self.phone.text().strip(),
                                    self.kind.currentData())
        self.tasks.op(lambda s: _ops().edit_person(s, actor_id=actor, person_id=person_id, name=name, email=email,
                                                   phone=phone, kind=kind), initiator=self)

    def merge(self) -> QMessageBox | None:
        chosen = self.selected()
        if len(chosen) != 2:
            return None
        first, second = chosen
        box = QMessageBox(QMessageBox.Icon.Question, _("Merge two records"),
                          _('These two records are the same person? Their tickets, comments and history are moved to the one you keep.\n\n1. {label}\n2. {label2}').format(label=_label(first), label2=_label(second)),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmMergePeople")
        keep_first = box.addButton(_('Keep 1 ({name})').format(name=first.name), QMessageBox.ButtonRole.AcceptRole)
        keep_second = box.addButton(_('Keep 2 ({name})').format(name=second.name), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        actor = self.actor_id()

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked in (keep_first, keep_second):
                keep, gone = (first, second) if clicked is keep_first else (second, first)
                self.tasks.op(lambda s: _ops().merge_people(s, actor_id=actor, keep_id=keep.id, merge_id=gone.id),
                              initiator=self)

        box.finished.connect(answered)
        box.open()
        return box


def _label(person: PersonRow) -> str:
    contact = ", ".join(x for x in (person.email, person.phone) if x)
    return f"{person.name} ({person.kind})" + (f" — {contact}" if contact else "")
