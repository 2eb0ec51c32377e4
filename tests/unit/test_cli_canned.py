import json
from pathlib import Path

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.ops import people, tickets

SAMPLE = Path(__file__).parent / "data" / "zendesk_macros.json"


def test_canned_cli(tmp_path, capsys):
    db = tmp_path / "cli.sqlite3"
    with open_store(db) as store, store.session() as session:
        agent = people.add_agent(session, name="Ana Student", email="ana@desk.test").created_id
        requester = people.ensure_requester(session, email="wei@uni.test", name="Wei Chen").created_id
        ticket = tickets.log_ticket(session, actor_id=agent, requester_id=requester,
                                    subject="Projector").created_id

    assert main(["canned", "import", str(SAMPLE), "--db", str(db), "--as", "ana@desk.test"]) == 0
    out = capsys.readouterr().out
    assert "3 created" in out and "group_id" in out

    assert main(["canned", "list", "--db", str(db), "--as", "ana@desk.test", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    close = next(row for row in rows if row["title"] == "Close and redirect to topics")

    argv = ["canned", "apply", str(ticket), str(close["id"]), "--as", "ana@desk.test", "--db", str(db)]
    assert main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Hi Wei, this is a known issue" in out and "Status: new → solved" in out
    assert main(argv) == 0
    assert "Applied." in capsys.readouterr().out

    export = tmp_path / "out.json"
    assert main(["canned", "export", "-o", str(export), "--db", str(db)]) == 0
    assert len(json.loads(export.read_text())["canned_responses"]) == 3
    assert main(["canned", "apply", str(ticket), "999", "--as", "ana@desk.test", "--db", str(db)]) == 2


def test_canned_defaults_cli(tmp_path, capsys):
    db = str(tmp_path / "d.sqlite3")
    assert main(["init", db]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["canned", "defaults", "--db", db]) == 0
    assert "added." in capsys.readouterr().out
    assert main(["canned", "defaults", "--db", db]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["canned", "list", "--db", db]) == 0
    assert "This will take about a week" in capsys.readouterr().out
