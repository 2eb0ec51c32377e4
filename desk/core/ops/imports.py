"""The import operations: a whole file of tickets (or people) in one transaction, or nothing.

Two kinds of ticket record arrive (``desk.core.importing`` validates and shapes them):

* a *flat* row from a spreadsheet or another tool, logged like a new ticket through
  ``tickets.log_ticket`` with the file's times;
* a *full* record from Desk's own JSON export, carrying what ``log_ticket`` and ``add_comment``
  cannot express: the replies and notes as they were (authors, times), the status history
  (audit rows) and every time field. Those rows are written as they were, so stats computed on
  the imported store match the source. Each imported ticket gets one more audit row,
  ``import``, naming the number it had in the file (kept when free in this store).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.models import AuditEvent, Comment, Person, Tag, Ticket, TicketTag, new_uuid, utcnow
from desk.core.ops import people, tickets
from desk.core.ops._audit import as_text, record

Progress = Callable[[int, int], None]  # (done, total); may raise to abandon (all is rolled back)
BATCH = 500
TICKET_FIELDS = (
    "subject", "description", "status", "priority", "channel", "logged_after_the_fact",
    "arrived_at", "created_at", "service_started_at", "first_response_at", "solved_at", "left_at",
    "updated_at", "reopen_count", "version", "satisfaction", "satisfaction_comment",
    "satisfaction_source", "expected_resolution",
)


@dataclass
class ImportCounts:
    imported: int = 0
    skipped_existing: int = 0
    renumbered: int = 0
    comments: int = 0
    history: int = 0
    people_created: int = 0
    people_updated: int = 0


def import_tickets(
    session: Session, *, records: Sequence[Mapping[str, object]], actor_id: int | None,
    now: datetime | None = None, progress: Progress | None = None,
) -> tuple[Changes, ImportCounts]:
    """Write every record (``kind`` "flat" or "full"); tickets whose uuid the store already has
    are skipped. One unit of work: any error (or ``progress`` raising) writes nothing."""
    now = now or utcnow()
    counts = ImportCounts()
    writer = _Writer(session, actor_id=actor_id, now=now, counts=counts)
    with unit_of_work(session):
        writer.next_id = 1 + max(
            session.scalar(select(func.max(Ticket.id))) or 0,
            max((int(r["id"]) for r in records if isinstance(r.get("id"), int)), default=0),
        )
        for start in range(0, len(records), BATCH):
            writer.write_batch(records[start:start + BATCH])
            session.flush()
            if progress:
                progress(min(start + BATCH, len(records)), len(records))
    changes = Changes(tickets=bool(counts.imported), comments=bool(counts.comments),
                      people=bool(counts.people_created), choices=bool(counts.imported))
    return changes, counts


class _Writer:
    """Caches of what the store already has (people, tags, categories) for one import."""

    def __init__(self, session: Session, *, actor_id: int | None, now: datetime, counts: ImportCounts) -> None:
        self.session, self.actor_id, self.now, self.counts = session, actor_id, now, counts
        self.known: dict[str, int] | None = None  # person uuid, or "email:" + e-mail -> id
        self.tags: dict[str, int] = {}
        self.named: dict[tuple[str, str], int] = {}
        self.used_ids: set[int] = set()
        self.next_id = 1

    def write_batch(self, batch: Sequence[Mapping[str, object]]) -> None:
        uuids = [str(r["uuid"]) for r in batch if r.get("uuid")]
        present = set(self.session.scalars(select(Ticket.uuid).where(Ticket.uuid.in_(uuids)))) if uuids else set()
        wanted = [int(r["id"]) for r in batch if isinstance(r.get("id"), int)]
        taken = set(self.session.scalars(select(Ticket.id).where(Ticket.id.in_(wanted)))) if wanted else set()
        full: list[Mapping[str, object]] = []
        for rec in batch:
            if rec.get("uuid") and rec["uuid"] in present:
                self.counts.skipped_existing += 1
            elif rec["kind"] == "flat":
                self._flat(rec)
            else:
                full.append(rec)
        if full:
            self._full(full, taken)

    def _flat(self, rec: Mapping[str, object]) -> None:
        requester = people.ensure_requester(
            self.session, email=str(rec["requester_email"]), name=str(rec.get("requester_name") or "") or None,
            kind=str(rec.get("requester_kind") or "guest"),
        ).created_id
        assert requester is not None
        created_at = rec.get("created_at") or rec.get("arrived_at")
        changes = tickets.log_ticket(
            self.session, actor_id=self.actor_id, requester_id=requester, subject=str(rec["subject"]),
            channel=str(rec.get("channel") or "email"), category_id=self._named("category", rec),
            location_id=self._named("location", rec), description=str(rec.get("description") or ""),
            priority=str(rec.get("priority") or "normal"),
            arrived_at=rec.get("arrived_at") or created_at,  # type: ignore[arg-type]
            tags=list(rec.get("tags") or ()), uuid=str(rec.get("uuid") or "") or None,  # type: ignore[call-overload]
            now=created_at if isinstance(created_at, datetime) else None,
        )
        ticket = self.session.get(Ticket, changes.created_id)
        assert ticket is not None
        ticket.status = str(rec.get("status") or "new")
        ticket.first_response_at = rec.get("first_response_at")  # type: ignore[assignment]
        ticket.solved_at = rec.get("solved_at")  # type: ignore[assignment]
        ticket.satisfaction = str(rec.get("satisfaction") or "") or None
        assignee_email = str(rec.get("assignee_email") or "")
        if assignee_email:
            assignee = people.find_person_by_email(self.session, assignee_email)
            ticket.assignee_id = assignee.id if assignee else None
        record(self.session, ticket_id=ticket.id, actor_id=self.actor_id, at=ticket.created_at, action="import")
        self.counts.imported += 1

    def _full(self, batch: Sequence[Mapping[str, object]], taken: set[int]) -> None:
        ticket_rows, tag_rows, comment_rows, audit_rows = [], [], [], []
        comment_uuids = [str(c["uuid"]) for r in batch for c in r["comments"] if c.get("uuid")]  # type: ignore[attr-defined]
        known_comments = set(self.session.scalars(
            select(Comment.uuid).where(Comment.uuid.in_(comment_uuids)))) if comment_uuids else set()
        for rec in batch:
            old_id = rec.get("id")
            if isinstance(old_id, int) and old_id > 0 and old_id not in taken and old_id not in self.used_ids:
                ticket_id = old_id
            else:
                ticket_id = self._new_id()
                self.counts.renumbered += 1
            self.used_ids.add(ticket_id)
            row = {name: rec.get(name) for name in TICKET_FIELDS}
            row.update(
                id=ticket_id, uuid=rec.get("uuid") or new_uuid(), requester_id=self._person(rec["requester"]),
                assignee_id=self._person(rec.get("assignee")), logged_by_id=self._person(rec.get("logged_by")),
                category_id=self._named("category", rec), location_id=self._named("location", rec),
            )
            ticket_rows.append(row)
            tag_rows += [{"ticket_id": ticket_id, "tag_id": self._tag(name)} for name in rec["tags"]]  # type: ignore[attr-defined]
            for comment in rec["comments"]:  # type: ignore[attr-defined]
                uuid = comment.get("uuid")
                comment_rows.append({
                    "uuid": uuid if uuid and uuid not in known_comments else new_uuid(), "ticket_id": ticket_id,
                    "author_id": self._person(comment.get("author")), "is_public": comment["public"],
                    "body": comment["body"], "created_at": comment["created_at"],
                })
            for event in rec["history"]:  # type: ignore[attr-defined]
                audit_rows.append({
                    "ticket_id": ticket_id, "actor_id": self._person(event.get("actor")), "at": event["at"],
                    "action": event["action"], "field": event.get("field"),
                    "old": self._local(event, "old"), "new": self._local(event, "new"), "origin": event.get("origin"),
                })
            audit_rows.append({"ticket_id": ticket_id, "actor_id": self.actor_id, "at": self.now, "action": "import",
                               "field": "id", "old": as_text(old_id), "new": str(ticket_id), "origin": None})
        # Core inserts (one executemany per table): the ORM's bulk path splits rows into many
        # statements, which made a 100k-ticket import several times slower.
        self.session.execute(insert(Ticket.__table__), ticket_rows)
        if tag_rows:
            self.session.execute(insert(TicketTag.__table__), tag_rows)
        if comment_rows:
            self.session.execute(insert(Comment.__table__), comment_rows)
        self.session.execute(insert(AuditEvent.__table__), audit_rows)
        self.counts.imported += len(batch)
        self.counts.comments += len(comment_rows)
        self.counts.history += len(audit_rows) - len(batch)

    def _local(self, event: Mapping[str, object], key: str) -> object:
        """The history value with a source store's id replaced by this store's id for the
        same person, category or location (the export's ``old_ref``/``new_ref``)."""
        ref = event.get(f"{key}_ref")
        if not isinstance(ref, Mapping):
            return event.get(key)
        if "uuid" in ref:
            return as_text(self._person(ref))
        kind = "category" if event.get("field") == "category_id" else "location"
        return as_text(self._named(kind, {kind: ref.get("name")}))

    def _new_id(self) -> int:
        while self.next_id in self.used_ids:
            self.next_id += 1
        self.next_id += 1
        return self.next_id - 1

    def _named(self, kind: str, rec: Mapping[str, object]) -> int | None:
        name = str(rec.get(kind) or "").strip()
        if not name:
            return None
        key = (kind, name.lower())
        if key not in self.named:
            ensure = people.ensure_category if kind == "category" else people.ensure_location
            found = ensure(self.session, name=name).created_id
            assert found is not None
            self.named[key] = found
        return self.named[key]

    def _tag(self, name: str) -> int:
        if name not in self.tags:
            tag = self.session.scalar(select(Tag).where(Tag.name == name))
            if tag is None:
                tag = Tag(name=name)
                self.session.add(tag)
                self.session.flush()
            self.tags[name] = tag.id
        return self.tags[name]

    def _person(self, ref: object) -> int | None:
        """The local person for an exported reference: same uuid, else same e-mail, else new."""
        if not isinstance(ref, Mapping):
            return None
        if self.known is None:  # who the store has, read once (a lookup per mention was the slow part)
            self.known = {}
            for person_id, uuid, email in self.session.execute(select(Person.id, Person.uuid, func.lower(Person.email))):
                self.known[uuid] = person_id
                if email:
                    self.known[f"email:{email}"] = person_id
        email = str(ref.get("email") or "").lower()
        uuid = str(ref.get("uuid") or "")
        found = self.known.get(uuid) if uuid else None
        found = found if found is not None else self.known.get(f"email:{email}") if email else None
        if found is None:
            row = {"uuid": uuid or new_uuid(), "name": str(ref["name"]), "email": email or None,
                   "phone": ref.get("phone") or None, "kind": str(ref.get("kind") or "guest"),
                   "is_agent": bool(ref.get("is_agent")), "role": ref.get("role") or None,
                   "created_at": ref.get("created_at") or self.now}
            found = self.session.execute(insert(Person.__table__).values(row)).inserted_primary_key[0]
            record(self.session, ticket_id=None, actor_id=self.actor_id, at=self.now, action="import person",
                   field="email", new=email or row["name"])
            self.counts.people_created += 1
            self.known[row["uuid"]] = found
            if email:
                self.known[f"email:{email}"] = found
        if uuid:
            self.known[uuid] = found
        return found


def import_people(
    session: Session, *, records: Sequence[Mapping[str, object]], actor_id: int | None,
    now: datetime | None = None, progress: Progress | None = None,
) -> tuple[Changes, ImportCounts]:
    """Add each person (name, e-mail, phone, kind) or, when the e-mail is known, bring the
    stored name, phone and kind up to the file's (an audit row per changed field)."""
    now = now or utcnow()
    counts = ImportCounts()
    with unit_of_work(session):
        for done, rec in enumerate(records, 1):
            email = rec.get("email")
            person = people.find_person_by_email(session, str(email)) if email else None
            if person is None:
                person = Person(name=str(rec["name"]), email=email or None, phone=rec.get("phone") or None,
                                kind=str(rec.get("kind") or "guest"))
                session.add(person)
                session.flush()
                record(session, ticket_id=None, actor_id=actor_id, at=now, action="import person",
                       field="email", new=person.email or person.name)
                counts.people_created += 1
            else:
                changed = False
                for name in ("name", "phone", "kind"):
                    value = rec.get(name)
                    if value and value != getattr(person, name):
                        record(session, ticket_id=None, actor_id=actor_id, at=now, action="import person",
                               field=name, old=getattr(person, name), new=value)
                        setattr(person, name, value)
                        changed = True
                counts.people_updated += changed
                counts.skipped_existing += not changed
            if progress and (done % BATCH == 0 or done == len(records)):
                session.flush()
                progress(done, len(records))
    return Changes(people=bool(counts.people_created or counts.people_updated)), counts
