"""The ticket changed underneath: show what, and let the user keep theirs, take theirs, or merge.

Rows are the fields the user changed: the value when they started, theirs, and the value now
in the store. A field only the user changed defaults to "mine" (nothing of the other person's
is lost); a field both changed defaults to "theirs" until the user decides. What the other
person changed that the user did not touch is listed and kept.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import _
from desk.core.queries.editor import EDITOR_FIELDS, FIELD_LABELS, TicketView


class ConflictDialog(QDialog):
    def __init__(
        self, *, base: TicketView, fresh: TicketView, mine: dict[str, object],
        base_values: dict[str, object], parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(_('Ticket #{id} was changed by someone else').format(id=fresh.id))
        self.setAccessibleName(_("Ticket changed by someone else"))
        self.mine = dict(mine)
        self.fresh = fresh
        self.choice = "merge"
        layout = QVBoxLayout(self)
        intro = QLabel(
            _('While you were working on ticket #{id}, it was changed elsewhere (version {version} → {version2}). Your reply text is kept. Choose, for each field you changed, whose value to keep.').format(id=fresh.id, version=base.version, version2=fresh.version), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        grid = QGridLayout()
        for column, heading in enumerate((_("Field"), _("When you started"), _("Yours"), _("Theirs (now)"))):
            grid.addWidget(QLabel(f"<b>{heading}</b>", self), 0, column)
        self.groups: dict[str, QButtonGroup] = {}
        any_both = False
        for row, (name, value) in enumerate(sorted(self.mine.items()), start=1):
            started = base_values.get(name, base.fields.get(name))
            theirs = fresh.fields.get(name)
            both = theirs != started and theirs != value
            any_both = any_both or both
            grid.addWidget(QLabel(_(FIELD_LABELS.get(name, name)) + (" ⚠" if both else ""), self), row, 0)
            grid.addWidget(QLabel(html.escape(base.label(name, started)), self), row, 1)
            mine_button = QRadioButton(fresh.label(name, value), self)
            theirs_button = QRadioButton(fresh.label(name, theirs), self)
            for button, whose in ((mine_button, "mine"), (theirs_button, "theirs")):
                button.setAccessibleName(f"{FIELD_LABELS.get(name, name)}: keep {whose}")
                button.setToolTip(_('Keep {value} value for this field').format(value='your' if whose == 'mine' else 'their'))
            group = QButtonGroup(self)
            group.addButton(mine_button, 0)
            group.addButton(theirs_button, 1)
            (theirs_button if both else mine_button).setChecked(True)
            self.groups[name] = group
            grid.addWidget(mine_button, row, 2)
            grid.addWidget(theirs_button, row, 3)
        layout.addLayout(grid)
        if any_both:
            legend = QLabel(_("⚠ You both changed this field: their value stays unless you pick yours."), self)
            legend.setWordWrap(True)
            layout.addWidget(legend)

        others = [
            f"{FIELD_LABELS[name]}: {html.escape(base.label(name, base.fields.get(name)))} → "
            f"{html.escape(fresh.label(name, fresh.fields.get(name)))}"
            for name in EDITOR_FIELDS
            if name not in self.mine and base.fields.get(name) != fresh.fields.get(name)
        ]
        new_messages = len(fresh.messages) - len(base.messages)
        if new_messages > 0:
            others.append(_('{new_messages} new repl{value} or note(s)').format(new_messages=new_messages, value='y' if new_messages == 1 else 'ies'))
        if others:
            info = QLabel(_("<b>Also changed (kept):</b><br>") + "<br>".join(others), self)
            info.setWordWrap(True)
            info.setAccessibleName(_("Their other changes"))
            layout.addWidget(info)

        buttons = QDialogButtonBox(self)
        self.keep_mine = self._button(buttons, _("Keep mine"), "mine", _("Use all of your values"))
        self.take_theirs = self._button(buttons, _("Take theirs"), "theirs",
                                        _("Drop your field changes and keep theirs (your reply is still sent)"))
        self.merge = self._button(buttons, _("Merge"), "merge", _("Use the choice made for each field"))
        self.merge.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setToolTip(_("Go back to the editor without saving"))
        cancel.setAccessibleName(_("Cancel"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _button(self, box: QDialogButtonBox, text: str, choice: str, tip: str) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def chosen_fields(self) -> dict[str, object]:
        """The fields to save on top of the current ticket."""
        if self.choice == "mine":
            return dict(self.mine)
        if self.choice == "theirs":
            return {}
        return {name: value for name, value in self.mine.items() if self.groups[name].checkedId() == 0}
