"""The set-up commands (issue 11): desk init, agent, person, category, location, settings; and
no command but init, demo and import creating a store where there is none."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime

import pytest

from desk.cli.main import main
from desk.core.db import open_store
from desk.core.ops import choices, people, tickets
from desk.core.stats import StatsFilter, compute_stats


@pytest.fixture
def db(tmp_path, capsys) -> str:  # noqa: ANN001
    path = str(tmp_path / "desk.sqlite3")
    assert main(["init", path]) == 0
    capsys.readouterr()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


READ_COMMANDS = [
    ["list"], ["show", "1"], ["stats"], ["export"], ["check"], ["sync"], ["migrate"],
    ["backup", "copy.sqlite3"], ["log", "--requester", "a@b.test", "--category", "X", "--subject", "Y"],
    ["agent", "list"], ["agent", "add", "--name", "Ana", "--email", "ana@desk.test"], ["person", "list"],
    ["category", "list"], ["location", "add", "Library"], ["settings", "get"],
    ["settings", "set", "timezone", "UTC"], ["terms", "list"], ["canned", "list"], ["remote", "list"],
]


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_commands_refuse_a_path_with_no_store_and_create_nothing(tmp_path, capsys, argv):
    missing = tmp_path / "dsek.sqlite3"  # a typo of desk.sqlite3
    argv = [str(tmp_path / arg) if arg == "copy.sqlite3" else arg for arg in argv]
    code, _out, err = run(capsys, *argv, "--db", str(missing))
    assert code == 2
    assert err.strip() == f"desk: No Desk store at {missing}. Create one with `desk init {missing}`."
    assert sorted(path.name for path in tmp_path.glob("*.sqlite3*")) == []
    code, _out, err = run(capsys, *argv, "--db", str(tmp_path / "no" / "such" / "folder.sqlite3"))
    assert code == 2 and "No Desk store" in err and not (tmp_path / "no").exists()


def test_init_creates_seeds_and_reopens(tmp_path, capsys):
    path = tmp_path / "new" / "desk.sqlite3"
    code, out, _ = run(capsys, "init", str(path), "--defaults")
    assert code == 0 and out.startswith(f"Created a new Desk store at {path} (schema ")
    assert "desk agent add" in out  # what to do next: nobody can sign in yet
    code, out, _ = run(capsys, "category", "list", "--db", str(path), "--json")
    assert {row["name"] for row in json.loads(out)} == set(choices.DEFAULT_CATEGORIES)
    code, out, _ = run(capsys, "init", str(path), "--defaults")
    assert code == 0 and out.startswith("Opened the existing Desk store") and "added the default" not in out


def test_init_takes_db_or_desk_db_when_no_path_is_given(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DESK_DB", str(tmp_path / "env.sqlite3"))
    assert run(capsys, "init")[0] == 0 and (tmp_path / "env.sqlite3").exists()
    assert run(capsys, "init", "--db", str(tmp_path / "opt.sqlite3"))[0] == 0 and (tmp_path / "opt.sqlite3").exists()


def test_init_refuses_a_file_that_is_not_a_desk_store_untouched(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("shopping list\n", encoding="utf-8")
    foreign = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
    before = foreign.read_bytes()
    for path in (text, foreign):
        code, _out, err = run(capsys, "init", str(path))
        assert code == 1 and "not a Desk store" in err  # environment error (issue 18)
    assert text.read_text(encoding="utf-8") == "shopping list\n" and foreign.read_bytes() == before


def test_agent_add_list_edit_deactivate(db, capsys):
    code, out, _ = run(capsys, "agent", "add", "--db", db, "--name", "Ana Kim", "--email", "Ana@Desk.test",
                       "--role", "supervisor")
    assert code == 0 and out.strip() == "Added agent #1 Ana Kim (supervisor)"
    assert run(capsys, "agent", "add", "--db", db, "--name", "Bo Lee", "--email", "bo@desk.test",
               "--as", "ana@desk.test")[0] == 0
    code, out, _ = run(capsys, "agent", "list", "--db", db, "--json")
    assert [(a["name"], a["email"], a["role"]) for a in json.loads(out)] == [
        ("Ana Kim", "ana@desk.test", "supervisor"), ("Bo Lee", "bo@desk.test", "student-worker")]
    code, out, _ = run(capsys, "agent", "edit", "bo@desk.test", "--db", db, "--role", "staff", "--name", "Bo Park")
    assert code == 0 and "Updated agent #2" in out
    code, out, _ = run(capsys, "agent", "deactivate", "#2", "--db", db)
    assert code == 0 and out.strip() == "Deactivated agent #2 Bo Park"
    code, out, _ = run(capsys, "agent", "list", "--db", db)
    assert "Bo Park" not in out and "Ana Kim" in out
    code, out, _ = run(capsys, "agent", "list", "--db", db, "--all")
    assert "Bo Park" in out and "(deactivated)" in out
    assert run(capsys, "agent", "deactivate", "bo@desk.test", "--reactivate", "--db", db)[0] == 0
    assert "Bo Park" in run(capsys, "agent", "list", "--db", db)[1]


@pytest.mark.parametrize(("argv", "message"), [
    (["agent", "add", "--name", "Dup", "--email", "ANA@desk.test"], "ana@desk.test already belongs to the agent Ana"),
    (["agent", "add", "--name", "Ana", "--email", "not-an-address"], "is not an e-mail address"),
    (["agent", "edit", "nobody@desk.test", "--name", "X"], "No agent has the e-mail nobody@desk.test."),
    (["agent", "edit", "#99", "--name", "X"], "No agent has the id #99."),
    (["agent", "deactivate", "ana@desk.test"], "only active agent"),
    (["agent", "add", "--name", "X", "--email", "x@desk.test", "--as", "ghost@desk.test"], "No agent has the e-mail"),
    (["person", "merge", "ana@desk.test", "ana@desk.test"], "cannot be merged with herself"),
    (["person", "edit", "nobody@uni.test", "--name", "X"], "No person has the e-mail nobody@uni.test."),
    (["settings", "set", "timezone", "Mars/Olympus"], "'Mars/Olympus' is not a known time zone"),
    (["settings", "set", "hours", "mon 18:00-09:00"], "Monday: the desk closes (09:00) before it opens (18:00)."),
    (["settings", "set", "holidays-country", "Narnia"], "not a country"),
    (["settings", "set", "terms", "us"], "desk terms set-preset"),
    (["category", "rename", "Nonexistent", "New"], "There is no category 'Nonexistent'"),
    (["location", "merge", "Library", "Library"], "cannot be merged with itself"),
])
def test_bad_inputs_are_messages_and_change_nothing(db, capsys, argv, message):
    assert run(capsys, "agent", "add", "--db", db, "--name", "Ana Kim", "--email", "ana@desk.test")[0] == 0
    assert run(capsys, "location", "add", "Library", "--db", db)[0] == 0
    with open_store(db) as store, closing(store.raw_connection()) as conn:
        before = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 2 and message in err and "Traceback" not in err
    with open_store(db) as store, closing(store.raw_connection()) as conn:
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == before


def test_person_edit_and_merge(db, capsys):
    with open_store(db) as store, store.session() as session:
        keep = people.ensure_requester(session, email="wei@uni.test", name="Wei Chen").created_id
        dup = people.ensure_requester(session, email="w.chen@mail.test", name="W Chen").created_id
        ticket = tickets.log_ticket(session, actor_id=None, requester_id=dup, subject="Printer").created_id
    code, out, _ = run(capsys, "person", "edit", "wei@uni.test", "--db", db, "--phone", "010-1234", "--kind", "faculty")
    assert code == 0 and out.strip() == f"Updated #{keep} Wei Chen"
    code, out, _ = run(capsys, "person", "list", "chen", "--db", db, "--json")
    assert [(p["name"], p["kind"], p["phone"]) for p in json.loads(out)] == [
        ("W Chen", "guest", None), ("Wei Chen", "faculty", "010-1234")]
    code, out, _ = run(capsys, "person", "merge", "wei@uni.test", f"#{dup}", "--db", db)
    assert code == 0 and out.strip() == f"Merged #{dup} W Chen into #{keep} Wei Chen; 1 tickets moved"
    code, out, _ = run(capsys, "show", str(ticket), "--db", db, "--json")
    assert json.loads(out)["requester_email"] == "wei@uni.test"
    assert [p["id"] for p in json.loads(run(capsys, "person", "list", "chen", "--db", db, "--json")[1])] == [keep]


def test_category_and_location_commands(db, capsys):
    assert run(capsys, "category", "add", "Laptops", "--db", db)[1].startswith("Added category #1 Laptops")
    assert run(capsys, "category", "add", "Hardware", "--db", db)[0] == 0
    assert run(capsys, "log", "--db", db, "--requester", "a@uni.test", "--category", "laptops",
               "--subject", "Broken hinge")[0] == 0
    code, out, _ = run(capsys, "category", "rename", "laptops", "Notebooks", "--db", db)
    assert code == 0 and out.strip() == "Renamed category #1 'Laptops' to 'Notebooks'"
    code, out, _ = run(capsys, "category", "merge", "Hardware", "#1", "--db", db)
    assert code == 0 and out.strip() == "Merged category 'Notebooks' into 'Hardware'; 1 tickets moved"
    assert json.loads(run(capsys, "category", "list", "--db", db, "--json")[1]) == [
        {"id": 2, "name": "Hardware", "hidden": False, "tickets": 1}]
    assert run(capsys, "category", "hide", "hardware", "--db", db)[1].strip() == "Hid category 'Hardware'"
    assert json.loads(run(capsys, "category", "list", "--db", db, "--json")[1]) == []
    assert "(hidden)" in run(capsys, "category", "list", "--db", db, "--all")[1]
    assert run(capsys, "category", "hide", "Hardware", "--show", "--db", db)[0] == 0
    assert run(capsys, "location", "add", "Media lab", "--db", db)[0] == 0
    assert [r["name"] for r in json.loads(run(capsys, "location", "list", "--db", db, "--json")[1])] == ["Media lab"]


def test_settings_get_and_set(db, capsys):
    assert run(capsys, "settings", "set", "timezone", "Asia/Seoul", "--db", db)[1].strip() == "timezone: Asia/Seoul"
    assert run(capsys, "settings", "set", "timezone", "Asia/Seoul", "--db", db)[1].strip() == "timezone: Asia/Seoul (unchanged)"
    assert run(capsys, "settings", "set", "hours", "mon-fri 08:30-17:30; sat 10:00-13:00", "--db", db)[0] == 0
    assert run(capsys, "settings", "set", "holidays-country", "kr", "--db", db)[0] == 0
    assert run(capsys, "settings", "set", "desk-name", "Media Desk", "--db", db)[0] == 0
    assert run(capsys, "settings", "set", "language", "ko", "--db", db)[0] == 0
    assert run(capsys, "settings", "set", "phone", "02-123-4567", "--db", db)[0] == 0
    assert run(capsys, "settings", "set", "closed-days", "2026-12-24, 2026-12-31", "--db", db)[0] == 0
    code, out, _ = run(capsys, "settings", "get", "--db", db)
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["timezone"] == "Asia/Seoul" and lines["holidays-country"] == "KR"
    assert lines["hours"] == ("mon 08:30-17:30; tue 08:30-17:30; wed 08:30-17:30; thu 08:30-17:30; "
                              "fri 08:30-17:30; sat 10:00-13:00; sun closed")
    assert (lines["desk-name"], lines["language"], lines["phone"]) == ("Media Desk", "ko", "02-123-4567")
    assert lines["closed-days"] == "2026-12-24, 2026-12-31"
    assert run(capsys, "settings", "get", "timezone", "--db", db)[1] == "Asia/Seoul\n"
    code, out, _ = run(capsys, "settings", "holidays", "--year", "2026", "--db", db)
    assert "2026-10-03  Sat  개천절" in out and "2026-12-24  Thu  Desk closed" in out
    assert "No terms are set" in run(capsys, "settings", "get", "terms", "--db", db)[1]


def test_the_cli_time_zone_moves_the_stats_days(db, capsys):
    # 2026-03-09 04:30 UTC is Monday 00:30 in New York (EDT since Sunday), Sunday 23:30 in a fixed EST.
    with open_store(db) as store, store.session() as session:
        requester = people.ensure_requester(session, email="late@uni.test").created_id
        for arrived in (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), datetime(2026, 3, 9, 4, 30, tzinfo=UTC)):
            tickets.log_ticket(session, actor_id=None, requester_id=requester, subject="Late", arrived_at=arrived,
                               now=arrived)

    def per_day() -> list[int]:
        with open_store(db) as store, store.session() as session:
            report = compute_stats(session, StatsFilter(start=date(2026, 3, 7), end=date(2026, 3, 9)))
            return report.daily["created"].tolist()

    assert run(capsys, "settings", "set", "timezone", "UTC", "--db", db)[0] == 0
    assert per_day() == [0, 1, 1]
    assert run(capsys, "settings", "set", "timezone", "America/New_York", "--db", db)[0] == 0
    assert per_day() == [1, 0, 1]
