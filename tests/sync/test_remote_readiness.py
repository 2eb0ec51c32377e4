"""`desk remote check` says, before any write, what a remote lacks and how to fix it;
`desk remote prepare` creates Desk's fields where the API allows (Zendesk ticket fields, an RT
queue; for RT's custom fields a data file for rt-setup-database-5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desk.cli.main import main
from desk.core.sync import credentials, readiness
from desk.core.sync.desk_fields import DESK_FIELDS
from tests.sync.fake_zendesk import FakeZendesk


def add_zendesk(db: str, fake: FakeZendesk) -> None:
    assert main(["init", db]) == 0
    assert main(["remote", "add", "zd", "--kind", "zendesk", "--url", fake.url, "--user", fake.state.email,
                 "--db", db]) == 0
    credentials.store_secret("zd", credentials.Secret(token=fake.state.token))


def test_zendesk_check_then_prepare_then_check(tmp_path: Path, zendesk: FakeZendesk,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "desk.sqlite3")
    add_zendesk(db, zendesk)
    assert main(["agent", "add", "--name", "Sam Shift", "--email", "sam@desk.test", "--db", db]) == 0
    capsys.readouterr()
    writes_before = [r for r in zendesk.state.requests if not r.startswith("GET")]
    assert main(["remote", "check", "zd", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "MISSING\tticket field “Desk arrived at”" in out
    assert 'POST /api/v2/ticket_fields {"ticket_field": {"type": "text", "title": "Desk arrived at"}}' in out
    assert "MISSING\tagent account for sam@desk.test" in out  # no seat: said before the first claim
    assert "Desk claimed by" in out
    assert [r for r in zendesk.state.requests if not r.startswith("GET")] == writes_before  # reads only
    assert main(["remote", "prepare", "zd", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.count("created the ticket field") == len(DESK_FIELDS) + 1  # and the category's
    titles = sorted(f["title"] for f in zendesk.state.ticket_fields)
    assert "Desk category" in titles and "Desk claimed by" in titles
    zendesk.user("sam@desk.test", "Sam Shift", role="agent")
    assert main(["remote", "check", "zd", "--db", db]) == 0
    assert "zd has everything Desk needs." in capsys.readouterr().out
    assert main(["remote", "prepare", "zd", "--db", db]) == 0
    assert "Nothing to create" in capsys.readouterr().out
    assert len(zendesk.state.ticket_fields) == len(titles)  # never twice


def rt_adapter(rt: Any, queue: str, **config: Any) -> Any:
    from desk.core.sync.remotes.rt import RTRemote

    return RTRemote(url=rt.url, username="root", auth="token", secret=credentials.Secret(token=rt.token),
                    config={"queue": queue, **config})


def test_rt_check_names_a_missing_queue_and_prepare_creates_it(rt: Any, tmp_path: Path) -> None:
    queue = f"desk-readiness-{tmp_path.name}"[:60]
    remote = rt_adapter(rt, queue)
    try:
        findings = readiness.check(remote)
        assert not readiness.ready(findings)
        assert findings[0].what == f"queue {queue}" and "POST /REST/2.0/queue" in findings[0].fix
        done = readiness.prepare(remote, datafile=tmp_path / "fields.pl")
        assert done == [f"created the queue {queue}"]  # the fields are global on this RT: none to write
        after = readiness.check(remote)
        assert readiness.ready(after) and all(f.ok for f in after), [f for f in after if not f.ok]
    finally:
        remote.close()


def test_rt_check_flags_a_missing_uuid_field_and_prepare_writes_its_datafile(rt: Any, tmp_path: Path) -> None:
    with rt.client() as client:
        queue = f"desk-nocf-{tmp_path.name}"[:60]
        assert client.post("/queue", json={"Name": queue}).status_code == 201
    remote = rt_adapter(rt, queue, uuid_field="Desk UUID (not here)")
    try:
        findings = readiness.check(remote)
        missing = [f for f in findings if not f.ok]
        assert [f.what for f in missing] == ["ticket custom field “Desk UUID (not here)”"]
        assert missing[0].essential and not readiness.ready(findings)
        assert "Admin → Custom Fields → Create" in missing[0].fix
        datafile = tmp_path / "fields.pl"
        done = readiness.prepare(remote, datafile=datafile)
        assert "rt-setup-database-5 --action insert --datafile" in done[0]
        text = datafile.read_text()
        assert "Name => 'Desk UUID (not here)'" in text and f"Queue => [{queue!r}]" in text
    finally:
        remote.close()


def test_check_output_is_json_safe_words(zendesk: FakeZendesk) -> None:
    """Every finding has words a person can act on (no empty fix for a missing item)."""
    from desk.core.sync.remotes.zendesk import ZendeskRemote

    remote = ZendeskRemote(url=zendesk.url, username=zendesk.state.email, auth="token",
                           secret=credentials.Secret(token=zendesk.state.token))
    try:
        findings = readiness.check(remote, agents=["nobody@desk.test"])
    finally:
        remote.close()
    assert all(f.fix for f in findings if not f.ok)
    json.dumps([f.__dict__ for f in findings])
