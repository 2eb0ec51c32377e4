"""The translation mechanism and the Korean catalog: every marked string has Korean, placeholders
survive translation, the catalog compiles, --lang and the store's setting choose the language,
every `--help` of the CLI is Korean under --lang ko, and dates and plurals read right."""

from __future__ import annotations

import argparse
import os
import re
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from desk.cli.main import build_parser, main
from desk.core import i18n, i18n_build

ROOT = Path(__file__).resolve().parents[2]
KO_PO = ROOT / "resources" / "locale" / "ko" / "LC_MESSAGES" / "desk.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "counted": (2, 3)}
PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)[^{}]*\}|%\((\w+)\)[sdr]")
# Messages that are code, data or a name, the same in every language (Korean leaves them as they are).
SAME_IN_EVERY_LANGUAGE = re.compile(r"^(Ctrl\+.*|F\d+|#|HH:mm|Fusion|PNG|HTML|Excel|Zendesk|Request Tracker 5|"
                                    r"JSON \(\*\.json\)|CSV…|PNG…|Desk|Desk — \{name\}|Extra data|"
                                    r"Expecting ',' delimiter|color: .*|module .*|desk: \{remote\}: \{message\}|\{row\}\t.*)$")


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def _catalog() -> dict[str, str]:
    with KO_PO.open("rb") as source:
        catalog = read_po(source, locale="ko")
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): (m.string[0] if isinstance(m.string, tuple) else m.string)
            for m in catalog if m.id}


def _marked_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "desk"), method_map=[("**.py", "python")], keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_marked_string_has_korean():
    """A string wrapped in _()/N_/ngettext/counted anywhere in desk/ must be in the Korean catalog,
    translated; a new English string without Korean fails here (run `make messages`, translate)."""
    catalog = _catalog()
    missing = sorted(m for m in _marked_strings() if not catalog.get(m))
    assert not missing, "no Korean for:\n" + "\n".join(map(repr, missing))


def test_translations_keep_their_placeholders():
    for msgid, msgstr in _catalog().items():
        if not msgstr:
            continue
        wanted = {a or b for a, b in PLACEHOLDER.findall(msgid.replace("{{", "").replace("}}", ""))}
        given = {a or b for a, b in PLACEHOLDER.findall(msgstr.replace("{{", "").replace("}}", ""))}
        assert given <= wanted, (msgid, msgstr)  # a placeholder Korean invents would raise KeyError


def test_korean_is_korean():
    """A translation that is the English text again is only allowed for names and codes."""
    def words(text: str) -> bool:
        return bool(re.search(r"[a-z]{3,}", re.sub(r"<[^>]*>|\{[^}]*\}|\w+=", " ", text)))

    same = [m for m, s in _catalog().items() if s == m and words(m) and not SAME_IN_EVERY_LANGUAGE.match(m)]
    assert not same, same


def test_the_catalog_compiles_when_missing_or_older(tmp_path: Path):
    folder = tmp_path / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "desk.po"
    po.write_bytes(KO_PO.read_bytes())
    mo = i18n_build.ensure_compiled("ko", locale_dir=tmp_path)
    assert mo is not None and mo.stat().st_size > 10_000
    built = mo.stat().st_mtime_ns
    assert i18n_build.ensure_compiled("ko", locale_dir=tmp_path) == mo and mo.stat().st_mtime_ns == built
    earlier = time.time() - 60
    os.utime(mo, (earlier, earlier))  # the .po was edited after the build: compiled again
    assert i18n_build.is_stale(po, mo)
    i18n_build.ensure_compiled("ko", locale_dir=tmp_path)
    assert not i18n_build.is_stale(po, mo)
    assert i18n_build.ensure_compiled("fr", locale_dir=tmp_path) is None


def test_set_language_translates_and_falls_back():
    assert i18n.set_language("ko") == "ko"
    assert i18n._("Log ticket") == "티켓 기록"
    assert i18n._("") == ""  # never the catalog's header
    assert i18n.set_language("xx") == "en" and i18n._("Log ticket") == "Log ticket"


def test_the_system_locale_is_followed(monkeypatch: pytest.MonkeyPatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert i18n.set_language("") == "ko"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.set_language(None) == "en"


def _subparsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its sub-commands here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                yield from _subparsers(sub, (*path, name))


CODE = re.compile(r"`[^`]*`|--?[\w-]+(?:=\S+)?|(?<![A-Za-z])[A-Z][A-Z_]+(?![A-Za-z])|\{[^}]*\}|\$\w+|\S+@\S+|https?://\S+|\S+\.\w+\b")
KEPT_WORDS = {"desk", "Desk", "Zendesk", "Request", "Tracker", "RT", "CSV", "TSV", "JSON", "NDJSON", "SQLite",
              "XLSX", "HTML", "UTF", "cp949", "OAuth", "API", "HTTPS", "Datasette", "pandas", "Power", "Query",
              "Excel", "Title", "Email", "Queue", "tab", "us", "ko", "sqlite", "xlsx", "csv", "json", "html",
              "text", "rt", "zendesk", "oauth", "token", "password", "me", "none", "mine", "theirs", "good",
              "bad", "true", "false", "Asia", "Seoul", "America", "New_York", "KR", "US", "CA", "utf", "latin",
              "mon", "fri", "sat", "ISO", "IANA", "ext", "TERM", "db", "lang", "en", "macros", "api", "v2",
              "student", "worker", "staff", "supervisor", "all", "open", "GET", "NAME", "id", "p80", "p90",
              "Wi", "Fi", "AV", "localhost"}
TERM = re.compile(r"^\s+[\w{}\[\],.|-]+(?: [A-Z_\[\]{},.|-]+)*\s{2,}")  # an option, argument or command


def test_every_cli_help_is_korean(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """`desk --lang ko … --help` for every command: no English left besides commands, options,
    metavariables, code in backticks and product names."""
    monkeypatch.setenv("COLUMNS", "2000")  # one line per help text: nothing is cut in the middle of code
    i18n.set_language("ko")
    from desk.cli import argparse_words

    argparse_words.install()
    problems = []
    for path, parser in _subparsers(build_parser()):
        text = parser.format_help()
        choices = {word for action in parser._actions for choice in (action.choices or ())  # noqa: SLF001
                   for word in re.findall(r"[A-Za-z]\w*", str(choice))}
        for line in text.splitlines():
            if line.startswith("사용법:") or (line.startswith("  ") and "  " not in line.strip()):
                continue  # the usage line, and names alone on their line
            words = re.findall(r"[A-Za-z][A-Za-z0-9_]*", CODE.sub(" ", TERM.sub(" ", line)))
            english = [w for w in words if w not in KEPT_WORDS and w not in path and w not in choices and len(w) > 1]
            if english:
                problems.append(f"desk {' '.join(path)}: {line.strip()!r} ({', '.join(english)})")
    assert not problems, "\n".join(problems)


def test_lang_option_chooses_the_language(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["--lang", "ko", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("사용법: desk") and "옵션:" in out and "이 도움말을 보여 주고 끝내기" in out
    with pytest.raises(SystemExit):
        main(["--lang", "en", "--help"])
    assert capsys.readouterr().out.startswith("usage: desk")


def test_commands_follow_lang_and_the_window_follows_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch):
    from desk.cli.main import choose_language

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    db = str(tmp_path / "s.sqlite3")
    assert main(["init", db]) == 0
    assert main(["settings", "set", "language", "ko", "--db", db]) == 0
    assert i18n.stored_language(db) == "ko"
    assert choose_language(["--db", db], window=True) == "ko"  # the desk's screens: the store's setting
    assert choose_language(["--db", db, "--lang", "en"], window=True) == "en"  # --lang wins
    assert choose_language(["list", "--db", db], window=False) == "en"  # a terminal: LANG
    capsys.readouterr()
    assert main(["--lang", "ko", "settings", "get", "terms", "--db", db]) == 0
    assert "설정된 학기가 없습니다" in capsys.readouterr().out
    assert main(["--lang", "ko", "show", "999", "--db", db]) == 2
    assert "티켓 #999이(가) 없습니다" in capsys.readouterr().err  # a core error message, in Korean


def test_cli_dates_and_numbers_follow_the_language():
    i18n.set_language("ko")
    assert i18n.format_datetime(datetime(2026, 12, 1, 14, 5)) == "2026. 12. 1. (화) 14:05"
    assert i18n.format_day(date(2026, 12, 1)) == "2026. 12. 1. (화)"
    assert i18n.parse_day("2026. 12. 1. (화)") == date(2026, 12, 1)
    assert i18n.format_weekday(date(2026, 12, 6)) == "일"
    assert i18n.format_number(1234567.5) == "1,234,567.5"
    i18n.set_language("en")
    assert i18n.format_day(date(2026, 12, 1)) == "2026-12-01"
    assert i18n.format_datetime(datetime(2026, 12, 1, 14, 5)) == "Tue, Dec 1, 2026 14:05"


@pytest.mark.parametrize("count", [0, 1, 2, 5, 1000])
def test_korean_has_one_plural_form(count: int):
    i18n.set_language("ko")
    assert i18n.ngettext("{n:,} person", "{n:,} people", count).format(n=count) == f"{count:,}명"
    i18n.set_language("en")
    assert i18n.ngettext("{n:,} person", "{n:,} people", count).format(n=count) == (
        f"{count:,} person" if count == 1 else f"{count:,} people")


def test_cli_output_in_korean(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from desk.core.db import open_store
    from desk.core.ops import comments, people

    db = str(tmp_path / "s.sqlite3")
    assert main(["init", db]) == 0
    assert main(["log", "--db", db, "--requester", "jiyoung@uni.test", "--name", "이지영", "--category", "강의실 AV",
                 "--subject", "빔프로젝터 연결 안 됨", "--kind", "faculty"]) == 0
    with open_store(db) as store, store.session() as session:
        agent = people.add_agent(session, name="김민수", email="minsu@desk.test").created_id
        comments.add_comment(session, ticket_id=1, author_id=agent, body="지금 가겠습니다.", public=True)
        session.commit()
    capsys.readouterr()
    assert main(["--lang", "ko", "show", "1", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "  상태: 진행 중" in out and "  접수 경로: 방문" in out  # open since the agent replied
    assert re.search(r"  도착: \d{4}\. \d{1,2}\. \d{1,2}\. \([월화수목금토일]\) \d{2}:\d{2} UTC", out), out
    assert re.search(r"--- 답변, 작성: 김민수, \d{4}\. \d{1,2}\. \d{1,2}\. \([월화수목금토일]\) \d{2}:\d{2} UTC", out), out
    assert main(["--lang", "ko", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "진행 중" in out and "방문" in out and "티켓 1건 중 1건" in out
    assert main(["--lang", "ko", "settings", "set", "holidays-country", "KR", "--db", db]) == 0
    capsys.readouterr()
    assert main(["--lang", "ko", "settings", "holidays", "--year", "2026", "--db", db]) == 0
    assert "2026-10-03  토  개천절" in capsys.readouterr().out  # the weekday in Korean (Babel)
