"""`desk rules …` and `desk automate` on a real store, and the Zendesk trigger/automation import."""

from __future__ import annotations

import json
from pathlib import Path

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.models import Ticket
from desk.core.ops import people, tickets
from desk.core.rules.store import load_rules

SAMPLE = Path(__file__).parents[1] / "data" / "zendesk_triggers.json"


def test_add_list_disable_export_import(tmp_path, capsys):  # noqa: ANN001
    db = tmp_path / "rules.sqlite3"
    with open_store(db):
        pass
    rule = {"all": [{"field": "text", "op": "contains", "value": "wifi"}],
            "actions": [{"action": "tags_add", "value": ["network"]}]}
    assert main(["rules", "add", "trigger", "Tag Wi-Fi", "--json", json.dumps(rule), "--db", str(db)]) == 0
    assert "Rule #1 added." in capsys.readouterr().out
    assert main(["rules", "add", "trigger", "Broken", "--json", '{"all": [], "actions": []}', "--db", str(db)]) == 2
    assert "at least one action" in capsys.readouterr().err
    assert main(["rules", "disable", "Tag Wi-Fi", "--db", str(db)]) == 0
    assert main(["rules", "list", "--json", "--db", str(db)]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [(r["name"], r["active"]) for r in listed] == [("Tag Wi-Fi", False)]
    export = tmp_path / "rules.json"
    assert main(["rules", "export", "-o", str(export), "--db", str(db)]) == 0
    other = tmp_path / "other.sqlite3"
    with open_store(other):
        pass
    capsys.readouterr()
    assert main(["rules", "import", str(export), "--db", str(other)]) == 0
    assert "1 rule imported." in capsys.readouterr().out
    assert main(["rules", "import", str(export), "--db", str(other)]) == 2  # the name is taken
    assert main(["rules", "import", str(export), "--replace", "--db", str(other)]) == 0
    with open_store(other) as store, store.session() as session:
        assert [(r.name, r.active, r.definition["actions"]) for r in load_rules(session)] == [
            ("Tag Wi-Fi", False, rule["actions"])]


def test_zendesk_import_lists_what_cannot_map(tmp_path, capsys):  # noqa: ANN001
    db = tmp_path / "zd.sqlite3"
    with open_store(db):
        pass
    assert main(["rules", "import-zendesk", str(SAMPLE), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 created, 0 updated, 3 skipped.")
    assert "Skipped “VIP group routing”" in out and "Skipped “Old and off”: inactive in Zendesk" in out
    assert "Skipped “Pending 3 business days”" in out
    assert "group_id" in out and "brand_id" in out
    with open_store(db) as store, store.session() as session:
        found = {r.name: r for r in load_rules(session)}
    assert found["Urgent projectors"].definition["actions"][:2] == [
        {"action": "set", "field": "priority", "value": "urgent"}, {"action": "tags_set", "value": ["av", "classroom"]}]
    assert found["Pending from open"].definition["any"] == [{"field": "channel", "op": "is", "value": "email"}]
    assert found["Pending from open"].definition["actions"] == [{"action": "note", "body": "Waiting on the requester."}]
    assert found["Close ticket 4 days after status is set to solved"].definition["all"] == [
        {"field": "status", "op": "is", "value": "solved"},
        {"field": "hours_since_status", "op": "ge", "value": 96.0, "business": False}]
    assert main(["rules", "import-zendesk", str(SAMPLE), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("0 created, 3 updated, 3 skipped.")


def test_automate_dry_run_then_for_real(tmp_path, capsys):  # noqa: ANN001
    db = tmp_path / "auto.sqlite3"
    with open_store(db) as store, store.session() as session:
        agent = people.add_agent(session, name="Ana Student", email="ana@desk.test").created_id
        requester = people.ensure_requester(session, email="wei@uni.test", name="Wei Chen").created_id
        ticket = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="Projector").created_id
        tickets.solve(session, ticket_id=ticket, actor_id=agent)
    assert main(["rules", "defaults", "--db", str(db)]) == 0
    assert main(["rules", "defaults", "--db", str(db)]) == 0
    assert "added before" in capsys.readouterr().out
    assert main(["automate", "--dry-run", "--db", str(db)]) == 0
    assert "0 firings would happen." in capsys.readouterr().out
    in_5_days = "2099-01-01T10:00+00:00"
    assert main(["automate", "--dry-run", "--now", in_5_days, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"Close solved tickets after 4 days: #{ticket} Projector" in out and "1 firing would happen." in out
    assert main(["automate", "--now", in_5_days, "--db", str(db)]) == 0
    assert "1 automation fired." in capsys.readouterr().out
    assert main(["automate", "--now", in_5_days, "--db", str(db)]) == 0
    assert "0 automations fired." in capsys.readouterr().out
    with open_store(db) as store, store.session() as session:
        assert session.get(Ticket, ticket).status == "closed"
    assert main(["rules", "sla-report", "--from", "2020-01-01", "--to", "2099-12-31", "--db", str(db)]) == 0
    assert "SLA attainment by policy and target" in capsys.readouterr().out
