"""Pull: apply the remote's tickets, comments and canned responses locally.

The ``Pull`` half of the executor: ``Engine.execute_pull`` hands it each planned remote ticket
and comment, applied here in its own transaction through the core operations (``log_ticket``,
``_apply``, ``insert_comment``, and ``ops.canned`` for the macros; the remote's name is the audit
``origin``), re-checked against the store rather than trusted from the plan; the engine saves a
page's cursor once the page is in.
A create or reply whose answer was lost is recognised (ticket by uuid, comment by an in-flight
outbox row) instead of being duplicated.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select

from desk.core.db import unit_of_work
from desk.core.models import (
    CannedResponse,
    Comment,
    SyncComment,
    SyncOutbox,
    SyncStatus,
    Ticket,
    utcnow,
)
from desk.core.ops import canned as canned_ops
from desk.core.ops import people
from desk.core.ops.comments import insert_comment
from desk.core.ops.tickets import _apply, bump_version, log_ticket
from desk.core.sync.desk_fields import DESK_KEYS, time_in
from desk.core.sync.merge import Merger, apply_local, enqueue
from desk.core.sync.remotes.base import RemoteComment, RemoteTicket
from desk.core.vocabulary import CHANNELS


class Pull(Merger):
    """The remote-to-local half of the engine (see the module docstring)."""

    def _apply_ticket(self, remote_ticket: RemoteTicket) -> None:
        now = utcnow()
        with unit_of_work(self.session):
            mark = self._outbox_mark()
            status = self._status_by_remote(remote_ticket.remote_id)
            if status is not None:
                ticket = self.session.get(Ticket, status.ticket_id)
                if ticket is None:
                    return
                to_remote = self._merge(ticket, status, remote_ticket, now=now)
            elif remote_ticket.gone:
                return  # deleted or merged upstream before this PC ever had it: nothing to add
            else:
                ticket = None
                if remote_ticket.uuid:
                    ticket = self.session.scalar(select(Ticket).where(Ticket.uuid == remote_ticket.uuid))
                if ticket is not None and self._status_by_ticket(ticket.id) is None:
                    # Our create went through but its answer was lost: link, don't duplicate.
                    status = SyncStatus(remote_id=self.remote_id, ticket_id=ticket.id,
                                        remote_ticket_id=remote_ticket.remote_id,
                                        base=json.dumps(remote_ticket.fields), synced_at=now)
                    self.session.add(status)
                    self.session.execute(delete(SyncOutbox).where(
                        SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket.id,
                        SyncOutbox.kind == "create"))
                    to_remote = self._merge(ticket, status, remote_ticket, now=now)
                else:
                    if ticket is not None:  # the uuid is taken by another linked ticket: a copy upstream
                        remote_ticket.uuid = None
                    ticket = self._create_local(remote_ticket, now=now)
                    status = SyncStatus(remote_id=self.remote_id, ticket_id=ticket.id,
                                        remote_ticket_id=remote_ticket.remote_id, synced_at=now)
                    self.session.add(status)
                    to_remote = self._merge(ticket, status, remote_ticket, now=now)
            self.session.flush()
            self._drop_echo(mark, ticket.id)
            if remote_ticket.requester_ref and not remote_ticket.fields.get("requester") and ticket.requester_id:
                self._person_links[remote_ticket.requester_ref] = ticket.requester_id  # known by name only
            if to_remote:
                self.session.execute(enqueue(self.remote_id, ticket.id, now))

    def _create_local(self, remote_ticket: RemoteTicket, *, now: datetime) -> Ticket:
        """A ticket first seen upstream. One logged on another Desk PC keeps that PC's channel,
        arrival and the rest of the desk's work (``desk_fields``), so it stands in this PC's
        walk-in line at the same place with the same wait; anything else arrived by the web
        when the remote created it."""
        values = remote_ticket.fields
        requester_id = self._person(values.get("requester"), remote_ticket.requester_name)
        if requester_id is None:
            requester_id = people.ensure_requester(
                self.session, email=None, name=remote_ticket.requester_name or "Unknown requester").created_id
        created = remote_ticket.created_at if remote_ticket.created_at and remote_ticket.created_at <= now else now
        arrived = time_in(values.get("arrived_at")) or created
        channel = values.get("channel") if values.get("channel") in CHANNELS else "web"
        changes = log_ticket(
            self.session, actor_id=None, requester_id=requester_id, subject=values.get("subject") or "(no subject)",
            channel=channel, category_id=self._category_id(values.get("category")),
            description=remote_ticket.description or "", priority=values.get("priority") or "normal",
            arrived_at=min(arrived, now), uuid=remote_ticket.uuid or None, now=now, origin=self.row.name,
        )
        ticket = self.session.get(Ticket, changes.created_id)
        assert ticket is not None
        rest = {name: values[name] for name in DESK_KEYS if name in values and name not in ("channel", "arrived_at")}
        rest.update(status=values.get("status") or "new", assignee=values.get("assignee"))
        apply_local(self.session, ticket, rest, actor_id=None, now=now, action="sync", origin=self.row.name,
                    created=self.report.added)
        self.report.created_local += 1
        self.report.ticket_ids.add(ticket.id)
        return ticket

    def _apply_comment(self, comment: RemoteComment) -> None:
        with unit_of_work(self.session):
            if self.session.get(SyncComment, (self.remote_id, comment.remote_id)) is not None:
                return
            status = self._status_by_remote(comment.ticket_remote_id)
            ticket = self.session.get(Ticket, status.ticket_id) if status else None
            if ticket is None:
                return
            if comment.is_description:
                if not ticket.description and comment.body:
                    self._fill_description(ticket, comment.body)
                self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id))
                return
            # A reply we sent whose answer was lost: the in-flight outbox row claims it.
            for row in self.session.scalars(select(SyncOutbox).where(
                    SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket.id,
                    SyncOutbox.kind == "comment", SyncOutbox.attempts > 0).order_by(SyncOutbox.id)):
                local = self.session.get(Comment, row.comment_id)
                if local is not None and local.body == comment.body and local.is_public == comment.public:
                    self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id,
                                                 comment_id=local.id))
                    self.session.delete(row)
                    return
            self._insert_comment(ticket, comment)

    def _fill_description(self, ticket: Ticket, body: str) -> None:
        """The first message of a ticket that came without a description (RT's listing has none:
        its Create transaction brings it) through the ticket operation's ``_apply``, as a pulled
        field: an audit row naming the remote, and a new version as a local edit would get. The
        update row that version queues for this remote is an echo."""
        mark = self._outbox_mark()
        now = utcnow()
        if _apply(self.session, ticket, {"description": body}, actor_id=None, now=now, action="sync",
                  origin=self.row.name):
            bump_version(ticket, now)
            self.session.flush()
            self._drop_echo(mark, ticket.id)
            self.report.ticket_ids.add(ticket.id)

    def _insert_comment(self, ticket: Ticket, comment: RemoteComment) -> None:
        """A pulled reply or note through the comment operation's ``insert_comment``, as a local
        one: an agent's first public reply sets first response and start of service and opens a
        ``new`` ticket (bumping ``version``). The author is the local person with that e-mail;
        without one the remote is the actor (``origin``) and its word decides "by an agent"."""
        mark = self._outbox_mark()
        author = people.find_person_by_email(self.session, comment.author_email) if comment.author_email else None
        author_id = author.id if author is not None else None
        now = utcnow()
        # When it was written upstream, kept inside [the ticket's creation, now] (clock skew).
        at = max(min(comment.created_at or now, now), ticket.created_at)
        local, implied = insert_comment(
            self.session, ticket, author_id=author_id, body=comment.body, public=comment.public, now=at,
            status=None, origin=self.row.name, by_agent=None if author is not None else comment.author_is_agent)
        self.session.flush()
        if implied and _apply(self.session, ticket, implied, actor_id=author_id, now=at, origin=self.row.name):
            ticket.version += 1  # goes up as an update (the remote may have opened it itself)
        ticket.updated_at = max(ticket.updated_at, at)
        self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id,
                                     comment_id=local.id))
        # The comment's own outbox row is an echo; an update row for the status it implied is not.
        self.session.execute(delete(SyncOutbox).where(
            SyncOutbox.id > mark, SyncOutbox.remote_id == self.remote_id, SyncOutbox.comment_id == local.id))
        self.report.comments_in += 1
        self.report.ticket_ids.add(ticket.id)

    # --- canned responses ---------------------------------------------------------------
    def pull_canned(self) -> None:
        """The remote's macros as shared canned responses titled "… (remote)", through the
        canned operations (``origin``: the remote): a new one is created, a changed one
        updated, an unchanged one left as it is (nothing written, no audit row)."""
        items = self.remote.canned()
        if not items:
            return
        now = utcnow()
        by_title = {_pulled_title(item.title, self.row.name): item for item in items}  # never clobbers a local one
        with unit_of_work(self.session):
            for title, item in by_title.items():  # of two macros with one title, the later one, as before
                legacy = f"{item.title} ({self.row.name})"  # as stored before titles were tidied
                row = None
                for candidate in dict.fromkeys((title, legacy)):
                    row = self.session.scalar(select(CannedResponse).where(
                        CannedResponse.title == candidate, CannedResponse.owner_id.is_(None)))
                    if row is not None:
                        break
                actions = json.dumps(item.actions)
                if row is None:
                    canned_ops.create_canned(self.session, actor_id=None, title=title, body=item.body,
                                             actions=item.actions, now=now, origin=self.row.name)
                elif (row.title, row.body, row.actions) != (title, item.body, actions):
                    canned_ops.update_canned(self.session, canned_id=row.id, actor_id=None, title=title,
                                             body=item.body, actions=item.actions, now=now, origin=self.row.name)
                else:
                    continue
                self.report.canned_changed = True


def _pulled_title(title: str, remote: str) -> str:
    """A macro's title as its canned response's: one line, cut so that " (remote)" still fits
    within the canned operation's limit (a cut one must not take a local response's title)."""
    suffix = f" ({remote})"
    return " ".join(title.split())[:max(0, canned_ops.MAX_TITLE - len(suffix))].rstrip() + suffix
