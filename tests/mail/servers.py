"""Real mail servers on loopback for the e-mail tests: aiosmtpd (SMTP) and Debian's dovecot (IMAP).

Both are started and stopped by the tests. Dovecot runs from a config written to a temporary
folder: one passwd-file user, plain login (loopback only), Maildir in the same folder, a free
port on 127.0.0.1. Test mails reach it by IMAP APPEND, as a mail server's delivery would.
"""

from __future__ import annotations

import imaplib
import logging
import os
import pwd
import shutil
import socket
import subprocess
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "desk"
PASSWORD = "Pa55-w0rd-never-in-the-store"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, *, process: subprocess.Popen | None = None, seconds: float = 20.0) -> None:
    """Until the server accepts connections (a readiness check, not a timing assumption)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        data = envelope.original_content or envelope.content  # type: ignore[attr-defined]
        self.raw.append(bytes(data))
        self.messages.append(message_from_bytes(bytes(data), policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _authenticate(server: object, session: object, envelope: object, mechanism: str,
                  auth_data: object) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """aiosmtpd on a fixed loopback port, which can be stopped and started again. It checks the
    login Desk sends (a wrong password is refused); requiring one without TLS would only warn."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Collect()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        # aiosmtpd logs a deprecation of its own (Session.login_data) on every login.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, auth_required=False,
                                     auth_require_tls=False, authenticator=_authenticate)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def dovecot_available() -> bool:
    return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()


class ImapServer:
    """Dovecot with its own config, user and Maildir under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        root = self.root
        for name in ("run", "state", "mail"):
            (root / name).mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        if os.geteuid() == 0:  # dovecot will not keep mail as root: the mail belongs to nobody
            owner, users = pwd.getpwnam("nobody"), ""
            os.chown(root / "mail", owner.pw_uid, owner.pw_gid)
        else:  # as a plain user, every dovecot process runs as that user
            owner = pwd.getpwuid(os.geteuid())
            users = f"default_internal_user = {owner.pw_name}\ndefault_login_user = {owner.pw_name}\n"
        (root / "dovecot.conf").write_text(f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
{users}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self.process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            if self.process.stderr is not None:
                self.process.stderr.close()
            self.process = None

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes | EmailMessage, folder: str = "INBOX") -> None:
        data = raw.as_bytes() if isinstance(raw, EmailMessage) else raw
        client = self.client()
        try:
            status, answer = client.append(folder, None, None, data)
            assert status == "OK", answer
        finally:
            client.logout()

    def count(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            status, data = client.select(folder, readonly=True)
            assert status == "OK"
            return int(data[0])
        finally:
            client.logout()
