"""Filter bar above the queue: category, location, channel, priority, requester kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desk.core.i18n import N_, _
from desk.core.vocabulary import CHANNELS, PERSON_KINDS, PRIORITIES, word
from desk.ui.queue.flow_layout import FlowLayout
from desk.ui.tasks import Tasks

if TYPE_CHECKING:
    from desk.core.changes import Changes

ANY = N_("Any")


def _choices(session):  # noqa: ANN001, ANN202
    from desk.core.queries.frontdesk import choices  # the ORM loads on the DB worker, after the first page

    return choices(session)


class FilterBar(QWidget):
    changed = Signal(dict)  # the FILTERS values (None = any)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._combos: dict[str, QComboBox] = {}
        self._filling = False
        layout = FlowLayout(self)  # wraps on a narrow window, so the window fits small screens
        specs = (
            ("category_id", _("&Category"), _("Only tickets of this category"), ()),
            ("location_id", _("L&ocation"), _("Only tickets at this location"), ()),
            ("channel", _("Cha&nnel"), _("Only tickets that came in this way"), CHANNELS),
            ("priority", _("&Priority"), _("Only tickets of this priority"), PRIORITIES),
            ("requester_kind", _("Re&quester"), _("Only requesters of this kind"), PERSON_KINDS),
        )
        for key, label_text, tip, values in specs:
            combo = QComboBox(self)
            combo.setAccessibleName(f"Filter {label_text.replace('&', '').lower()}")
            combo.setToolTip(tip)
            combo.addItem(_(ANY), None)
            for value in values:
                combo.addItem(word(value), value)
            combo.currentIndexChanged.connect(self._emit)
            pair = QWidget(self)  # a label stays with its box when the bar wraps
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            combo.setParent(pair)
            label = QLabel(label_text + ":", pair)
            label.setBuddy(combo)
            pair_layout.addWidget(label)
            pair_layout.addWidget(combo, 1)
            layout.addWidget(pair)
            self._combos[key] = combo
        tasks.changes_executed.connect(self._on_changes)
        QTimer.singleShot(0, self, self.reload)  # after the queue's first page (startup order)

    def values(self) -> dict[str, object]:
        return {key: combo.currentData() for key, combo in self._combos.items()
                if combo.currentData() is not None}

    def set_values(self, values: dict[str, object]) -> None:
        self._filling = True
        for key, combo in self._combos.items():
            index = combo.findData(values.get(key)) if values.get(key) is not None else 0
            combo.setCurrentIndex(max(0, index))
        self._filling = False

    def reload(self) -> None:
        self._tasks.db(_choices, on_done=self._fill, discardable=True)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.choices:
            self.reload()  # a category or location was added (e.g. while sending a reply), or an external change

    def _fill(self, found: tuple[list[tuple[int, str]], list[tuple[int, str]]]) -> None:
        self._filling = True
        for key, items in zip(("category_id", "location_id"), found, strict=True):
            combo = self._combos[key]
            current = combo.currentData()
            combo.clear()
            combo.addItem(_(ANY), None)
            for item_id, name in items:
                combo.addItem(name, item_id)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        self._filling = False

    def _emit(self) -> None:
        if not self._filling:
            self.changed.emit(self.values())
