"""Settings → E-mail: the desk's own mail account (SMTP out, IMAP in) for desks without a
hosted helpdesk.

Saving is one ``save_mail_settings`` op; a password typed here then goes to the system keyring
on the network pool (the keyring may block on an unlock prompt), never to the store. "Test"
logs in to both servers on the network pool and says what happened; it sends nothing.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.core.changes import Changes
from desk.core.i18n import N_, _
from desk.core.mail import settings as ms
from desk.ui.tasks import Tasks
from desk.ui.widgets import button, named

SECURITY_LABELS = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": N_("none (loopback only)")}


def _test(settings: ms.MailSettings) -> list[str]:
    """On the network pool: log in to each server set up; one line each."""
    from desk.core.mail import imap, smtp

    password = ms.load_password(settings)
    lines = []
    if settings.sending:
        try:
            smtp.check(settings, password)
            lines.append(_("SMTP: OK"))
        except smtp.MailFailure as exc:
            lines.append(_("SMTP: {why}").format(why=exc.message))
    if settings.receiving:
        try:
            with imap.open_folder(settings, password):
                pass
            lines.append(_("IMAP: OK"))
        except smtp.MailFailure as exc:
            lines.append(_("IMAP: {why}").format(why=exc.message))
    return lines or [_("Nothing to test: set an SMTP server and a From address first.")]


class MailPage(QWidget):
    def __init__(self, tasks: Tasks, current_agent, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.tasks = tasks
        self.current_agent = current_agent
        self.settings = ms.MailSettings()
        layout = QVBoxLayout(self)
        intro = QLabel(_("For a desk without a hosted helpdesk: public replies and “we have your request” go out by "
                         "e-mail, and people's answers come back onto their tickets. Leave empty to not use e-mail."),
                       self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.smtp_host = self._line(_("SMTP server"), _("e.g. smtp.school.example"))
        self.smtp_port = self._port(_("SMTP port"), 587)
        self.smtp_security = self._security(_("SMTP security"))
        self.username = self._line(_("User name"), _("The mailbox's login, for SMTP and IMAP"))
        self.password = self._line(_("Password"), _("Kept in the system keyring, never in the store"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.imap_host = self._line(_("IMAP server"), _("Where people's answers arrive, e.g. imap.school.example"))
        self.imap_port = self._port(_("IMAP port"), 993)
        self.imap_security = self._security(_("IMAP security"))
        self.imap_folder = self._line(_("IMAP folder"), _("The folder read for answers (read only)"))
        self.from_address = self._line(_("From address"), _("What people see and answer to, e.g. help@school.example"))
        self.from_name = self._line(_("From name"), _("e.g. School Tech Desk"))
        for label, widget in (
            (_("SMTP server:"), self.smtp_host), (_("SMTP port:"), self.smtp_port),
            (_("SMTP security:"), self.smtp_security), (_("User name:"), self.username),
            (_("Password:"), self.password), (_("IMAP server:"), self.imap_host), (_("IMAP port:"), self.imap_port),
            (_("IMAP security:"), self.imap_security), (_("IMAP folder:"), self.imap_folder),
            (_("From address:"), self.from_address), (_("From name:"), self.from_name),
        ):
            form.addRow(label, widget)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_button = button(_("&Save e-mail settings"), _("Save the servers and address; a typed password "
                                                              "goes to the keyring"), self,
                                  name=_("Save e-mail settings"), slot=self.save)
        self.test_button = button(_("&Test connection"), _("Log in to the SMTP and IMAP servers; sends nothing"),
                                  self, name=_("Test e-mail connection"), slot=self.test)
        row.addWidget(self.save_button)
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.result = named(QLabel(self), _("E-mail result"), _("What the last save or test said"))
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        layout.addStretch(1)
        tasks.changes_executed.connect(self._on_changes)
        self.reload()

    def _line(self, name: str, tip: str) -> QLineEdit:
        return named(QLineEdit(self), name, tip)

    def _port(self, name: str, default: int) -> QSpinBox:
        box = named(QSpinBox(self), name, _("The server's port"))
        box.setRange(1, 65535)
        box.setValue(default)
        return box

    def _security(self, name: str) -> QComboBox:
        box = named(QComboBox(self), name, _("How the connection is encrypted"))
        for code in ms.SECURITY:
            box.addItem(_(SECURITY_LABELS[code]), code)
        return box

    # -- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        self.tasks.db(ms.load_mail_settings, on_done=self._loaded, owner=self, discardable=True)

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        if changes.settings and initiator is not self:
            self.reload()

    def _loaded(self, settings: ms.MailSettings) -> None:
        self.settings = settings
        for name in ("smtp_host", "username", "imap_host", "imap_folder", "from_address", "from_name"):
            getattr(self, name).setText(getattr(settings, name))
        self.smtp_port.setValue(settings.smtp_port)
        self.imap_port.setValue(settings.imap_port)
        for name in ("smtp_security", "imap_security"):
            box: QComboBox = getattr(self, name)
            box.setCurrentIndex(box.findData(getattr(settings, name)))
        self.tasks.net(lambda: ms.has_password(settings), on_done=self._show_password_state, owner=self)

    def _show_password_state(self, stored: bool) -> None:
        self.password.setPlaceholderText(_("(stored in the system keyring)") if stored else _("(none stored)"))

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {name: getattr(self, name).text() for name in
                                     ("smtp_host", "username", "imap_host", "imap_folder", "from_address", "from_name")}
        values |= {"smtp_port": self.smtp_port.value(), "imap_port": self.imap_port.value(),
                   "smtp_security": self.smtp_security.currentData(), "imap_security": self.imap_security.currentData()}
        return values

    # -- saving and testing ---------------------------------------------------------------------
    def save(self) -> None:
        values, actor, password = self.values(), self.current_agent(), self.password.text()
        self.tasks.op(lambda s: ms.save_mail_settings(s, actor_id=actor, values=values), initiator=self,
                      on_done=lambda _c: self._saved(password), on_error=self._failed, owner=self)

    def _saved(self, password: str) -> None:
        self.result.setText(_("E-mail settings saved."))
        if not password:
            self.reload()
            return
        self.password.clear()
        self.tasks.db(ms.load_mail_settings, owner=self, on_error=self._failed,
                      on_done=lambda settings: self.tasks.net(lambda: ms.store_password(settings, password),
                                                              on_done=lambda _r: self._password_stored(),
                                                              on_error=self._failed, owner=self))

    def _password_stored(self) -> None:
        self.result.setText(_("E-mail settings saved; the password is in the system keyring."))
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        from desk.core.errors import DeskError
        from desk.ui.errors import show_error

        if isinstance(exc, DeskError):
            self.result.setText(exc.message)
        else:
            show_error(self, exc)

    def test(self) -> None:
        self.result.setText(_("Testing…"))
        self.tasks.db(ms.load_mail_settings, owner=self, on_error=self._failed,
                      on_done=lambda settings: self.tasks.net(lambda: _test(settings), owner=self,
                                                              on_done=lambda lines: self.result.setText("\n".join(lines)),
                                                              on_error=self._failed))
