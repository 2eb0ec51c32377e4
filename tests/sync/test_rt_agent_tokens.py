"""Agents' own Request Tracker tokens against the real RT 5: a token RT refuses, another RT
user's token or one RT will not let write is reported for that agent and the reply goes up
once, as the sync user with the "written by" line; `desk remote token` and `desk remote check`
never show a token, and no token is in the store file, the log file or the CLI's output."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from desk.cli.main import main
from desk.core.models import Person, SyncOutbox, Ticket
from desk.core.ops import comments as comment_ops
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import credentials, engine
from desk.core.sync.remotes.rt_agents import token_user_id
from tests.sync import rt_server
from tests.sync.conftest import RTBackend, sync_backend
from tests.sync.test_two_pcs import _remote_of, rt_replies


@pytest.fixture
def rt_backend(rt: rt_server.RTServer) -> Iterator[RTBackend]:
    backend = RTBackend(rt)
    backend.agent_account("ana@desk.test", "Ana Student")
    backend.agent_account("bo@desk.test", "Bo Staff")
    yield backend
    backend.close()


sync = sync_backend  # one engine run with a fresh adapter (tests/sync/conftest.py)


def a_reply_by_ana(session: Any, backend: RTBackend, agent_id: int, requester_id: int, body: str) -> str:
    backend.add_remote(session)
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject=body).created_id
    sync(session, backend)
    comment_ops.add_comment(session, ticket_id=tid, author_id=agent_id, body=body, public=True)
    return _remote_of(session, tid)


def wrong_secret(token: str) -> str:
    """The same RT user's token with another secret part: what a revoked token looks like to RT."""
    user, _secret = token.rsplit("-", 1)
    return f"{user}-{'0' * 32}"


@pytest.mark.parametrize("kind", ["revoked", "another user's", "not allowed to write"])
def test_a_token_rt_will_not_take_falls_back_to_the_sync_user_once_with_a_report_line(
        session: Any, rt_backend: RTBackend, agent_id: int, requester_id: int, kind: str) -> None:
    server = rt_backend.server
    if kind == "revoked":
        token = wrong_secret(rt_server.agent_token(server, email="ana@desk.test", login="ana", name="Ana"))
        expected = "RT refused ana@desk.test's token: Unauthorized (HTTP 401)."
    elif kind == "another user's":
        token = rt_server.agent_token(server, email="bo@desk.test", login="bo", name="Bo Staff")
        expected = "ana@desk.test's RT token belongs to the RT user "
    else:  # a requester's account (not staff): RT takes the token but not the reply
        token = rt_server.agent_token(server, email="ana.home@uni.test", login="ana-home", name="Ana at home",
                                      privileged=False)
        rt_backend.config = lambda: {"queue": rt_backend.queue, "people": {"ana@desk.test": "ana-home"}}
        expected = "RT refused ana@desk.test's token: Permission Denied (HTTP 400)."  # by the reply itself
    credentials.store_agent_secret("rt", "ana@desk.test", credentials.Secret(token=token))
    remote_id = a_reply_by_ana(session, rt_backend, agent_id, requester_id, f"Reply ({kind})")
    report = sync(session, rt_backend)
    assert report.failed == [] and report.comments_out == 1, report
    [note] = [n for n in report.notes if "ana@desk.test" in n]
    assert note.startswith(expected), note
    assert "written by" in note and "desk remote token rt --agent ana@desk.test" in note
    assert token not in note and token.rsplit("-", 1)[1] not in note
    assert rt_replies(rt_backend, remote_id) == [
        ("root@localhost", f"[Desk: written by ana@desk.test]\nReply ({kind})")]
    again = sync(session, rt_backend)
    assert again.comments_out == again.comments_in == 0
    assert len(rt_replies(rt_backend, remote_id)) == 1  # exactly once
    session.rollback()
    assert session.scalar(select(SyncOutbox.id)) is None


def test_the_token_is_in_no_store_log_or_output(tmp_path: Path, rt_backend: RTBackend,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Set, list, sync with, check and clear agents' tokens through the CLI; then grep the bytes of
    the store (and its WAL), the log folder and everything the CLI printed."""
    server = rt_backend.server
    good = rt_server.agent_token(server, email="ana@desk.test", login="ana", name="Ana Student")
    bad = wrong_secret(rt_server.agent_token(server, email="bo@desk.test", login="bo", name="Bo Staff"))
    db = str(tmp_path / "cli.sqlite3")
    printed: list[str] = []

    def run(*argv: str, stdin: str | None = None) -> int:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main([*argv, "--db", db])
        captured = capsys.readouterr()
        printed.append(captured.out + captured.err)
        return code

    assert main(["init", db]) == 0
    assert run("remote", "add", "rt", "--kind", "rt", "--url", server.url, "--user", "root",
               "--config", json.dumps({"queue": rt_backend.queue})) == 0
    assert run("remote", "set-token", "rt", stdin=server.token + "\n") == 0
    for name, email in (("Ana Student", "ana@desk.test"), ("Bo Staff", "bo@desk.test"), ("Cy New", "cy@desk.test")):
        assert run("agent", "add", "--name", name, "--email", email) == 0
    assert run("remote", "token", "rt", "--agent", "ana@desk.test", stdin=good + "\n") == 0
    assert "Stored ana@desk.test's token for rt" in printed[-1]
    assert run("remote", "token", "rt", "--agent", "bo@desk.test", stdin=bad) == 0
    assert run("remote", "token", "rt", "--agent", "nobody@desk.test", stdin=good) == 2  # not an agent here
    assert run("remote", "token", "rt") == 0
    assert printed[-1].splitlines() == ["ana@desk.test\tAna Student\tRT token: set",
                                        "bo@desk.test\tBo Staff\tRT token: set",
                                        "cy@desk.test\tCy New\tRT token: not set"]

    assert run("log", "--requester", "kim@uni.test", "--name", "Kim Lee", "--category", "Printing",
               "--subject", "Cannot print") == 0
    from desk.core.db import open_store

    with open_store(Path(db)) as store, store.session() as session:
        agents = {p.email: p.id for p in session.scalars(select(Person).where(Person.is_agent.is_(True)))}
        tid = session.scalar(select(Ticket.id).where(Ticket.subject == "Cannot print"))
        for email in ("ana@desk.test", "bo@desk.test"):
            comment_ops.add_comment(session, ticket_id=tid, author_id=agents[email], body=f"From {email}",
                                    public=True)
    assert run("sync", "rt") == 0
    assert "RT refused bo@desk.test's token" in printed[-1]

    assert run("remote", "check", "rt") == 1  # Bo's token is refused: something to fix
    out = printed[-1]
    user_id = token_user_id(good)
    assert "ok\tRT token of ana@desk.test: valid, RT user " in out and user_id is not None
    assert "MISSING\tRT token of bo@desk.test: refused by RT (Unauthorized (HTTP 401))" in out
    assert "desk remote token rt --agent bo@desk.test" in out
    assert run("remote", "token", "rt", "--agent", "bo@desk.test", "--clear") == 0
    assert run("remote", "token", "rt") == 0
    assert "bo@desk.test\tBo Staff\tRT token: not set" in printed[-1]
    assert credentials.load_agent_secret("rt", "ana@desk.test").token == good  # it is in the keyring …

    files = [*tmp_path.glob("cli.sqlite3*"), *(tmp_path / "logs").rglob("*"), *(tmp_path / "xdg-config").rglob("*")]
    blobs = [path.read_bytes() for path in files if path.is_file()]
    logs = [path.read_bytes() for path in (tmp_path / "logs").rglob("*") if path.is_file()]
    assert any(b"RT refused bo@desk.test's token" in blob for blob in logs)  # the log was written
    for secret in (good, bad, good.rsplit("-", 1)[1], bad.rsplit("-", 1)[1]):
        assert all(secret.encode() not in blob for blob in blobs)  # … and nowhere else
        assert all(secret not in text for text in printed)


def test_check_tries_each_agent_token_with_one_request_and_says_whose_it_is(rt_backend: RTBackend) -> None:
    from desk.core.sync import readiness

    server = rt_backend.server
    tokens = {
        "ana@desk.test": credentials.Secret(token=rt_server.agent_token(server, email="ana@desk.test", login="ana",
                                                                        name="Ana Student")),
        "bo@desk.test": credentials.Secret(token=rt_server.agent_token(server, email="ana@desk.test", login="ana",
                                                                       name="Ana Student")),  # Ana's, not Bo's
        "cy@desk.test": credentials.Secret(token=wrong_secret(rt_server.agent_token(
            server, email="cy@desk.test", login="cy", name="Cy New"))),
        "dee@desk.test": credentials.Secret(token="Zq9Xv7Wm3Kp2Lr8N"),
        "eve@desk.test": None,  # listed, but gone from the keyring
        "fay@uni.test": credentials.Secret(token=rt_server.agent_token(server, email="fay@uni.test", login="fay",
                                                                       name="Fay", privileged=False)),
    }
    remote = rt_backend.adapter()
    try:
        readiness.check(remote)  # what the adapter reads once (the queue) is read now
        before = remote.http.requests
        plain = readiness.check(remote)
        between = remote.http.requests
        findings = readiness.check(remote, agent_tokens=tokens)
        spent = remote.http.requests - between - (between - before)
    finally:
        remote.close()
    assert spent == 4  # one GET per token RT can be asked about (not the unreadable or missing one)
    extra = {f.what: f for f in findings[len(plain):]}
    login = next(w for w in extra if w.startswith("RT token of ana@desk.test")).rsplit(" ", 1)[1]
    assert extra[f"RT token of ana@desk.test: valid, RT user {login}"].ok
    assert not extra[f"RT token of bo@desk.test: belongs to the RT user {login} (ana@desk.test), not to them"].ok
    assert not extra["RT token of cy@desk.test: refused by RT (Unauthorized (HTTP 401))"].ok
    assert "Auth Tokens" in extra["RT token of dee@desk.test: not an RT auth token"].fix
    assert "--clear" in extra["RT token of eve@desk.test: listed, but no longer in the system keyring"].fix
    assert "Privileged" in extra["RT token of fay@uni.test: valid, RT user fay, who is not staff"].fix
    assert readiness.ready(findings)  # an agent's token is never essential: the fallback always works
    texts = [f.what + f.fix for f in findings]
    assert all(s.token not in t and s.token.rsplit("-", 1)[-1] not in t
               for s in tokens.values() if s is not None for t in texts)


class LosesTheAnswer(httpx.HTTPTransport):
    """Sends the first reply written with an agent's own token to RT, then loses RT's answer
    (as a dropped connection would): RT has the reply, Desk does not know it."""

    def __init__(self, agent_token: str) -> None:
        super().__init__()
        self.agent_token = agent_token
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if (not self.lost and request.url.path.endswith("/correspond")
                and request.headers.get("authorization") == f"token {self.agent_token}"):
            response.read()
            self.lost += 1
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def test_a_reply_sent_with_an_agents_token_whose_answer_was_lost_is_found_not_sent_again(
        session: Any, rt_backend: RTBackend, agent_id: int, requester_id: int) -> None:
    from desk.core.sync.remotes.base import RemoteUnavailable
    from desk.core.sync.remotes.rt import RTRemote

    token = rt_server.agent_token(rt_backend.server, email="ana@desk.test", login="ana", name="Ana Student")
    credentials.store_agent_secret("rt", "ana@desk.test", credentials.Secret(token=token))
    remote_id = a_reply_by_ana(session, rt_backend, agent_id, requester_id, "Sent once, answer lost")
    losing = LosesTheAnswer(token)
    adapter = RTRemote(url=rt_backend.server.url, username="root", auth="token",
                       secret=credentials.Secret(token=rt_backend.server.token), config=rt_backend.config(),
                       sleep=rt_backend.waits, transport=losing, remote_name="rt",
                       agent_secret=lambda email: credentials.load_agent_secret("rt", email))
    try:
        with pytest.raises(RemoteUnavailable):
            engine.sync(session, "rt", remote=adapter)
    finally:
        adapter.close()
    assert losing.lost == 1
    assert rt_replies(rt_backend, remote_id) == [("ana@desk.test", "Sent once, answer lost")]
    report = sync(session, rt_backend)
    assert report.comments_out == 0 and report.failed == [], report
    assert rt_replies(rt_backend, remote_id) == [("ana@desk.test", "Sent once, answer lost")]  # exactly once
    session.rollback()
    assert session.scalar(select(SyncOutbox.id)) is None
