"""What the quick log learns from the desk: category and location suggested from the subject as
it is typed (``desk.core.suggest``), with how often such a suggestion was right.

A suggestion fills a field only while nobody has chosen in it; the moment a person picks
anything there (even "(none)"), that field is theirs and is never changed again. When the model
is unsure it says nothing, and a field it had filled goes back to "(none)".

The models are trained once per store in the background (rows read on the DB worker, the
counting on the pool) and retrained when older than RETRAIN_SECONDS, so a keystroke only asks an
in-memory model: well under a millisecond, whatever the store's size.
"""

from __future__ import annotations

import time
from weakref import WeakKeyDictionary

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from desk.core.i18n import _
from desk.core.suggest.intake import IntakeModels, train_from_rows, training_rows
from desk.core.suggest.model import Suggestion
from desk.ui.tasks import Tasks

RETRAIN_SECONDS = 30 * 60


class ModelHolder(QObject):
    """The intake models of one store (one per ``Tasks``), trained in the background."""

    trained = Signal()

    def __init__(self, tasks: Tasks) -> None:
        super().__init__(tasks)
        self.tasks = tasks
        self.models: IntakeModels | None = None
        self._trained_at = 0.0
        self._training = False

    def ensure_fresh(self) -> None:
        stale = self.models is None or time.monotonic() - self._trained_at > RETRAIN_SECONDS
        if stale and not self._training:
            self.retrain()

    def retrain(self) -> None:
        self._training = True
        self.tasks.db(training_rows, on_done=self._rows_read, on_error=self._failed, owner=self)

    def _rows_read(self, rows: list) -> None:
        self.tasks.net(lambda: train_from_rows(rows), on_done=self._done, on_error=self._failed, owner=self)

    def _done(self, models: IntakeModels) -> None:
        self.models = models
        self._trained_at = time.monotonic()
        self._training = False
        self.trained.emit()

    def _failed(self, _exc: BaseException) -> None:
        # suggestions are a help, never in the way: without a model the quick log works as before
        self._training = False


_holders: WeakKeyDictionary[Tasks, ModelHolder] = WeakKeyDictionary()


def holder_for(tasks: Tasks) -> ModelHolder:
    holder = _holders.get(tasks)
    if holder is None:
        holder = _holders[tasks] = ModelHolder(tasks)
    return holder


def _percent(share: float) -> str:
    return f"{share:.0%}"


class IntakeHints(QObject):
    """Suggestions for one quick-log form: its subject line, category and location boxes."""

    suggested = Signal()  # the suggestion line was updated (tests wait on it)

    def __init__(self, *, tasks: Tasks, subject: QLineEdit, category: QComboBox, location: QComboBox,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.subject, self.category, self.location = subject, category, location
        self.label = QLabel("", parent)
        self.label.setAccessibleName(_("Suggestion"))
        self.label.setToolTip(_("Category and location suggested from the subject, learned from this "
                                "desk's solved tickets; choosing one yourself always wins"))
        self.label.setWordWrap(True)
        self.label.setVisible(False)
        self._chosen = {category: False, location: False}  # a person picked in this box
        self._filled: dict[QComboBox, int | None] = {category: None, location: None}
        for combo in (category, location):
            combo.activated.connect(lambda _i, c=combo: self._person_chose(c))
        subject.textEdited.connect(lambda _t: self.update())
        self.holder = holder_for(tasks)
        self.holder.trained.connect(self.update)
        self.holder.ensure_fresh()

    def _person_chose(self, combo: QComboBox) -> None:
        self._chosen[combo] = True
        self._filled[combo] = None
        self.update()

    def update(self) -> None:
        models = self.holder.models
        text = self.subject.text()
        found: dict[QComboBox, Suggestion | None] = {self.category: None, self.location: None}
        if models is not None and text.strip():
            found = {self.category: models.suggest_category(text), self.location: models.suggest_location(text)}
        parts = []
        for combo, what in ((self.category, _("category")), (self.location, _("location"))):
            guess = found[combo]
            if self._chosen[combo]:
                continue
            index = combo.findData(guess.label) if guess is not None else -1
            if index >= 0:
                if combo.currentIndex() != index:
                    combo.setCurrentIndex(index)
                self._filled[combo] = guess.label
                parts.append(_("{what} {name} (right {percent} of the time on past tickets)").format(
                    what=what, name=combo.itemText(index), percent=_percent(guess.confidence)))
            elif self._filled[combo] is not None:
                combo.setCurrentIndex(0)  # unsure now: take back what the model had filled in
                self._filled[combo] = None
        if parts:
            self.label.setText(_("Suggested from the subject: {what}.").format(what="; ".join(parts)))
        self.label.setVisible(bool(parts))
        self.suggested.emit()
