"""Push: send the outbox to the remote (creates, conditional updates, comments).

Moved out of ``engine.py``: the ``Push`` half of the engine. Each outbox row is one action;
its ``attempts`` is raised and committed before the network call so that a create or reply
whose answer was lost is looked up on the next run instead of being sent twice. Updates are
merged against a fresh copy and sent conditionally; a lost race reads again (``MAX_RACES``).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Comment, SyncComment, SyncOutbox, SyncStatus, Ticket, utcnow
from desk.core.sync.merge import Merger, enqueue, local_fields
from desk.core.sync.remotes.base import (
    SYNCED_FIELDS,
    RemoteAuthError,
    RemoteConflict,
    RemoteError,
    RemoteUnavailable,
)

MAX_RACES = 3


class Push(Merger):
    """The outbox-to-remote half of the engine (see the module docstring)."""

    # --- push ---------------------------------------------------------------------------
    def push(self, ids: list[int]) -> None:
        """Send the outbox rows ``ids`` (the push actions of a plan, in outbox order). Each
        handler re-reads its row and ticket, so a row settled meanwhile is only finished."""
        for done, outbox_id in enumerate(ids, 1):
            row = self.session.get(SyncOutbox, outbox_id)
            if row is None:
                self.session.rollback()
                continue
            kind, ticket_id, attempts = row.kind, row.ticket_id, row.attempts
            try:
                if kind == "create":
                    self._push_create(outbox_id, ticket_id, attempts)
                elif kind == "update":
                    self._push_update(outbox_id, ticket_id)
                else:
                    self._push_comment(outbox_id, ticket_id, row.comment_id, attempts)
            except (RemoteUnavailable, RemoteAuthError):
                self.session.rollback()
                raise
            except RemoteError as exc:
                self.session.rollback()
                with unit_of_work(self.session):
                    failed = self.session.get(SyncOutbox, outbox_id)
                    if failed is not None:
                        failed.last_error = exc.message[:500]
                self.report.failed.append(f"ticket #{ticket_id}: {exc.message}")
            self._checkpoint(f"pushed {kind}")
            self._progress("push", done, len(ids))

    def _started(self, outbox_id: int) -> None:
        with unit_of_work(self.session):
            row = self.session.get(SyncOutbox, outbox_id)
            if row is not None:
                row.attempts += 1

    def _finish(self, outbox_id: int) -> None:
        row = self.session.get(SyncOutbox, outbox_id)
        if row is not None:
            self.session.delete(row)

    def _push_create(self, outbox_id: int, ticket_id: int, attempts: int) -> None:
        ticket = self.session.get(Ticket, ticket_id)
        if ticket is None or self._status_by_ticket(ticket_id) is not None:
            with unit_of_work(self.session):
                self._finish(outbox_id)
            return
        sent = local_fields(ticket)
        uuid, description = ticket.uuid, ticket.description
        requester_name = ticket.requester.name if ticket.requester else None
        self.session.rollback()
        self._warm(sent)
        self._started(outbox_id)
        found = self.remote.find_by_uuid(uuid) if attempts > 0 else None
        self._checkpoint("create: looked up")
        if found is None:
            found = self.remote.create(uuid=uuid, fields=sent, description=description,
                                       requester_name=requester_name)
            self.report.created_remote += 1
        self._checkpoint("create: sent")
        now = utcnow()
        with unit_of_work(self.session):
            ticket = self.session.get(Ticket, ticket_id)
            if ticket is None:
                return
            mark = self._outbox_mark()
            status = SyncStatus(remote_id=self.remote_id, ticket_id=ticket_id, remote_ticket_id=found.remote_id,
                                base=json.dumps(sent), synced_at=now)
            self.session.add(status)
            to_remote = self._merge(ticket, status, found, now=now)
            self.session.flush()
            self._drop_echo(mark, ticket_id)
            self._finish(outbox_id)
            if to_remote:
                self.session.execute(enqueue(self.remote_id, ticket_id, now))

    def _push_update(self, outbox_id: int, ticket_id: int) -> None:
        for _race in range(MAX_RACES):
            ticket = self.session.get(Ticket, ticket_id)
            status = self._status_by_ticket(ticket_id)
            if ticket is None or status is None:
                # Not on the remote yet: a pending create will send it; else it predates the remote.
                with unit_of_work(self.session):
                    self._finish(outbox_id)
                    if ticket is not None and status is None:
                        self.session.execute(enqueue(self.remote_id, ticket_id, utcnow(), "create"))
                return
            if status.gone is not None:  # merged, deleted or moved away upstream: stays here
                with unit_of_work(self.session):
                    self._finish(outbox_id)
                return
            base = json.loads(status.base or "{}")
            local = local_fields(ticket)
            conflicts = self._open_conflicts(ticket_id)
            diff = [n for n in SYNCED_FIELDS
                    if n not in conflicts and (n not in base or not self.same(n, local[n], base[n]))]
            if not diff:
                with unit_of_work(self.session):
                    self._finish(outbox_id)
                return
            remote_ticket_id = status.remote_ticket_id
            self.session.rollback()
            self._warm(local)
            fresh = self.remote.get(remote_ticket_id)
            now = utcnow()
            with unit_of_work(self.session):
                ticket = self.session.get(Ticket, ticket_id)
                status = self._status_by_ticket(ticket_id)
                if ticket is None or status is None:
                    return
                mark = self._outbox_mark()
                to_remote = self._merge(ticket, status, fresh, now=now)
                self.session.flush()
                self._drop_echo(mark, ticket_id)
                if not to_remote:
                    self._finish(outbox_id)
                    return
            self._checkpoint("update: merged")
            try:
                updated = self.remote.update(remote_ticket_id, version=fresh.version, changes=to_remote)
            except RemoteConflict:
                continue  # someone changed it between our read and our write: read again
            self._checkpoint("update: sent")
            with unit_of_work(self.session):
                ticket = self.session.get(Ticket, ticket_id)
                status = self._status_by_ticket(ticket_id)
                if ticket is None or status is None:
                    return
                if updated.remote_id != status.remote_ticket_id:
                    # The remote continued it as another ticket (a Zendesk follow-up of a closed
                    # one): that one is this ticket's from now on; its fields are what was sent.
                    status.remote_ticket_id = updated.remote_id
                    status.base = json.dumps(updated.fields)
                base = json.loads(status.base or "{}")
                base.update(to_remote)
                status.base = json.dumps(base)
                mark = self._outbox_mark()
                again = self._merge(ticket, status, updated, now=utcnow())
                self.session.flush()
                self._drop_echo(mark, ticket_id)
                if not again:
                    self._finish(outbox_id)
            self.report.updated_remote += 1
            if not again:
                return
        raise RemoteConflict(_('Ticket #{ticket_id} kept changing on {name}; it will be retried.').format(ticket_id=ticket_id, name=self.row.name))

    def _push_comment(self, outbox_id: int, ticket_id: int, comment_id: int | None, attempts: int) -> None:
        comment = self.session.get(Comment, comment_id) if comment_id else None
        status = self._status_by_ticket(ticket_id)
        mapped = comment_id is not None and self.session.scalar(select(SyncComment).where(
            SyncComment.remote_id == self.remote_id, SyncComment.comment_id == comment_id)) is not None
        if comment is None or mapped or (status is not None and status.gone is not None):
            with unit_of_work(self.session):
                self._finish(outbox_id)
            return
        if status is None:
            pending_create = self.session.scalar(select(SyncOutbox.id).where(
                SyncOutbox.remote_id == self.remote_id, SyncOutbox.ticket_id == ticket_id,
                SyncOutbox.kind.in_(("create", "update"))))
            self.session.rollback()
            if pending_create is None:
                with unit_of_work(self.session):
                    self.session.execute(enqueue(self.remote_id, ticket_id, utcnow(), "create"))
            raise RemoteConflict(_('Ticket #{ticket_id} is not on {name} yet; its reply waits.').format(ticket_id=ticket_id, name=self.row.name))
        remote_ticket_id, body, public = status.remote_ticket_id, comment.body, comment.is_public
        author = comment.author.email.lower() if comment.author is not None and comment.author.email else None
        self.session.rollback()
        self._started(outbox_id)
        remote_comment_id = None
        if attempts > 0:  # sent before, answer lost? look for it instead of sending twice
            taken = set(self.session.scalars(select(SyncComment.remote_comment_id).where(
                SyncComment.remote_id == self.remote_id)))
            self.session.rollback()
            for candidate in self.remote.comments_of(remote_ticket_id):
                if (not candidate.is_description and candidate.body == body and candidate.public == public
                        and candidate.remote_id not in taken):
                    remote_comment_id = candidate.remote_id
                    break
        if remote_comment_id is None:
            remote_comment_id = self.remote.add_comment(remote_ticket_id, body=body, public=public,
                                                        author_email=author)
            self.report.comments_out += 1
        self._checkpoint("comment: sent")
        with unit_of_work(self.session):
            self.session.merge(SyncComment(remote_id=self.remote_id, remote_comment_id=remote_comment_id,
                                           comment_id=comment_id))
            self._finish(outbox_id)
