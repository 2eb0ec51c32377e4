"""Export tickets as CSV or JSON; ``import_csv`` is kept for callers of the old name.

The JSON export is Desk's own lossless format: each ticket with its people (as references that
carry uuid, name, e-mail, kind and role), every time field, its replies and notes with authors
and times, and its status history (the audit rows), so ``desk import`` rebuilds the same store.
The CSV export is the flat table a spreadsheet wants (``COLUMNS``). Importing lives in
``desk.core.importing``; the analysts' SQLite and XLSX copies in ``desk.core.exporting``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desk.core import errors, files, importing, reading
from desk.core.i18n import _
from desk.core.importing import COLUMNS, ImportReport
from desk.core.models import AuditEvent, Category, Comment, Location, Person, Ticket

__all__ = ["COLUMNS", "ImportReport", "export_csv", "export_file", "export_json", "import_csv", "ticket_record"]
Progress = Callable[[int, int], None]
# Audit rows of these fields hold local ids as text; the export adds what they name (a person
# reference, or a category or location name) as old_ref/new_ref, so an import can map them.
PERSON_FIELDS = ("assignee_id", "requester_id", "logged_by_id")
NAMED_FIELDS = {"category_id": Category, "location_id": Location}


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


def person_ref(person: Person | None) -> dict[str, object] | None:
    if person is None:
        return None
    return {"uuid": person.uuid, "name": person.name, "email": person.email, "phone": person.phone,
            "kind": person.kind, "is_agent": person.is_agent, "role": person.role,
            "created_at": _iso(person.created_at)}


def iter_chunks(session: Session, *, batch: int = 1000) -> Iterator[list[Ticket]]:
    """Every ticket in id order, a chunk at a time (keyset pages; the session is emptied
    between chunks so memory stays flat on a big store)."""
    last = 0
    while True:
        chunk = list(session.scalars(
            select(Ticket).where(Ticket.id > last).order_by(Ticket.id).limit(batch).options(
                selectinload(Ticket.requester), selectinload(Ticket.assignee),
                selectinload(Ticket.category), selectinload(Ticket.location),
                selectinload(Ticket.tags), selectinload(Ticket.comments).selectinload(Comment.author),
            )
        ))
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id
        session.expunge_all()


def iter_tickets(session: Session, *, batch: int = 2000) -> Iterator[Ticket]:
    for chunk in iter_chunks(session, batch=batch):
        yield from chunk


def count_tickets(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Ticket)) or 0


def _ticking(session: Session, progress: Progress | None) -> Callable[[int], None]:
    total = count_tickets(session) if progress else 0
    return (lambda done: progress(done, total)) if progress else (lambda _done: None)


def export_csv(session: Session, out: IO[str], *, progress: Progress | None = None) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS)  # RFC 4180: CRLF, so a lone CR is quoted too
    writer.writeheader()
    tick, count = _ticking(session, progress), 0
    for chunk in iter_chunks(session):
        writer.writerows(ticket_record(ticket) for ticket in chunk)
        count += len(chunk)
        tick(count)
    return count


def full_records(session: Session, chunk: list[Ticket]) -> Iterator[dict[str, object]]:
    """Desk's lossless record of each ticket of ``chunk`` (see the module's docstring)."""
    events: dict[int, list[AuditEvent]] = {}
    for event in session.scalars(select(AuditEvent).where(AuditEvent.ticket_id.in_([t.id for t in chunk]))
                                 .order_by(AuditEvent.id)):
        events.setdefault(event.ticket_id or 0, []).append(event)
    wanted = {e.actor_id for evs in events.values() for e in evs} | {t.logged_by_id for t in chunk}
    wanted |= {_int(v) for evs in events.values() for e in evs if e.field in PERSON_FIELDS for v in (e.old, e.new)}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted - {None})))}
    names = {field: dict(session.execute(select(model.id, model.name)).all())
             for field, model in NAMED_FIELDS.items()}

    def ref(field: str | None, value: str | None) -> object:
        if field in PERSON_FIELDS:
            return person_ref(persons.get(_int(value) or 0))
        if field in NAMED_FIELDS and _int(value) in names[field]:
            return {"name": names[field][_int(value)]}
        return None
    for ticket in chunk:
        item = ticket_record(ticket)
        item.update({
            "service_started_at": _iso(ticket.service_started_at), "left_at": _iso(ticket.left_at),
            "updated_at": _iso(ticket.updated_at), "reopen_count": ticket.reopen_count, "version": ticket.version,
            "logged_after_the_fact": ticket.logged_after_the_fact,
            "satisfaction_comment": ticket.satisfaction_comment, "satisfaction_source": ticket.satisfaction_source,
            "expected_resolution": ticket.expected_resolution,
            "requester": person_ref(ticket.requester), "assignee": person_ref(ticket.assignee),
            "logged_by": person_ref(persons.get(ticket.logged_by_id or 0)),
            "comments": [
                {"uuid": c.uuid, "public": c.is_public, "author": person_ref(c.author), "body": c.body,
                 "created_at": _iso(c.created_at)}
                for c in ticket.comments
            ],
            "history": [
                {"at": _iso(e.at), "actor": person_ref(persons.get(e.actor_id or 0)), "action": e.action,
                 "field": e.field, "old": e.old, "new": e.new, "origin": e.origin,
                 "old_ref": ref(e.field, e.old), "new_ref": ref(e.field, e.new)}
                for e in events.get(ticket.id, [])
            ],
        })
        yield item


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def export_json(session: Session, out: IO[str], *, progress: Progress | None = None) -> int:
    out.write("[")
    tick, count = _ticking(session, progress), 0
    for chunk in iter_chunks(session):
        for item in full_records(session, chunk):
            out.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
            count += 1
        tick(count)
    out.write("\n]\n")
    return count


def import_csv(
    session: Session, source: IO[str] | Path, *, actor_id: int | None = None,
    mapping: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import every row or none (any format ``reading`` detects; the name is historical)."""
    if isinstance(source, Path):
        return importing.import_tickets_file(session, source, actor_id=actor_id, mapping=mapping)
    table = reading.read_table(source.read().encode("utf-8"), name="the file")
    records, report = importing.prepare_tickets(table, mapping=mapping)
    return importing.finish_tickets(session, records, report, actor_id=actor_id, dry_run=False, progress=None)


TEXT_FORMATS = ("csv", "json")


def export_file(session: Session, *, path: Path, fmt: str, progress: Progress | None = None) -> int:
    """Every ticket to ``path``; the file appears only once complete (FileError on trouble)."""
    if fmt in ("sqlite", "xlsx"):
        from desk.core import exporting

        writer = exporting.export_sqlite if fmt == "sqlite" else exporting.export_xlsx
        return writer(session, path=path, progress=progress)
    if fmt not in TEXT_FORMATS:
        raise errors.InvalidInput(_('Unknown export format {fmt!r}; use csv, json, sqlite or xlsx.').format(fmt=fmt))
    with files.atomic_path(path, what="export") as temp, temp.open("w", encoding="utf-8", newline="") as out:
        return write_export(session, out, fmt, progress=progress)


def write_export(session: Session, out: IO[str], fmt: str, *, progress: Progress | None = None) -> int:
    if fmt == "csv":
        return export_csv(session, out, progress=progress)
    if fmt == "json":
        return export_json(session, out, progress=progress)
    raise errors.InvalidInput(_('Unknown export format {fmt!r}; use csv or json (sqlite and xlsx need -o FILE).').format(fmt=fmt))
