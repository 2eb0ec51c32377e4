"""What a remote sends cannot stop Desk (issue 18): malformed items are skipped with a reason and
the run goes on; a refused saved cursor falls back; paging that never ends is bounded; error texts
never carry the credentials (Zendesk fake here; the real RT below)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from desk.cli.main import main
from desk.core.models import SyncCursor, SyncRemote, Ticket
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config, engine, validate
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes.base import RemoteAuthError, RemoteRejected
from desk.core.sync.remotes.zendesk import ZendeskRemote
from tests.sync.conftest import Waits
from tests.sync.fake_zendesk import FakeZendesk, _iso


def adapter(fake: FakeZendesk) -> ZendeskRemote:
    return ZendeskRemote(url=fake.url, username=fake.state.email, auth="token",
                         secret=Secret(token=fake.state.token), sleep=Waits())


def run_sync(session: Any, fake: FakeZendesk) -> engine.SyncReport:
    fake.advance(61)
    remote = adapter(fake)
    try:
        return engine.sync(session, "zd", remote=remote)
    finally:
        remote.close()


@pytest.fixture
def zd(session: Any, zendesk: FakeZendesk) -> FakeZendesk:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    return zendesk


def bad_ticket(fake: FakeZendesk, **fields: Any) -> int:
    """A ticket as a broken server would store it (the fake's own create, then overwritten)."""
    ticket = fake.create_ticket({"subject": "placeholder", "comment": {"body": "hello", "public": True}})
    with fake.lock:
        fake.state.tickets[ticket["id"]].update(fields)
    return ticket["id"]


def local_subjects(session: Any) -> list[str]:
    session.rollback()
    return sorted(session.scalars(select(Ticket.subject)))


BAD_TICKETS = [
    ({"created_at": "yesterday"}, "created_at 'yesterday' is not a date"),
    ({"updated_at": 1_800_000_000}, "updated_at is not text but int"),
    ({"subject": 42}, "subject is not text but int"),
    ({"id": {"nested": 1}}, "id is missing or not an id"),
    ({"description": {"html": "x"}}, "description is not text but dict"),
    ({"status": None}, "status is missing or not text"),
    ({"tags": "not-a-list"}, "tags are not a list"),
    ({"requester_id": True}, "requester_id is not an id"),
]


@pytest.mark.parametrize(("fields", "reason"), BAD_TICKETS, ids=[reason for _f, reason in BAD_TICKETS])
def test_a_malformed_ticket_is_skipped_with_a_reason_and_the_rest_comes(session, zd, fields, reason):
    zd.create_ticket({"subject": "Good before", "comment": {"body": "hi", "public": True}})
    bad_ticket(zd, **fields)
    zd.create_ticket({"subject": "Good after", "comment": {"body": "hi", "public": True}})
    report = run_sync(session, zd)
    assert local_subjects(session) == ["Good after", "Good before"]
    assert len(report.skipped) == 1 and reason in report.skipped[0] and "Zendesk ticket" in report.skipped[0]
    assert run_sync(session, zd).created_local == 0  # the next run is not blocked either


@pytest.mark.parametrize(("comment", "reason"), [
    ({"body": None, "plain_body": None}, "body is not text but NoneType"),
    ({"body": {"html": "<p>x</p>"}}, "body is not text but dict"),
    ({"created_at": "soon"}, "created_at 'soon' is not a date"),
    ({"id": None}, "id is missing"),
])
def test_a_malformed_comment_is_skipped_and_the_others_are_pulled(session, zd, comment, reason):
    tid = zd.create_ticket({"subject": "Projector", "comment": {"body": "It flickers", "public": True}})["id"]
    zd.add_comment(tid, "Tried another cable")
    with zd.lock:
        zd.state.comments[tid].insert(1, {"id": 9_999, "type": "Comment", "public": True, "body": "Injected",
                                          "author_id": zd.agent_id, "created_at": _iso(zd.state.now), **comment})
    zd.add_comment(tid, "Works now")
    report = run_sync(session, zd)
    assert report.created_local == 1 and report.comments_in == 2
    assert any(reason in line and "comment" in line for line in report.skipped), report.skipped


def test_a_user_whose_email_is_a_number_is_skipped_and_the_ticket_kept(session, zd):
    with zd.lock:
        zd.state.users[777] = {"id": 777, "email": 12345, "name": "Odd", "role": "end-user"}
    bad_ticket(zd, subject="Kept anyway", requester_id=777)
    report = run_sync(session, zd)
    assert "Kept anyway" in local_subjects(session)
    assert any("user 777" in line and "e-mail is not text" in line for line in report.skipped)


def test_the_cli_lists_what_was_skipped(session, zd, store, capsys):
    bad_ticket(zd, created_at="yesterday")
    zd.advance(61)
    from desk.core.sync import credentials

    credentials.store_secret("zd", Secret(token=zd.state.token))
    assert main(["sync", "--db", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert "skipped: its created_at 'yesterday' is not a date" in out


def test_a_refused_saved_cursor_falls_back_to_a_full_pull_and_says_so(session, zd):
    zd.create_ticket({"subject": "Already here", "comment": {"body": "hi", "public": True}})
    run_sync(session, zd)
    with session.begin():
        session.merge(SyncCursor(remote_id=session.scalar(select(SyncRemote.id)), name="pull", value="expired!"))
    zd.create_ticket({"subject": "New since", "comment": {"body": "hi", "public": True}})
    report = run_sync(session, zd)
    assert local_subjects(session) == ["Already here", "New since"]  # nothing duplicated, the new one came
    assert any("refused the saved sync position (HTTP 422)" in note and "reset-cursor" in note for note in report.notes)
    assert session.scalar(select(SyncCursor.value)) != "expired!"  # unblocked for good


def test_reset_cursor_makes_the_next_sync_pull_everything(session, zd, store, capsys):
    zd.create_ticket({"subject": "Here", "comment": {"body": "hi", "public": True}})
    run_sync(session, zd)
    assert main(["remote", "reset-cursor", "zd", "--db", str(store.path)]) == 0
    assert "pulls everything again" in capsys.readouterr().out
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SyncCursor)) == 0
    assert run_sync(session, zd).pulled == 1 and local_subjects(session) == ["Here"]
    assert main(["remote", "reset-cursor", "nope", "--db", str(store.path)]) == 2


@pytest.mark.parametrize("mode", ["repeat", "endless"])
def test_an_export_that_never_ends_is_stopped_and_what_came_is_kept(session, zd, monkeypatch, mode):
    zd.create_ticket({"subject": "Before the loop", "comment": {"body": "hi", "public": True}})
    run_sync(session, zd)
    monkeypatch.setattr(validate, "MAX_PAGES", 25)
    zd.state.export_mode = mode
    report = run_sync(session, zd)  # returns: before issue 18 this never did
    assert len(report.notes) == 1
    assert ("same ticket export position twice" if mode == "repeat" else "for 25 pages") in report.notes[0]
    assert local_subjects(session) == ["Before the loop"]
    assert len([r for r in zd.state.requests if "incremental" in r]) <= 2 + 25


def test_paging_stops_after_its_time_limit():
    now = [0.0]
    paging = validate.Paging("Zendesk", "ticket export", max_seconds=60, clock=lambda: now[0])
    assert paging.step("a") is None
    now[0] = 61
    assert "took longer than 1 minutes" in (paging.step("b") or "")


SECRET_FAULTS = ["echo401", "echo422", "echo-html"]


@pytest.mark.parametrize("fault", SECRET_FAULTS)
def test_no_error_text_from_a_remote_carries_the_credentials(session, zd, agent_id, requester_id, caplog,
                                                             tmp_path, fault):
    ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Secret test")
    zd.fail_next(*([fault] * 8))
    caplog.set_level(logging.DEBUG, logger="desk")
    remote = adapter(zd)
    try:
        with pytest.raises((RemoteAuthError, RemoteRejected, engine.RemoteError)) as raised:
            engine.sync(session, "zd", remote=remote)
    finally:
        remote.close()
    token = zd.state.token
    session.rollback()
    stored = session.scalar(select(SyncRemote.last_error))
    texts = [raised.value.message, str(raised.value), stored or "", caplog.text]
    for text in texts:
        assert token not in text and "agent@example.com/token:" not in text
        assert "Basic " + "YWdlbnRA" not in text  # the base64 of agent@example.com/token:...
    assert stored  # the problem itself is kept, without the secret


def test_push_refusals_are_scrubbed_in_the_report_and_last_error(session, zd, agent_id, requester_id):
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="First").created_id
    run_sync(session, zd)
    ticket = session.get(Ticket, tid)
    ticket_ops.update_ticket(session, ticket_id=tid, actor_id=agent_id, expected_version=ticket.version,
                             fields={"priority": "high"})
    zd.fail_next_on("PUT", "echo422")
    report = run_sync(session, zd)
    session.rollback()
    stored = session.scalar(select(SyncRemote.last_error)) or ""
    assert report.failed and "[redacted]" in report.failed[0]
    for text in (*report.failed, stored):
        assert zd.state.token not in text


def test_scrub_removes_every_form_of_the_credentials():
    headers = {"Authorization": "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46enotc2VjcmV0LTk5"}
    secrets = validate.secrets_in_headers(headers)
    text = ("echo: Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46enotc2VjcmV0LTk5 / agent@example.com/token:zz-secret-99 "
            "and token zz-secret-99; header Authorization: token abc123def")
    clean = validate.scrub(text, secrets=secrets)
    assert "zz-secret-99" not in clean and "YWdlbnRA" not in clean and "abc123def" not in clean
    assert json.dumps(validate.scrub("Bearer eyJhbGciOi.x.y", secrets=[])).count("eyJ") == 0


# --- the real RT ---------------------------------------------------------------------------

@pytest.mark.rt
def test_rt_malformed_items_are_skipped_and_the_rest_comes(session, rt, monkeypatch):
    """Real RT answers, with one ticket and one transaction broken on the way in (a transport
    that rewrites RT's JSON as a buggy proxy or plug-in would)."""
    import httpx

    from tests.sync.conftest import RTBackend

    backend = RTBackend(rt)
    good = backend.create("Good ticket", "wei@uni.test", body="Hello")
    broken = backend.create("Broken ticket", "bo@uni.test", body="Hi")
    inner = httpx.HTTPTransport()

    class Tamper(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = inner.handle_request(request)
            if request.method != "GET" or not request.url.path.endswith(("/tickets", "/transactions")):
                return response
            data = json.loads(response.read())
            for item in data.get("items") or []:
                if request.url.path.endswith("/tickets") and str(item.get("id")) == broken:
                    item["Created"], item["Subject"] = "yesterday", 5
                if request.url.path.endswith("/transactions") and str(item.get("ObjectId")) == good:
                    item["Created"] = {"not": "a date"}
            return httpx.Response(response.status_code, headers=[(k, v) for k, v in response.headers.items()
                                                                 if k.lower() not in ("content-length", "content-encoding")],
                                  content=json.dumps(data).encode())

    backend.add_remote(session)
    from desk.core.sync.remotes.rt import RTRemote

    remote = RTRemote(url=rt.url, username="root", auth="token", secret=Secret(token=rt.token),
                      config=backend.config(), sleep=Waits(), transport=Tamper())
    try:
        report = engine.sync(session, "rt", remote=remote)
    finally:
        remote.close()
    assert "Good ticket" in local_subjects(session) and "Broken ticket" not in local_subjects(session)
    assert any(f"ticket {broken} skipped" in line and "Subject is not text but int" in line
               for line in report.skipped), report.skipped
    assert any("transaction" in line and "Created is not text" in line for line in report.skipped), report.skipped


def test_a_long_remote_subject_is_cut_here_and_never_written_back(session, zd, agent_id):
    long_subject = "Projector " + "very " * 150 + "long"
    zd.create_ticket({"subject": long_subject, "comment": {"body": "hi", "public": True}})
    report = run_sync(session, zd)
    assert any("its subject has 764 characters; Desk shows the first 500" in note for note in report.notes)
    [ticket] = session.scalars(select(Ticket)).all()
    assert ticket.subject == " ".join(long_subject.split())[:ticket_ops.MAX_SUBJECT].rstrip()
    ticket_ops.update_ticket(session, ticket_id=ticket.id, actor_id=agent_id, expected_version=ticket.version,
                             fields={"priority": "high"})
    before = len(zd.state.requests)
    run_sync(session, zd)
    [remote_ticket] = zd.state.tickets.values()
    assert remote_ticket["subject"] == long_subject and remote_ticket["priority"] == "high"
    assert any(r.startswith("PUT") for r in zd.state.requests[before:])  # the priority went up, not the cut
    run_sync(session, zd)
    assert zd.state.tickets[remote_ticket["id"]]["subject"] == long_subject


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 422, 500, 502, 503])
@pytest.mark.parametrize(("kind", "auth"), [("zendesk", "token"), ("zendesk", "oauth"), ("rt", "token"),
                                            ("rt", "password")])
def test_every_http_error_path_is_scrubbed(kind, auth, status):
    """Whatever a server answers, and however Desk authenticates, its error text is scrubbed."""
    import httpx

    from desk.core.sync.remotes.base import RemoteError
    from desk.core.sync.remotes.rt import RTRemote

    token = "s3cr3t-T0KEN-value"

    def echo(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Authorization", "")
        page = f"denied for {header} / token={token} / {token}"
        if status >= 500:
            return httpx.Response(status, text=f"<html>{page}</html>")
        return httpx.Response(status, json={"error": "Denied", "description": page})

    options = {"url": "http://127.0.0.1:9", "username": "agent@example.com", "auth": auth,
               "secret": Secret(token=token), "sleep": Waits(), "transport": httpx.MockTransport(echo)}
    remote = ZendeskRemote(**options) if kind == "zendesk" else RTRemote(**options)
    try:
        with pytest.raises(RemoteError) as raised:
            if status == 404:
                # A 404 on a ticket says it was deleted (marked, not an error since issue 14):
                # the listing's 404 takes the error path instead.
                list(remote.pull(None))
            else:
                remote.get("1")
    finally:
        remote.close()
    message = raised.value.message
    assert token not in message and "czNjcjN0" not in message  # nor its base64 inside a Basic value
    assert "agent@example.com/token:" not in message and "agent@example.com:" not in message
