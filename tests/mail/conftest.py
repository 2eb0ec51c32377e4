"""Fixtures for the e-mail tests: real SMTP and IMAP servers on loopback, and a desk set up to use them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.core.mail import settings as mail_settings
from tests.mail import servers


@pytest.fixture
def smtp_server() -> Iterator[servers.SmtpServer]:
    server = servers.SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def imap_server() -> Iterator[servers.ImapServer]:
    if not servers.dovecot_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but dovecot is missing: packaging/system-deps.sh test installs dovecot-imapd.")
        pytest.skip("dovecot is not installed (Debian: apt-get install dovecot-imapd); the IMAP tests need it.")
    # Not under pytest's tmp_path: its folders are private to the test's user, and dovecot's mail
    # processes run as another one (nobody, when the tests run as root).
    root = Path(tempfile.mkdtemp(prefix="desk-dovecot-"))
    server = servers.ImapServer(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def configure(session, *, smtp_port: int, imap_port: int | None = None,  # noqa: ANN001
              password: str = servers.PASSWORD) -> mail_settings.MailSettings:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_security": "none", "username": servers.USER,
        "from_address": "help@desk.test", "from_name": "Tech Desk",
    }
    if imap_port is not None:
        values |= {"imap_host": "127.0.0.1", "imap_port": imap_port, "imap_security": "none"}
    mail_settings.save_mail_settings(session, actor_id=None, values=values)
    settings = mail_settings.load_mail_settings(session)
    mail_settings.store_password(settings, password)
    return settings


@pytest.fixture
def mail_desk(session, smtp_server: servers.SmtpServer) -> mail_settings.MailSettings:  # noqa: ANN001
    """The store's desk sends through the loopback SMTP server (no IMAP)."""
    return configure(session, smtp_port=smtp_server.port)


@pytest.fixture
def full_mail_desk(session, smtp_server: servers.SmtpServer,  # noqa: ANN001
                   imap_server: servers.ImapServer) -> mail_settings.MailSettings:
    return configure(session, smtp_port=smtp_server.port, imap_port=imap_server.port)


from tests.ui.conftest import main_window, tasks  # noqa: E402, F401 - the window fixtures, for test_mail_ui
