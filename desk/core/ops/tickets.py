"""Ticket operations: log, update (optimistic version check), claim, release, solve, reopen,
take next, left without service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, aliased

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import (
    CHANNELS,
    DESK_CHANNELS,
    DONE_STATUSES,
    OPEN_STATUSES,
    PRIORITIES,
    SATISFACTION,
    STATUSES,
    AuditEvent,
    Person,
    Tag,
    Ticket,
    utcnow,
)
from desk.core.ops._audit import record
from desk.core.vocabulary import ACTIVE_STATUSES, WAITING_AT_DESK_SQL

# A ticket typed in more than this long after the person arrived was logged after the fact;
# stats report those separately so they cannot hide real waits.
AFTER_THE_FACT = timedelta(minutes=30)
MAX_SUBJECT = 500
EDITABLE_FIELDS = (
    "subject", "description", "status", "priority", "channel", "category_id", "location_id",
    "requester_id", "assignee_id", "satisfaction", "satisfaction_comment",
    "expected_resolution", "tags",
)


class AlreadyClaimed(errors.DeskError):
    pass


def _choice(value: object, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise errors.InvalidInput(_('{what} must be one of {join} (got {value!r}).').format(what=what, join=', '.join(allowed), value=value))


def _clean_subject(subject: str, *, origin: str | None = None) -> str:
    """One line of at most ``MAX_SUBJECT`` characters. A longer one typed here is refused with
    a message (never cut without a word); one pulled from a remote (``origin``) is kept cut to
    the limit, and the sync's merge counts the cut copy as equal to the remote's, so the cut is
    never written back upstream (``sync.merge.same_value``)."""
    subject = " ".join(subject.split())
    if not subject:
        raise errors.InvalidInput(_("A ticket needs a subject."))
    if len(subject) > MAX_SUBJECT and origin is None:
        raise errors.InvalidInput(_(
            "The subject is {length:,} characters long; at most {limit} fit. Keep it to one line and put "
            "the rest in the details.").format(length=len(subject), limit=MAX_SUBJECT))
    return subject[:MAX_SUBJECT].rstrip()


def load_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise errors.NotFound(_('There is no ticket #{ticket_id}.').format(ticket_id=ticket_id))
    return ticket


def _tags(session: Session, names: Iterable[str]) -> list[Tag]:
    wanted = sorted({"_".join(name.strip().lower().split()) for name in names if name.strip()})
    existing = {tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    for name in wanted:
        if name not in existing:
            existing[name] = Tag(name=name)
            session.add(existing[name])
    return [existing[name] for name in wanted]


def _set_status(ticket: Ticket, status: str, now: datetime) -> None:
    """Status change plus the timestamps the metrics rely on."""
    _choice(status, STATUSES, "Status")
    was_done = ticket.status in DONE_STATUSES
    if status == "solved" and ticket.status != "solved":
        ticket.solved_at = now
        if ticket.channel in DESK_CHANNELS and ticket.service_started_at is None:
            # "Done" with nobody claiming it: the person was served on the spot, now
            # (docs/metrics.md, "Start of service"), not left "never answered".
            ticket.service_started_at = now
    if was_done and status in OPEN_STATUSES:
        # Only a ticket that had been solved is reopened; a walk-away (closed unsolved) who
        # comes back is not a reopen (docs/metrics.md, "Reopened").
        if ticket.solved_at is not None:
            ticket.reopen_count += 1
        ticket.solved_at = None
    ticket.status = status
    ticket.status_changed_at = now


def bump_version(ticket: Ticket, now: datetime) -> None:
    """The ticket changed in a way others must see: a new ``version`` (the optimistic check of
    every editor and of sync) and ``updated_at``."""
    ticket.version += 1
    ticket.updated_at = now


def _is_agent(session: Session, person_id: int | None) -> bool:
    if person_id is None:
        return False
    person = session.get(Person, person_id)
    return bool(person and person.is_agent)


def log_ticket(
    session: Session,
    *,
    actor_id: int | None,
    requester_id: int,
    subject: str,
    channel: str = "walk-in",
    category_id: int | None = None,
    location_id: int | None = None,
    description: str = "",
    priority: str = "normal",
    arrived_at: datetime | None = None,
    tags: Iterable[str] = (),
    uuid: str | None = None,
    now: datetime | None = None,
    origin: str | None = None,
) -> Changes:
    """Log a walk-in, a call, an email or a web request. ``arrived_at`` defaults to now.
    ``origin`` names the remote helpdesk when the ticket was pulled from one (see ``record``)."""
    _choice(channel, CHANNELS, "Channel")
    _choice(priority, PRIORITIES, "Priority")
    now = now or utcnow()
    arrived_at = arrived_at or now
    if arrived_at > now + timedelta(minutes=1):
        raise errors.InvalidInput(_("The arrival time cannot be in the future."))
    with unit_of_work(session):
        if session.get(Person, requester_id) is None:
            raise errors.NotFound(_('There is no person #{requester_id}.').format(requester_id=requester_id))
        ticket = Ticket(
            subject=_clean_subject(subject, origin=origin), description=description, channel=channel,
            priority=priority, category_id=category_id, location_id=location_id,
            requester_id=requester_id, logged_by_id=actor_id, arrived_at=arrived_at,
            created_at=now, updated_at=now, status="new", version=1,
            logged_after_the_fact=_is_agent(session, actor_id) and now - arrived_at > AFTER_THE_FACT,
        )
        if uuid:
            ticket.uuid = uuid
        ticket.tags = _tags(session, tags)
        session.add(ticket)
        session.flush()
        record(session, ticket_id=ticket.id, actor_id=actor_id, at=now, action="create",
               field="channel", new=channel, origin=origin)
        return Changes(ticket_ids=frozenset({ticket.id}), tickets=True, created_id=ticket.id)


def update_ticket(
    session: Session,
    *,
    ticket_id: int,
    actor_id: int | None,
    expected_version: int,
    fields: Mapping[str, object],
    now: datetime | None = None,
) -> Changes:
    """Change fields if nobody else changed the ticket since ``expected_version``.

    Raises ``ConflictError`` (listing the fields whose current value differs from what the
    caller wants) when the version moved on; nothing is written then.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise errors.InvalidInput(_('Unknown ticket field(s): {join}.').format(join=', '.join(sorted(unknown))))
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        check_version(ticket, expected_version=expected_version, fields=fields)
        changed = _apply(session, ticket, fields, actor_id=actor_id, now=now)
        if changed:
            bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)


def check_version(ticket: Ticket, *, expected_version: int, fields: Mapping[str, object]) -> None:
    """Raise ``ConflictError`` (with the fields whose value now differs) if the ticket moved on."""
    if ticket.version == expected_version:
        return
    raise errors.ConflictError(
        ticket_id=ticket.id, expected_version=expected_version, actual_version=ticket.version,
        conflicts=[
            errors.FieldConflict(name, mine=value, theirs=_current(ticket, name))
            for name, value in fields.items() if _current(ticket, name) != value
        ],
    )


def _current(ticket: Ticket, name: str) -> object:
    if name == "tags":
        return [tag.name for tag in ticket.tags]
    return getattr(ticket, name)


def _apply(
    session: Session, ticket: Ticket, fields: Mapping[str, object], *, actor_id: int | None,
    now: datetime, action: str = "update", origin: str | None = None,
) -> bool:
    """Set ``fields`` on ``ticket`` with an audit row each; True if anything changed.
    ``origin`` names the remote a pulled change came from."""
    changed = False
    for name, value in fields.items():
        old = _current(ticket, name)
        if name == "tags":
            new_tags = _tags(session, value)  # type: ignore[arg-type]
            value = [tag.name for tag in new_tags]
            if value == old:
                continue
            ticket.tags = new_tags
        elif old == value:
            continue
        elif name == "status":
            _set_status(ticket, str(value), now)
        else:
            if name == "subject":
                value = _clean_subject(str(value), origin=origin)
            elif name == "priority":
                _choice(value, PRIORITIES, "Priority")
            elif name == "channel":
                _choice(value, CHANNELS, "Channel")
            elif name == "satisfaction":
                _rating_source(ticket, value, actor_id=actor_id, now=now, pulled=origin is not None,
                               given=fields)
            setattr(ticket, name, value)
        record(session, ticket_id=ticket.id, actor_id=actor_id, at=now, action=action,
               field=name, old=old, new=value, origin=origin)
        changed = True
    return changed


def _rating_source(ticket: Ticket, value: object, *, actor_id: int | None, now: datetime, pulled: bool,
                   given: Mapping[str, object]) -> None:
    """Who a rating set through a field change comes from (docs/metrics.md, "CSAT"): one pulled
    from the helpdesk is the person's own (its survey) unless another Desk PC sent who rated and
    when (``given``: its satisfaction_source / satisfaction_at, which win whatever their order);
    one typed in here is agent-reported, kept apart from CSAT. The person's own rating is theirs:
    no agent replaces it."""
    if value is not None:
        _choice(value, SATISFACTION, "Satisfaction")
    if not pulled and ticket.satisfaction_source == "person" and ticket.satisfaction is not None:
        raise errors.InvalidInput(_("The person rated this ticket themselves; an agent cannot change that rating."))
    if value is None:
        ticket.satisfaction_source = ticket.satisfaction_at = ticket.satisfaction_agent_id = None
        return
    ticket.satisfaction_source = "person" if pulled else "agent"
    ticket.satisfaction_at = now
    ticket.satisfaction_agent_id = ticket.assignee_id if pulled else actor_id
    if pulled:
        if given.get("satisfaction_source") in ("person", "agent"):
            ticket.satisfaction_source = str(given["satisfaction_source"])
        if isinstance(given.get("satisfaction_at"), datetime):
            ticket.satisfaction_at = given["satisfaction_at"]  # type: ignore[assignment]


def _change(
    session: Session, *, ticket_id: int, actor_id: int | None, action: str,
    fields: Mapping[str, object], now: datetime | None,
) -> Changes:
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        if _apply(session, ticket, fields, actor_id=actor_id, now=now, action=action):
            bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)


def claim(
    session: Session, *, ticket_id: int, agent_id: int, force: bool = False,
    now: datetime | None = None,
) -> Changes:
    """Make ``agent_id`` the assignee; service starts now if it had not. Refuses to take a
    ticket someone else holds unless ``force``."""
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        agent = session.get(Person, agent_id)
        if agent is None or not agent.active:  # a deactivated agent keeps her history, takes no one
            raise errors.InvalidInput(
                _('{value} is not an active agent; reactivate them under Settings → People first.').format(value=agent.name if agent else f'Person #{agent_id}')
            )
        if ticket.assignee_id not in (None, agent_id) and not force:
            holder = session.get(Person, ticket.assignee_id)
            raise AlreadyClaimed(
                f"Ticket #{ticket_id} is already claimed by {holder.name if holder else 'someone'}."
            )
        fields: dict[str, object] = {"assignee_id": agent_id}
        if ticket.status == "new":
            fields["status"] = "open"
        changed = _apply(session, ticket, fields, actor_id=agent_id, now=now, action="claim")
        if ticket.service_started_at is None:
            ticket.service_started_at = now
            changed = True
        if changed:
            bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)


def release(
    session: Session, *, ticket_id: int, actor_id: int, now: datetime | None = None
) -> Changes:
    """Give a claimed ticket back to the queue.

    A walk-in or caller released before anyone answered them goes back into the line at their
    arrival place (the line is in arrival order): status new again and service not started, so
    their wait goes on until someone really serves them (docs/metrics.md, "Start of service":
    a claim released back to the line was not the start of service, or claim-and-release
    would stop the clock of anyone waiting). The audit keeps the interrupted start."""
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        back_in_line = (ticket.channel in DESK_CHANNELS and ticket.status in ACTIVE_STATUSES
                        and ticket.left_at is None and ticket.first_response_at is None
                        and ticket.service_started_at is not None)
        fields: dict[str, object] = {"assignee_id": None}
        if back_in_line:
            fields["status"] = "new"
        changed = _apply(session, ticket, fields, actor_id=actor_id, now=now, action="release")
        if back_in_line:
            record(session, ticket_id=ticket_id, actor_id=actor_id, at=now, action="release",
                   field="service_started_at", old=ticket.service_started_at, new=None)
            ticket.service_started_at = None
            changed = True
        if changed:
            bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)


def solve(
    session: Session, *, ticket_id: int, actor_id: int, note: str = "", now: datetime | None = None
) -> Changes:
    """Mark solved; ``note`` (optional) is kept as an internal note in the same transaction
    ("Done" at the desk, with what was done)."""
    now = now or utcnow()
    with unit_of_work(session):
        changes = _change(session, ticket_id=ticket_id, actor_id=actor_id, action="solve",
                          fields={"status": "solved"}, now=now)
        if not note.strip():
            return changes
        from desk.core.ops.comments import insert_comment  # comments builds on this module

        ticket = load_ticket(session, ticket_id)
        insert_comment(session, ticket, author_id=actor_id, body=note.strip(), public=False,
                       now=now, status="solved")
        return Changes.for_ticket(ticket_id, comments=True)


def reopen(session: Session, *, ticket_id: int, actor_id: int, now: datetime | None = None) -> Changes:
    return _change(session, ticket_id=ticket_id, actor_id=actor_id, action="reopen",
                   fields={"status": "open"}, now=now)


def mark_left(
    session: Session, *, ticket_id: int, actor_id: int | None, now: datetime | None = None
) -> Changes:
    """The person walked away before being served: recorded (stats count it) and closed."""
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        if ticket.service_started_at is not None:
            raise errors.InvalidInput(_('Ticket #{ticket_id} is already being served.').format(ticket_id=ticket_id))
        _apply(session, ticket, {"status": "closed"}, actor_id=actor_id, now=now, action="left")
        ticket.left_at = now
        bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)


def undo_left(
    session: Session, *, ticket_id: int, actor_id: int | None, now: datetime | None = None
) -> Changes:
    """Take back "Left without service" (pressed by mistake, or the person came back): the
    ticket gets the status it had before and is back in the line at its arrival place. The
    audit keeps both the walk-away and its undoing, so stats and history tell the truth."""
    now = now or utcnow()
    with unit_of_work(session):
        ticket = load_ticket(session, ticket_id)
        if ticket.left_at is None:
            raise errors.InvalidInput(_('Ticket #{ticket_id} is not marked as left.').format(ticket_id=ticket_id))
        before = session.scalar(
            select(AuditEvent.old)
            .where(AuditEvent.ticket_id == ticket_id, AuditEvent.action == "left",
                   AuditEvent.field == "status")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        status = before if before in OPEN_STATUSES else "new"
        if ticket.status != status:
            _apply(session, ticket, {"status": status}, actor_id=actor_id, now=now, action="undo-left")
        record(session, ticket_id=ticket_id, actor_id=actor_id, at=now, action="undo-left",
               field="left_at", old=ticket.left_at, new=None)
        ticket.left_at = None
        bump_version(ticket, now)
        return Changes.for_ticket(ticket_id)


def oldest_waiting_id(session: Session) -> int | None:
    """The walk-in or caller who has waited longest and is not being served (waiting at the desk,
    ``WAITING_AT_DESK_SQL``, which is spelled over the alias ``t``)."""
    t = aliased(Ticket, name="t")
    return session.scalar(
        select(t.id).where(text(WAITING_AT_DESK_SQL)).order_by(t.status, t.arrived_at, t.id).limit(1)
    )


def take_next(session: Session, *, agent_id: int, now: datetime | None = None) -> Changes:
    """Claim the person who has waited longest. Raises ``NotFound`` when nobody is waiting."""
    for _attempt in range(3):  # another agent may take the same person at the same moment
        ticket_id = oldest_waiting_id(session)
        if ticket_id is None:
            raise errors.NotFound(_("Nobody is waiting at the desk."))
        try:
            return claim(session, ticket_id=ticket_id, agent_id=agent_id, now=now)
        except AlreadyClaimed:
            continue
    raise errors.NotFound(_("Nobody is waiting at the desk."))
