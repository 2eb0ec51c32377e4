"""Reading a file people bring to import: bytes → rows, or a typed error that says what to do.

The format (CSV, TSV, JSON, newline-delimited JSON) is detected by sqlite-utils'
``rows_from_file``, the design card's choice. Desk reads CSV/TSV rows itself afterwards, with the
delimiter it found, because ``rows_from_file`` hides the reader and so the line each row came
from: an import reports every bad row by its line. NDJSON is read line by line for the same reason
(``rows_from_file`` takes a file starting with ``{`` for a single JSON document), and JSON is
parsed from the decoded text rather than handed to ``rows_from_file`` as bytes again, so a big
export is held in memory once.

The text is decoded before anything is parsed, so a file in another encoding fails at once with a
hint (Korean Excel saves CP949) rather than as a garbled header. Byte-order marks (UTF-8, UTF-16)
are honoured and dropped. The hint's guess: Korean when the bytes read as CP949 and are mostly
Hangul (EUC-KR is part of CP949), else what charset-normalizer finds; ``encoding="auto"`` reads
the file in that guess, and the table says which encoding it was read in.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlite_utils.utils import Format, RowsFromFileBadJSON, rows_from_file

from desk.core import errors
from desk.core.i18n import _

MAX_CELL = 64 * 1024 * 1024  # characters; csv's default 128 Ki would turn a long cell into a crash
DELIMITERS = (",", ";", "\t", "|")
FORMATS = ("csv", "tsv", "json", "ndjson")
csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Table:
    """Rows of a file: ``(where, row)`` pairs, ``where`` a line (CSV, TSV, NDJSON) or a record
    number (JSON; ``unit`` says which). Values are as the file gave them (text for CSV)."""

    format: str
    unit: str  # "line" or "record"
    rows: Iterable[tuple[int, object]] = field(default_factory=list)  # JSON: read as consumed
    header: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"  # what the text was read as
    guessed: bool = False  # with encoding="auto": found by looking at the bytes


AUTO = "auto"  # the encoding option that means "look at the bytes"


def decode(data: bytes, *, encoding: str | None, name: str) -> str:
    """The file's text. Without ``encoding``: a byte-order mark decides, else UTF-8; a file that
    is not UTF-8 raises InvalidInput naming the likely encoding and the option to pass."""
    return decode_as(data, encoding=encoding, name=name)[0]


def decode_as(data: bytes, *, encoding: str | None, name: str) -> tuple[str, str]:
    """``(text, encoding read as)``; like ``decode``, and ``encoding="auto"`` reads UTF-8 (or
    a byte-order mark's encoding) when it fits and the guessed encoding otherwise."""
    if encoding and encoding.lower() == AUTO:
        try:
            return decode_as(data, encoding=None, name=name)
        except errors.InvalidInput:
            guess = guess_encoding(data)
            if guess is None:
                raise errors.InvalidInput(_("Desk cannot tell what encoding {name} is in; re-run with --encoding "
                                            "and the file's encoding (cp949 for Korean Excel).").format(name=name)
                                          ) from None
            return decode_as(data, encoding=guess, name=name)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise errors.InvalidInput(_('Unknown encoding {encoding!r} (try utf-8, cp949, cp1252 or latin-1).').format(encoding=encoding)) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise errors.InvalidInput(
                f"{name} is not valid {encoding} text (byte {exc.start:,}).{_hint(data)}") from None
        return text.removeprefix("\ufeff"), codecs.lookup(encoding).name
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).removeprefix("\ufeff"), codec
            except UnicodeDecodeError as exc:
                raise errors.InvalidInput(_('{name} starts like {codec} text but is not (byte {start:,}).').format(name=name, codec=codec, start=exc.start)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.InvalidInput(_('{name} is not UTF-8 text (byte {start:,}).{hint}').format(name=name, start=exc.start, hint=_hint(data))) from None
    if "\x00" in text[:4096]:  # valid UTF-8, but no text file has NULs: UTF-16 of plain ASCII, or binary
        raise errors.InvalidInput(f"{name} is not a text file as Desk reads one (it holds NUL bytes).{_hint(data)}")
    return text, "utf-8"


def _looks_korean(data: bytes) -> bool:
    """The bytes read as CP949 (Korean Windows; EUC-KR is a part of it), and most of what is
    not ASCII is Hangul: a short file such as one Korean cell is still recognised, where a
    general detector needs more text."""
    try:
        korean = data.decode("cp949")
    except UnicodeDecodeError:
        return False
    foreign = [ch for ch in korean if ord(ch) > 127]
    return bool(foreign) and sum("\uac00" <= ch <= "\ud7a3" for ch in foreign) >= 0.6 * len(foreign)


def guess_encoding(data: bytes) -> str | None:
    """The encoding the bytes are most likely in (a Python codec name), or None."""
    if _looks_korean(data[:65536]):
        return "cp949"
    from charset_normalizer import from_bytes  # loaded only for a file that is not UTF-8

    best = from_bytes(data[:65536]).best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return None
    try:
        data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return best.encoding


def _hint(data: bytes) -> str:
    """What the bytes look like, as a sentence naming ``--encoding``; empty when no guess fits."""
    head = data[:4096]
    if head[1::2].count(0) > 0.4 * len(head[1::2]) > 0 and not head[0::2].count(0):
        return " This looks like UTF-16 without a byte-order mark; re-run with --encoding utf-16-le."
    if b"\x00" in head:
        return " It looks like a binary file (a spreadsheet or an image?): save it as CSV first."
    guess = guess_encoding(data)
    if guess == "cp949":
        return " This looks like CP949 (Korean Windows); re-run with --encoding cp949." + _(
            " (--encoding auto reads a file in the encoding it looks like.)")
    if guess is not None and guess not in ("cp1252", "latin_1", "cp1250"):  # Western guesses: below
        return _(" This looks like {encoding} text; re-run with --encoding {encoding}.").format(encoding=guess)
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return " Re-run with --encoding and the file's encoding."
    return " It may be Windows-1252 (Western Windows); re-run with --encoding cp1252."


def read_table(data: bytes, *, name: str, encoding: str | None = None, delimiter: str | None = None,
               fmt: str | None = None) -> Table:
    """Every row of ``data``; file-level trouble raises InvalidInput, row-level trouble is
    listed in ``Table.problems`` with its line."""
    text, used = decode_as(data, encoding=encoding, name=name)
    del data  # a big file is held once, as text (the caller keeps no reference either)
    table = _parse(text, name=name, delimiter=delimiter, fmt=fmt)
    table.encoding, table.guessed = used, bool(encoding and encoding.lower() == AUTO and used != "utf-8")
    return table


def _parse(text: str, *, name: str, delimiter: str | None, fmt: str | None) -> Table:
    if not text or text.isspace():
        return Table(format=fmt or "csv", unit="line", problems=[(0, "the file is empty")])
    if fmt is None and delimiter is None:
        fmt = _detect(text)
    if fmt in ("json", "ndjson"):
        return _read_ndjson(text, name) if fmt == "ndjson" else _read_json(text, name)
    if delimiter is None:
        delimiter = "\t" if fmt == "tsv" else _delimiter_of(text)
    return _read_delimited(text, delimiter=delimiter, fmt="tsv" if delimiter == "\t" else "csv")


def _detect(text: str) -> str:
    """The format, from the start of the text only (no copy of a big file is made)."""
    window = text[:8192]
    start = len(window) - len(window.lstrip())
    head = text[start:start + 8192]
    if head.startswith("{"):
        end = text.find("\n", start)
        try:
            json.loads(text[start:end if end >= 0 else len(text)])
        except (ValueError, RecursionError):
            return "json"  # one object over several lines (or broken: _read_json says so)
        return "ndjson" if end >= 0 and text[end:end + 4096].strip() else "json"
    try:
        _rows, found = rows_from_file(io.BytesIO(head.encode("utf-8")), encoding="utf-8")
    except csv.Error:  # the sniffer found no delimiter at all: one column
        return "csv"
    except (ValueError, RowsFromFileBadJSON, RecursionError):  # deep nesting: _read_json says so
        return "json"
    return {Format.CSV: "csv", Format.TSV: "tsv", Format.JSON: "json", Format.NL: "ndjson"}[found]


def _delimiter_of(text: str) -> str:
    """The delimiter of the header line: the most frequent of ``DELIMITERS`` outside quotes
    (csv's sniffer guesses from any character, and a long first cell misleads it)."""
    header = _first_line(text)
    counts = {d: header.count(d) for d in DELIMITERS if d != "\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    line, quoted = [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        elif not quoted:
            line.append(ch)
    return "".join(line)


def _read_delimited(text: str, *, delimiter: str, fmt: str) -> Table:
    table = Table(format=fmt, unit="line")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table.header = [cell.strip() for cell in next(reader)]
        if len(table.header) == 1:
            table.problems.extend(_one_column(table.header[0], delimiter))
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(table.header):
                table.problems.append((reader.line_num, (
                    f"{len(row)} cells but the header has {len(table.header)} columns "
                    f"(a cell holding {_say(delimiter)} without quotes, or another delimiter?)")))
                continue
            table.rows.append((reader.line_num, dict(zip(table.header, row, strict=False))))  # type: ignore[attr-defined]
    except csv.Error as exc:
        table.problems.append((reader.line_num, f"not valid {fmt.upper()}: {exc}"))
    return table


def _one_column(header: str, delimiter: str) -> Iterator[tuple[int, str]]:
    for other in DELIMITERS:
        if other != delimiter and other in header:
            yield 1, (f"the header is one column {header[:60]!r}: the columns seem to be separated "
                      f"by {_say(other)}, not {_say(delimiter)}; re-run with --delimiter "
                      f"{'tab' if other == chr(9) else repr(other)}")
            return


def _say(delimiter: str) -> str:
    return {"\t": "tabs", ",": "commas", ";": "semicolons", "|": "bars"}.get(delimiter, repr(delimiter))


def _read_json(text: str, name: str) -> Table:
    """A JSON list of objects, or one object: what ``rows_from_file`` accepts. A list is parsed
    one element at a time, so a big export is never held twice (as text and as objects) while
    it is validated; ``rows_from_file`` would also want the bytes again."""
    table = Table(format="json", unit="record")
    table.rows = _json_records(text, name)
    return table


def _json_records(text: str, name: str) -> Iterator[tuple[int, object]]:
    decoder = json.JSONDecoder()
    at = _skip_space(text, 0)
    try:
        if not text.startswith("[", at):
            value, end = decoder.raw_decode(text, at)
            if _skip_space(text, end) != len(text):
                raise json.JSONDecodeError(_("Extra data"), text, _skip_space(text, end))
            if not isinstance(value, dict):
                raise errors.InvalidInput(_('{name} must hold a JSON list of objects (or one object).').format(name=name))
            yield 1, value
            return
        at, number = _skip_space(text, at + 1), 0
        if text.startswith("]", at):
            return
        while True:
            value, at = decoder.raw_decode(text, at)
            number += 1
            yield number, value
            at = _skip_space(text, at)
            if text.startswith("]", at):
                break
            if not text.startswith(",", at):
                raise json.JSONDecodeError(_("Expecting ',' delimiter"), text, at)
            at = _skip_space(text, at + 1)
        if _skip_space(text, at + 1) != len(text):
            raise json.JSONDecodeError(_("Extra data"), text, _skip_space(text, at + 1))
    except json.JSONDecodeError as exc:
        raise errors.InvalidInput(
            _('{name} is not valid JSON: {msg} at line {lineno}, column {colno}.').format(name=name, msg=exc.msg, lineno=exc.lineno, colno=exc.colno)) from None
    except RecursionError:
        raise errors.InvalidInput(_('{name} is JSON nested too deeply to be a list of records.').format(name=name)) from None


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _read_ndjson(text: str, name: str) -> Table:
    table = Table(format="ndjson", unit="line")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as exc:
            table.problems.append((number, f"not valid JSON: {getattr(exc, 'msg', 'too deeply nested')}"))
            continue
        table.rows.append((number, row))  # type: ignore[attr-defined]
    return table
