"""The log file: where it goes, how it rotates, what the core writes there, no secrets."""

from __future__ import annotations

import logging
import logging.handlers
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desk.cli.main import main
from desk.core import logs

SECRETS = [
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig", "eyJhbGciOiJIUzI1NiJ9"),
    ("headers={'Authorization': 'Basic YWdlbnRAdW5pLmVkdTpodW50ZXIy'}", "YWdlbnRAdW5pLmVkdTpodW50ZXIy"),
    ("GET /api?token=9f8e7d6c5b4a&page=2", "9f8e7d6c5b4a"),
    ('{"api_token": "zd-0123456789abcdef", "url": "x"}', "zd-0123456789abcdef"),
    ("password=hunter2 for ana", "hunter2"),
    ("client_secret: s3cr3t-value", "s3cr3t-value"),
    ("pushing to https://ana:rt-p4ss@rt.uni.example/REST/2.0", "rt-p4ss"),
    ("retrying with bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
    ("cloning https://ana:pa/ss:w0rd@rt.example", "pa/ss:w0rd"),
    ("""config {"password": "correct horse battery", "user": "ana"}""", "horse battery"),
]


def desk_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger("desk").handlers if isinstance(h, logs._DeskFileHandler)]


@pytest.fixture
def log_file(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DESK_LOG_DIR", str(tmp_path / "my-logs"))
    path = logs.setup_logging()
    yield path
    for handler in desk_handlers():
        handler.flush()


def read(path) -> str:  # noqa: ANN001
    for handler in desk_handlers():
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_goes_to_desk_log_dir_rotating_1mb_times_5(log_file, tmp_path):
    assert log_file == tmp_path / "my-logs" / "desk.log"
    (handler,) = desk_handlers()
    rotating = handler.target()
    assert isinstance(rotating, logging.handlers.RotatingFileHandler)
    assert (rotating.maxBytes, rotating.backupCount) == (1_000_000, 5)
    assert rotating.baseFilename == str(log_file)
    assert logs.setup_logging() == log_file and len(desk_handlers()) == 1  # a second call: same


@pytest.mark.parametrize(("line", "secret"), SECRETS)
def test_secrets_are_redacted_in_messages_arguments_and_tracebacks(log_file, line, secret):
    logger = logging.getLogger("desk.sync")
    logger.info(line)
    logger.warning("request failed: %s", line)
    try:
        raise RuntimeError(line)
    except RuntimeError:
        logger.exception("push failed")
    text = read(log_file)
    assert secret not in text
    assert text.count(logs.REDACTED) >= 3
    assert "request failed" in text and "push failed" in text


def test_ordinary_words_are_left_alone():
    line = "ticket #12 synced to zd; 3 tokens of work (password reset category) left"
    assert logs.redact(line) == line


def test_operations_are_logged_by_name_on_commit(log_file, session, requester_id):
    from desk.core.ops import tickets

    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer jam")
    text = read(log_file)
    assert "DEBUG" in text and "desk.core.ops.tickets.log_ticket committed" in text
    assert "desk.core.ops.people.ensure_requester committed" in text


def test_a_refused_operation_is_logged_with_its_reason(log_file, session):
    from desk.core import errors
    from desk.core.ops import tickets

    with pytest.raises(errors.NotFound):
        tickets.claim(session, ticket_id=999, agent_id=1)
    assert "desk.core.ops.tickets.claim rolled back: NotFound" in read(log_file)


def test_the_cli_sets_the_log_up_and_logs_what_it_told_the_user(tmp_path, capsys):
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("not a store")
    assert main(["list", "--db", str(bad)]) == 1  # environment error (issue 18)
    text = read(tmp_path / "logs" / "desk.log")  # DESK_LOG_DIR of the test (conftest)
    assert "StoreCorrupt" in text and str(bad) in text
    assert "not a Desk store" in capsys.readouterr().err


FORMS = ["Authorization: Bearer {s}", "authorization={s}", "'Authorization': 'Basic {s}'", "?token={s}&x=1",
         '"api_token": "{s}"', "password: {s}", "access_token={s}", "https://agent:{s}@rt.example/REST",
         "Proxy-Authorization: Token {s}", "client_secret={s}"]


@settings(max_examples=400)
@given(form=st.sampled_from(FORMS),
       secret=st.text(alphabet=string.ascii_letters + string.digits + "-_.~+/=", min_size=8, max_size=60),
       before=st.sampled_from(["", "push failed: ", "headers {"]), after=st.sampled_from(["", " (retrying)", "}"]))
def test_no_secret_survives_redaction(form, secret, before, after):
    assume(secret.strip("-_.~+/=") and "@" not in secret)
    cleaned = logs.redact(before + form.format(s=secret) + after)
    assert secret not in cleaned and logs.REDACTED in cleaned
