"""Export tickets to CSV/JSON and import tickets from CSV (all rows or none).

Import validates every row first and reports each bad row with its line number and reason;
only a file with no bad rows is written, in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desk.core import errors, files
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import CHANNELS, PERSON_KINDS, PRIORITIES, STATUSES, Ticket
from desk.core.ops import people, tickets
from desk.core.ops._audit import record

COLUMNS = (
    "id", "uuid", "subject", "description", "status", "priority", "channel", "category",
    "location", "requester_email", "requester_name", "requester_kind", "assignee_email",
    "tags", "arrived_at", "created_at", "first_response_at", "solved_at", "satisfaction",
)
# Header names other tools use, mapped to ours (compared case- and space-insensitively).
ALIASES = {
    "title": "subject", "summary": "subject", "body": "description", "details": "description",
    "email": "requester_email", "requester": "requester_email", "requester e-mail": "requester_email",
    "name": "requester_name", "requester name": "requester_name", "kind": "requester_kind",
    "type": "requester_kind", "queue": "category", "building": "location", "arrived": "arrived_at",
    "created": "created_at", "opened": "created_at", "solved": "solved_at",
}
IMPORT_REQUIRED = ("subject", "requester_email")


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def ticket_record(ticket: Ticket) -> dict[str, object]:
    return {
        "id": ticket.id, "uuid": ticket.uuid, "subject": ticket.subject,
        "description": ticket.description, "status": ticket.status, "priority": ticket.priority,
        "channel": ticket.channel, "category": ticket.category.name if ticket.category else "",
        "location": ticket.location.name if ticket.location else "",
        "requester_email": ticket.requester.email or "", "requester_name": ticket.requester.name,
        "requester_kind": ticket.requester.kind,
        "assignee_email": ticket.assignee.email if ticket.assignee else "",
        "tags": " ".join(tag.name for tag in ticket.tags),
        "arrived_at": _iso(ticket.arrived_at), "created_at": _iso(ticket.created_at),
        "first_response_at": _iso(ticket.first_response_at), "solved_at": _iso(ticket.solved_at),
        "satisfaction": ticket.satisfaction or "",
    }


def iter_tickets(session: Session, *, batch: int = 2000) -> Iterator[Ticket]:
    last = 0
    while True:
        chunk = list(session.scalars(
            select(Ticket).where(Ticket.id > last).order_by(Ticket.id).limit(batch).options(
                selectinload(Ticket.requester), selectinload(Ticket.assignee),
                selectinload(Ticket.category), selectinload(Ticket.location),
                selectinload(Ticket.tags), selectinload(Ticket.comments),
            )
        ))
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id
        session.expunge_all()


def export_csv(session: Session, out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS)  # RFC 4180: CRLF, so a lone CR is quoted too
    writer.writeheader()
    count = 0
    for ticket in iter_tickets(session):
        writer.writerow(ticket_record(ticket))
        count += 1
    return count


def export_json(session: Session, out: IO[str]) -> int:
    out.write("[")
    count = 0
    for ticket in iter_tickets(session):
        item = ticket_record(ticket)
        item["comments"] = [
            {"uuid": c.uuid, "public": c.is_public, "author_id": c.author_id, "body": c.body,
             "created_at": _iso(c.created_at)}
            for c in ticket.comments
        ]
        out.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


@dataclass
class ImportReport:
    imported: int = 0
    skipped_existing: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def ok(self) -> bool:
        return not self.problems


def _canonical(header: str, mapping: Mapping[str, str]) -> str:
    key = " ".join(header.strip().lower().replace("_", " ").split())
    if header in mapping:
        return mapping[header]
    if key.replace(" ", "_") in COLUMNS:
        return key.replace(" ", "_")
    return ALIASES.get(key, "")


def _parse_time(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _validate(row: Mapping[str, str]) -> dict[str, object]:
    """A clean record, or ValueError saying what is wrong with the row."""
    for name in IMPORT_REQUIRED:
        if not (row.get(name) or "").strip():
            raise ValueError(f"{name.replace('_', ' ')} is empty")
    clean: dict[str, object] = {k: (v or "").replace("\x00", "") for k, v in row.items() if k}
    for name, allowed in (("status", STATUSES), ("priority", PRIORITIES), ("channel", CHANNELS),
                          ("requester_kind", PERSON_KINDS)):
        value = str(clean.get(name) or "").strip().lower()
        if value and value not in allowed:
            raise ValueError(f"{name.replace('_', ' ')} {value!r} is not one of {', '.join(allowed)}")
        clean[name] = value
    email = str(clean["requester_email"]).strip()
    if "@" not in email or " " in email:
        raise ValueError(f"requester e-mail {email!r} is not an e-mail address")
    for name in ("arrived_at", "created_at", "first_response_at", "solved_at"):
        try:
            clean[name] = _parse_time(str(clean.get(name) or ""))
        except ValueError:
            raise ValueError(f"{name.replace('_', ' ')} {clean.get(name)!r} is not a date and time "
                             "(use ISO 8601, e.g. 2026-09-01T14:30:00Z)") from None
    arrived, created = clean.get("arrived_at"), clean.get("created_at")
    if isinstance(arrived, datetime) and isinstance(created, datetime) and arrived > created:
        raise ValueError("arrived at is later than created at")
    if clean.get("satisfaction") and clean["satisfaction"] not in ("good", "bad"):
        raise ValueError(f"satisfaction {clean['satisfaction']!r} must be good, bad or empty")
    if not " ".join(str(clean["subject"]).split()):
        raise ValueError("subject is empty")
    return clean


def read_csv(source: IO[str], mapping: Mapping[str, str] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row with canonical column names) for each data row."""
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        return
    names = [_canonical(h, mapping or {}) for h in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield reader.line_num, {name: cell for name, cell in zip(names, row, strict=False) if name}


def import_csv(
    session: Session, source: IO[str] | Path, *, actor_id: int | None = None,
    mapping: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import every row or none: all bad rows are reported and nothing is written."""
    if isinstance(source, Path):
        try:
            with source.open(encoding="utf-8-sig", newline="") as handle:
                return import_csv(session, io.StringIO(handle.read()), actor_id=actor_id, mapping=mapping)
        except UnicodeDecodeError as exc:
            raise errors.InvalidInput(f"{source} is not UTF-8 text (byte {exc.start}).") from exc
        except OSError as exc:
            raise errors.InvalidInput(f"Cannot read {source}: {exc.strerror}.") from exc
    report = ImportReport()
    records: list[tuple[int, dict[str, object]]] = []
    try:
        for line, row in read_csv(source, mapping):
            try:
                records.append((line, _validate(row)))
            except ValueError as exc:
                report.problems.append((line, str(exc)))
    except csv.Error as exc:
        report.problems.append((0, f"the file is not valid CSV: {exc}"))
    if report.problems:
        return report
    current_line = 0
    try:
        with unit_of_work(session):
            for line, record_ in records:
                current_line = line
                if record_.get("uuid") and session.scalar(
                    select(Ticket.id).where(Ticket.uuid == record_["uuid"])
                ):
                    report.skipped_existing += 1
                    continue
                _import_one(session, record_, actor_id)
                report.imported += 1
    except errors.InvalidInput as exc:  # rolled back: nothing of the file was written
        report.imported = report.skipped_existing = 0
        report.problems.append((current_line, exc.message))
    return report


def _import_one(session: Session, rec: Mapping[str, object], actor_id: int | None) -> Changes:
    requester = people.ensure_requester(
        session, email=str(rec["requester_email"]), name=str(rec.get("requester_name") or "") or None,
        kind=str(rec.get("requester_kind") or "guest"),
    ).created_id
    category = people.ensure_category(session, name=str(rec["category"])).created_id if rec.get("category") else None
    location = people.ensure_location(session, name=str(rec["location"])).created_id if rec.get("location") else None
    created_at = rec.get("created_at") or rec.get("arrived_at")
    changes = tickets.log_ticket(
        session, actor_id=actor_id, requester_id=requester, subject=str(rec["subject"]),
        channel=str(rec.get("channel") or "email"), category_id=category, location_id=location,
        description=str(rec.get("description") or ""), priority=str(rec.get("priority") or "normal"),
        arrived_at=rec.get("arrived_at") or created_at,  # type: ignore[arg-type]
        tags=str(rec.get("tags") or "").split(), uuid=str(rec.get("uuid") or "") or None,
        now=created_at if isinstance(created_at, datetime) else None,
    )
    ticket = session.get(Ticket, changes.created_id)
    assert ticket is not None
    ticket.status = str(rec.get("status") or "new")
    ticket.first_response_at = rec.get("first_response_at")  # type: ignore[assignment]
    ticket.solved_at = rec.get("solved_at")  # type: ignore[assignment]
    ticket.satisfaction = str(rec.get("satisfaction") or "") or None
    assignee_email = str(rec.get("assignee_email") or "")
    if assignee_email:
        assignee = people.find_person_by_email(session, assignee_email)
        ticket.assignee_id = assignee.id if assignee else None
    record(session, ticket_id=ticket.id, actor_id=actor_id, at=ticket.created_at, action="import")
    return changes


def export_file(session: Session, *, path: Path, fmt: str) -> int:
    """Every ticket to ``path``; the file appears only once complete (FileError on trouble)."""
    if fmt not in ("csv", "json"):
        raise errors.InvalidInput(f"Unknown export format {fmt!r}; use csv or json.")
    with files.atomic_path(path, what="export") as temp, temp.open("w", encoding="utf-8", newline="") as out:
        return write_export(session, out, fmt)


def write_export(session: Session, out: IO[str], fmt: str) -> int:
    if fmt == "csv":
        return export_csv(session, out)
    if fmt == "json":
        return export_json(session, out)
    raise errors.InvalidInput(f"Unknown export format {fmt!r}; use csv or json.")

