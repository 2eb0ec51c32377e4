"""The `desk` command: every sub-command documents itself and works on a real store."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from desk.cli.main import build_parser, main


def subcommands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


@pytest.mark.parametrize("command", subcommands())
def test_every_command_has_help_and_db_option(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out and len(out.splitlines()) > 3


def test_parser_lists_every_help_text():
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)][0]
    helps = {choice.dest: choice.help for choice in actions._choices_actions}
    assert set(helps) == set(subcommands()) and all(helps.values())


def test_log_list_show_export_round(tmp_path, capsys, monkeypatch):
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DESK_DB", str(db))  # DESK_DB is honoured when --db is not given
    assert main(["init"]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["log", "--requester", "ana@uni.example", "--name", "Ana Ruiz", "--kind", "faculty",
                 "--category", "Curriculum support", "--subject", "Projector in 204", "--channel", "phone",
                 "--arrived-minutes-ago", "3"]) == 0
    assert "Logged ticket #1" in capsys.readouterr().out
    assert main(["list", "--view", "waiting", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["requester"], r["channel"]) for r in rows] == [(1, "Ana Ruiz", "phone")]
    assert main(["show", "1", "--json", "--db", str(db)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["category"] == "Curriculum support" and shown["history"][0]["action"] == "create"
    assert main(["list", "--search", '("204" -*']) == 0
    assert "1 of 1 tickets" in capsys.readouterr().out
    out_file = tmp_path / "all.csv"
    assert main(["export", "--format", "csv", "--output", str(out_file)]) == 0
    assert "Projector in 204" in out_file.read_text(encoding="utf-8")
    assert main(["check"]) == 0 and main(["backup", str(tmp_path / "b.sqlite3")]) == 0
    assert main(["migrate"]) == 0


def test_import_reports_bad_rows_and_exit_code(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,requester_email\nOK row,a@uni.example\nNo email,\n", encoding="utf-8")
    assert main(["import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 3: requester email is empty" in err and "Nothing imported" in err
    assert main(["list", "--view", "all"]) == 0
    assert "0 of 0 tickets" in capsys.readouterr().out


def test_unknown_ticket_is_a_message_not_a_traceback(capsys):
    assert main(["init"]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["show", "404"]) == 2
    assert capsys.readouterr().err.strip() == "desk: There is no ticket #404."


def test_demo_is_deterministic_by_seed(tmp_path):
    from datetime import UTC, datetime

    from desk.core.demo import generate

    end = datetime(2026, 9, 15, 12, tzinfo=UTC)
    dumps = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite3"
        summary = generate(path, tickets=600, seed=7, end=end, days=60)
        assert (summary.tickets, summary.requesters, summary.agents) == (600, 3400, 27)
        import sqlite3

        conn = sqlite3.connect(path)
        dumps.append(conn.execute("SELECT * FROM tickets ORDER BY id").fetchall())
        kinds = dict(conn.execute("SELECT channel, count(*) FROM tickets GROUP BY channel").fetchall())
        good = conn.execute("SELECT avg(satisfaction = 'good') FROM tickets WHERE satisfaction IS NOT NULL").fetchone()[0]
        assert set(kinds) == {"walk-in", "phone", "email", "web"} and good > 0.9
        assert conn.execute("SELECT count(*) FROM ticket_fts").fetchone()[0] == 600
        conn.close()
    assert dumps[0] == dumps[1]


def test_import_linter_contract_holds():
    """The core never imports Qt (also run by `make test` as lint-imports)."""
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    linter = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert linter.returncode == 0, linter.stdout + linter.stderr
    assert "The core never imports Qt KEPT" in linter.stdout


def test_sync_names_the_failed_remote_and_exits_non_zero(tmp_path, capsys, zendesk):
    from desk.core.sync import credentials
    from tests.sync.fake_zendesk import FakeZendesk

    db = str(tmp_path / "cli.sqlite3")
    assert main(["init", db]) == 0  # commands other than init, demo and import need a store (issue 11)
    broken = FakeZendesk()  # answers 401: the token Desk holds is not its token
    try:
        for name, fake, token in (("a-broken", broken, "not-its-token"), ("zd", zendesk, zendesk.state.token)):
            assert main(["remote", "add", name, "--kind", "zendesk", "--url", fake.url,
                         "--user", fake.state.email, "--db", db]) == 0
            credentials.store_secret(name, credentials.Secret(token=token))
        zendesk.create_ticket({"subject": "From the web", "comment": {"body": "hi"},
                               "requester": {"email": "kim@uni.test", "name": "Kim"}})
        zendesk.advance(61)
        capsys.readouterr()
        assert main(["sync", "--db", db]) == 1  # an environment error (issue 18's exit codes)
        out, err = capsys.readouterr()
        assert out.startswith("zd: pulled 1 (new 1")  # the remote that worked says what it did
        assert "desk: a-broken: Zendesk refused Desk's credentials (HTTP 401" in err
        assert "sync failed for a-broken (1 of 2 remotes)" in err
        assert "not-its-token" not in out + err
        assert main(["sync", "zd", "--db", db]) == 0  # the one that works, alone, is fine
        assert main(["sync", "nope", "--db", db]) == 2
        assert "desk: nope: There is no remote named 'nope'" in capsys.readouterr().err
    finally:
        broken.stop()


def test_sync_without_remotes_says_how_to_add_one(tmp_path, capsys):
    assert main(["init", str(tmp_path / "cli.sqlite3")]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["sync", "--db", str(tmp_path / "cli.sqlite3")]) == 2
    assert "desk remote add" in capsys.readouterr().err
