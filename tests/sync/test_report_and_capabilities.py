"""``SyncReport.changes()`` says precisely what a run touched, and each remote kind's declared
capabilities match what its adapter really offers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from desk.core.changes import Changes
from desk.core.models import Category, SyncRemote, Ticket
from desk.core.sync import config, engine
from desk.core.sync.credentials import Secret
from desk.core.sync.remotes import build_remote
from desk.core.sync.remotes.base import Capabilities
from desk.core.sync.remotes.rt import RTRemote
from desk.core.sync.remotes.zendesk import ZendeskRemote
from desk.core.sync.report import SyncReport
from tests.sync.conftest import sync_zendesk
from tests.sync.fake_zendesk import FakeZendesk


def test_changes_name_what_the_run_touched(session: Any, zendesk: FakeZendesk) -> None:
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    ticket = zendesk.create_ticket({"subject": "Mic hiss", "comment": {"body": "room 4"}, "tags": ["desk_category_av"],
                                    "requester": {"email": "kim@uni.test", "name": "Kim"}})
    report = sync_zendesk(session, zendesk)
    session.rollback()
    local = session.scalar(select(Ticket))
    assert session.scalar(select(Category.name)) == "av"
    changes = report.changes()
    assert changes.ticket_ids == frozenset({local.id})
    assert (changes.tickets, changes.people, changes.choices, changes.remotes) == (True, True, True, True)
    assert not changes.comments  # the description is no comment

    zendesk.add_comment(ticket["id"], "New cable fitted", True)
    changes = sync_zendesk(session, zendesk).changes()
    assert (changes.comments, changes.ticket_ids, changes.choices, changes.people) == (
        True, frozenset({local.id}), False, False)

    quiet = sync_zendesk(session, zendesk).changes()
    assert quiet == Changes(canned=quiet.canned, remotes=True)  # only the sync state (and macros) moved

    zendesk.update_ticket(ticket["id"], {"priority": "high"})
    dry = sync_zendesk(session, zendesk, dry_run=True)
    assert dry.changes() == Changes()  # a dry run touches nothing
    assert [action.kind for action in dry.plan.actions if not action.quiet] == ["update-local"]


def test_report_lives_apart_from_the_engine() -> None:
    assert engine.SyncReport is SyncReport
    assert SyncReport.__module__ == "desk.core.sync.report"


@pytest.mark.parametrize("cls", [ZendeskRemote, RTRemote])
def test_capabilities_are_declared_and_true(cls: type) -> None:
    caps = cls.capabilities
    assert isinstance(caps, Capabilities)
    with pytest.raises(dataclasses.FrozenInstanceError):
        caps.canned = not caps.canned  # type: ignore[misc]
    adapter = cls(url="http://127.0.0.1:9", username="agent@uni.test", auth="token", secret=Secret(token="t"))
    try:
        assert caps.user_directory == (isinstance(getattr(adapter, "users", None), dict)
                                       and isinstance(getattr(adapter, "user_ids", None), dict)
                                       and isinstance(getattr(adapter, "staff", None), dict))
        assert caps.assignee_lookup == callable(getattr(adapter, "maps", None))
        if not caps.canned:
            assert adapter.canned() == []  # no network: nothing to ask for
    finally:
        adapter.close()
    assert ZendeskRemote.capabilities.idempotency_keys and not RTRemote.capabilities.idempotency_keys
    assert ZendeskRemote.capabilities.agent_authors and RTRemote.capabilities.agent_authors


# What each capability obliges the adapter to have (the engine and the probe use it unasked
# when it is declared, and never look for it when it is not).
IMPLEMENTED_BY: dict[str, Any] = {
    "user_directory": lambda a: all(isinstance(getattr(a, name, None), dict) for name in ("users", "user_ids", "staff")),
    "assignee_lookup": lambda a: callable(getattr(a, "maps", None)),
    "people_names": lambda a: isinstance(getattr(a, "seen_people", None), list),
    "run_notes": lambda a: isinstance(getattr(a, "notes", None), list),
    "change_probe": lambda a: callable(getattr(a, "changed_since", None)),
    "live_line": lambda a: isinstance(getattr(a, "watch", None), list) and hasattr(a, "versions_of"),
    "extra_cursors": lambda a: isinstance(getattr(a, "cursors", None), dict),
}
# Capabilities that are a server's behaviour rather than something of the adapter's to look for;
# the contract and RT/Zendesk-specific tests hold the adapters to them.
BEHAVIOUR = {"conditional_updates", "idempotency_keys", "comment_authors", "agent_authors", "custom_fields",
             "canned"}


@pytest.mark.parametrize("kind", config.KINDS)
def test_each_kinds_declared_capabilities_match_its_adapter(kind: str) -> None:
    names = {item.name for item in dataclasses.fields(Capabilities)}
    assert names == set(IMPLEMENTED_BY) | BEHAVIOUR, "a new capability needs its check here"
    row = SyncRemote(name=kind, kind=kind, url="http://127.0.0.1:9", username="agent@uni.test", auth="token",
                     config="{}")
    adapter = build_remote(row, secret=Secret(token="t"))  # the adapter sync and the probe get
    try:
        assert adapter.kind == kind and isinstance(adapter.capabilities, Capabilities)
        assert type(adapter).capabilities is adapter.capabilities  # declared by the kind, not per adapter
        for name, implemented in IMPLEMENTED_BY.items():
            assert getattr(adapter.capabilities, name) == implemented(adapter), (kind, name)
    finally:
        adapter.close()
