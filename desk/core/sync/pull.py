"""Pull: apply the remote's tickets, comments and canned responses locally.

Moved out of ``engine.py``: the ``Pull`` half of the engine. Each remote ticket and comment is
applied in its own transaction and the page's cursor saved once the page is in; a create or
reply whose answer was lost is recognised (ticket by uuid, comment by an in-flight outbox row)
instead of being duplicated.
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
    SyncCursor,
    SyncOutbox,
    SyncStatus,
    Ticket,
    utcnow,
)
from desk.core.ops import people
from desk.core.ops._audit import record
from desk.core.ops.tickets import _apply, log_ticket
from desk.core.sync.merge import Merger, enqueue
from desk.core.sync.remotes.base import RemoteComment, RemoteTicket


class Pull(Merger):
    """The remote-to-local half of the engine (see the module docstring)."""

    # --- pull ---------------------------------------------------------------------------
    def pull(self) -> None:
        cursor_row = self.session.get(SyncCursor, (self.remote_id, "pull"))
        cursor = cursor_row.value if cursor_row else None
        self.session.rollback()
        for page in self.remote.pull(cursor):
            for remote_ticket in page.tickets:
                self._apply_ticket(remote_ticket)
                self._checkpoint("pulled ticket")
            for comment in page.comments:
                self._apply_comment(comment)
                self._checkpoint("pulled comment")
            if page.cursor and page.cursor != cursor:
                with unit_of_work(self.session):
                    self.session.merge(SyncCursor(remote_id=self.remote_id, name="pull", value=page.cursor))
                cursor = page.cursor
            self.report.pulled += len(page.tickets)
            self._progress("pull", self.report.pulled, 0)

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
            if to_remote:
                self.session.execute(enqueue(self.remote_id, ticket.id, now))

    def _create_local(self, remote_ticket: RemoteTicket, *, now: datetime) -> Ticket:
        values = remote_ticket.fields
        requester_id = self._person(values.get("requester"), remote_ticket.requester_name)
        if requester_id is None:
            requester_id = people.ensure_requester(
                self.session, email=None, name=remote_ticket.requester_name or "Unknown requester").created_id
        created = remote_ticket.created_at if remote_ticket.created_at and remote_ticket.created_at <= now else now
        changes = log_ticket(
            self.session, actor_id=None, requester_id=requester_id, subject=values.get("subject") or "(no subject)",
            channel="web", category_id=self._category_id(values.get("category")),
            description=remote_ticket.description or "", priority=values.get("priority") or "normal",
            arrived_at=created, uuid=remote_ticket.uuid or None, now=now,
        )
        ticket = self.session.get(Ticket, changes.created_id)
        assert ticket is not None
        rest = {"status": values.get("status") or "new", "assignee_id": self._person(values.get("assignee"), agent=True)}
        _apply(self.session, ticket, rest, actor_id=None, now=now, action="sync")
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
                    ticket.description = comment.body
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
            mark = self._outbox_mark()
            author = people.find_person_by_email(self.session, comment.author_email) if comment.author_email else None
            now = utcnow()
            local = Comment(ticket_id=ticket.id, author_id=author.id if author else None, body=comment.body,
                            is_public=comment.public, created_at=min(comment.created_at or now, now))
            self.session.add(local)
            self.session.flush()
            record(self.session, ticket_id=ticket.id, actor_id=local.author_id, at=now,
                   action="reply" if comment.public else "note", field="sync", new=self.row.name)
            self.session.add(SyncComment(remote_id=self.remote_id, remote_comment_id=comment.remote_id,
                                         comment_id=local.id))
            self.session.execute(delete(SyncOutbox).where(
                SyncOutbox.id > mark, SyncOutbox.remote_id == self.remote_id, SyncOutbox.comment_id == local.id))
            self.report.comments_in += 1
            self.report.ticket_ids.add(ticket.id)

    # --- canned responses ---------------------------------------------------------------
    def pull_canned(self) -> None:
        items = self.remote.canned()
        if not items:
            return
        with unit_of_work(self.session):
            for item in items:
                title = f"{item.title} ({self.row.name})"  # never clobbers a local response
                row = self.session.scalar(select(CannedResponse).where(
                    CannedResponse.title == title, CannedResponse.owner_id.is_(None)))
                if row is None:
                    row = CannedResponse(title=title, created_at=utcnow())
                    self.session.add(row)
                row.body, row.actions, row.updated_at = item.body, json.dumps(item.actions), utcnow()
