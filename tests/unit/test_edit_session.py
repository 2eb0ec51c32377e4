"""The editor's edit session without a window: staging, what Send sends, conflicts, drafts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.core.edit_session import DraftState, EditSession
from desk.core.ops.drafts import DraftText
from desk.core.queries.editor import EDITOR_FIELDS, Message, TicketView

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHOWN = {"requester_id": 7, "status": "open", "priority": "normal", "category_id": 1, "location_id": None,
         "assignee_id": None, "tags": ["av"], "satisfaction": None, "expected_resolution": None}
FIELD_VALUES = {
    "requester_id": st.sampled_from([7, 8, 9]),
    "status": st.sampled_from(["new", "open", "pending", "solved"]),
    "priority": st.sampled_from(["low", "normal", "high"]),
    "category_id": st.sampled_from([None, 1, 2]),
    "location_id": st.sampled_from([None, 3]),
    "assignee_id": st.sampled_from([None, 5, 6]),
    "tags": st.lists(st.sampled_from(["av", "lamp", "wifi"]), unique=True, max_size=3).map(sorted),
    "satisfaction": st.sampled_from([None, "good", "bad"]),
    "expected_resolution": st.sampled_from([None, "by Friday"]),
}
EDITS = st.lists(st.sampled_from(EDITOR_FIELDS).flatmap(lambda name: st.tuples(st.just(name), FIELD_VALUES[name])),
                 max_size=12)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def ticket(*, version: int = 3, messages: int = 1, draft: DraftText | None = None, **fields: object) -> TicketView:
    return TicketView(
        id=42, version=version, subject="Projector in 101", description="No signal.", channel="walk-in",
        arrived_at=NOW, created_at=NOW, requester_id=7, requester="Wei Chen", requester_email=None,
        requester_kind="staff", fields={**SHOWN, **fields},
        messages=[Message(id=i, author="Ana", author_is_agent=True, public=True, body="hi", created_at=NOW)
                  for i in range(messages)],
        history=[], draft=draft, categories=[(1, "Classroom AV"), (2, "Wi-Fi")], locations=[(3, "Hall")],
        agents=[(5, "Ana"), (6, "Bo")], tags=["av"], estimate=None, names={5: "Ana", 6: "Bo", 7: "Wei Chen"},
    )


def shown_session(view: TicketView | None = None, *, agent_id: int | None = 5) -> EditSession:
    session = EditSession(ticket_id=42, agent_id=agent_id)
    assert session.show(view or ticket()) is None  # the first view is nothing "changed elsewhere"
    return session


def staged_session(edits: list[tuple[str, object]]) -> EditSession:
    session = shown_session()
    for name, value in edits:
        session.stage(name, value)
    return session


@PROPERTY
@given(EDITS)
def test_what_send_sends_is_the_last_choice_per_field_that_differs_from_the_ticket(edits):
    session = staged_session(edits)
    last = dict(edits)
    expected = {name: value for name, value in sorted(last.items()) if value != SHOWN[name]}
    assert session.changed_fields() == expected
    assert session.has_changes() == bool(expected)
    sent = session.submission(body="", public=True, solve=False)
    assert sent.fields == expected and sent.expected_version == 3 and sent.new_category is None


@PROPERTY
@given(EDITS, st.booleans())
def test_staging_then_unstaging_leaves_nothing_to_send(edits, with_new_category):
    session = staged_session(edits)
    if with_new_category:
        session.stage_new_category("Printers")
    for name in {name for name, _ in edits} | ({"category_id"} if with_new_category else set()):
        session.unstage(name)
    assert session.changed_fields() == {} and not session.has_changes()
    assert session.new_category is None and session.marked_fields() == set()
    assert session.submission(body="", public=True, solve=False).fields == {}
    assert not session.controls(has_agent=True, has_text=False).save
    session.show(ticket(version=4))
    session.stage("priority", "urgent")  # a new start: against the ticket as it is now
    assert session.submission(body="", public=True, solve=False).expected_version == 4


@PROPERTY
@given(EDITS)
def test_revert_forgets_every_staged_field_and_the_version_they_started_from(edits):
    session = staged_session(edits)
    session.show(ticket(version=4, priority="urgent"))
    session.revert()
    assert not session.has_changes() and session.base_values == {}
    assert session.submission(body="Hi", public=True, solve=False).expected_version == 4


def test_send_is_checked_against_the_version_the_user_started_from():
    session = shown_session()
    session.stage("priority", "high")
    changed = session.show(ticket(version=4, status="pending"))  # someone else moved it on
    assert changed is not None
    assert changed.lines == ["Status: open → pending"] and changed.kept == ["Priority"]
    sent = session.submission(body="Done.", public=False, solve=True)
    assert sent.expected_version == 3  # a conflict, not an overwrite of their status
    assert sent.fields == {"priority": "high", "status": "solved"}
    assert (sent.body, sent.public, sent.ticket_id) == ("Done.", False, 42)
    assert session.base_values == {"priority": "normal"}


def test_without_staged_fields_the_send_goes_against_the_ticket_as_shown():
    session = shown_session()
    session.show(ticket(version=5))
    assert session.submission(body="Hi", public=True, solve=False).expected_version == 5


def test_a_staged_value_equal_to_the_ticket_is_not_sent_but_stays_the_users():
    session = shown_session()
    session.stage("priority", "normal")
    assert session.changed_fields() == {} and session.is_staged("priority")
    session.show(ticket(version=4, priority="high"))  # now it differs: the user's "normal" goes
    assert session.changed_fields() == {"priority": "normal"}


def test_changed_elsewhere_counts_new_replies_and_says_nothing_for_own_changes():
    session = shown_session()
    assert session.show(ticket(version=3, messages=3)) is None  # same version: nothing changed
    changed = session.show(ticket(version=4, messages=3, assignee_id=6))
    assert changed is not None and changed.lines == ["Assignee: (nobody) → Bo"] and changed.kept == []
    plural = session.show(ticket(version=5, messages=5, assignee_id=6))
    assert plural is not None and plural.lines == ["2 new replies/notes"]
    single = session.show(ticket(version=6, messages=6, assignee_id=6))
    assert single is not None and single.lines == ["1 new reply/note"]
    assert session.show(ticket(version=7, messages=6, assignee_id=6)) is None  # nothing shown differs
    session.expect_own_change()
    assert session.show(ticket(version=8, messages=6, priority="low")) is None  # a sync conflict resolved here
    assert session.show(ticket(version=9, messages=6, priority="high")) is not None  # only the next one
    session.sending = True
    assert session.show(ticket(version=10, messages=6, priority="urgent")) is None


def test_a_new_category_is_sent_apart_from_the_fields_and_a_real_pick_replaces_it():
    session = shown_session()
    session.stage_new_category("Printers")
    assert session.changed_fields() == {} and session.has_changes()
    assert session.marked_fields() == {"category_id"}
    sent = session.submission(body="", public=True, solve=False)
    assert sent.new_category == "Printers" and "category_id" not in sent.fields
    session.stage("category_id", 2)
    assert session.new_category is None and session.changed_fields() == {"category_id": 2}


def test_sent_clears_what_was_staged_and_the_canned_response():
    session = shown_session()
    session.stage("tags", ["av", "lamp"])
    session.canned_id = 11
    assert session.submission(body="x", public=True, solve=False).canned_id == 11
    session.sending = True
    session.sent("x")
    assert not session.sending and session.canned_id is None and not session.has_changes()
    assert session.base_values == {} and not session.is_staged("tags")


def test_adopting_a_conflict_resolution_starts_from_the_fresh_ticket():
    session = shown_session()
    session.stage("priority", "high")
    session.stage("status", "pending")
    fresh = ticket(version=4, status="on-hold")
    assert session.conflict_base(fresh).version == 3
    session.adopt(fresh, {"priority": "high", "status": "on-hold"})
    assert session.view is fresh and session.base_values == {"priority": "normal", "status": "on-hold"}
    sent = session.submission(body="", public=True, solve=False, fields={"priority": "high", "status": "on-hold"})
    assert sent.expected_version == 4 and sent.fields == {"priority": "high", "status": "on-hold"}
    assert session.changed_fields() == {"priority": "high"}


def test_controls_follow_the_agent_the_text_the_changes_and_a_send_in_flight():
    session = EditSession(ticket_id=42, agent_id=5)
    nothing = dataclasses.asdict(session.controls(has_agent=True, has_text=True))
    assert nothing == {"send": False, "solve": False, "save": False, "revert": False, "canned": False}
    session.show(ticket())
    assert dataclasses.asdict(session.controls(has_agent=True, has_text=True)) == {
        "send": True, "solve": True, "save": False, "revert": False, "canned": True}
    assert not session.controls(has_agent=True, has_text=False).send
    assert not session.can_send(has_agent=True, text="  ", solve=False)
    assert session.can_send(has_agent=True, text="  ", solve=True)
    session.stage("priority", "high")
    assert dataclasses.asdict(session.controls(has_agent=False, has_text=False)) == {
        "send": False, "solve": False, "save": True, "revert": True, "canned": False}
    assert not session.can_send(has_agent=False, text="Hi", solve=False)
    session.sending = True
    assert dataclasses.asdict(session.controls(has_agent=True, has_text=True)) == {
        "send": False, "solve": False, "save": False, "revert": True, "canned": True}
    assert not session.can_send(has_agent=True, text="Hi", solve=False)


def test_draft_is_saved_only_when_the_words_or_the_mode_changed():
    draft = DraftState(agent_id=5)
    assert not draft.needs_saving(text="", public=True)
    assert draft.needs_saving(text="Half", public=True)
    draft.saving(text="Half", public=True)
    assert not draft.needs_saving(text="Half", public=True)
    assert draft.needs_saving(text="Half", public=False)
    draft.save_failed()
    assert draft.needs_saving(text="Half", public=True)
    assert not DraftState(agent_id=None).needs_saving(text="Half", public=True)  # nobody at the desk


def test_draft_comes_back_once_and_never_over_typed_words():
    kept = DraftText(body="Half-typed note", public=False, updated_at=NOW)
    draft = DraftState(agent_id=5)
    assert draft.to_restore(ticket(draft=kept), box_text="") == kept
    assert not draft.needs_saving(text="Half-typed note", public=False)
    assert draft.to_restore(ticket(draft=kept), box_text="") is None
    typed = DraftState(agent_id=5)
    assert typed.to_restore(ticket(draft=kept), box_text="Hello") is None


def test_another_agent_at_the_desk_empties_the_box_and_their_draft_comes_next():
    draft = DraftState(agent_id=5)
    draft.to_restore(ticket(), box_text="")
    draft.saving(text="Ana's words", public=False)
    assert not draft.switch_agent(5)  # the same agent again
    assert draft.switch_agent(6)
    assert (draft.agent_id, draft.saved_text, draft.saved_public, draft.restored) == (6, "", True, False)
    nobody = DraftState(agent_id=None)
    assert not nobody.switch_agent(6) and nobody.agent_id == 6  # nobody's words to keep


def test_a_sent_reply_takes_its_draft_with_it_but_saving_fields_does_not():
    session = shown_session()
    session.draft.saving(text="Typed", public=True)
    session.sent("")
    assert session.draft.saved_text == "Typed"
    session.sent("Typed")
    assert session.draft.saved_text == ""
