"""Settings → Remotes → People…: which account on the remote each agent here is.

Agents are matched by e-mail automatically (RT users by EmailAddress, Zendesk users by e-mail);
this map is for the exceptions: an RT login that is not the e-mail, a Zendesk address that differs.
An agent with no account there is synced anyway through "Desk claimed by" and the remote's
last problem says "not synced: no account on …". Saving is one operation (``set_people_map``).

On a Request Tracker remote each agent may also have a token of their own, so RT records their
replies and notes as theirs (``remotes/rt_agents.py``): the "RT token" column says set / not set
(never the token), Set token… and Clear token act on the selected agent at once. Tokens live in
the OS keyring only, which may block on an unlock prompt: it is only ever called on the network
pool (``tasks.net``), never on the DB worker or the window's thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.core import errors
from desk.core.i18n import _
from desk.core.sync import config, credentials
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import named


class RemotePeopleDialog(QDialog):
    saved = Signal()

    tokens_changed = Signal()  # an agent's RT token was stored or forgotten (and the column reloaded)

    def __init__(self, tasks: Tasks, name: str, parent: QWidget | None = None, *, kind: str = "") -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.name = name
        self.rt = kind == "rt"
        self.token_dialog: QDialog | None = None
        self.setObjectName("remotePeopleDialog")
        self.setWindowTitle(_("Agents on {remote}").format(remote=name))
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        intro = named(QLabel(_("Agents are found on {remote} by their e-mail. Type an account only where it "
                               "differs (an RT login, another Zendesk address); leave it empty otherwise.").format(
                                   remote=name), self), _("About the agent map"), _("What this list is for"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        headers = [_("Agent"), _("E-mail here"), _("Account on the remote")]
        if self.rt:
            headers.append(_("RT token"))
        self.table = named(QTableWidget(0, len(headers), self), _("Agent accounts"),
                           _("Each agent here and their account on the remote"))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        if self.rt:
            layout.addLayout(self._token_row(name))
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
        if self.rt:
            if rows:
                self.table.setCurrentCell(0, 0)
            self.load_tokens()

    # --- agents' own RT tokens (keyring, on the network pool only) ------------------------
    def _token_row(self, name: str) -> QHBoxLayout:
        row = QHBoxLayout()
        about = named(QLabel(_("With their own RT token an agent's replies are theirs on {remote}; without "
                               "one Desk's RT user writes them with a “written by” line. Set token… and Clear token "
                               "act at once; the token stays in the system keyring.").format(remote=name), self),
                      _("About agents' RT tokens"), _("What an agent's own RT token is for"))
        about.setWordWrap(True)
        self.set_token_button = named(QPushButton(_("Set &token…"), self), _("Set agent token"),
                                      _("Store the selected agent's own RT token"))
        self.clear_token_button = named(QPushButton(_("C&lear token"), self), _("Clear agent token"),
                                        _("Forget the selected agent's RT token"))
        self.set_token_button.clicked.connect(self.set_agent_token)
        self.clear_token_button.clicked.connect(self.clear_agent_token)
        self.table.currentCellChanged.connect(lambda *_args: self._update_token_buttons())
        row.addWidget(about, 1)
        row.addWidget(self.set_token_button)
        row.addWidget(self.clear_token_button)
        self.tokens: set[str] | None = None  # e-mails with a token, once the keyring answered
        self._update_token_buttons()
        return row

    def selected_email(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 1) if row >= 0 else None
        return item.text() if item is not None else None

    def _update_token_buttons(self) -> None:
        email = self.selected_email()
        known = self.tokens is not None and email is not None
        self.set_token_button.setEnabled(known)
        self.clear_token_button.setEnabled(known and email in (self.tokens or ()))

    def load_tokens(self) -> None:
        name = self.name
        self.tasks.net(lambda: set(credentials.agents_with_secrets(name)), on_done=self._tokens_loaded,
                       on_error=lambda exc: show_error(self, exc), owner=self)

    def _tokens_loaded(self, emails: set[str]) -> None:
        self.tokens = emails
        for index in range(self.table.rowCount()):
            email = self.table.item(index, 1)
            has = email is not None and email.text() in emails
            cell = QTableWidgetItem(_("set") if has else _("not set"))
            cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
            cell.setToolTip(_("RT token: set") if has else _("RT token: not set"))
            self.table.setItem(index, 3, cell)
        self._update_token_buttons()

    def set_agent_token(self) -> None:
        email, name = self.selected_email(), self.name
        if email is None:
            return
        dialog = QDialog(self)
        dialog.setObjectName("agentTokenDialog")
        dialog.setWindowTitle(_("{email}'s RT token").format(email=email))
        form = QFormLayout(dialog)
        field = named(QLineEdit(dialog), _("Agent token"),
                      _("The agent's own RT auth token; kept in the system keyring, never shown again"))
        field.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("&Token"), field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   dialog)
        named(buttons.button(QDialogButtonBox.StandardButton.Ok), _("Store token"), _("Keep this token"))
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)

        def accepted() -> None:
            try:  # checked before the dialog closes: an empty token stays to be corrected
                secret = credentials.Secret.loads(field.text())
            except errors.DeskError as exc:
                show_error(dialog, exc)
                return
            field.clear()
            dialog.accept()
            self.tasks.net(lambda: credentials.store_agent_secret(name, email, secret),
                           on_done=lambda _r: self._tokens_saved(), on_error=lambda exc: show_error(self, exc),
                           owner=self)

        buttons.accepted.connect(accepted)
        dialog.open()
        self.token_dialog = dialog

    def clear_agent_token(self) -> None:
        email, name = self.selected_email(), self.name
        if email is None:
            return
        self.tasks.net(lambda: credentials.delete_agent_secret(name, email), on_done=lambda _r: self._tokens_saved(),
                       on_error=lambda exc: show_error(self, exc), owner=self)

    def _tokens_saved(self) -> None:
        self.tokens_changed.emit()
        self.load_tokens()

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
