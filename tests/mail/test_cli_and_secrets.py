"""`desk mail …` on a real store and real servers; the password never leaves the keyring."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.mail import reader, sender
from desk.core.mail import settings as ms
from desk.core.ops import people, replies, tickets
from tests.mail import servers
from tests.mail.test_imap_intake import _mail


def _setup(db: Path, smtp: servers.SmtpServer, imap: servers.ImapServer, password: str,
           monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["mail", "setup", "--db", str(db), "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port),
                 "--smtp-security", "none", "--user", servers.USER, "--imap-host", "127.0.0.1",
                 "--imap-port", str(imap.port), "--imap-security", "none", "--from", "help@desk.test",
                 "--password-stdin"])


def test_setup_test_send_status_outbox_fetch(tmp_path: Path, capsys, monkeypatch, smtp_server,  # noqa: ANN001
                                             imap_server) -> None:
    db = tmp_path / "cli.sqlite3"
    assert main(["init", str(db)]) == 0
    assert _setup(db, smtp_server, imap_server, servers.PASSWORD, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Stored the mail password in the system keyring." in out and servers.PASSWORD not in out
    assert main(["mail", "test", "--db", str(db)]) == 0
    assert "SMTP 127.0.0.1" in capsys.readouterr().out

    assert main(["log", "--db", str(db), "--requester", "kim@uni.test", "--name", "Kim Lee",
                 "--category", "Printing", "--subject", "Cannot print"]) == 0
    capsys.readouterr()
    assert main(["mail", "outbox", "--db", str(db), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["kind"], row["state"], row["to"]) == ("confirmation", "queued", "kim@uni.test")
    assert main(["mail", "send", "--db", str(db)]) == 0
    assert "Sent 1 e-mail." in capsys.readouterr().out
    assert main(["mail", "send", "--db", str(db)]) == 0
    assert "Sent 0 e-mails." in capsys.readouterr().out and len(smtp_server.messages) == 1

    imap_server.append(_mail(sender_address="kim@uni.test", subject="Re: [Desk #1] Cannot print",
                             body="Now it works!", message_id="<kim-2@uni.test>"))
    assert main(["mail", "fetch", "--db", str(db)]) == 0
    assert "1 mail filed on tickets." in capsys.readouterr().out
    assert main(["mail", "status", "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert "Channel to people: e-mail from help@desk.test" in status
    assert "Outbox: 0 queued, 1 sent, 0 failed" in status and "stored in the system keyring" in status
    assert servers.PASSWORD not in status
    logs = [path for path in (tmp_path / "logs").rglob("*") if path.is_file()]
    stored = [path for path in tmp_path.glob("cli.sqlite3*") if path.is_file()]
    assert logs and stored  # the CLI logged its work; neither the log nor the store holds the password
    assert all(servers.PASSWORD.encode() not in path.read_bytes() for path in logs + stored)


def test_a_wrong_password_keeps_the_mail_queued_and_says_why(tmp_path: Path, capsys, monkeypatch,  # noqa: ANN001
                                                             smtp_server, imap_server) -> None:
    db = tmp_path / "cli.sqlite3"
    assert main(["init", str(db)]) == 0
    assert _setup(db, smtp_server, imap_server, "not-the-password", monkeypatch) == 0
    assert main(["log", "--db", str(db), "--requester", "kim@uni.test", "--category", "Printing", "--subject", "Cannot print"]) == 0
    capsys.readouterr()
    assert main(["mail", "send", "--db", str(db)]) == 1
    assert "refused the user name or password" in capsys.readouterr().out
    assert main(["mail", "test", "--db", str(db)]) == 1
    assert "IMAP: The IMAP server 127.0.0.1" in capsys.readouterr().out
    assert smtp_server.messages == []

    _setup(db, smtp_server, imap_server, servers.PASSWORD, monkeypatch)  # the right password now
    capsys.readouterr()
    assert main(["mail", "retry", "1", "--db", str(db)]) == 0  # no need to wait for the back-off
    assert "Mail 1 is queued again" in capsys.readouterr().out
    assert main(["mail", "send", "--db", str(db)]) == 0 and len(smtp_server.messages) == 1
    assert main(["mail", "retry", "99", "--db", str(db)]) == 2


def test_the_password_is_in_no_store_log_message_or_error(tmp_path: Path, smtp_server, imap_server) -> None:  # noqa: ANN001
    """After setting up, sending, a refused login and reading mail, the password is only in the keyring."""
    secret = servers.PASSWORD
    db = tmp_path / "secrets.sqlite3"
    texts: list[str] = []
    with open_store(db) as store, store.session() as session:
        from tests.mail.conftest import configure

        settings = configure(session, smtp_port=smtp_server.port, imap_port=imap_server.port)
        agent = people.add_agent(session, name="Ana", email="ana@desk.test").created_id
        person = people.ensure_requester(session, email="kim@uni.test", name="Kim").created_id
        ticket_id = tickets.log_ticket(session, actor_id=agent, requester_id=person, subject="Wi-Fi").created_id
        replies.send_reply(session, ticket_id=ticket_id, author_id=agent, body="Try now.", public=True)
        texts += [why for _id, why in sender.deliver_due(session, password="wrong").retrying]
        ms.store_password(settings, secret)
        imap_server.append(_mail(sender_address="kim@uni.test", subject=f"Re: [Desk #{ticket_id}] Wi-Fi"))
        reader.read_new(session)
        texts.append(repr(settings))
    assert ms.load_password(settings) == secret  # it is in the keyring …
    files = [db, *tmp_path.glob("secrets.sqlite3*"), *(tmp_path / "logs").rglob("*")]
    blobs = [path.read_bytes() for path in files if path.is_file()]
    blobs += [message.as_bytes() for message in smtp_server.messages]
    assert blobs and all(secret.encode() not in blob for blob in blobs)  # … and nowhere else
    assert texts and all(secret not in text for text in texts)
