"""Typed ORM models for the local store.

The schema itself is created only by Alembic migrations (``migrations/``); these classes
describe it for the ORM. Times are stored as integer UTC epoch seconds (compact, and fast
to subtract in the SQL aggregates of ``stats``); Python sees aware ``datetime`` values.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from desk.core.vocabulary import (  # noqa: F401 - re-exported: the vocabularies live there
    AGENT_ROLES,
    CHANNELS,
    DESK_CHANNELS,
    DONE_STATUSES,
    OPEN_STATUSES,
    PERSON_KINDS,
    PRIORITIES,
    SATISFACTION,
    STATUSES,
)


def utcnow() -> datetime:
    """Now, in UTC, truncated to the store's one-second resolution."""
    return datetime.now(UTC).replace(microsecond=0)


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class Timestamp(TypeDecorator[datetime]):
    """Aware UTC datetime stored as integer epoch seconds; naive values are taken as UTC."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())

    def process_result_value(self, value: int | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(value, UTC)


def _created_at(context: object) -> object:
    """Default of ``status_changed_at``: a new ticket's status began when it was created."""
    return context.get_current_parameters().get("created_at")  # type: ignore[attr-defined]


class Base(DeclarativeBase):
    pass


class Person(Base):
    """A requester or an agent (agents have a role and can sign in at the desk)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text, unique=True)
    phone: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="guest")
    is_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # A deactivated agent keeps is_agent (history, metrics) but is offered nowhere (0008).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set on a record merged into another person; kept because the audit log may name it.
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    # Hidden: not offered for new work; tickets keep it (0008).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    # Hidden: not offered for new work; tickets keep it (0008).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class TicketTag(Base):
    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    subject: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="new")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    channel: Mapped[str] = mapped_column(String(8), default="walk-in")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # The agent who typed the ticket in; with logged_after_the_fact it lets stats keep
    # tickets entered long after the person left from hiding real waits.
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    logged_after_the_fact: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_at: Mapped[datetime] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    service_started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    first_response_at: Mapped[datetime | None] = mapped_column(Timestamp)
    solved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    left_at: Mapped[datetime | None] = mapped_column(Timestamp)  # walked away unserved
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    satisfaction: Mapped[str | None] = mapped_column(String(4))
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    # Who gave the rating (0012): "person" (their own: exit survey, helpdesk survey, import) or
    # "agent" (what an agent was told: labelled, left out of CSAT); when, and the agent credited.
    satisfaction_source: Mapped[str | None] = mapped_column(String(6))
    satisfaction_at: Mapped[datetime | None] = mapped_column(Timestamp)
    satisfaction_agent_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    satisfaction_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_resolution: Mapped[str | None] = mapped_column(Text)
    # When the status last changed (automations' "pending for 3 days"; 0010).
    status_changed_at: Mapped[datetime | None] = mapped_column(Timestamp, default=_created_at)
    # The matching SLA policy and the next due moment of its running clocks (NULL while paused
    # or none runs), kept by desk.core.rules.sla; local only, never synced (0010).
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id", ondelete="SET NULL"))
    sla_due_at: Mapped[datetime | None] = mapped_column(Timestamp)
    sla_due_target: Mapped[str | None] = mapped_column(Text)

    requester: Mapped[Person] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id])
    category: Mapped[Category | None] = relationship()
    location: Mapped[Location | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary="ticket_tags", order_by="Tag.name")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="ticket", order_by="Comment.id", passive_deletes=True
    )


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="comments")
    author: Mapped[Person | None] = relationship()


class AuditEvent(Base):
    """Append-only: a trigger in the schema refuses UPDATE and DELETE."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    # The remote helpdesk a pulled change came from (its name); NULL for local work. With no
    # local person for whoever made it upstream, ``actor_id`` is NULL and the remote is the actor.
    origin: Mapped[str | None] = mapped_column(Text)
    # The rule (trigger, automation) that made this change; NULL for a person or a remote (0010).
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id"))


class Rule(Base):
    """A trigger, an automation or an SLA policy (``kind``), its JSON ``definition`` checked by
    ``desk.core.rules.definitions``; ``position`` orders the rules of one kind."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class RuleFiring(Base):
    """An automation fired on a ticket for one condition (digest@clock start): never again."""

    __tablename__ = "rule_firings"

    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id", ondelete="CASCADE"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    condition: Mapped[str] = mapped_column(Text, primary_key=True)
    fired_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class DeskNotice(Base):
    """A rule's "notify the desk" message; the window shows it until someone has seen it."""

    __tablename__ = "desk_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime | None] = mapped_column(Timestamp)


class CannedResponse(Base):
    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {field, value}
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None = shared
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Shift(Base):
    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    started_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)

    agent: Mapped[Person] = relationship()


class Draft(Base):
    """A reply being typed, saved as the user types so nothing is ever lost."""

    __tablename__ = "drafts"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class SavedView(Base):
    """A custom queue view: a name and the JSON of its filters."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    filters: Mapped[str] = mapped_column(Text, default="{}")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Setting(Base):
    """Store-wide settings (e.g. the desk's time zone). Never secrets: those go to keyring."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- Sync with hosted helpdesks (migration 0002; see desk/core/sync/) -------------------------


class SyncRemote(Base):
    """A configured hosted helpdesk. Never holds a secret: tokens live in the OS keyring."""

    __tablename__ = "sync_remotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # rt | zendesk
    url: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(Text, default="")
    auth: Mapped[str] = mapped_column(String(8), default="token")  # token | password | oauth
    config: Mapped[str] = mapped_column(Text, default="{}")  # JSON: field mappings
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_synced_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncStatus(Base):
    """Local ticket <-> remote ticket, with the field values both sides last agreed on."""

    __tablename__ = "sync_status"

    remote_id: Mapped[int] = mapped_column(ForeignKey("sync_remotes.id", ondelete="CASCADE"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    remote_ticket_id: Mapped[str] = mapped_column(Text)
    remote_version: Mapped[str | None] = mapped_column(Text)
    base: Mapped[str] = mapped_column(Text, default="{}")  # JSON {field: agreed value}
    synced_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Merged, deleted or moved away upstream (0013): no longer synced, kept and shown as such.
    gone: Mapped[str | None] = mapped_column(String(8))
    gone_detail: Mapped[str | None] = mapped_column(Text)


class SyncComment(Base):
    __tablename__ = "sync_comments"

    remote_id: Mapped[int] = mapped_column(ForeignKey("sync_remotes.id", ondelete="CASCADE"), primary_key=True)
    remote_comment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))


class SyncOutbox(Base):
    """A local change waiting to go up; rows are written by triggers (migration 0002)."""

    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_id: Mapped[int] = mapped_column(ForeignKey("sync_remotes.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # create | update | comment
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class SyncCursor(Base):
    __tablename__ = "sync_cursors"

    remote_id: Mapped[int] = mapped_column(ForeignKey("sync_remotes.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncConflict(Base):
    """A field changed on both sides to different values; a person decides (never overwritten)."""

    __tablename__ = "sync_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    remote_id: Mapped[int] = mapped_column(ForeignKey("sync_remotes.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(Text)
    base: Mapped[str | None] = mapped_column(Text)  # JSON values
    mine: Mapped[str | None] = mapped_column(Text)
    theirs: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    resolution: Mapped[str | None] = mapped_column(Text)  # mine | theirs


class SyncPerson(Base):
    """Cache: a remote user id (RT: the login) with their e-mail and name as last seen there."""

    __tablename__ = "sync_people"

    remote_id: Mapped[int] = mapped_column(ForeignKey("sync_remotes.id", ondelete="CASCADE"), primary_key=True)
    remote_user_id: Mapped[str] = mapped_column(Text, primary_key=True)
    email: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    is_agent: Mapped[bool | None] = mapped_column(Boolean)  # staff upstream; None = not known
    # The local person this remote user is (0016): ``name`` is then the remote name last seen,
    # so only a rename upstream since then renames them here (``sync.people_sync``).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


# --- E-mail without a hosted helpdesk (migration 0011; see desk/core/mail/) -------------------


class MailOutbox(Base):
    """An e-mail owed to a person; written in the transaction of the reply or ticket it tells of."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # reply | confirmation
    message_id: Mapped[str] = mapped_column(Text, unique=True)  # chosen before the first attempt
    to_address: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(Text)
    refs: Mapped[str] = mapped_column(Text, default="")  # the References header, space-separated
    state: Mapped[str] = mapped_column(String(8), default="queued")  # queued|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)


class MailInbox(Base):
    """A message read from the IMAP folder, by Message-ID: what it became, or why it was skipped."""

    __tablename__ = "mail_inbox"

    message_id: Mapped[str] = mapped_column(Text, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    sender: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[str | None] = mapped_column(Text)  # why nothing was written (None: it landed)
    received_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
