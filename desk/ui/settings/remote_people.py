"""Settings → Remotes → People…: which account on the remote each agent here is.

Agents are matched by e-mail automatically (RT users by EmailAddress, Zendesk users by e-mail);
this map is for the exceptions: an RT login that is not the e-mail, a Zendesk address that differs.
An agent with no account there is synced anyway through "Desk claimed by" and the remote's
last problem says "not synced: no account on …". Saving is one operation (``set_people_map``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import _
from desk.core.sync import config
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import named


class RemotePeopleDialog(QDialog):
    saved = Signal()

    def __init__(self, tasks: Tasks, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.name = name
        self.setObjectName("remotePeopleDialog")
        self.setWindowTitle(_("Agents on {remote}").format(remote=name))
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        intro = named(QLabel(_("Agents are found on {remote} by their e-mail. Type an account only where it "
                               "differs (an RT login, another Zendesk address); leave it empty otherwise.").format(
                                   remote=name), self), _("About the agent map"), _("What this list is for"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = named(QTableWidget(0, 3, self), _("Agent accounts"),
                           _("Each agent here and their account on the remote"))
        self.table.setHorizontalHeaderLabels([_("Agent"), _("E-mail here"), _("Account on the remote")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        named(self.buttons.button(QDialogButtonBox.StandardButton.Save), _("Save"), _("Keep this map"))
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), _("Cancel"), _("Close without saving"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.loaded = False
        tasks.db(lambda s: config.people_map(s, name=name), on_done=self._loaded,
                 on_error=lambda exc: show_error(self, exc), owner=self)

    def _loaded(self, result: tuple[dict[str, str], list[tuple[str, str]]]) -> None:
        mapping, agents = result
        emails = [email for email, _name in agents]
        rows = agents + [(email, "") for email in mapping if email not in emails]  # kept for agents gone
        self.table.setRowCount(len(rows))
        for index, (email, agent_name) in enumerate(rows):
            for column, value in enumerate((agent_name, email)):
                cell = QTableWidgetItem(value)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(index, column, cell)
            self.table.setItem(index, 2, QTableWidgetItem(mapping.get(email, "")))
        self.loaded = True

    def mapping(self) -> dict[str, str]:
        out = {}
        for row in range(self.table.rowCount()):
            email, account = self.table.item(row, 1), self.table.item(row, 2)
            if email is not None and account is not None and account.text().strip():
                out[email.text()] = account.text().strip()
        return out

    def save(self) -> None:
        mapping, name = self.mapping(), self.name

        def done(_changes: object) -> None:
            self.saved.emit()
            self.accept()

        self.tasks.op(lambda s: config.set_people_map(s, name=name, mapping=mapping), self, on_done=done,
                      on_error=lambda exc: show_error(self, exc), owner=self)
