"""One SMTP delivery attempt, its failure typed: temporary (try again later) or permanent.

Offline, refused, timed out, a 4xx answer or a refused login are temporary: the mail stays
queued and nothing is lost once the network or the password is back. A 5xx answer about the
recipient or the message is permanent: trying again would give the same answer. Messages
name the server and its answer, never the password.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from desk.core import errors
from desk.core.i18n import _
from desk.core.mail.settings import MailSettings

TIMEOUT = 30.0


class MailFailure(errors.DeskError):
    """An attempt failed; ``permanent`` says whether trying again could help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _answer(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}"


def connect(settings: MailSettings, password: str, *, timeout: float = TIMEOUT) -> smtplib.SMTP:
    """An open, logged-in connection (raises ``MailFailure``; a half-open one is closed)."""
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    server: smtplib.SMTP | None = None
    try:
        if settings.smtp_security == "ssl":
            server = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
            if settings.smtp_security == "starttls":
                server.starttls(context=ssl.create_default_context())
        if settings.username and password:
            server.login(settings.username, password)
        return server
    except smtplib.SMTPAuthenticationError:
        failure = MailFailure(_("The mail server {where} refused the user name or password; set the password "
                                "again (`desk mail setup --password-stdin` or Settings → E-mail).").format(where=where))
    except smtplib.SMTPNotSupportedError:
        failure = MailFailure(_("The mail server {where} does not offer STARTTLS; choose another security setting.")
                              .format(where=where))
    except (OSError, smtplib.SMTPException) as exc:
        failure = MailFailure(_("The mail server {where} cannot be reached ({why}).")
                              .format(where=where, why=type(exc).__name__))
    if server is not None:
        server.close()
    raise failure


def deliver(settings: MailSettings, password: str, message: EmailMessage, *, timeout: float = TIMEOUT) -> None:
    """Hand ``message`` to the SMTP server (raises ``MailFailure``)."""
    server = connect(settings, password, timeout=timeout)
    try:
        refused = server.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        answers = "; ".join(f"{code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
                            for code, msg in exc.recipients.values())
        permanent = all(code >= 500 for code, _msg in exc.recipients.values())
        raise MailFailure(_("The mail server refused the address: {answer}").format(answer=answers),
                          permanent=permanent) from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise MailFailure(_("The mail server refused the message: {answer}").format(answer=_answer(exc)),
                          permanent=exc.smtp_code >= 500) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailure(_("The connection to the mail server was lost ({why}).")
                          .format(why=type(exc).__name__)) from None
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    if refused:
        raise MailFailure(_("The mail server refused the address: {answer}").format(answer=refused), permanent=True)


def check(settings: MailSettings, password: str, *, timeout: float = 15.0) -> None:
    """Connect and log in, send nothing (``desk mail test``)."""
    server = connect(settings, password, timeout=timeout)
    try:
        server.noop()
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
