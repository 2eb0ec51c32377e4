"""Importing a file of tickets or people: read, validate every row, then write all or nothing.

Every bad row is reported with its line (or record number); a file with any bad row writes
nothing. What the file holds that Desk cannot carry (unknown columns, broken characters) is
listed in the report, never dropped silently. Writing is one core operation
(``desk.core.ops.imports``), so the import is one transaction with its audit rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors, reading
from desk.core.changes import Changes
from desk.core.i18n import _
from desk.core.models import AGENT_ROLES, CHANNELS, PERSON_KINDS, PRIORITIES, SATISFACTION, STATUSES, Ticket
from desk.core.ops import imports
from desk.core.ops.comments import MAX_BODY
from desk.core.ops.tickets import MAX_SUBJECT

COLUMNS = (
    "id", "uuid", "subject", "description", "status", "priority", "channel", "category",
    "location", "requester_email", "requester_name", "requester_kind", "assignee_email",
    "tags", "arrived_at", "created_at", "first_response_at", "solved_at", "satisfaction",
)
FULL_ONLY = (
    "service_started_at", "left_at", "updated_at", "reopen_count", "version", "logged_after_the_fact",
    "satisfaction_comment", "satisfaction_source", "expected_resolution", "requester", "assignee", "logged_by", "comments",
    "history",
)
TIMES = ("arrived_at", "created_at", "service_started_at", "first_response_at", "solved_at", "left_at", "updated_at")
# Header names other tools use, mapped to ours (compared case- and space-insensitively).
ALIASES = {
    "title": "subject", "summary": "subject", "body": "description", "details": "description",
    "email": "requester_email", "requester": "requester_email", "requester e-mail": "requester_email",
    "name": "requester_name", "requester name": "requester_name", "kind": "requester_kind",
    "type": "requester_kind", "queue": "category", "building": "location", "arrived": "arrived_at",
    "created": "created_at", "opened": "created_at", "solved": "solved_at",
    # as a Korean desk heads its sheets
    "제목": "subject", "내용": "description", "상세 내용": "description", "이메일": "requester_email",
    "요청자 이메일": "requester_email", "이름": "requester_name", "요청자": "requester_name",
    "성명": "requester_name", "분류": "category", "카테고리": "category", "위치": "location",
    "건물": "location", "장소": "location", "상태": "status", "우선순위": "priority", "접수 일시": "arrived_at",
    "접수일시": "arrived_at", "해결 일시": "solved_at", "해결일시": "solved_at",
}
PEOPLE_ALIASES = {
    "name": "name", "full name": "name", "display name": "name", "email": "email", "e-mail": "email",
    "mail": "email", "email address": "email", "phone": "phone", "telephone": "phone", "tel": "phone",
    "mobile": "phone", "kind": "kind", "type": "kind", "affiliation": "kind",
    "이름": "name", "성명": "name", "이메일": "email", "전자우편": "email", "전화": "phone", "전화번호": "phone",
    "휴대폰": "phone", "연락처": "phone", "구분": "kind",
}
IMPORT_REQUIRED = ("subject", "requester_email")
NOT_IN_EXPORTS = "links to remote helpdesks, drafts, shifts, canned responses and settings (a ticket file does not hold them)"


@dataclass
class ImportReport:
    imported: int = 0
    skipped_existing: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line or record, reason)
    unit: str = "line"
    format: str = ""
    would_import: int = 0  # --dry-run: new records found
    dry_run: bool = False
    not_carried: list[str] = field(default_factory=list)
    counts: imports.ImportCounts = field(default_factory=imports.ImportCounts)
    changes: Changes = field(default_factory=Changes)  # what the import touched, for the window
    read_as: str = ""  # with --encoding auto: the encoding the file was found to be in

    def summary(self, *, what: str = "tickets") -> str:
        """One line saying what was (or would be) imported."""
        if self.dry_run:
            return f"{self.would_import} {what} would be imported; nothing was written."
        if what == "people":
            return f"Imported {self.counts.people_created} people; updated {self.counts.people_updated}."
        extra = f" with {self.counts.comments} replies and notes" if self.counts.comments else ""
        skipped = f"; {self.skipped_existing} already present were skipped" if self.skipped_existing else ""
        return f"Imported {self.imported} tickets{extra}{skipped}."

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportCancelled(errors.DeskError):
    """The person cancelled an import under way: it was rolled back, nothing was imported."""


class _Cleaner:
    """Turns the file's values into text, counting what had to be mended."""

    def __init__(self) -> None:
        self.mended = 0
        self.people: dict[tuple[object, ...], dict[str, object]] = {}  # one dict per person, not per mention

    def text(self, value: object, what: str) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
            return " ".join(str(item) for item in value)
        if not isinstance(value, str):
            raise ValueError(_('{what} holds a JSON {name__}, not text').format(what=what, name__=type(value).__name__))
        cleaned = value.replace("\x00", "")
        try:
            cleaned.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape
            cleaned = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in cleaned)
            self.mended += 1
        return cleaned


def _canonical(header: str, mapping: Mapping[str, str], known: tuple[str, ...], aliases: Mapping[str, str]) -> str:
    key = " ".join(header.strip().lower().replace("_", " ").split())
    if header in mapping:
        return mapping[header]
    if key.replace(" ", "_") in known:
        return key.replace(" ", "_")
    return aliases.get(key, "")


def parse_time(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _time(clean: dict[str, object], name: str) -> None:
    try:
        clean[name] = parse_time(str(clean.get(name) or ""))
    except ValueError:
        raise ValueError(_('{replace} {value!r} is not a date and time (use ISO 8601, e.g. 2026-09-01T14:30:00Z)').format(replace=name.replace('_', ' '), value=str(clean.get(name))[:40])) from None


def _choices(clean: dict[str, object], name: str, allowed: tuple[str, ...]) -> None:
    value = str(clean.get(name) or "").strip().lower()
    if value and value not in allowed:
        raise ValueError(_('{replace} {value!r} is not one of {join}').format(replace=name.replace('_', ' '), value=value[:40], join=', '.join(allowed)))
    clean[name] = value


def validate_flat(row: Mapping[str, str]) -> dict[str, object]:
    """A clean flat record, or ValueError saying what is wrong with the row."""
    for name in IMPORT_REQUIRED:
        if not (row.get(name) or "").strip():
            raise ValueError(_('{replace} is empty').format(replace=name.replace('_', ' ')))
    clean: dict[str, object] = dict(row)
    for name, allowed in (("status", STATUSES), ("priority", PRIORITIES), ("channel", CHANNELS),
                          ("requester_kind", PERSON_KINDS)):
        _choices(clean, name, allowed)
    email = str(clean["requester_email"]).strip()
    if "@" not in email or " " in email:
        raise ValueError(_('requester e-mail {email!r} is not an e-mail address').format(email=email[:60]))
    for name in ("arrived_at", "created_at", "first_response_at", "solved_at"):
        _time(clean, name)
    arrived, created = clean.get("arrived_at"), clean.get("created_at")
    if isinstance(arrived, datetime) and isinstance(created, datetime) and arrived > created:
        raise ValueError(_("arrived at is later than created at"))
    _satisfaction_and_sizes(clean)
    if not " ".join(str(clean["subject"]).split()):
        raise ValueError(_("subject is empty"))
    clean["tags"] = str(clean.get("tags") or "").split()
    clean["kind"] = "flat"
    return clean


def _satisfaction_and_sizes(clean: dict[str, object]) -> None:
    if clean.get("satisfaction") and clean["satisfaction"] not in SATISFACTION:
        raise ValueError(_('satisfaction {value!r} must be good, bad or empty').format(value=str(clean['satisfaction'])[:20]))
    for name in ("subject", "description"):
        if len(str(clean.get(name) or "")) > MAX_BODY:
            raise ValueError(f"{name} is {len(str(clean[name])):,} characters; the limit is {MAX_BODY:,}")
    if len(" ".join(str(clean.get("subject") or "").split())) > MAX_SUBJECT:  # said, never cut silently
        raise ValueError(f"subject is {len(str(clean['subject'])):,} characters; at most {MAX_SUBJECT} fit "
                         "(a subject is one line: put the rest in the description)")


def _person(value: object, what: str, cleaner: _Cleaner, *, required: bool = False) -> dict[str, object] | None:
    if value is None and not required:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(_('{what} must be an object with name and e-mail').format(what=what))
    ref = {key: cleaner.text(value.get(key), f"{what} {key}") for key in ("uuid", "name", "email", "phone", "kind", "role")}
    if not (ref["name"].strip() or ref["email"].strip()):
        raise ValueError(_('{what} has neither a name nor an e-mail').format(what=what))
    if ref["email"] and ("@" not in ref["email"] or " " in ref["email"].strip()):
        raise ValueError(_('{what} e-mail {value!r} is not an e-mail address').format(what=what, value=ref['email'][:60]))
    if ref["kind"] and ref["kind"] not in PERSON_KINDS:
        raise ValueError(_('{what} kind {value!r} is not one of {join}').format(what=what, value=ref['kind'][:20], join=', '.join(PERSON_KINDS)))
    if ref["role"] and ref["role"] not in AGENT_ROLES:
        raise ValueError(_('{what} role {value!r} is not one of {join}').format(what=what, value=ref['role'][:20], join=', '.join(AGENT_ROLES)))
    ref["name"] = ref["name"] or ref["email"].split("@")[0]
    try:
        created = parse_time(cleaner.text(value.get("created_at"), f"{what} created_at"))
    except ValueError:
        raise ValueError(_('{what} created_at {value!r} is not a date and time').format(what=what, value=str(value.get('created_at'))[:40])) from None
    full = {**ref, "is_agent": bool(value.get("is_agent")), "created_at": created}
    return cleaner.people.setdefault(tuple(full.values()), full)


def validate_full(row: Mapping[str, object], cleaner: _Cleaner) -> dict[str, object]:
    """A record of Desk's own JSON export (it has a ``requester`` object), checked whole."""
    clean: dict[str, object] = {
        name: cleaner.text(row.get(name), name) for name in COLUMNS + FULL_ONLY
        if name not in ("requester", "assignee", "logged_by", "comments", "history", "id")
    }
    if not " ".join(str(clean["subject"]).split()):
        raise ValueError(_("subject is empty"))
    for name, allowed in (("status", STATUSES), ("priority", PRIORITIES), ("channel", CHANNELS)):
        _choices(clean, name, allowed)
        if not clean[name]:
            raise ValueError(_('{name} is empty').format(name=name))
    for name in TIMES:
        _time(clean, name)
    for name in ("arrived_at", "created_at"):
        if clean[name] is None:
            raise ValueError(_('{replace} is empty').format(replace=name.replace('_', ' ')))
    clean["updated_at"] = clean["updated_at"] or clean["created_at"]
    _satisfaction_and_sizes(clean)
    for name, default in (("reopen_count", 0), ("version", 1)):
        value = row.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(_('{replace} {value!r} is not a whole number').format(replace=name.replace('_', ' '), value=value))
        clean[name] = value
    clean["id"] = row.get("id") if isinstance(row.get("id"), int) else None
    clean["logged_after_the_fact"] = bool(row.get("logged_after_the_fact"))
    for name in ("satisfaction", "satisfaction_comment", "satisfaction_source", "expected_resolution"):
        clean[name] = clean[name] or None
    # Who rated (0012): an agent-reported rating stays one, never becomes a person's on the way
    # through an export (docs/metrics.md, "CSAT"); a rating without a source is the person's.
    if clean["satisfaction_source"] not in (None, "person", "agent"):
        raise ValueError(f"satisfaction source {str(clean['satisfaction_source'])[:20]!r} must be person, agent or empty")
    if clean["satisfaction"] is None:
        clean["satisfaction_source"] = None
    clean["requester"] = _person(row.get("requester"), "requester", cleaner, required=True)
    clean["assignee"] = _person(row.get("assignee"), "assignee", cleaner)
    clean["logged_by"] = _person(row.get("logged_by"), "logged by", cleaner)
    clean["tags"] = str(clean.get("tags") or "").split()
    clean["comments"] = [_comment(item, n, cleaner) for n, item in enumerate(_list(row, "comments"), 1)]
    clean["history"] = [_event(item, n, cleaner) for n, item in enumerate(_list(row, "history"), 1)]
    clean["kind"] = "full"
    return clean


def _list(row: Mapping[str, object], name: str) -> list[object]:
    value = row.get(name) or []
    if not isinstance(value, list):
        raise ValueError(_('{name} must be a list').format(name=name))
    return value


def _comment(item: object, number: int, cleaner: _Cleaner) -> dict[str, object]:
    if not isinstance(item, Mapping):
        raise ValueError(_('comment {number} is not an object').format(number=number))
    body = cleaner.text(item.get("body"), f"comment {number} body")
    if len(body) > MAX_BODY:
        raise ValueError(_('comment {number} is {count:,} characters; the limit is {MAX_BODY:,}').format(number=number, count=len(body), MAX_BODY=MAX_BODY))
    try:
        created = parse_time(cleaner.text(item.get("created_at"), "comment time"))
    except ValueError:
        created = None
    if created is None:
        raise ValueError(_('comment {number} has no valid created_at time').format(number=number))
    return {"uuid": cleaner.text(item.get("uuid"), "comment uuid") or None, "public": bool(item.get("public")),
            "body": body, "created_at": created, "author": _person(item.get("author"), f"comment {number} author", cleaner)}


def _event(item: object, number: int, cleaner: _Cleaner) -> dict[str, object]:
    if not isinstance(item, Mapping):
        raise ValueError(_('history entry {number} is not an object').format(number=number))
    action = cleaner.text(item.get("action"), "history action")
    try:
        at = parse_time(cleaner.text(item.get("at"), "history time"))
    except ValueError:
        at = None
    if not action or at is None:
        raise ValueError(_('history entry {number} needs an action and a valid time').format(number=number))
    event: dict[str, object] = {"action": action[:32], "at": at,
                                "actor": _person(item.get("actor"), f"history entry {number} actor", cleaner)}
    for key in ("field", "old", "new", "origin"):
        event[key] = cleaner.text(item.get(key), f"history {key}") if item.get(key) is not None else None
    for key in ("old_ref", "new_ref"):  # what a local id in old/new named (see transfer.PERSON_FIELDS)
        value = item.get(key)
        if isinstance(value, Mapping) and "uuid" in value:
            event[key] = _person(value, f"history entry {number} {key}", cleaner)
        elif isinstance(value, Mapping):
            event[key] = {"name": cleaner.text(value.get("name"), f"history {key}")}
    return event


def _read(path: Path, **options: str | None) -> reading.Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise errors.InvalidInput(_('Cannot read {path}: {value}.').format(path=path, value=exc.strerror or exc)) from exc
    return reading.read_table(data, name=str(path), **options)


def _consumed(table: reading.Table) -> Iterator[tuple[int, object]]:
    """The table's rows, each let go once handed out: a big file is not held twice."""
    rows, table.rows = table.rows, []
    if isinstance(rows, list):
        rows.reverse()
        while rows:
            yield rows.pop()
    else:
        yield from rows


def _header_lacks(table: reading.Table, report: ImportReport, needed: tuple[str, ...],
                  mapping: Mapping[str, str] | None, known: tuple[str, ...], aliases: Mapping[str, str]) -> bool:
    """True (with the one problem said) when a CSV/TSV header has no column for ``needed``:
    then every row would be wrong for the same reason, so the rows are not listed."""
    if not table.header:
        return False
    found = {_canonical(h, mapping or {}, known, aliases) for h in table.header}
    missing = [name for name in needed if name not in found]
    if not missing:
        return False
    if not report.problems:  # a one-column header already says which delimiter it seems to use
        report.problems.append((1, f"no column for {' or '.join(m.replace('_', ' ') for m in missing)} (the "
                                   f"header has: {', '.join(h[:30] for h in table.header[:12])}; use --map)"))
    return True


def prepare_tickets(table: reading.Table, *, mapping: Mapping[str, str] | None = None) -> tuple[list[dict[str, object]], ImportReport]:
    """Validated records of ``table`` and a report holding every problem (nothing written)."""
    report = ImportReport(unit=table.unit, format=table.format, problems=list(table.problems),
                          read_as=table.encoding if table.guessed else "")
    if _header_lacks(table, report, IMPORT_REQUIRED, mapping, COLUMNS, ALIASES):
        return [], report
    cleaner = _Cleaner()
    records: list[dict[str, object]] = []
    ignored: set[str] = set()
    seen: set[str] = set()
    for where, row in _consumed(table):
        try:
            if not isinstance(row, dict):
                raise ValueError(_('is a JSON {name__}, not an object').format(name__=type(row).__name__))
            if isinstance(row.get("requester"), Mapping):
                known = set(COLUMNS + FULL_ONLY)
                ignored.update(k for k in row if k not in known)
                record_ = validate_full(row, cleaner)
            else:
                named: dict[str, str] = {}
                for key, value in row.items():
                    name = _canonical(str(key), mapping or {}, COLUMNS, ALIASES)
                    if name:
                        named[name] = cleaner.text(value, str(key))
                    elif key is not None:
                        ignored.add(str(key))
                record_ = validate_flat(named)
            if record_.get("uuid") and record_["uuid"] in seen:
                raise ValueError(_('uuid {record_} appears twice in the file').format(record_=record_['uuid']))
            seen.add(str(record_.get("uuid") or ""))
            records.append(record_)
        except ValueError as exc:
            report.problems.append((where, str(exc)))
    if not records and not report.problems:
        report.problems.append((0, "the file has a header but no rows" if table.header else "the file holds no records"))
    report.problems.sort(key=lambda problem: problem[0])  # by line, whichever check found it
    _not_carried(report, ignored, cleaner)
    return records, report


def _not_carried(report: ImportReport, ignored: set[str], cleaner: _Cleaner) -> None:
    if ignored:
        report.not_carried.append(f"columns with no Desk field (use --map to keep them): {', '.join(sorted(ignored)[:20])}")
    if cleaner.mended:
        report.not_carried.append(f"{cleaner.mended} value(s) held broken characters (lone surrogates), replaced by \ufffd")


def import_tickets_file(
    session: Session, path: Path, *, actor_id: int | None = None, mapping: Mapping[str, str] | None = None,
    encoding: str | None = None, delimiter: str | None = None, dry_run: bool = False,
    progress: imports.Progress | None = None,
) -> ImportReport:
    """Import every ticket of the file at ``path`` or none (see the module's docstring)."""
    table = _read(path, encoding=encoding, delimiter=delimiter)
    records, report = prepare_tickets(table, mapping=mapping)
    return finish_tickets(session, records, report, actor_id=actor_id, dry_run=dry_run, progress=progress)


def finish_tickets(session: Session, records: list[dict[str, object]], report: ImportReport, *,
                   actor_id: int | None, dry_run: bool, progress: imports.Progress | None) -> ImportReport:
    if report.problems:
        return report
    if any(r["kind"] == "full" for r in records):
        report.not_carried.append(NOT_IN_EXPORTS)
    if dry_run:
        uuids = [str(r["uuid"]) for r in records if r.get("uuid")]
        present = 0
        for start in range(0, len(uuids), 500):
            present += len(list(session.scalars(select(Ticket.id).where(Ticket.uuid.in_(uuids[start:start + 500])))))
        report.dry_run, report.would_import, report.skipped_existing = True, len(records) - present, present
        return report
    report.changes, report.counts = imports.import_tickets(session, records=records, actor_id=actor_id,
                                                           progress=progress)
    report.imported, report.skipped_existing = report.counts.imported, report.counts.skipped_existing
    if report.counts.renumbered:
        report.not_carried.append(f"{report.counts.renumbered} ticket number(s) were taken here: those tickets got new "
                                  "numbers (the old one is in each ticket's history)")
    return report


def import_people_file(
    session: Session, path: Path, *, actor_id: int | None = None, mapping: Mapping[str, str] | None = None,
    encoding: str | None = None, delimiter: str | None = None, dry_run: bool = False,
    progress: imports.Progress | None = None,
) -> ImportReport:
    """People (name, e-mail, phone, kind) from a file: new ones added, known e-mails updated."""
    table = _read(path, encoding=encoding, delimiter=delimiter)
    report = ImportReport(unit=table.unit, format=table.format, problems=list(table.problems),
                          read_as=table.encoding if table.guessed else "")
    fields = ("name", "email", "phone", "kind")
    if (_header_lacks(table, report, ("name",), mapping, fields, PEOPLE_ALIASES)
            and _header_lacks(table, ImportReport(), ("email",), mapping, fields, PEOPLE_ALIASES)):
        report.problems = [(line, reason.replace("for name", "for name or e-mail")) for line, reason in report.problems]
        return report
    cleaner, ignored, seen = _Cleaner(), set(), set()
    records: list[dict[str, object]] = []
    for where, row in _consumed(table):
        person: dict[str, object] = {}
        try:
            if not isinstance(row, dict):
                raise ValueError(_('is a JSON {name__}, not an object').format(name__=type(row).__name__))
            for key, value in row.items():
                name = _canonical(str(key), mapping or {}, ("name", "email", "phone", "kind"), PEOPLE_ALIASES)
                if name:
                    person[name] = cleaner.text(value, str(key)).strip()
                    person[name] = str(person[name]).lower() if name == "kind" else person[name]
                elif key is not None:
                    ignored.add(str(key))
            ref = _person({**person, "role": ""}, "the person", cleaner)
            assert ref is not None
            email = str(ref["email"]).lower()
            if email and email in seen:
                raise ValueError(_('e-mail {email} appears twice in the file').format(email=email))
            seen.add(email)
            records.append({"name": ref["name"], "email": email or None, "phone": ref["phone"] or None,
                            "kind": ref["kind"] or None})
        except ValueError as exc:
            report.problems.append((where, str(exc).replace("the person ", "")))
    _not_carried(report, ignored, cleaner)
    if report.problems or not records:
        if not records and not report.problems:
            report.problems.append((0, "the file has no people"))
        return report
    if dry_run:
        report.dry_run, report.would_import = True, len(records)
        return report
    report.changes, report.counts = imports.import_people(session, records=records, actor_id=actor_id,
                                                          progress=progress)
    report.imported = report.counts.people_created
    report.skipped_existing = report.counts.skipped_existing
    return report
