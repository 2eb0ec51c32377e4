"""Import of CSV, TSV, JSON and NDJSON files as people save them: encodings, BOMs, delimiters,
dry runs, people; every bad file explained, none a traceback."""

from __future__ import annotations

import codecs
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desk.core.errors import InvalidInput
from desk.core.importing import import_people_file, import_tickets_file
from desk.core.models import AuditEvent, Person, Ticket

ROWS = [
    {"Title": "Projector in 204 is dark", "Email": "ana@uni.example", "Name": "Ana Kim", "Queue": "AV"},
    {"Title": "프린터 용지 걸림", "Email": "min@uni.example", "Name": "김민수", "Queue": "Printing"},
]


def _delimited(delimiter: str) -> str:
    lines = [delimiter.join(ROWS[0])] + [delimiter.join(row.values()) for row in ROWS]
    return "\r\n".join(lines) + "\r\n"


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Ticket))


def _subjects(session) -> list[str]:
    return list(session.scalars(select(Ticket.subject).order_by(Ticket.id)))


@pytest.mark.parametrize(("name", "content", "expected_format"), [
    ("tickets.csv", _delimited(","), "csv"),
    ("tickets.tsv", _delimited("\t"), "tsv"),
    ("semicolons.csv", _delimited(";"), "csv"),
    ("tickets.json", json.dumps(ROWS, ensure_ascii=False), "json"),
    ("tickets.ndjson", "\n".join(json.dumps(row, ensure_ascii=False) for row in ROWS) + "\n", "ndjson"),
    ("one.json", json.dumps(ROWS[0]), "json"),
])
def test_each_format_is_detected_and_imported(session, tmp_path, name, content, expected_format):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    report = import_tickets_file(session, path)
    assert report.ok, report.problems
    assert report.format == expected_format
    assert _subjects(session) == [row["Title"] for row in ROWS][: report.imported]
    assert report.imported == (1 if name == "one.json" else 2)
    assert session.scalar(select(Ticket).order_by(Ticket.id)).category.name == "AV"


def test_cp949_file_from_korean_excel_gets_a_hint_then_imports_with_encoding(session, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(_delimited(",").encode("cp949"))
    with pytest.raises(InvalidInput, match=r"CP949 \(Korean Windows\); re-run with --encoding cp949"):
        import_tickets_file(session, path)
    assert _count(session) == 0
    report = import_tickets_file(session, path, encoding="cp949")
    assert report.ok and _subjects(session)[1] == "프린터 용지 걸림"
    assert session.scalar(select(Person).where(Person.email == "min@uni.example")).name == "김민수"


def test_western_windows_file_is_named_too(session, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("Title,Email\r\nCafé Wi-Fi down,zoe@uni.example\r\n".encode("cp1252"))
    with pytest.raises(InvalidInput, match="Windows-1252.*--encoding cp1252"):
        import_tickets_file(session, path)
    assert import_tickets_file(session, path, encoding="cp1252").ok
    assert _subjects(session) == ["Café Wi-Fi down"]


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_a_byte_order_mark_is_honoured_and_not_part_of_the_first_header(session, tmp_path, bom):
    path = tmp_path / "bom.csv"
    codec = "utf-8" if bom == codecs.BOM_UTF8 else "utf-16-le"
    path.write_bytes(bom + _delimited(",").encode(codec))
    report = import_tickets_file(session, path)
    assert report.ok, report.problems
    assert _subjects(session) == [row["Title"] for row in ROWS]


def test_utf16_without_a_bom_is_named(session, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(_delimited("\t").encode("utf-16-le"))
    ascii_only = tmp_path / "ascii.txt"  # valid UTF-8 byte for byte, NULs and all
    ascii_only.write_bytes("Title\tEmail\r\nWi-Fi\ta@uni.example\r\n".encode("utf-16-le"))
    with pytest.raises(InvalidInput, match="NUL bytes.*UTF-16 without a byte-order mark"):
        import_tickets_file(session, ascii_only)
    with pytest.raises(InvalidInput, match="UTF-16 without a byte-order mark; re-run with --encoding utf-16-le"):
        import_tickets_file(session, path)
    assert import_tickets_file(session, path, encoding="utf-16-le").ok
    assert _subjects(session) == [row["Title"] for row in ROWS]


def test_a_wrong_delimiter_is_explained(session, tmp_path):
    path = tmp_path / "semicolons.csv"
    path.write_text(_delimited(";"), encoding="utf-8")
    report = import_tickets_file(session, path, delimiter=",")
    assert not report.ok and _count(session) == 0 and len(report.problems) == 1
    line, reason = report.problems[0]
    assert line == 1 and "separated by semicolons, not commas" in reason and "--delimiter ';'" in reason


def test_rows_with_more_cells_than_the_header_name_the_line(session, tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_text("Title,Email\nfine,a@uni.example\nbroken, really,b@uni.example\n", encoding="utf-8")
    report = import_tickets_file(session, path)
    assert report.problems == [(3, "3 cells but the header has 2 columns (a cell holding commas without quotes, "
                                    "or another delimiter?)")]
    assert _count(session) == 0


def test_missing_required_columns_say_what_the_header_has(session, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Problem,Who\nNo sound,ana@uni.example\n", encoding="utf-8")
    report = import_tickets_file(session, path)
    assert len(report.problems) == 1 and report.problems[0][0] == 1  # said once, not for every row
    assert "no column for subject or requester email" in report.problems[0][1] and "Problem, Who" in report.problems[0][1]
    assert import_tickets_file(session, path, mapping={"Problem": "subject", "Who": "requester_email"}).ok


def test_dry_run_reports_and_writes_nothing(session, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(_delimited(","), encoding="utf-8")
    report = import_tickets_file(session, path, dry_run=True)
    assert report.ok and report.dry_run and report.would_import == 2
    assert _count(session) == 0 and session.scalar(select(func.count()).select_from(Person)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_unknown_columns_are_listed_as_not_carried(session, tmp_path):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps([{**ROWS[0], "Asset tag": "A-1", "Cost": 12.5}]), encoding="utf-8")
    report = import_tickets_file(session, path)
    assert report.ok and report.imported == 1
    assert any("Asset tag, Cost" in item for item in report.not_carried)


def test_people_import_adds_new_and_updates_known_people_with_audit(session, tmp_path, requester_id):
    path = tmp_path / "people.csv"
    path.write_text("Full name,E-mail,Phone,Type\n"
                    "Wei Chen,PROF.CHEN@uni.test,+1 555 0100,faculty\n"
                    "Sora Park,sora@uni.example,,Student\n", encoding="utf-8")
    report = import_people_file(session, path)
    assert report.ok, report.problems
    assert (report.counts.people_created, report.counts.people_updated) == (1, 1)
    sora = session.scalar(select(Person).where(Person.email == "sora@uni.example"))
    assert (sora.name, sora.kind, sora.phone) == ("Sora Park", "student", None)
    assert session.get(Person, requester_id).phone == "+1 555 0100"
    fields = set(session.scalars(select(AuditEvent.field).where(AuditEvent.action == "import person")))
    assert fields == {"email", "phone"}


def test_people_file_without_name_or_email_columns_is_said_once(session, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Who,Where\nA,Library\nB,Lab\n", encoding="utf-8")
    report = import_people_file(session, path)
    assert report.problems == [(1, "no column for name or e-mail (the header has: Who, Where; use --map)")]


def test_people_import_reports_bad_rows_by_line_and_imports_none(session, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,email,kind\nA,a@uni.example,staff\nB,not-mail,staff\nC,a@uni.example,staff\n"
                    "D,d@uni.example,wizard\n", encoding="utf-8")
    report = import_people_file(session, path)
    assert [line for line, _ in report.problems] == [3, 4, 5]
    assert "appears twice" in report.problems[1][1] and "'wizard' is not one of" in report.problems[2][1]
    assert session.scalar(select(func.count()).select_from(Person)) == 0


# --- bad input: never a traceback --------------------------------------------------------------


@pytest.mark.parametrize(("content", "message"), [
    (b'[{"Title": "a", "Email": "a@b.c"},', "not valid JSON"),
    (b'{"Title": "a"', "not valid JSON"),
    (b'"just a string"', None),
    (b"[1, 2, 3]", None),
    (b'[{"Title": "a", "Email": "a@b.c"} {"Title": "b"}]', "Expecting ',' delimiter at line 1"),
    (b'[{"Title": "a", "Email": "a@b.c"}] trailing', "Extra data at line 1"),
    (b"[]", None),
])
def test_malformed_json_is_explained(session, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    try:
        report = import_tickets_file(session, path)
    except InvalidInput as exc:
        assert message is None or message in exc.message
        assert "line 1" in exc.message or "JSON" in exc.message
    else:
        assert message is None and not report.ok and report.problems
    assert _count(session) == 0


def test_broken_ndjson_lines_are_reported_by_line(session, tmp_path):
    path = tmp_path / "bad.ndjson"
    path.write_text('{"Title": "a", "Email": "a@uni.example"}\n\n{"Title": \n[1]\n', encoding="utf-8")
    report = import_tickets_file(session, path)
    assert [line for line, _ in report.problems] == [3, 4]
    assert _count(session) == 0


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"Title,Email\n"])
def test_an_empty_file_is_a_problem_not_a_crash(session, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    report = import_tickets_file(session, path)
    assert not report.ok and report.problems[0][0] == 0
    assert _count(session) == 0


def test_a_10_mb_cell_is_read_whole(session, tmp_path):
    path = tmp_path / "big.csv"
    big = "ß" * (10 * 1024 * 1024)
    path.write_text(f'Title,Email,Details\nHuge log,a@uni.example,"{big}"\n', encoding="utf-8")
    report = import_tickets_file(session, path)
    assert report.ok, report.problems
    assert session.scalar(select(Ticket.description)) == big


def test_a_lone_surrogate_in_json_is_mended_and_said(session, tmp_path):
    path = tmp_path / "odd.json"
    path.write_text('[{"Title": "bad \\ud800 char", "Email": "a@uni.example"}]', encoding="utf-8")
    report = import_tickets_file(session, path)
    assert report.ok and _subjects(session) == ["bad \ufffd char"]
    assert any("lone surrogates" in item for item in report.not_carried)


def test_an_unreadable_path_is_explained(session, tmp_path):
    with pytest.raises(InvalidInput, match="Cannot read"):
        import_tickets_file(session, tmp_path / "missing.csv")
    with pytest.raises(InvalidInput, match="Cannot read"):
        import_tickets_file(session, tmp_path)


def test_an_unknown_encoding_name_is_explained(session, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(_delimited(","), encoding="utf-8")
    with pytest.raises(InvalidInput, match="Unknown encoding 'klingon'"):
        import_tickets_file(session, path, encoding="klingon")


odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), odd_text.map(lambda s: s.encode("utf-8")),
                      odd_text.map(lambda s: ("Title,Email\n" + s).encode("utf-8")),
                      odd_text.map(lambda s: ("[" + s).encode("utf-8")),
                      odd_text.map(lambda s: ('{"Title": ' + s).encode("utf-8"))))
def test_any_bytes_import_or_are_explained_all_or_nothing(session, tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    before = _count(session)
    try:
        report = import_tickets_file(session, path)
    except InvalidInput as exc:
        assert exc.message
        assert _count(session) == before
        return
    if report.ok:
        assert _count(session) == before + report.imported
    else:
        assert _count(session) == before and all(isinstance(line, int) and reason for line, reason in report.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)
       .filter(lambda s: s.split()), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_subject_survives_any_delimiter_and_unicode_encoding(session, tmp_path, subject, delimiter, encoding):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["Title", "Email"])
    writer.writerow([subject, "fuzz@uni.example"])
    path = tmp_path / "one.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    before = _count(session)
    report = import_tickets_file(session, path, delimiter=delimiter if delimiter != "," else None)
    assert report.ok, report.problems
    assert _subjects(session)[before:] == [" ".join(subject.split())]
