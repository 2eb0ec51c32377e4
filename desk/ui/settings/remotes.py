"""Settings → Remotes: list, add, set the token of and remove hosted helpdesks.

Adding and removing a remote are core operations run with ``tasks.op``: their
``Changes(remotes=True)`` reach the whole window through ``changes_executed`` (the Sync menu,
the status-bar counts, editor banners). The keyring (which may block on an unlock prompt) is
only ever called on the network pool (``tasks.net``), after the operation: storing the token of
a new remote, forgetting the token of a removed one. The token field never echoes and is
cleared once the remote is added; a form the store refuses (a bad address, a taken name, a
malformed OAuth credential) stays open with everything typed, the token included, to correct.
With no remote the dialog says what remotes are for; Set token and Remove need a selected row.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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
from shiboken6 import isValid

from desk.core import errors
from desk.core.i18n import N_, _
from desk.core.sync import config, credentials
from desk.ui import plain_text
from desk.ui.errors import show_error
from desk.ui.settings.remote_people import RemotePeopleDialog
from desk.ui.tasks import Tasks
from desk.ui.widgets import named

EMPTY_TEXT = N_("No remote helpdesk yet. Desk works on its own; to share tickets with Zendesk or Request "
              "Tracker 5 (and other PCs of the desk), press Add….")
COLUMNS = (N_("Name"), N_("Kind"), N_("Address"), N_("User"), N_("Sign-in"), N_("Token"), N_("Last synced"),
           N_("Waiting"), N_("Last problem"))


def load_rows(session) -> list[dict[str, object]]:  # noqa: ANN001 - runs on the DB worker
    return [
        {"name": r.name, "kind": r.kind, "url": r.url, "user": r.username, "auth": r.auth,
         "last": r.last_synced_at.strftime("%Y-%m-%d %H:%M UTC") if r.last_synced_at else "never",
         "pending": config.pending_count(session, r.id), "error": r.last_error or ""}
        for r in config.list_remotes(session)
    ]


class RemoteForm(QDialog):
    """Add a remote: kind, address, user, sign-in mode and the token (stored in the keyring).

    OK asks (``submitted``); the form closes only when the remote was added (``added``)."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Add a remote helpdesk"))
        self.setObjectName("remoteForm")
        form = QFormLayout(self)
        self.name = named(QLineEdit(self), _("Remote name"), _("A short name, e.g. zendesk or rt"))
        self.kind = named(QComboBox(self), _("Kind"), _("Zendesk Support or Request Tracker 5"))
        self.kind.addItem(_("Zendesk"), "zendesk")
        self.kind.addItem(_("Request Tracker 5"), "rt")
        self.url = named(QLineEdit(self), _("Address"), "https://yours.zendesk.com or https://rt.example.org "
                          "(HTTPS required except on this computer)")
        self.user = named(QLineEdit(self), _("User"), _("Zendesk: the agent's e-mail; RT: the user name"))
        self.auth = named(QComboBox(self), _("Sign-in"), _("How Desk signs in"))
        self.token = named(QLineEdit(self), _("Token"), _("The API token, OAuth token or password; kept in the "
                            "system keyring, never in the store"))
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.name.setPlaceholderText("zendesk")
        self.url.setPlaceholderText("https://yours.zendesk.com")
        self.user.setPlaceholderText("agent@example.edu")
        self.setMinimumWidth(420)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        for label, widget in (("&Name", self.name), ("&Kind", self.kind), ("&Address", self.url),
                              ("&User", self.user), ("&Sign-in", self.auth), ("&Token", self.token)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        for button, name in ((QDialogButtonBox.StandardButton.Ok, "Add remote"),
                             (QDialogButtonBox.StandardButton.Cancel, "Cancel")):
            named(buttons.button(button), name, name)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)

    def accept(self) -> None:
        """OK: ask for the remote to be added; the form stays until it is."""
        self.ok_button.setEnabled(False)  # one request at a time
        self.submitted.emit()

    def refused(self) -> None:
        """The store said no: everything typed stays, to be corrected."""
        self.ok_button.setEnabled(True)

    def added(self) -> None:
        self.token.clear()
        super().accept()

    def _kind_changed(self) -> None:
        self.auth.clear()
        modes = config.AUTH_MODES[self.kind.currentData()]
        labels = {"token": _("API token"), "password": _("Password"), "oauth": _("OAuth bearer (JSON with refresh)")}
        for mode in modes:
            self.auth.addItem(labels[mode], mode)

    def values(self) -> dict[str, str]:
        return {"name": self.name.text().strip(), "kind": self.kind.currentData(), "url": self.url.text().strip(),
                "username": self.user.text().strip(), "auth": self.auth.currentData()}


class RemotesDialog(QDialog):
    changed = Signal()  # a remote or token was added, changed or removed (the list is reloaded)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.setWindowTitle(_("Remote helpdesks"))
        self.setObjectName("remotesDialog")
        self.resize(900, 320)
        layout = QVBoxLayout(self)
        intro = QLabel(_("Desk syncs its tickets with these helpdesks. Tokens are kept in the system keyring."), self)
        intro.setWordWrap(True)
        named(intro, _("About remotes"), _("What this list is"))
        layout.addWidget(intro)
        self.table = named(QTableWidget(0, len(COLUMNS), self), _("Remotes"), _("The configured remote helpdesks"))
        self.table.setHorizontalHeaderLabels([_(title) for title in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.empty = named(QLabel(_(EMPTY_TEXT), self), _("No remotes yet"), _("There is no remote helpdesk yet"))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty, 1)
        row = QHBoxLayout()
        self.add_button = named(QPushButton(_("&Add…"), self), _("Add remote"), _("Add a Zendesk or RT remote"))
        self.token_button = named(QPushButton(_("Set &token…"), self), _("Set token"),
                                   _("Replace the selected remote's token"))
        self.remove_button = named(QPushButton(_("&Remove"), self), _("Remove remote"),
                                    _("Forget the selected remote and its token (tickets stay)"))
        self.people_button = named(QPushButton(_("&People…"), self), _("Agent accounts"),
                                   _("Which account on the selected remote each agent here is (and, on "
                                     "Request Tracker, their own token)"))
        self.close_button = named(QPushButton(_("&Close"), self), _("Close"), _("Close this window"))
        for button in (self.add_button, self.token_button, self.people_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add)
        self.token_button.clicked.connect(self.set_token)
        self.remove_button.clicked.connect(self.remove)
        self.people_button.clicked.connect(self.people)
        self.close_button.clicked.connect(self.accept)
        self.rows: list[dict[str, object]] = []
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self.refresh()

    def _update_buttons(self) -> None:
        chosen = self.selected_name() is not None
        self.token_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        self.people_button.setEnabled(chosen)

    def refresh(self) -> None:
        self.tasks.db(load_rows, on_done=self._loaded, on_error=lambda exc: show_error(self, exc), owner=self)

    def _loaded(self, rows: list[dict[str, object]]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.tasks.net(lambda: [credentials.has_secret(str(r["name"])) for r in rows],
                       on_done=self._tokens, owner=self)
        for index, item in enumerate(rows):
            values = (item["name"], item["kind"], item["url"], item["user"], item["auth"], "…", item["last"],
                      item["pending"], item["error"])
            for column, value in enumerate(values):
                cell = QTableWidgetItem(str(value))  # an item view's text is plain text
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == len(values) - 1 and value:  # the remote's last error, often cut off
                    cell.setToolTip(plain_text.tooltip(str(value)))
                self.table.setItem(index, column, cell)
        if rows and not self.table.selectedItems():
            self.table.selectRow(0)
        self._update_buttons()

    def _tokens(self, stored: list[bool]) -> None:
        for index, ok in enumerate(stored[: self.table.rowCount()]):
            self.table.setItem(index, 5, QTableWidgetItem("stored" if ok else "missing"))

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return str(self.rows[rows[0].row()]["name"])

    def add(self) -> None:
        form = RemoteForm(self)
        form.submitted.connect(lambda: self._add(form))
        form.open()
        self.form = form

    def _add(self, form: RemoteForm) -> None:
        values, token = form.values(), form.token.text()

        def refused(exc: BaseException) -> None:
            if isValid(form):
                form.refused()
                show_error(form, exc)  # over the form, which keeps what was typed
            elif isValid(self):
                self._failed(exc)

        try:  # a malformed OAuth credential is refused before the remote is added
            secret = credentials.Secret.loads(token) if token.strip() else None
        except errors.DeskError as exc:
            refused(exc)
            return

        def stored(_changes: object) -> None:
            if isValid(form):
                form.added()
            if secret is not None:
                self.tasks.net(lambda: credentials.store_secret(values["name"], secret),
                               on_done=lambda _r: self._done(), on_error=self._failed, owner=self)
            elif isValid(self):
                self._done()

        # No owner for ``stored``: the token is kept even if this dialog is closed meanwhile.
        self.tasks.op(lambda s: config.add_remote(s, **values), self, on_done=stored, on_error=refused)

    def set_token(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(_('Token for {name}').format(name=name))
        form = QFormLayout(dialog)
        field = named(QLineEdit(dialog), _("Token"), _("Kept in the system keyring; never shown again"))
        field.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("&Token"), field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   dialog)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)

        def accepted() -> None:
            text = field.text()
            try:  # checked before the dialog closes: a malformed credential stays to be corrected
                secret = credentials.Secret.loads(text)
            except errors.DeskError as exc:
                show_error(dialog, exc)
                return
            field.clear()
            dialog.accept()
            self.tasks.net(lambda: credentials.store_secret(name, secret),
                           on_done=lambda _r: self._done(), on_error=lambda exc: show_error(self, exc), owner=self)

        buttons.accepted.connect(accepted)
        dialog.open()
        self.token_dialog = dialog

    def people(self) -> RemotePeopleDialog | None:
        """The agents' accounts on the selected remote (matched by e-mail unless set here)."""
        name = self.selected_name()
        if name is None:
            return None
        kind = next((str(r["kind"]) for r in self.rows if r["name"] == name), "")
        dialog = RemotePeopleDialog(self.tasks, name, self, kind=kind)
        dialog.saved.connect(self.changed)
        dialog.open()
        self.people_dialog = dialog
        return dialog

    def remove(self) -> None:
        name = self.selected_name()
        if name is None:
            return

        def removed(_changes: object) -> None:  # the token goes even if this dialog was closed
            self.tasks.net(lambda: credentials.delete_secret(name), on_done=lambda _r: self._done(),
                           on_error=self._failed, owner=self)

        self.tasks.op(lambda s: config.remove_remote(s, name=name), self, on_done=removed, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        show_error(self, exc)

    def _done(self) -> None:
        self.changed.emit()
        self.refresh()
