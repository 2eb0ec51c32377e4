"""Categories and locations: a plain editable list of names for the set-up assistant (nothing is
saved until it finishes), and the Settings tab that adds, renames, merges and hides them in
the store, each as one core operation (``desk.core.ops.choices``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desk.core.changes import Changes
from desk.core.i18n import N_, _
from desk.ui.settings.desk_forms import enter_calls
from desk.ui.tasks import Tasks
from desk.ui.widgets import button, named

if TYPE_CHECKING:
    from desk.core.queries.choices import ChoiceRow

TITLES = {"category": (N_("Categories"), N_("category")), "location": (N_("Locations"), N_("location"))}


class NamesEditor(QWidget):
    """A list of names to add, rename (type over the selected one) or remove before saving.
    Items that already exist in the store carry their id, so a rename stays a rename."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._existing: dict[int, str] = {}
        plural, single = (_(title) for title in TITLES[kind])
        layout = QVBoxLayout(self)
        self.list = named(QListWidget(self), plural, _('The {lower} tickets can be filed under').format(lower=plural.lower()))
        self.list.currentTextChanged.connect(lambda text: self.name.setText(text))
        layout.addWidget(self.list)
        self.name = named(QLineEdit(self), f"{single.capitalize()} name",
                          _('Type a new {single} and press Add, or change the selected one and press Rename').format(single=single))
        self.name.setPlaceholderText(_('A new {single}, or a new name for the selected one').format(single=single))
        enter_calls(self.name, self.add)
        layout.addWidget(self.name)
        row = QHBoxLayout()
        row.addWidget(button(_("&Add"), _('Add the typed {single}').format(single=single), self, name=f"Add {single}", slot=self.add))
        row.addWidget(button(_("Re&name"), _('Rename the selected {single} to the typed name').format(single=single), self,
                             name=f"Rename {single}", slot=self.rename))
        row.addWidget(button(_("Remo&ve"), _('Remove the selected {single}').format(single=single), self, name=f"Remove {single}",
                             slot=self.remove))
        layout.addLayout(row)

    def set_items(self, items: Sequence[tuple[int | None, str]]) -> None:
        """``(id, name)`` pairs: id None for a name not yet in the store (a default)."""
        self.list.clear()
        self._existing = {choice_id: name for choice_id, name in items if choice_id is not None}
        for choice_id, name in items:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, choice_id)
            self.list.addItem(item)

    def _typed(self) -> str:
        return " ".join(self.name.text().split())

    def _has(self, text: str, *, besides: int = -1) -> bool:
        return any(self.list.item(i).text().lower() == text.lower() for i in range(self.list.count()) if i != besides)

    def add(self) -> None:
        text = self._typed()
        if text and not self._has(text):
            self.list.addItem(text)
            self.list.setCurrentRow(self.list.count() - 1)

    def rename(self) -> None:
        row, text = self.list.currentRow(), self._typed()
        if row >= 0 and text and not self._has(text, besides=row):
            self.list.item(row).setText(text)

    def remove(self) -> None:
        if self.list.currentRow() >= 0:
            self.list.takeItem(self.list.currentRow())

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def outcome(self) -> tuple[dict[int, str], list[str], list[int]]:
        """(existing id → name kept, new names, existing ids removed from the list)."""
        kept: dict[int, str] = {}
        added: list[str] = []
        for index in range(self.list.count()):
            item = self.list.item(index)
            choice_id = item.data(Qt.ItemDataRole.UserRole)
            if choice_id is None:
                added.append(item.text())
            else:
                kept[int(choice_id)] = item.text()
        return kept, added, [i for i in self._existing if i not in kept]


def load_choices(session, *, kind: str) -> list[ChoiceRow]:  # noqa: ANN001 - runs on the DB worker
    """Every category or location, hidden ones too (the pickers' queries leave those out)."""
    from desk.core.queries.choices import choice_rows

    return choice_rows(session, kind=kind)


def _ops():  # noqa: ANN202 - imported on the DB worker, where the ops run
    from desk.core.ops import choices

    return choices


class ChoicesTab(QWidget):
    """Settings → Categories & locations, for one kind."""

    def __init__(self, tasks: Tasks, kind: str, actor_id: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.kind, self._actor_id = tasks, kind, actor_id
        plural, single = (_(title) for title in TITLES[kind])
        self._single = single
        self._rows: list[ChoiceRow] = []
        layout = QVBoxLayout(self)
        self.list = named(QListWidget(self), plural,
                          _("The desk's {lower}; hidden ones are not offered for new tickets").format(lower=plural.lower()))
        self.list.currentRowChanged.connect(self._selected)
        layout.addWidget(self.list)
        self.name = named(QLineEdit(self), f"{single.capitalize()} name",
                          _('Type a new {single} and press Add, or a new name for the selected one and Rename').format(single=single))
        self.name.setPlaceholderText(_('A new {single}, or a new name for the selected one').format(single=single))
        layout.addWidget(self.name)
        row = QHBoxLayout()
        self.add_button = button(_("Add"), _('Add the typed {single}').format(single=single), self, name=f"Add {single}", slot=self.add)
        self.rename_button = button(_("Rename"), _('Rename the selected {single}').format(single=single), self, name=f"Rename {single}",
                                    slot=self.rename)
        self.hide_button = button(_("Hide"), _('Stop offering the selected {single} (tickets keep it)').format(single=single), self,
                                  name=f"Hide {single}", slot=self.toggle_hidden)
        for made in (self.add_button, self.rename_button, self.hide_button):
            row.addWidget(made)
        layout.addLayout(row)
        layout.addWidget(QLabel(_('Merge the selected {single} into:').format(single=single), self))
        merge = QHBoxLayout()
        self.merge_target = named(QComboBox(self), f"Merge {single} into",
                                  _('The {single} that keeps the tickets of the selected one').format(single=single))
        merge.addWidget(self.merge_target, 1)
        self.merge_button = button(_("Merge…"), _("Move the selected {single}'s tickets to the other and remove it").format(single=single),
                                   self, name=f"Merge {single}", slot=self.merge)
        merge.addWidget(self.merge_button)
        layout.addLayout(merge)
        tasks.changes_executed.connect(self._on_changes)
        self.reload()

    def actor_id(self) -> int | None:
        return self._actor_id() if callable(self._actor_id) else self._actor_id  # type: ignore[return-value]

    def reload(self) -> None:
        self.tasks.db(lambda s: load_choices(s, kind=self.kind), on_done=self._fill, owner=self, discardable=True)

    def rows(self) -> list[ChoiceRow]:
        return list(self._rows)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.choices:
            self.reload()

    def _fill(self, rows: list[ChoiceRow]) -> None:
        keep = self.current()
        self._rows = rows
        self.list.clear()
        for choice in rows:
            uses = f"{choice.tickets} ticket{'s' if choice.tickets != 1 else ''}"
            item = QListWidgetItem(f"{choice.name}  ({uses}{_(', hidden') if choice.hidden else ''})")
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            self.list.addItem(item)
        ids = [c.id for c in rows]
        if keep is not None and keep.id in ids:
            self.list.setCurrentRow(ids.index(keep.id))
        self._selected(self.list.currentRow())

    def current(self) -> ChoiceRow | None:
        row = self.list.currentRow()
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def select(self, name: str) -> None:
        names = [c.name for c in self._rows]
        self.list.setCurrentRow(names.index(name))

    def _selected(self, _row: int) -> None:
        chosen = self.current()
        for made in (self.rename_button, self.hide_button, self.merge_button):
            made.setEnabled(chosen is not None)
        self.hide_button.setText(_("Show") if chosen and chosen.hidden else _("Hide"))
        self.merge_target.clear()
        for other in self._rows:
            if chosen is None or other.id != chosen.id:
                self.merge_target.addItem(other.name, other.id)
        if chosen is not None:
            self.name.setText(chosen.name)

    def _typed(self) -> str:
        return " ".join(self.name.text().split())

    def add(self) -> None:
        name, kind, actor = self._typed(), self.kind, self.actor_id()
        self.tasks.op(lambda s: _ops().add_choice(s, actor_id=actor, kind=kind, name=name), initiator=self)

    def rename(self) -> None:
        chosen, name, kind, actor = self.current(), self._typed(), self.kind, self.actor_id()
        if chosen is not None:
            self.tasks.op(lambda s: _ops().rename_choice(s, actor_id=actor, kind=kind, choice_id=chosen.id,
                                                          name=name), initiator=self)

    def toggle_hidden(self) -> None:
        chosen, kind, actor = self.current(), self.kind, self.actor_id()
        if chosen is not None:
            self.tasks.op(lambda s: _ops().hide_choice(s, actor_id=actor, kind=kind, choice_id=chosen.id,
                                                        hidden=not chosen.hidden), initiator=self)

    def merge(self) -> QMessageBox | None:
        chosen, keep_id = self.current(), self.merge_target.currentData()
        if chosen is None or keep_id is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, _('Merge {single}s').format(single=self._single),
                          _('Move every ticket of “{name}” to “{currentText}” and remove “{name}”?').format(name=chosen.name, currentText=self.merge_target.currentText()), QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmMerge")
        confirm = box.addButton(_("Merge"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        kind, actor = self.kind, self.actor_id()

        def answered(_result: int) -> None:
            if box.clickedButton() is confirm:
                self.tasks.op(lambda s: _ops().merge_choices(s, actor_id=actor, kind=kind, keep_id=int(keep_id),
                                                              merge_id=chosen.id), initiator=self)

        box.finished.connect(answered)
        box.open()
        return box
