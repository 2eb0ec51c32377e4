"""Terms: "this semester" is the desk's configured term, set by an operation or a preset."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from desk.cli.main import main
from desk.core import calendar, errors
from desk.core.changes import Changes
from desk.core.models import AuditEvent
from desk.core.stats.periods import preset_range


def test_korean_preset_starts_spring_in_march_and_autumn_in_september() -> None:
    made = calendar.preset_terms("ko", years=[2027])
    assert [(t.name, t.start, t.end) for t in made] == [
        ("Spring semester 2027", date(2027, 3, 1), date(2027, 8, 31)),
        ("Autumn semester 2027", date(2027, 9, 1), date(2028, 2, 29)),  # 2028 is a leap year
    ]


def test_us_preset_covers_the_year_without_gaps() -> None:
    made = calendar.preset_terms("us", years=[2026])
    assert [t.start for t in made] == [date(2026, 1, 1), date(2026, 6, 1), date(2026, 8, 15)]
    assert all((after.start - before.end).days == 1 for before, after in zip(made, made[1:], strict=False))


def test_set_terms_is_one_audited_operation_and_current_term_reads_it(session) -> None:  # noqa: ANN001
    assert calendar.current_term(session, date(2026, 10, 1)) is None
    changes = calendar.set_terms(session, terms=calendar.preset_terms("ko", years=[2026]))
    assert changes == Changes(settings=True)
    assert calendar.current_term(session, date(2026, 10, 1)).name == "Autumn semester 2026"
    assert calendar.current_term(session, date(2026, 2, 1)) is None  # before the first term set
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "set-terms")).all()
    assert len(audit) == 1 and audit[0].ticket_id is None and audit[0].old is None
    assert json.loads(audit[0].new)[0] == {"name": "Spring semester 2026", "start": "2026-03-01", "end": "2026-08-31"}
    calendar.set_terms(session, terms=[])
    assert calendar.terms(session) == []


@pytest.mark.parametrize(("terms", "says"), [
    ([{"name": "A", "start": "2026-03-01", "end": "2026-02-01"}], "before it starts"),
    ([{"name": "A", "start": "2026-03-01", "end": "2026-06-30"},
      {"name": "B", "start": "2026-06-30", "end": "2026-08-31"}], "overlap"),
    ([{"name": "A", "start": "1 March", "end": "2026-06-30"}], "YYYY-MM-DD"),
    ([{"name": " ", "start": "2026-03-01", "end": "2026-06-30"}], "name"),
    ([{"name": "A", "start": "2026-03-01"}], "exactly"),
    ({"name": "A"}, "a list"),
])
def test_bad_terms_are_refused_with_a_reason(session, terms, says: str) -> None:  # noqa: ANN001
    with pytest.raises(errors.InvalidInput, match=says):
        calendar.set_terms(session, terms=terms)
    assert calendar.terms(session) == []


def test_this_semester_needs_a_term() -> None:
    term = calendar.Term("Autumn semester 2026", date(2026, 9, 1), date(2027, 2, 28))
    assert preset_range("this semester", date(2026, 12, 1), term=term) == (date(2026, 9, 1), date(2026, 12, 1))
    with pytest.raises(errors.InvalidInput, match="desk terms set-preset"):
        preset_range("this semester", date(2026, 12, 1), term=None)


def test_cli_says_how_to_set_terms_then_uses_them(tmp_path, capsys) -> None:  # noqa: ANN001
    db = str(tmp_path / "s.sqlite3")
    assert main(["init", db]) == 0  # commands other than init, demo and import need a store (issue 11)
    assert main(["stats", "--db", db, "--period", "semester"]) != 0
    assert "desk terms set-preset" in capsys.readouterr().err
    this_year = date.today().year
    assert main(["terms", "--db", db, "set-preset", "us", "--from-year", str(this_year), "--years", "1"]) == 0
    listed = capsys.readouterr().out
    assert listed.count(str(this_year)) >= 3 and "(today)" in listed
    assert main(["stats", "--db", db, "--period", "semester", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    period = summary[0]["Value"]
    term = next(t for t in calendar.preset_terms("us", years=[this_year]) if t.start <= date.today() <= t.end)
    assert period.startswith(f"{term.start} to ")
    assert main(["stats", "--db", db, "--period", "7days", "--from", "2026-01-01"]) != 0
    assert "not both" in capsys.readouterr().err
