"""The planner, driven directly: random status tables, outboxes and remote listings, no network
and no database (connecting to either fails the test), and what the plan must say."""

from __future__ import annotations

import copy
import re
import socket
import sqlite3
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.core.sync.merge import MISSING
from desk.core.sync.plan import (
    KINDS,
    Linked,
    LocalComment,
    LocalTicket,
    MassChangeGuard,
    OutboxItem,
    Plan,
    Snapshot,
    plan,
)
from desk.core.sync.remotes.base import (
    SYNCED_FIELDS,
    MassChangeRefused,
    PullPage,
    RemoteComment,
    RemoteTicket,
)

VALUES: dict[str, tuple[Any, ...]] = {
    "subject": ("Printer", "Wi-Fi", "Projector"),
    "status": ("new", "open", "pending", "solved", "closed"),
    "priority": ("low", "normal", "urgent"),
    "category": (None, "AV", "Network"),
    "requester": (None, "kim@uni.test", "wei@uni.test"),
    "assignee": (None, "ana@desk.test", "bo@desk.test"),
    # The desk's own work (desk_fields) merges like the rest.
    "channel": ("walk-in", "phone", "web"),
    "arrived_at": ("2026-12-01T09:00:00Z", "2026-12-01T09:05:00Z"),
    "service_started_at": (None, "2026-12-01T09:10:00Z"),
    "first_response_at": (None, "2026-12-01T09:10:00Z"),
    "left_at": (None, "2026-12-01T09:30:00Z"),
    "location": (None, "Library", "Front desk"),
    "requester_kind": ("guest", "student", "faculty"),
    "tags": ([], ["loaner"], ["loaner", "vip"]),
    "satisfaction": (None, "good", "bad"),
    "satisfaction_comment": (None, "Quick, thanks"),
    "satisfaction_source": (None, "person", "agent"),
    "satisfaction_at": (None, "2026-12-01T09:40:00Z"),
    "expected_resolution": (None, "Friday noon"),
}


def same(_name: str, a: Any, b: Any) -> bool:
    return a == b


def fields() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: st.sampled_from(values) for name, values in VALUES.items()})


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[PullPage], Snapshot]:
    linked_count = draw(st.integers(0, 6))
    linked: dict[str, Linked] = {}
    for number in range(linked_count):
        base = draw(fields())
        # Often only a field or two moved, so every merge outcome shows up.
        local = dict(base)
        for name in draw(st.sets(st.sampled_from(SYNCED_FIELDS), max_size=2)):
            local[name] = draw(st.sampled_from(VALUES[name]))
        if draw(st.booleans()):
            base = {k: v for k, v in base.items() if k != draw(st.sampled_from(SYNCED_FIELDS))}  # never agreed
        conflicts = frozenset(draw(st.sets(st.sampled_from(SYNCED_FIELDS), max_size=1)))
        linked[f"r{number}"] = Linked(ticket_id=number + 1, remote_ticket_id=f"r{number}", base=base,
                                      local=local, open_conflicts=conflicts)
    unlinked = {f"u{number}": LocalTicket(ticket_id=100 + number, local=draw(fields()), linked=False)
                for number in range(draw(st.integers(0, 3)))}
    remote_ids = [*linked, "n1", "n2", "n3"]
    known_comments = frozenset(draw(st.sets(st.sampled_from([f"c{n}" for n in range(12)]), max_size=4)))

    pages = []
    for _ in range(draw(st.integers(0, 3))):
        tickets = []
        for rid in draw(st.lists(st.sampled_from(remote_ids), max_size=6)):
            remote_fields = dict(linked[rid].base) if rid in linked else draw(fields())
            for name in draw(st.sets(st.sampled_from(SYNCED_FIELDS), max_size=2)):
                remote_fields[name] = draw(st.sampled_from(VALUES[name]))
            for name in SYNCED_FIELDS:
                remote_fields.setdefault(name, draw(st.sampled_from(VALUES[name])))
            uuid = draw(st.sampled_from([None, *unlinked])) if rid not in linked else None
            tickets.append(RemoteTicket(remote_id=rid, version="v", fields=remote_fields, uuid=uuid))
        comments = [
            RemoteComment(remote_id=draw(st.sampled_from([f"c{n}" for n in range(12)])),
                          ticket_remote_id=draw(st.sampled_from(remote_ids)), body=draw(st.sampled_from("xyz")),
                          public=draw(st.booleans()), author_email=draw(st.sampled_from([None, "ana@desk.test"])),
                          author_is_agent=draw(st.sampled_from([None, True, False])),
                          is_description=draw(st.booleans()))
            for _ in range(draw(st.integers(0, 4)))
        ]
        pages.append(PullPage(tickets=tickets, comments=comments, cursor="c"))

    local_ids = [link.ticket_id for link in linked.values()] + [t.ticket_id for t in unlinked.values()] + [999]
    outbox, comments_here = [], {}
    for number in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(("create", "update", "comment")))
        ticket_id = draw(st.sampled_from(local_ids))
        comment_id = None
        if kind == "comment":
            comment_id = 500 + number
            if draw(st.booleans()):
                comments_here[comment_id] = LocalComment(comment_id=comment_id, ticket_id=ticket_id,
                                                         body=draw(st.sampled_from("xyz")), public=draw(st.booleans()),
                                                         mapped=draw(st.booleans()))
        outbox.append(OutboxItem(outbox_id=number + 1, ticket_id=ticket_id, kind=kind, comment_id=comment_id,
                                 attempts=draw(st.integers(0, 1))))
    tickets_here = {link.ticket_id: LocalTicket(ticket_id=link.ticket_id, local=link.local, linked=True)
                    for link in linked.values()}
    tickets_here.update({t.ticket_id: t for t in unlinked.values()})
    snapshot = Snapshot(linked=linked, tickets=tickets_here, by_uuid=unlinked, known_comments=known_comments,
                        comments=comments_here, outbox=tuple(outbox), people={"ana@desk.test": True},
                        linked_count=len(linked))
    return pages, snapshot


def no_io() -> Any:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the planner did I/O")

    stack = mock.patch.object(socket.socket, "connect", refuse)
    return stack, mock.patch.object(sqlite3, "connect", refuse)


RATING = ("satisfaction", "satisfaction_comment", "satisfaction_source", "satisfaction_at")


def rating_winner(local: dict[str, Any], remote: dict[str, Any]) -> str | None:
    """docs/metrics.md, "CSAT": a person's own rating stands over an agent-reported one or none
    (on whichever side it is), the newer of two persons' ratings stands; else the three-way rule."""
    def by_person(side: dict[str, Any]) -> bool:
        return side["satisfaction"] is not None and side["satisfaction_source"] == "person"

    if by_person(local) != by_person(remote):
        return "pull" if by_person(remote) else "push"
    if by_person(local) and local["satisfaction_at"] and remote["satisfaction_at"] \
            and local["satisfaction_at"] != remote["satisfaction_at"]:
        return "pull" if remote["satisfaction_at"] > local["satisfaction_at"] else "push"
    return None


def expected_outcome(link: Linked, remote: dict[str, Any], name: str) -> str:
    """The three-way rule, written out independently of the planner."""
    if name in link.open_conflicts:
        return "kept"
    base, mine, theirs = link.base.get(name, MISSING), link.local[name], remote[name]
    if mine == theirs:
        return "agreed"
    if name in RATING and (winner := rating_winner(link.local, remote)) is not None:
        return winner
    if base is MISSING or base == theirs:
        return "push"
    if base == mine:
        return "pull"
    return "conflict"


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_the_plan_says_what_a_run_does(scenario: tuple[list[PullPage], Snapshot]) -> None:
    pages, snapshot = scenario
    before = copy.deepcopy((pages, snapshot))
    socket_patch, sqlite_patch = no_io()
    with socket_patch, sqlite_patch:
        result = plan(pages=pages, snapshot=snapshot, same=same)
        again = plan(pages=pages, snapshot=snapshot, same=same)
    assert result.actions == again.actions  # no hidden state
    assert (pages, snapshot) == before  # inputs untouched
    assert all(action.kind in KINDS and action.reason for action in result.actions)

    # Every pulled ticket and comment, and every outbox row, is accounted for.
    for page_number, page in enumerate(pages):
        for remote in page.tickets:
            mine = [a for a in result.actions if a.ticket is remote]
            assert mine and all(a.page == page_number for a in mine)
            kinds = {a.kind for a in mine}
            assert kinds <= {"create-local", "update-local", "conflict", "skip"}
            assert len(kinds) == len(mine)
            if "skip" in kinds or "create-local" in kinds:
                assert len(mine) == 1
        for comment in page.comments:
            assert len([a for a in result.actions if a.comment is comment]) == 1
    for item in snapshot.outbox:
        assert len([a for a in result.actions if a.outbox_id == item.outbox_id]) == 1

    # Creates: once per remote ticket, never for a linked one or one whose uuid we own.
    created = [a.remote_ticket_id for a in result.actions if a.kind == "create-local"]
    assert len(created) == len(set(created))
    assert not set(created) & set(snapshot.linked)
    claimed_uuids = {a.ticket.uuid for a in result.actions if a.ticket is not None and a.kind != "create-local"
                     and a.ticket.uuid}
    for action in result.actions:
        if action.kind == "create-local" and action.ticket.uuid in snapshot.by_uuid:
            assert action.ticket.uuid in claimed_uuids  # only a second copy of the same uuid

    # Comments: once each, never one already here, a description, or one of an unsynced ticket.
    pulled = [a for a in result.actions if a.kind == "pull-comment"]
    assert len({a.remote_comment_id for a in pulled}) == len(pulled)
    reachable = set(snapshot.linked) | set(created) | {a.remote_ticket_id for a in result.actions
                                                       if a.ticket is not None and a.ticket_id is not None}
    for action in pulled:
        assert action.remote_comment_id not in snapshot.known_comments
        assert not action.comment.is_description
        assert action.comment.ticket_remote_id in reachable

    # The first sight of each linked ticket follows the three-way rule field by field.
    seen: set[str] = set()
    for page in pages:
        for remote in page.tickets:
            if remote.remote_id not in snapshot.linked or remote.remote_id in seen:
                continue
            seen.add(remote.remote_id)
            link = snapshot.linked[remote.remote_id]
            mine = {a.kind: set(a.fields) for a in result.actions if a.ticket is remote}
            for name in SYNCED_FIELDS:
                outcome = expected_outcome(link, remote.fields, name)
                assert (name in mine.get("update-local", set())) == (outcome == "pull"), (name, outcome, mine)
                assert (name in mine.get("conflict", set())) == (outcome == "conflict"), (name, outcome, mine)
            closes = any(a.closes for a in result.actions if a.ticket is remote)
            assert closes == (expected_outcome(link, remote.fields, "status") == "pull"
                              and remote.fields["status"] in ("solved", "closed")
                              and link.local["status"] not in ("solved", "closed"))
            if sum(t.remote_id == remote.remote_id for p in pages for t in p.tickets) > 1:
                continue  # pulled again later: the last merge decides what goes up
            pushed = {f for a in result.actions if a.kind == "push-update" and a.ticket_id == link.ticket_id
                      for f in a.fields}
            expect_push = {n for n in SYNCED_FIELDS if expected_outcome(link, remote.fields, n) == "push"}
            assert expect_push <= pushed, (expect_push, pushed)
            conflicted = {n for n in SYNCED_FIELDS if expected_outcome(link, remote.fields, n) in ("conflict", "kept")}
            assert not pushed & conflicted


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.floats(0.0, 1.0), st.integers(0, 4))
def test_the_guard_refuses_exactly_the_mass_changes(scenario: tuple[list[PullPage], Snapshot], share: float,
                                                    minimum: int) -> None:
    pages, snapshot = scenario
    result = plan(pages=pages, snapshot=snapshot, same=same)
    touched = {a.remote_ticket_id for a in result.actions if a.kind == "update-local"}
    guard = MassChangeGuard(share=share, minimum=minimum)
    refuse = len(touched) >= minimum and len(touched) > share * snapshot.linked_count
    if refuse:
        with pytest.raises(MassChangeRefused, match="--allow-mass-change"):
            guard.check(result, remote="zd")
    else:
        guard.check(result, remote="zd")


def test_a_remote_that_closes_everything_is_refused_with_a_way_forward() -> None:
    linked = {f"r{n}": Linked(ticket_id=n, remote_ticket_id=f"r{n}", base={"status": "open"}, local={"status": "open"})
              for n in range(20)}
    closed = [RemoteTicket(remote_id=f"r{n}", version="2", fields={"status": "closed"}) for n in range(20)]
    result = plan(pages=[PullPage(tickets=closed)], snapshot=Snapshot(linked=linked, linked_count=20), same=same)
    assert len(result.closed()) == 20
    with pytest.raises(MassChangeRefused) as caught:
        MassChangeGuard().check(result, remote="zd")
    assert "close 20" in caught.value.message and "desk sync zd --allow-mass-change" in caught.value.message
    few = Plan(actions=result.actions[:5], linked_count=20)
    MassChangeGuard().check(few, remote="zd")  # a quarter of the store: an ordinary day


def test_a_refused_run_is_said_in_korean_from_start_to_end() -> None:
    """The refusal's "close N, change N, unlink N" part is in the language shown too: it was
    English inside the Korean sentence."""
    from desk.core import i18n

    linked = {f"r{n}": Linked(ticket_id=n, remote_ticket_id=f"r{n}", base={"status": "open", "subject": "A"},
                              local={"status": "open", "subject": "A"}) for n in range(20)}
    pulled = ([RemoteTicket(remote_id=f"r{n}", version="2", fields={"status": "closed"}) for n in range(8)]
              + [RemoteTicket(remote_id=f"r{n}", version="2", fields={"subject": "B"}) for n in range(8, 14)]
              + [RemoteTicket(remote_id=f"r{n}", version="2", fields={}, gone="deleted") for n in range(14, 20)])
    result = plan(pages=[PullPage(tickets=pulled)], snapshot=Snapshot(linked=linked, linked_count=20), same=same)
    with pytest.raises(MassChangeRefused) as english:
        MassChangeGuard().check(result, remote="zd")
    assert "would close 8, change 6 and unlink 6 (deleted, merged or moved away on the remote)" in english.value.message
    i18n.set_language("ko")
    try:
        with pytest.raises(MassChangeRefused) as korean:
            MassChangeGuard().check(result, remote="zd")
    finally:
        i18n.set_language("en")
    message = korean.value.message
    assert "8건 종료, 6건 변경, 6건 연결 해제" in message, message
    words = re.sub(r"`[^`]*`|\bzd\b", " ", message)  # the commands and the remote's name stay as they are
    assert not re.search(r"[A-Za-z]{3,}", words), message


def test_dry_run_lines_give_each_action_and_its_reason() -> None:
    linked = {"r1": Linked(ticket_id=7, remote_ticket_id="r1", base={"subject": "A", "priority": "low"},
                           local={"subject": "B", "priority": "low"})}
    remote = RemoteTicket(remote_id="r1", version="2", fields={"subject": "C", "priority": "urgent"})
    new = RemoteTicket(remote_id="r9", version="1", fields={"subject": "Fresh"})
    reply = RemoteComment(remote_id="c1", ticket_remote_id="r1", body="On it", public=True,
                          author_email="ana@desk.test")
    snapshot = Snapshot(linked=linked, outbox=(OutboxItem(outbox_id=3, ticket_id=7, kind="update"),),
                        tickets={7: LocalTicket(ticket_id=7, local=linked["r1"].local, linked=True)},
                        people={"ana@desk.test": True}, linked_count=1)
    lines = plan(pages=[PullPage(tickets=[remote, new], comments=[reply])], snapshot=snapshot, same=same).lines()
    assert lines[0].startswith("conflict") and "subject: here 'B', remote 'C'" in lines[0]
    assert lines[1].startswith("update-local") and "priority 'low' -> 'urgent'" in lines[1]
    assert lines[2].startswith("create-local") and "'Fresh'" in lines[2]
    assert lines[3].startswith("pull-comment") and "agent ana@desk.test" in lines[3]
    assert lines[4:] == ["(1 already in sync)"]  # the queued update: both sides agree after the pull
