"""The rename rule of ``sync.people_sync`` over random histories (no network): whatever people do
on the remote and here between syncs, a name edited here is never overwritten by a remote name
that did not change, a remote rename reaches a name nobody edited here, and a rename on both
sides keeps the local one and says so. Every rename is audited with the remote as origin."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desk.core.models import AuditEvent, Person
from desk.core.ops import people
from desk.core.sync import config
from desk.core.sync.people_sync import apply_names
from desk.core.sync.remotes.base import RemotePerson
from desk.core.sync.report import SyncReport

NAMES = ("Wei Chen", "Wei Chen-Li", "W. Chen", "Dr. Wei Chen", "Chen Wei")
_people = itertools.count(1)

# Between two syncs: the remote renames (or not), someone here edits the name (or not).
steps = st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(NAMES)), st.one_of(st.none(), st.sampled_from(NAMES))),
                 min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps, first=st.sampled_from(NAMES))
def test_the_rename_rule(session: Any, history: list[tuple[str | None, str | None]], first: str) -> None:
    number = next(_people)
    if number == 1:
        config.add_remote(session, name="rt", kind="rt", url="http://127.0.0.1:9", username="root")
    remote_id = config.get_remote(session, "rt").id
    email = f"p{number}@uni.test"
    person_id = people.ensure_requester(session, email=email, name="Wei Chen").created_id
    key = f"login-{number}"

    def sync(remote_name: str) -> SyncReport:
        report = SyncReport(remote="rt")
        apply_names(session, remote_id=remote_id, origin="rt",
                    seen=[RemotePerson(key=key, email=email, name=remote_name)], report=report)
        return report

    def local() -> str:
        session.rollback()
        return session.get(Person, person_id).name

    remote = first
    sync(remote)  # first sight: "Wei Chen" is a real name, never a stand-in: kept
    assert local() == "Wei Chen"
    renames = 0
    for renamed_to, edited_to in history:
        last_seen = remote
        before = local()
        if edited_to is not None and edited_to != before:
            people.edit_person(session, actor_id=None, person_id=person_id, name=edited_to)
        if renamed_to is not None:
            remote = renamed_to
        here = local()
        report = sync(remote)
        after = local()
        if remote == last_seen:
            assert after == here  # the remote did not change: nothing here changes
        elif here == last_seen:
            assert after == remote  # renamed upstream, untouched here: it follows
            renames += 1
        elif here == remote:
            assert after == here  # both already agree
        else:
            assert after == here  # renamed on both sides: the local name is kept ...
            assert any(remote in note and here in note for note in report.notes)  # ... and said
    session.rollback()
    audited = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "rename-from-remote", AuditEvent.field == f"person#{person_id}.name",
        AuditEvent.origin == "rt"))
    assert audited == renames
