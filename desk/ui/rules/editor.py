"""Ticket → Rules and SLA…: the rules editor.

The list of one kind of rule (triggers, automations, SLA policies) in order, each with a check
box that switches it on or off, Move up / Move down, New and Delete; and a form for the selected
rule: its name, its conditions (field, op, value rows), its actions (or, for an SLA policy, its
targets and whether pending pauses the clocks). "Test on the last 30 days" says on how many
tickets the rule as drafted would have fired, before it is saved. Every change is one core
operation on the DB worker (``desk.core.rules.ops``); the form never writes the store itself.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core import errors
from desk.core.i18n import N_, _, ngettext
from desk.core.rules import definitions as D
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks

KIND_LABELS = {"trigger": N_("Triggers"), "automation": N_("Automations"), "sla": N_("SLA policies")}
CONDITION_FIELDS = (*D.TICKET_FIELDS, "text", "business_hours", "update", *D.CLOCKS)
OPS = (*D.FIELD_OPS, *D.TAG_OPS, *D.CHANGE_OPS, "contains", *D.CLOCK_OPS)
ACTION_FIELDS = ("", *D.SET_FIELDS)


def _combo(items: tuple[str, ...], current: str, name: str) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(items))
    combo.setCurrentText(current)
    combo.setAccessibleName(name)
    return combo


def _edit(text: str, name: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    edit.setToolTip(_("Several values: separate them with commas; clock hours: add 'business' for open hours"))
    return edit


def _clear(table: QTableWidget) -> None:
    """Empty the table now, its cell widgets too (not at the next turn of the event loop, so
    the new rows' pickers are the only ones with their names)."""
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            widget = table.cellWidget(row, column)
            if widget is not None:
                table.removeCellWidget(row, column)
                widget.setParent(None)
    table.setRowCount(0)


def _value_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _parse_value(text: str, op: str, field: str) -> object:
    text = text.strip()
    if op in ("in", "not_in") or field == "tags" or field.startswith("tags_"):
        return [part.strip() for part in text.split(",") if part.strip()]
    if field == "business_hours":
        return text.lower() in ("true", "yes", "1", "open")
    return text


class RulesDialog(QDialog):
    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._rules: list[Any] = []
        self._current_id: int | None = None
        self._message_after_reload = ""
        self.setWindowTitle(_("Rules and SLA"))
        self.setAccessibleName(_("Rules and SLA"))
        self.resize(1000, 640)

        self.kind = QComboBox(self)
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(_(label), kind)
        self.kind.setAccessibleName(_("Kind of rule"))
        self.kind.currentIndexChanged.connect(self.reload)
        self.rules_list = QListWidget(self)
        self.rules_list.setAccessibleName(_("Rules in order"))
        self.rules_list.setToolTip(_("Rules run (and SLA policies match) in this order; the box switches one on or off"))
        self.rules_list.currentRowChanged.connect(self._selected)
        self.rules_list.itemChanged.connect(self._toggled)
        self.up = self._button(_("Move &up"), _("Move rule up"), lambda: self._move(-1))
        self.down = self._button(_("Move do&wn"), _("Move rule down"), lambda: self._move(+1))
        self.new = self._button(_("&New"), _("New rule"), self._new)
        self.delete = self._button(_("&Delete"), _("Delete rule"), self._delete)

        left = QVBoxLayout()
        left.addWidget(self.kind)
        left.addWidget(self.rules_list, 1)
        row = QHBoxLayout()
        for button in (self.up, self.down, self.new, self.delete):
            row.addWidget(button)
        left.addLayout(row)

        self.name = QLineEdit(self)
        self.name.setAccessibleName(_("Rule name"))
        self.match_any = QCheckBox(_("Any of the conditions (instead of all)"), self)
        self.match_any.setAccessibleName(_("Match any condition"))
        self.conditions = self._table((_("Field"), _("Op"), _("Value")), _("Conditions"))
        self.actions = self._table((_("Action"), _("Field"), _("Value or text")), _("Actions"))
        self.targets = self._table((_("Target"), _("Hours"), _("Business hours")), _("SLA targets"))
        self.pause = QCheckBox(_("Clocks pause while pending or on hold"), self)
        self.pause.setAccessibleName(_("Pause while pending"))
        self.add_condition = self._button(_("Add &condition"), _("Add condition"), lambda: self._condition_row({}))
        self.remove_condition = self._button(_("Remove condition"), _("Remove condition"),
                                             lambda: self._remove_row(self.conditions))
        self.add_action = self._button(_("Add &action"), _("Add action"), lambda: self._action_row({}))
        self.remove_action = self._button(_("Remove action"), _("Remove action"),
                                          lambda: self._remove_row(self.actions))
        self.test = self._button(_("&Test on the last 30 days"), _("Test on the last 30 days"), self._test)
        self.result = QLabel("", self)
        self.result.setAccessibleName(_("Test result"))
        self.result.setWordWrap(True)
        self.save = self._button(_("&Save"), _("Save rule"), self._save)

        form = QFormLayout()
        form.addRow(_("Name:"), self.name)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel(_("Conditions (all must hold):"), self))
        right.addWidget(self.match_any)
        right.addWidget(self.conditions, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_condition)
        buttons.addWidget(self.remove_condition)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.actions_label = QLabel(_("Actions:"), self)
        right.addWidget(self.actions_label)
        right.addWidget(self.actions, 2)
        self.action_buttons = QWidget(self)
        action_row = QHBoxLayout(self.action_buttons)
        action_row.setContentsMargins(0, 0, 0, 0)
        action_row.addWidget(self.add_action)
        action_row.addWidget(self.remove_action)
        action_row.addStretch(1)
        right.addWidget(self.action_buttons)
        right.addWidget(self.targets, 1)
        right.addWidget(self.pause)
        bottom = QHBoxLayout()
        bottom.addWidget(self.test)
        bottom.addWidget(self.result, 1)
        bottom.addWidget(self.save)
        right.addLayout(bottom)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(close)
        self.reload()

    # --- building -------------------------------------------------------------------------------
    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _table(self, headers: tuple[str, ...], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(list(headers))
        table.setAccessibleName(name)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().hide()
        table.setColumnWidth(0, 190)  # "hours_since_status" whole
        table.setColumnWidth(1, 130)
        return table

    def kind_code(self) -> str:
        return str(self.kind.currentData())

    def _condition_row(self, condition: dict[str, Any]) -> None:
        table = self.conditions
        row = table.rowCount()
        table.insertRow(row)
        field = str(condition.get("field", "status"))
        op = str(condition.get("op", "is"))
        if field.startswith("changed:"):
            field = field.removeprefix("changed:")
        table.setCellWidget(row, 0, _combo(CONDITION_FIELDS, field, _("Condition {n} field").format(n=row + 1)))
        table.setCellWidget(row, 1, _combo(OPS, op, _("Condition {n} op").format(n=row + 1)))
        value = condition.get("value")
        text = _value_text(value)
        if condition.get("business"):
            text += " business"
        table.setCellWidget(row, 2, _edit(text, _("Condition {n} value").format(n=row + 1)))

    def _action_row(self, action: dict[str, Any]) -> None:
        table = self.actions
        row = table.rowCount()
        table.insertRow(row)
        name = str(action.get("action", "set"))
        table.setCellWidget(row, 0, _combo(D.ACTIONS, name, _("Action {n}").format(n=row + 1)))
        table.setCellWidget(row, 1, _combo(ACTION_FIELDS, str(action.get("field", "") or ""),
                                           _("Action {n} field").format(n=row + 1)))
        value = action.get("value", action.get("body", action.get("title", action.get("text"))))
        table.setCellWidget(row, 2, _edit(_value_text(value), _("Action {n} value").format(n=row + 1)))

    def _fill_targets(self, targets: dict[str, Any]) -> None:
        _clear(self.targets)
        for row, name in enumerate(D.TARGETS):
            self.targets.insertRow(row)
            item = QTableWidgetItem(name)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.targets.setItem(row, 0, item)
            hours = QDoubleSpinBox()
            hours.setRange(0, D.MAX_HOURS)
            hours.setDecimals(2)
            hours.setSpecialValueText(_("none"))
            hours.setValue(float(targets.get(name, {}).get("hours", 0)))
            hours.setAccessibleName(_("{target} hours").format(target=name))
            self.targets.setCellWidget(row, 1, hours)
            business = QCheckBox()
            business.setChecked(bool(targets.get(name, {}).get("business", True)))
            business.setAccessibleName(_("{target} in business hours").format(target=name))
            self.targets.setCellWidget(row, 2, business)

    @staticmethod
    def _remove_row(table: QTableWidget) -> None:
        row = table.currentRow() if table.currentRow() >= 0 else table.rowCount() - 1
        if row >= 0:
            table.removeRow(row)

    # --- the list -------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        kind = self.kind_code()

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.rules.store import load_rules

            return [rule for rule in load_rules(session, kind=kind) if "(deleted " not in rule.name]

        self._tasks.db(work, on_done=lambda rules: self._listed(rules, select_id), owner=self)

    def _listed(self, rules: list[Any], select_id: int | None) -> None:
        self._rules = rules
        self.rules_list.blockSignals(True)
        self.rules_list.clear()
        for rule in rules:
            item = QListWidgetItem(rule.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if rule.active else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, rule.id)
            self.rules_list.addItem(item)
        self.rules_list.blockSignals(False)
        wanted = select_id if select_id is not None else self._current_id
        index = next((i for i, rule in enumerate(rules) if rule.id == wanted), 0 if rules else -1)
        if index >= 0:
            self.rules_list.setCurrentRow(index)
            self._selected(index)
        else:
            self._show(None)
        self.result.setText(self._message_after_reload)
        self._message_after_reload = ""

    def _selected(self, row: int) -> None:
        self._show(self._rules[row] if 0 <= row < len(self._rules) else None)

    def _show(self, rule: Any) -> None:
        self._current_id = rule.id if rule is not None else None
        definition = rule.definition if rule is not None else {}
        self.name.setText(rule.name if rule is not None else "")
        for table in (self.conditions, self.actions, self.targets):
            _clear(table)
        uses_any = bool(definition.get("any")) and not definition.get("all")
        self.match_any.setChecked(uses_any)
        for condition in definition.get("any" if uses_any else "all", []):
            self._condition_row(condition)
        for action in definition.get("actions", []):
            self._action_row(action)
        is_sla = self.kind_code() == "sla"
        for widget in (self.actions_label, self.actions, self.action_buttons):
            widget.setVisible(not is_sla)
        self.targets.setVisible(is_sla)
        self.pause.setVisible(is_sla)
        self._fill_targets(definition.get("targets", {}))
        self.pause.setChecked(bool(definition.get("pause", True)))
        self.result.setText("")

    def _toggled(self, item: QListWidgetItem) -> None:
        rule_id = int(item.data(Qt.ItemDataRole.UserRole))
        active = item.checkState() == Qt.CheckState.Checked

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.rules.ops import set_active

            return set_active(session, actor_id=None, rule_id=rule_id, active=active)

        self._tasks.op(work, on_done=lambda _c: self.reload(rule_id), on_error=self._failed, owner=self)

    def _move(self, step: int) -> None:
        row = self.rules_list.currentRow()
        if row < 0 or not 0 <= row + step < len(self._rules):
            return
        rule_id = self._rules[row].id

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.rules.ops import move_rule

            return move_rule(session, actor_id=None, rule_id=rule_id, to=row + step + 1)

        self._tasks.op(work, on_done=lambda _c: self.reload(rule_id), on_error=self._failed, owner=self)

    def _new(self) -> None:
        self.rules_list.clearSelection()
        self._show(None)
        self.name.setFocus()

    def _delete(self) -> None:
        rule_id = self._current_id
        if rule_id is None:
            return

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.rules.ops import delete_rule

            return delete_rule(session, actor_id=None, rule_id=rule_id)

        self._current_id = None
        self._tasks.op(work, on_done=lambda _c: self.reload(), on_error=self._failed, owner=self)

    # --- the form -------------------------------------------------------------------------------
    def definition(self) -> dict[str, Any]:
        """The form as a rule definition (checked by the core when tested or saved)."""
        conditions = []
        for row in range(self.conditions.rowCount()):
            field = self.conditions.cellWidget(row, 0).currentText()  # type: ignore[union-attr]
            op = self.conditions.cellWidget(row, 1).currentText()  # type: ignore[union-attr]
            text = self.conditions.cellWidget(row, 2).text()  # type: ignore[union-attr]
            condition: dict[str, Any] = {"field": field, "op": op}
            if field in D.CLOCKS:
                business = "business" in text.lower()
                condition.update(value=text.lower().replace("business", "").strip(), business=business)
            elif op != "changed":
                condition["value"] = _parse_value(text, op, field)
            conditions.append(condition)
        group = "any" if self.match_any.isChecked() else "all"
        result: dict[str, Any] = {"all": [], "any": []}
        result[group] = conditions
        if self.kind_code() == "sla":
            targets = {}
            for row, name in enumerate(D.TARGETS):
                hours = self.targets.cellWidget(row, 1).value()  # type: ignore[union-attr]
                if hours > 0:
                    targets[name] = {"hours": hours, "business": self.targets.cellWidget(row, 2).isChecked()}  # type: ignore[union-attr]
            result.update(targets=targets, pause=self.pause.isChecked())
            return result
        actions = []
        for row in range(self.actions.rowCount()):
            name = self.actions.cellWidget(row, 0).currentText()  # type: ignore[union-attr]
            field = self.actions.cellWidget(row, 1).currentText()  # type: ignore[union-attr]
            text = self.actions.cellWidget(row, 2).text()  # type: ignore[union-attr]
            if name == "set":
                actions.append({"action": "set", "field": field, "value": text.strip()})
            elif name in D.TAG_ACTIONS:
                actions.append({"action": name, "value": _parse_value(text, "in", name)})
            else:
                actions.append({"action": name, {"note": "body", "canned": "title", "notify": "text"}[name]: text})
        result["actions"] = actions
        return result

    def _test(self) -> None:
        kind, definition = self.kind_code(), self.definition()
        self.result.setText(_("Testing…"))

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.rules.preview import would_have_fired

            return would_have_fired(session, kind=kind, definition=definition)

        self._tasks.db(work, on_done=self._tested, on_error=self._failed, owner=self)

    def _tested(self, count: int) -> None:
        if self.kind_code() == "sla":
            text = ngettext("In the last 30 days this policy would have covered {n} ticket.",
                            "In the last 30 days this policy would have covered {n} tickets.", count)
        else:
            text = ngettext("Test on the last 30 days: would have fired on {n} ticket.",
                            "Test on the last 30 days: would have fired on {n} tickets.", count)
        self.result.setText(text.format(n=count))

    def _save(self) -> None:
        kind, name, definition, rule_id = self.kind_code(), self.name.text(), self.definition(), self._current_id

        def work(session):  # noqa: ANN001, ANN202
            from desk.core.rules import ops

            if rule_id is None:
                return ops.add_rule(session, actor_id=None, kind=kind, name=name, definition=definition)
            return ops.edit_rule(session, actor_id=None, rule_id=rule_id, name=name, definition=definition)

        def done(changes: Any) -> None:
            self._message_after_reload = _("Saved.")
            self.reload(changes.created_id or rule_id)

        self._tasks.op(work, on_done=done, on_error=self._failed, owner=self)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, errors.InvalidInput | errors.NotFound):
            self.result.setText(exc.message)  # what is wrong with the rule, next to the form
            return
        shown = show_error(self, exc)
        if shown is not None:
            shown.exec()


def rule_json(definition: dict[str, Any]) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2)
