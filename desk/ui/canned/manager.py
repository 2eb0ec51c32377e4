"""Manage canned responses: create, edit, duplicate, delete; shared or personal; search;
sorted by use; import (Desk JSON or Zendesk macros) and export."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desk.core import canned_io, templating
from desk.core.i18n import N_, _
from desk.core.models import PRIORITIES, STATUSES
from desk.core.ops import canned
from desk.core.queries import choices
from desk.core.queries.canned import CannedRow, list_canned
from desk.core.vocabulary import word
from desk.ui import theme
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import button, named

NO_CHANGE = N_("(no change)")


class CannedManager(QDialog):
    saved = Signal(int)  # id of the response just saved

    def __init__(self, tasks: Tasks, current_agent: Callable[[], int | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.current_agent = current_agent
        self.current_id: int | None = None
        self.rows: list[CannedRow] = []
        self.report_box: QMessageBox | None = None
        self.setObjectName("cannedManager")
        self.setWindowTitle(_("Canned responses"))
        self.setAccessibleName(_("Manage canned responses"))
        self.resize(1000, 640)

        self.search = named(QLineEdit(self), _("Search canned responses"), _("Words in the title or text"))
        self.search.setPlaceholderText(_("Search…"))
        self.search.setClearButtonEnabled(True)
        self.list = named(QListWidget(self), _("Canned responses"), _("Most used first"))
        self.new_button = button(_("&New"), _("Start a new canned response"), self)
        self.duplicate_button = button(_("D&uplicate"), _("Copy the selected response"), self)
        self.delete_button = button(_("&Delete"), _("Delete the selected response"), self)
        self.import_button = button(_("&Import…"), _("Import Desk JSON or Zendesk macros (GET /api/v2/macros)"), self)
        self.export_button = button(_("E&xport…"), _("Save every canned response as JSON"), self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        for each in (self.new_button, self.duplicate_button, self.delete_button):
            row.addWidget(each)
        left_layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        left_layout.addLayout(row)

        self.title = named(QLineEdit(self), _("Title"), _("What agents search for, e.g. “Wi-Fi: eduroam”"))
        self.shared = named(QCheckBox(_("Shared with every agent"), self), _("Shared"),
                             _("Unticked: only you see it (personal)"))
        self.body = named(QPlainTextEdit(self), _("Text"), _("The reply, with placeholders like {{requester.first_name}}"))
        self.placeholder = named(QComboBox(self), _("Insert placeholder"), _("Insert a placeholder at the cursor"))
        self.placeholder.addItem(_("Insert placeholder…"), None)
        for name, meaning in templating.PLACEHOLDERS.items():
            self.placeholder.addItem("{{" + name + "}} — " + _(meaning), name)
        self.warning = QLabel(self)
        self.warning.setAccessibleName(_("Placeholder check"))
        self.warning.setToolTip(_("Unknown placeholders are refused when saving"))
        self.warning.setWordWrap(True)
        self.status = self._choice(_("Status"), _("Set the ticket's status"), [_(NO_CHANGE), *STATUSES])
        self.priority = self._choice(_("Priority"), _("Set the ticket's priority"), [_(NO_CHANGE), *PRIORITIES])
        self.category = named(QLineEdit(self), _("Category"), _("Set the category (empty: no change)"))
        self.category.setPlaceholderText(_(NO_CHANGE))
        self.tags_add = named(QLineEdit(self), _("Add tags"), _("Tags to add, separated by commas"))
        self.tags_remove = named(QLineEdit(self), _("Remove tags"), _("Tags to remove, separated by commas"))
        self.assignee = named(QComboBox(self), _("Assignee"), _("Assign the ticket"))
        self.reply_type = named(QComboBox(self), _("Reply type"), _("Send the text as a public reply or an internal note"))
        self.reply_type.addItem(_("Public reply"), True)
        self.reply_type.addItem(_("Internal note"), False)
        self.save_button = button(_("&Save"), _("Save this canned response (Ctrl+S)"), self)
        self.message = QLabel(self)
        self.message.setAccessibleName(_("Manager status"))
        form = QFormLayout()
        form.addRow(_("Title"), self.title)
        form.addRow("", self.shared)
        form.addRow(_("Text"), self.body)
        form.addRow("", self.placeholder)
        form.addRow("", self.warning)
        form.addRow(_("Reply type"), self.reply_type)
        form.addRow(_("Status"), self.status)
        form.addRow(_("Priority"), self.priority)
        form.addRow(_("Category"), self.category)
        form.addRow(_("Add tags"), self.tags_add)
        form.addRow(_("Remove tags"), self.tags_remove)
        form.addRow(_("Assignee"), self.assignee)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(form, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)
        right_layout.addLayout(bottom)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([340, 660])
        QVBoxLayout(self).addWidget(splitter)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.body.textChanged.connect(self._check_placeholders)
        self.placeholder.activated.connect(self._insert_placeholder)
        self.new_button.clicked.connect(self.new)
        self.duplicate_button.clicked.connect(self.duplicate)
        self.delete_button.clicked.connect(self.delete)
        self.save_button.clicked.connect(self.save)
        self.import_button.clicked.connect(self._choose_import)
        self.export_button.clicked.connect(self._choose_export)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.shared.setEnabled(current_agent() is not None)
        self._load_choices()
        self.new()
        self.refresh()

    def _choice(self, name: str, tip: str, items: list[str]) -> QComboBox:
        combo = named(QComboBox(self), name, tip)
        for item in items:
            combo.addItem(word(item), None if item == _(NO_CHANGE) else item)
        return combo  # type: ignore[return-value]

    # -- loading --------------------------------------------------------------------------------
    def _load_choices(self) -> None:
        def load(session):  # noqa: ANN001, ANN202
            return choices.categories(session), choices.agent_emails(session)

        self.tasks.db(load, on_done=self._choices_loaded, on_error=lambda exc: show_error(self, exc), owner=self)

    def _choices_loaded(self, found: tuple[list[tuple[int, str]], list[tuple[str, str]]]) -> None:
        categories, agents = found
        completer = QCompleter([name for _id, name in categories], self.category)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.category.setCompleter(completer)
        current = self.assignee.currentData()
        self.assignee.clear()
        self.assignee.addItem(_(NO_CHANGE), None)
        self.assignee.addItem(_("The agent applying it"), "me")
        self.assignee.addItem(_("Nobody (unassign)"), "none")
        for name, email in agents:
            self.assignee.addItem(f"{name} <{email}>", email)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(current)))

    def refresh(self, select_id: int | None = None) -> None:
        agent, words = self.current_agent(), self.search.text()
        keep = select_id if select_id is not None else self.current_id
        self.tasks.db(lambda s: list_canned(s, agent_id=agent, search=words),
                      on_done=lambda rows: self._listed(rows, keep),
                      on_error=lambda exc: show_error(self, exc), owner=self)

    def _listed(self, rows: list[CannedRow], keep: int | None) -> None:
        self.rows = rows
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            scope = _("shared") if row.shared else _("personal")
            item = QListWidgetItem(_('{title}\n{usage_count} uses · {scope}').format(title=row.title, usage_count=row.usage_count, scope=scope))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.list.addItem(item)
            if row.id == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if keep is not None and self.list.currentItem() is not None:
            self._show_current()

    def _row(self, canned_id: int | None) -> CannedRow | None:
        return next((row for row in self.rows if row.id == canned_id), None)

    def _show_current(self) -> None:
        item = self.list.currentItem()
        row = self._row(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        if row is not None:
            self.show_row(row)

    def show_row(self, row: CannedRow) -> None:
        self.current_id = row.id
        self.title.setText(row.title)
        self.shared.setChecked(row.shared)
        self.body.setPlainText(row.body)
        actions = {action.get("field"): action.get("value") for action in row.actions}
        self.reply_type.setCurrentIndex(0 if actions.get("public", True) else 1)
        for combo, name in ((self.status, "status"), (self.priority, "priority"), (self.assignee, "assignee")):
            combo.setCurrentIndex(max(0, combo.findData(actions.get(name))))
        if actions.get("assignee") and self.assignee.findData(actions["assignee"]) < 0:
            self.assignee.addItem(str(actions["assignee"]), actions["assignee"])
            self.assignee.setCurrentIndex(self.assignee.count() - 1)
        self.category.setText(str(actions.get("category") or ""))
        self.tags_add.setText(", ".join(actions.get("tags_add") or actions.get("tags_set") or []))
        self.tags_remove.setText(", ".join(actions.get("tags_remove") or []))
        self.delete_button.setEnabled(True)
        self.duplicate_button.setEnabled(True)

    # -- editing --------------------------------------------------------------------------------
    def new(self) -> None:
        self.current_id = None
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        for widget in (self.title, self.category, self.tags_add, self.tags_remove):
            widget.clear()
        self.body.clear()
        self.shared.setChecked(True)
        for combo in (self.status, self.priority, self.assignee, self.reply_type):
            combo.setCurrentIndex(0)
        self.delete_button.setEnabled(False)
        self.duplicate_button.setEnabled(False)
        self.title.setFocus()

    def _check_placeholders(self) -> None:
        unknown = templating.unknown_placeholders(self.body.toPlainText())
        if unknown:
            self.warning.setText(_("<span style='color:{error_css};'>Unknown placeholder(s): ").format(error_css=theme.error_css())
                                 + html.escape(", ".join("{{" + n + "}}" for n in unknown))
                                 + _(" — fix them before saving.</span>"))
        else:
            self.warning.setText("")

    def _insert_placeholder(self, index: int) -> None:
        name = self.placeholder.itemData(index)
        self.placeholder.setCurrentIndex(0)
        if name:
            self.body.insertPlainText("{{" + name + "}}")
            self.body.setFocus()

    def actions(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.reply_type.currentData() is False:
            out.append({"field": "public", "value": False})
        for combo, name in ((self.status, "status"), (self.priority, "priority"), (self.assignee, "assignee")):
            if combo.currentData() is not None:
                out.append({"field": name, "value": combo.currentData()})
        if self.category.text().strip():
            out.append({"field": "category", "value": self.category.text().strip()})
        row = self._row(self.current_id)
        replaces = row is not None and any(a.get("field") == "tags_set" for a in row.actions)
        for line, name in ((self.tags_add, "tags_set" if replaces else "tags_add"), (self.tags_remove, "tags_remove")):
            tags = [part.strip() for part in line.text().split(",") if part.strip()]
            if tags:
                out.append({"field": name, "value": tags})
        return out

    def save(self) -> None:
        agent = self.current_agent()
        owner = None if self.shared.isChecked() or agent is None else agent
        title, body, actions, canned_id = self.title.text(), self.body.toPlainText(), self.actions(), self.current_id
        if canned_id is None:
            def run(session):  # noqa: ANN001, ANN202
                return canned.create_canned(session, actor_id=agent, title=title, body=body,
                                            actions=actions, owner_id=owner)
        else:
            def run(session):  # noqa: ANN001, ANN202
                return canned.update_canned(session, canned_id=canned_id, actor_id=agent, title=title,
                                            body=body, actions=actions, owner_id=owner)

        def done(changes: object) -> None:
            saved_id = getattr(changes, "created_id", None) or canned_id
            self.current_id = saved_id
            self.message.setText(_("Saved."))
            self.saved.emit(saved_id)
            self.refresh(select_id=saved_id)

        self.tasks.op(run, initiator=self, on_done=done, on_error=lambda exc: show_error(self, exc), owner=self)

    def duplicate(self) -> None:
        if self.current_id is None:
            return
        canned_id, agent = self.current_id, self.current_agent()
        self.tasks.op(lambda s: canned.duplicate_canned(s, canned_id=canned_id, actor_id=agent),
                      initiator=self, on_done=lambda c: self.refresh(select_id=c.created_id),
                      on_error=lambda exc: show_error(self, exc), owner=self)

    def delete(self) -> None:
        if self.current_id is None:
            return
        canned_id, agent, title = self.current_id, self.current_agent(), self.title.text()
        box = QMessageBox(QMessageBox.Icon.Question, _("Delete canned response"),
                          _('Delete “{title}”? This cannot be undone.').format(title=title),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setAccessibleName(_("Delete canned response"))
        self.confirm_box = box

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.tasks.op(lambda s: canned.delete_canned(s, canned_id=canned_id, actor_id=agent),
                              initiator=self, on_done=lambda _c: (self.new(), self.refresh()),
                              on_error=lambda exc: show_error(self, exc), owner=self)

        box.finished.connect(answered)
        box.open()

    # -- import / export ------------------------------------------------------------------------
    def _choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Import canned responses"), "", _("JSON (*.json);;All files (*)"))
        if path:
            self.import_from(Path(path))

    def _choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Export canned responses"), "canned-responses.json",
                                              _("JSON (*.json)"))
        if path:
            self.export_to(Path(path))

    def import_from(self, path: Path) -> None:
        agent = self.current_agent()
        reports: list[canned_io.ImportReport] = []

        def run(session):  # noqa: ANN001, ANN202 - on the DB worker: no widgets here
            changes, report = canned_io.import_file(session, path, actor_id=agent, owner_id=agent)
            reports.append(report)
            return changes

        def done(_changes: object) -> None:
            self._show_report(path, reports[0])
            self.refresh()

        self.tasks.op(run, initiator=self, on_done=done, on_error=lambda exc: show_error(self, exc), owner=self)

    def _show_report(self, path: Path, report: canned_io.ImportReport) -> None:
        lines = report.lines()
        box = QMessageBox(QMessageBox.Icon.Information, _("Import finished"),
                          f"{path.name}: {lines[0]}", QMessageBox.StandardButton.Ok, self)
        problems = len(report.unmapped) + len(report.skipped) + len(report.unknown_placeholders)
        if len(lines) > 1:
            box.setInformativeText(_('{problems} thing(s) could not be imported as they were; see the details.').format(problems=problems))
            box.setDetailedText("\n".join(lines[1:]))
        box.setAccessibleName(_("Import finished"))
        self.report_box = box
        self.message.setText(lines[0])
        box.open()

    def export_to(self, path: Path) -> None:
        def run(session):  # noqa: ANN001, ANN202 - on the DB worker; FileError reaches on_error
            canned_io.export_file(session, path=path)

        self.tasks.db(run, on_done=lambda _r: self.message.setText(_('Exported to {name}.').format(name=path.name)),
                      on_error=lambda exc: show_error(self, exc), owner=self)
