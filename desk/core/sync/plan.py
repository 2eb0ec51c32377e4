"""The sync planner: from the remote's listing, a snapshot of the status table and the outbox,
the list of actions a run will take, each with its reason. Pure: no database, no network.

``plan(pages=..., snapshot=..., same=..., maps=...)`` walks the pulled pages in order (a ticket,
then its comments) and then the outbox, and says for each item one of ``KINDS``:

* ``create-local`` — a remote ticket Desk has never seen; ``update-local`` — the remote moved
  fields the local side did not; ``conflict`` — both sides moved a field apart (kept for a person,
  neither overwritten); ``pull-comment`` — a reply or note to add locally;
* ``push-create`` / ``push-update`` / ``push-comment`` — local work that goes up (an update
  conditional on the remote's version);
* ``skip`` — nothing to do, with the reason (``quiet`` when it is merely "already in sync").

The three-way merge is ``merge.merge_fields``, the same function the executor applies, so a
plan (and ``desk sync --dry-run``) says what the run would do. The executor re-checks every
action against the store inside its own transaction: the plan comes from a snapshot, and an
earlier action of the same run (or a local edit meanwhile) may have moved things on.

``MassChangeGuard`` reads a plan and refuses a run that would close, overwrite or unlink (the
remote says the ticket was deleted, merged or moved away) more than a share of the tickets
linked to the remote (``MassChangeRefused``), before anything is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from desk.core.i18n import _
from desk.core.sync.merge import MISSING, merge_fields
from desk.core.sync.remotes.base import (
    SYNCED_FIELDS,
    MassChangeRefused,
    PullPage,
    RemoteComment,
    RemoteTicket,
)
from desk.core.vocabulary import DONE_STATUSES

KINDS = ("create-local", "update-local", "conflict", "pull-comment", "push-create", "push-update",
         "push-comment", "skip")


@dataclass(frozen=True)
class Action:
    kind: str
    reason: str
    page: int | None = None  # the pull page it belongs to (its cursor is saved after it); None = push
    remote_ticket_id: str | None = None
    ticket_id: int | None = None  # the local ticket, when there is one already
    fields: tuple[str, ...] = ()
    closes: bool = False  # takes an open local ticket to solved or closed
    unlinks: bool = False  # gone upstream: the linked ticket is marked, gets a note, stops syncing
    outbox_id: int | None = None
    remote_comment_id: str | None = None
    quiet: bool = False  # "already in sync": not worth a line of its own
    records: bool = False  # a skip the executor still notes (a ticket's first message: pulled once)
    ticket: RemoteTicket | None = field(default=None, compare=False, repr=False)
    comment: RemoteComment | None = field(default=None, compare=False, repr=False)

    def line(self) -> str:
        """One line for ``desk sync --dry-run``."""
        where = []
        if self.ticket_id is not None:
            where.append(f"#{self.ticket_id}")
        if self.remote_ticket_id is not None:
            where.append(f"remote {self.remote_ticket_id}")
        if self.remote_comment_id is not None:
            where.append(f"comment {self.remote_comment_id}")
        return f"{self.kind:<13} {' / '.join(where) or '-':<28} {self.reason}"


@dataclass(frozen=True)
class Linked:
    """A status row: a local ticket linked to a remote ticket, with both sides' values."""

    ticket_id: int
    remote_ticket_id: str
    base: Mapping[str, Any]  # the values both sides last agreed on
    local: Mapping[str, Any]  # ``merge.local_fields`` of the local ticket now
    open_conflicts: frozenset[str] = frozenset()
    gone: bool = False  # marked gone by an earlier run: no longer synced, never unlinked again


@dataclass(frozen=True)
class LocalTicket:
    """A local ticket the outbox or a remote uuid refers to (present = it exists)."""

    ticket_id: int
    local: Mapping[str, Any]
    linked: bool  # linked to this remote already


@dataclass(frozen=True)
class OutboxItem:
    outbox_id: int
    ticket_id: int
    kind: str  # create | update | comment
    comment_id: int | None = None
    attempts: int = 0  # > 0: sent before, the answer may have been lost


@dataclass(frozen=True)
class LocalComment:
    comment_id: int
    ticket_id: int
    body: str
    public: bool
    mapped: bool  # linked to a remote comment already


@dataclass(frozen=True)
class Snapshot:
    """What the planner may know of the store; the executor builds it (``execute.snapshot``)."""

    linked: Mapping[str, Linked] = field(default_factory=dict)  # by remote ticket id
    tickets: Mapping[int, LocalTicket] = field(default_factory=dict)  # outbox tickets, by id
    by_uuid: Mapping[str, LocalTicket] = field(default_factory=dict)  # local tickets with a pulled uuid
    known_comments: frozenset[str] = frozenset()  # remote comment ids pulled or sent before
    comments: Mapping[int, LocalComment] = field(default_factory=dict)  # outbox comments, by id
    outbox: Sequence[OutboxItem] = ()  # in id order
    people: Mapping[str, bool] = field(default_factory=dict)  # local e-mail -> is an agent
    linked_count: int = 0  # tickets linked to this remote and still synced (the guard's "store")


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    linked_count: int = 0

    def of_kind(self, kind: str) -> list[Action]:
        return [action for action in self.actions if action.kind == kind]

    def overwritten(self) -> set[str]:
        """Remote ids of linked tickets whose local fields the run would change."""
        return {a.remote_ticket_id for a in self.actions if a.kind == "update-local" and a.remote_ticket_id}

    def closed(self) -> set[str]:
        return {a.remote_ticket_id for a in self.actions if a.closes and a.remote_ticket_id}

    def unlinked(self) -> set[str]:
        """Remote ids of linked tickets the run would mark gone (deleted, merged or moved away)."""
        return {a.remote_ticket_id for a in self.actions if a.unlinks and a.remote_ticket_id}

    def lines(self) -> list[str]:
        loud = [action.line() for action in self.actions if not action.quiet]
        quiet = sum(action.quiet for action in self.actions)
        return loud + ([f"({quiet} already in sync)"] if quiet else [])


@dataclass(frozen=True)
class MassChangeGuard:
    """Refuse a run that would overwrite, close or unlink more than ``share`` of the linked
    tickets, once at least ``minimum`` are affected (a handful of edits on a small store is
    normal). Unlinking counts because a remote that suddenly answers "deleted" for everything (a
    wrong account, a purge) would otherwise mark every ticket gone and note it on each, for good:
    a gone link is never synced again."""

    share: float = 0.5
    minimum: int = 10

    def check(self, plan: Plan, *, remote: str) -> None:
        unlinked = plan.unlinked()
        touched = plan.overwritten() | unlinked
        if len(touched) < self.minimum or len(touched) <= self.share * plan.linked_count:
            return
        # Each ticket once, by where it ends: changed on one page and gone on a later one is gone.
        closed = len(plan.closed() - unlinked)
        changed = len(touched) - closed - len(unlinked)
        parts = [_("close {count}").format(count=closed)] * bool(closed) + [
            _("change {count}").format(count=changed)] * bool(changed) + [
            _("unlink {count} (deleted, merged or moved away on the remote)").format(count=len(unlinked))] * bool(unlinked)
        what = parts[0] if len(parts) == 1 else (_("{first} and {second}").format(first=parts[0], second=parts[1])
                                                 if len(parts) == 2 else _("{first}, {second} and {third}").format(
                                                     first=parts[0], second=parts[1], third=parts[2]))
        raise MassChangeRefused(
            _('{remote}: this sync would {what} of the {linked_count} tickets linked to it ({value:.0%}), more than Desk changes in one run without asking (the limit is {share:.0%}). Nothing was changed. Check that the remote is the right one (address, queue, account), see the plan with `desk sync {remote} --dry-run`, then apply it with `desk sync {remote} --allow-mass-change`.').format(remote=remote, what=what, linked_count=plan.linked_count, value=len(touched) / max(plan.linked_count, 1), share=self.share)
        )


def plan(
    *, pages: Sequence[PullPage], snapshot: Snapshot, same: Callable[[str, Any, Any], bool],
    maps: Callable[[str, Any], bool] | None = None,
) -> Plan:
    """All the actions of a run, pull first (page by page), then push (outbox order)."""
    planner = _Planner(snapshot, same, maps)
    for number, page in enumerate(pages):
        for remote_ticket in page.tickets:
            planner.ticket(number, remote_ticket)
        for comment in page.comments:
            planner.comment(number, comment)
    planner.push()
    return Plan(actions=planner.actions, linked_count=snapshot.linked_count)


class _Planner:
    """The walk, with what earlier actions of the same plan will have done (a ticket created on
    page 1 is linked when its comments come on page 2)."""

    def __init__(self, snapshot: Snapshot, same: Callable[[str, Any, Any], bool],
                 maps: Callable[[str, Any], bool] | None) -> None:
        self.snap = snapshot
        self.same = same
        self.maps = maps
        self.actions: list[Action] = []
        self.linked: dict[str, Linked | None] = dict(snapshot.linked)  # None: created by this plan
        self.linked_tickets = {link.ticket_id for link in snapshot.linked.values()}
        self.to_remote: dict[int, tuple[str, ...]] = {}  # local ticket -> fields a merge sends up
        self.comments_seen: set[str] = set(snapshot.known_comments)
        self.replies_found: set[int] = set()  # outbox ids of replies found upstream

    def add(self, **kwargs: Any) -> None:
        self.actions.append(Action(**kwargs))

    # --- pull ---------------------------------------------------------------------------
    def ticket(self, page: int, remote: RemoteTicket) -> None:
        rid = remote.remote_id
        common = {"page": page, "remote_ticket_id": rid, "ticket": remote}
        if remote.gone:  # merged, deleted or moved away upstream: marked, never merged in
            link = self.linked.get(rid)
            here = {"ticket_id": link.ticket_id} if link is not None else {}
            if link is not None and link.gone:
                self.add(kind="skip", reason=f"{remote.gone_detail or remote.gone}: marked before, no longer "
                         "synced", quiet=True, **here, **common)
                return
            self.add(kind="skip", reason=f"{remote.gone_detail or remote.gone}: "
                     + ("marked here, no longer synced" if link is not None else "not here, nothing to add"),
                     quiet=link is None, unlinks=link is not None, **here, **common)
            if link is not None:  # listed twice in one run: marked once
                self.linked[rid] = replace(link, gone=True)
            return
        if rid in self.linked:
            link = self.linked[rid]
            if link is None:
                self.add(kind="skip", reason="seen again in this run", quiet=True, **common)
                return
            self._merge(link, remote, common, base=link.base)
            return
        found = self.snap.by_uuid.get(remote.uuid) if remote.uuid else None
        if found is not None and not found.linked and found.ticket_id not in self.linked_tickets:
            # Our create went through but its answer was lost: link to it, don't duplicate.
            link = Linked(ticket_id=found.ticket_id, remote_ticket_id=rid, base=dict(remote.fields),
                          local=found.local)
            self._merge(link, remote, common, base=link.base, linking=True)
            return
        copy = " (its uuid belongs to another ticket here: a copy upstream)" if found is not None else ""
        self.linked[rid] = None
        self.add(kind="create-local", reason=f"new on the remote: {remote.fields.get('subject')!r}{copy}",
                 fields=tuple(name for name in SYNCED_FIELDS if remote.fields.get(name) is not None), **common)

    def _merge(self, link: Linked, remote: RemoteTicket, common: dict[str, Any], *,
               base: Mapping[str, Any], linking: bool = False) -> None:
        merged = merge_fields(base=base, local=link.local, remote=remote.fields,
                              open_conflicts=link.open_conflicts, same=self.same, maps=self.maps)
        common = {**common, "ticket_id": link.ticket_id}
        prefix = "our create was answered late: linked by uuid; " if linking else ""
        acted = False
        if merged.conflicts:
            names = tuple(merged.conflicts)
            detail = "; ".join(f"{name}: here {mine!r}, remote {theirs!r}"
                               for name, (_base, mine, theirs) in merged.conflicts.items())
            self.add(kind="conflict", reason=f"{prefix}changed on both sides, kept for a person ({detail})",
                     fields=names, **common)
            acted = True
        if merged.to_local:
            status = merged.to_local.get("status")
            closes = status in DONE_STATUSES and link.local.get("status") not in DONE_STATUSES
            detail = ", ".join(f"{name} {link.local.get(name)!r} -> {value!r}"
                               for name, value in merged.to_local.items())
            self.add(kind="update-local", reason=f"{prefix}changed on the remote: {detail}",
                     fields=tuple(merged.to_local), closes=closes, **common)
            acted = True
        self.to_remote[link.ticket_id] = tuple(merged.to_remote)
        if not acted:
            reason = (prefix + "nothing to take") if linking else (
                "local changes go up (below)" if merged.to_remote else "unchanged")
            self.add(kind="skip", reason=reason, quiet=not linking and not merged.to_remote, **common)
        new_base = dict(base)
        new_base.update(merged.agreed)
        local = dict(link.local)
        local.update(merged.to_local)
        self.linked[link.remote_ticket_id] = Linked(
            ticket_id=link.ticket_id, remote_ticket_id=link.remote_ticket_id, base=new_base, local=local,
            open_conflicts=(link.open_conflicts - merged.settled) | frozenset(merged.conflicts), gone=link.gone)
        self.linked_tickets.add(link.ticket_id)

    def comment(self, page: int, comment: RemoteComment) -> None:
        common = {"page": page, "remote_ticket_id": comment.ticket_remote_id,
                  "remote_comment_id": comment.remote_id, "comment": comment}
        if comment.remote_id in self.comments_seen:
            self.add(kind="skip", reason="already here", quiet=True, **common)
            return
        if comment.ticket_remote_id not in self.linked:
            self.add(kind="skip", reason="its ticket is not synced with Desk", quiet=True, **common)
            return
        self.comments_seen.add(comment.remote_id)
        link = self.linked[comment.ticket_remote_id]
        if link is not None:
            common["ticket_id"] = link.ticket_id
        if comment.is_description:
            self.add(kind="skip", reason="the ticket's first message (its description)", quiet=True,
                     records=True, **common)
            return
        if link is not None:
            for item in self.snap.outbox:
                local = self.snap.comments.get(item.comment_id) if item.comment_id is not None else None
                if (item.kind == "comment" and item.attempts > 0 and item.ticket_id == link.ticket_id
                        and item.outbox_id not in self.replies_found and local is not None
                        and local.body == comment.body and local.public == comment.public):
                    self.replies_found.add(item.outbox_id)
                    self.add(kind="pull-comment", reason="our reply, sent before (answer lost): linked, not added "
                             "twice", **common)
                    return
        self.add(kind="pull-comment", reason=self._comment_reason(comment, link), **common)

    def _comment_reason(self, comment: RemoteComment, link: Linked | None) -> str:
        author = comment.author_email or "someone without an e-mail"
        local_agent = self.snap.people.get(author.lower()) if comment.author_email else None
        by_agent = local_agent if local_agent is not None else bool(comment.author_is_agent)
        if not comment.public:
            return f"internal note by {author}"
        if not by_agent:
            return f"public reply by {author}"
        opens = " (opens the ticket)" if link is not None and link.local.get("status") == "new" else ""
        return f"public reply by agent {author}: a response{opens}"

    # --- push ---------------------------------------------------------------------------
    def push(self) -> None:
        self.by_ticket = {link.ticket_id: link for link in self.linked.values() if link is not None}
        planned_updates: set[int] = set()
        for item in self.snap.outbox:
            common = {"ticket_id": item.ticket_id, "outbox_id": item.outbox_id}
            ticket = self.snap.tickets.get(item.ticket_id)
            linked = item.ticket_id in self.linked_tickets
            if ticket is None:
                self.add(kind="skip", reason="the ticket is gone here", **common)
            elif item.kind == "create":
                if linked:
                    self.add(kind="skip", reason="already on the remote", quiet=True, **common)
                else:
                    again = " (sent before, answer lost: looked up by uuid first)" if item.attempts else ""
                    self.add(kind="push-create", reason=f"new here: {ticket.local.get('subject')!r}{again}",
                             fields=tuple(name for name in SYNCED_FIELDS if ticket.local.get(name) is not None),
                             **common)
            elif item.kind == "update":
                if not linked:
                    self.add(kind="skip", reason="not on the remote yet: its create goes first", **common)
                    continue
                fields = self.to_remote.get(item.ticket_id)
                if fields is None:  # not pulled this time: what moved here since the last agreement
                    fields = self._local_diff(item.ticket_id)
                planned_updates.add(item.ticket_id)
                self._update(fields, common)
            else:
                self._reply(item, linked, common)
        for ticket_id, fields in self.to_remote.items():
            if fields and ticket_id not in planned_updates:  # the pull's merge queues it
                self._update(fields, {"ticket_id": ticket_id})

    def _update(self, fields: tuple[str, ...], common: dict[str, Any]) -> None:
        if fields:
            self.add(kind="push-update", reason=f"changed here: {', '.join(fields)} (only if the remote has not "
                     "moved meanwhile)", fields=fields, **common)
        else:
            self.add(kind="skip", reason="both sides agree already", quiet=True, **common)

    def _local_diff(self, ticket_id: int) -> tuple[str, ...]:
        link = self.by_ticket.get(ticket_id)
        if link is None:
            return ()
        return tuple(name for name in SYNCED_FIELDS if name not in link.open_conflicts
                     and (self.maps is None or self.maps(name, link.local.get(name)))
                     and not self.same(name, link.local.get(name), link.base.get(name, MISSING)))

    def _reply(self, item: OutboxItem, linked: bool, common: dict[str, Any]) -> None:
        comment = self.snap.comments.get(item.comment_id) if item.comment_id is not None else None
        if comment is None:
            self.add(kind="skip", reason="the reply is gone here", **common)
        elif comment.mapped or item.outbox_id in self.replies_found:
            self.add(kind="skip", reason="already on the remote", quiet=True, **common)
        elif not linked:
            self.add(kind="skip", reason="waits: its ticket is not on the remote yet", **common)
        else:
            what = "public reply" if comment.public else "internal note"
            again = " (sent before, answer lost: looked for upstream first)" if item.attempts else ""
            self.add(kind="push-comment", reason=f"{what} written here{again}", **common)
