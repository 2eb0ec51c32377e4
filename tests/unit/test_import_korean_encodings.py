"""Importing files from Korean Windows and Excel (issue 13): CP949 and EUC-KR read when asked,
recognised with a hint otherwise, read as detected with --encoding auto (and said so)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desk.cli.main import main
from desk.core import reading
from desk.core.errors import InvalidInput
from desk.core.importing import import_people_file, import_tickets_file
from desk.core.models import Person, Ticket

# A sheet as a Korean desk keeps it; 똠 and 햏 are in CP949 but not in EUC-KR.
CSV = ("제목,이메일,이름,분류\r\n"
       "강의실 204호 프로젝터 화면이 안 나와요,min@uni.example,김민수,AV\r\n"
       "무선인터넷 연결 불가,seo@uni.example,이서연,네트워크\r\n")
EXTENDED = "똠방 햏 프린터 고장,hang@uni.example,박똠,프린터\r\n"


def _subjects(session) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(Ticket.subject).order_by(Ticket.id)))


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr", "CP949", "euc_kr"])
def test_korean_files_are_read_when_asked(session, tmp_path, encoding):  # noqa: ANN001
    path = tmp_path / "excel.csv"
    path.write_bytes(CSV.encode("euc-kr"))  # EUC-KR bytes are CP949 bytes too
    report = import_tickets_file(session, path, encoding=encoding, mapping={"제목": "subject", "이메일": "requester_email",
                                                                          "이름": "requester_name", "분류": "category"})
    assert report.ok, report.problems
    assert _subjects(session) == ["강의실 204호 프로젝터 화면이 안 나와요", "무선인터넷 연결 불가"]
    assert session.scalar(select(Person.name).where(Person.email == "seo@uni.example")) == "이서연"


def test_cp949_only_syllables_need_cp949_not_euc_kr(session, tmp_path):  # noqa: ANN001
    path = tmp_path / "excel.csv"
    path.write_bytes((CSV + EXTENDED).encode("cp949"))
    mapping = {"제목": "subject", "이메일": "requester_email", "이름": "requester_name"}
    with pytest.raises(InvalidInput, match=r"not valid euc-kr text.*CP949 \(Korean Windows\); re-run with --encoding cp949"):
        import_tickets_file(session, path, encoding="euc-kr", mapping=mapping)
    assert import_tickets_file(session, path, encoding="cp949", mapping=mapping).ok
    assert _subjects(session)[-1] == "똠방 햏 프린터 고장"


def test_a_korean_file_is_recognised_by_its_bytes(tmp_path):
    data = (CSV * 3).encode("cp949")
    assert reading.guess_encoding(data) == "cp949"
    assert reading.guess_encoding("빔 고장".encode("cp949")) == "cp949"  # one short cell is enough
    assert reading.guess_encoding("件名,メール\nプロジェクターが故障しました,a@x\n".encode("shift_jis")) in ("cp932", "shift_jis")
    with pytest.raises(InvalidInput) as raised:
        reading.read_table(data, name="excel.csv")
    assert "This looks like CP949 (Korean Windows); re-run with --encoding cp949." in raised.value.message
    assert "--encoding auto" in raised.value.message


def test_korean_headers_are_understood(session, tmp_path):  # noqa: ANN001
    path = tmp_path / "excel.csv"
    path.write_bytes(CSV.encode("cp949"))
    assert import_tickets_file(session, path, encoding="cp949").ok  # 제목, 이메일, 이름, 분류 need no --map
    ticket = session.scalar(select(Ticket).order_by(Ticket.id))
    assert (ticket.subject, ticket.requester.name, ticket.category.name) == (
        "강의실 204호 프로젝터 화면이 안 나와요", "김민수", "AV")


def test_encoding_auto_reads_what_it_detects_and_says_so(session, tmp_path):  # noqa: ANN001
    path = tmp_path / "people.csv"
    path.write_bytes("이름,이메일\r\n김민수,min@uni.example\r\n남궁민수,ng@uni.example\r\n".encode("cp949"))
    report = import_people_file(session, path, encoding="auto")
    assert report.ok, report.problems
    assert report.read_as == "cp949"
    assert sorted(session.scalars(select(Person.name))) == ["김민수", "남궁민수"]
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("Title,Email\r\n프린터,a@uni.example\r\n", encoding="utf-8")
    report = import_tickets_file(session, utf8, encoding="auto")
    assert report.ok and report.read_as == ""  # UTF-8 is read as UTF-8: nothing to say


def test_cli_import_auto_says_which_encoding_it_read(tmp_path, capsys):  # noqa: ANN001
    (tmp_path / "excel.csv").write_bytes("Title,Email,Name\r\n프로젝터 고장,min@uni.example,김민수\r\n".encode("cp949"))
    db = tmp_path / "desk.sqlite3"
    assert main(["import", "--db", str(db), str(tmp_path / "excel.csv"), "--encoding", "auto"]) == 0
    captured = capsys.readouterr()
    assert "read as cp949 (the encoding it looks like)" in captured.err and "Imported 1 tickets" in captured.out


def test_auto_on_bytes_nobody_can_read_says_what_to_do(tmp_path):
    data = bytes(range(128, 256)) * 4
    with pytest.raises(InvalidInput, match="encoding"):
        reading.read_table(data, name="noise.csv", encoding="auto")
