"""Setting up a real desk: the people and choices operations (issue 11), each with its effect,
its audit rows and the Changes screens refresh by."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from desk.core import errors
from desk.core.changes import Changes
from desk.core.desk_settings import needs_setup
from desk.core.models import AuditEvent, CannedResponse, Category, Comment, Draft, Person, Shift, Ticket
from desk.core.ops import canned, choices, comments, drafts, people, shifts, tickets
from desk.core.queries import choices as offered
from desk.core.queries import frontdesk, queue
from desk.core.queries.tickets import find_people, history


def person_events(session, *, action: str | None = None) -> list[tuple[str, str | None, str | None, str | None]]:  # noqa: ANN001
    """The audit rows of changes to people and choices (no ticket), oldest first."""
    query = select(AuditEvent).where(AuditEvent.ticket_id.is_(None)).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return [(e.action, e.field, e.old, e.new) for e in session.scalars(query)]


def own_requester(session) -> int:  # noqa: ANN001
    return people.ensure_requester(session, email="someone@else.test", name="Someone Else").created_id


def log(session, *, requester_id: int, actor_id: int | None = None, category_id: int | None = None) -> int:  # noqa: ANN001
    return tickets.log_ticket(session, actor_id=actor_id, requester_id=requester_id, subject="Projector",
                              category_id=category_id).created_id


# --- agents -----------------------------------------------------------------------------------


def test_add_agent_is_audited_and_refuses_another_agents_email(session, agent_id):
    changes = people.add_agent(session, name="  Cy   Super ", email="Cy@Desk.Test", role="supervisor",
                               actor_id=agent_id)
    assert changes.people and changes.choices and changes.created_id
    cy = session.get(Person, changes.created_id)
    assert (cy.name, cy.email, cy.role, cy.is_agent, cy.active) == ("Cy Super", "cy@desk.test", "supervisor", True, True)
    assert person_events(session, action="add-agent")[-1] == ("add-agent", f"person#{cy.id}.role", None, "supervisor")
    with pytest.raises(errors.InvalidInput, match="already belongs to the agent Cy Super"):
        people.add_agent(session, name="Someone Else", email="CY@desk.test")
    with pytest.raises(errors.InvalidInput, match="Role must be"):
        people.add_agent(session, name="Dee", email="dee@desk.test", role="boss")
    assert session.scalar(select(func.count()).select_from(Person).where(Person.is_agent)) == 2


def test_a_requester_with_the_email_becomes_the_agent(session, requester_id):
    ticket = log(session, requester_id=requester_id)
    changes = people.add_agent(session, name="Wei Chen", email="prof.chen@uni.test", role="staff")
    assert changes.created_id == requester_id
    assert session.get(Ticket, ticket).requester_id == requester_id
    assert session.get(Person, requester_id).is_agent


def test_edit_agent_writes_one_row_per_changed_field(session, agent_id, other_agent_id):
    changes = people.edit_agent(session, actor_id=other_agent_id, agent_id=agent_id, name="Ana Student",
                                email="ana.s@desk.test", role="staff")
    assert changes.people and changes.choices
    ana = session.get(Person, agent_id)
    assert (ana.email, ana.role) == ("ana.s@desk.test", "staff")
    rows = person_events(session, action="edit-agent")
    assert rows == [("edit-agent", f"person#{agent_id}.email", "ana@desk.test", "ana.s@desk.test"),
                    ("edit-agent", f"person#{agent_id}.role", "student-worker", "staff")]  # name unchanged
    actors = set(session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "edit-agent")))
    assert actors == {other_agent_id}
    assert people.edit_agent(session, actor_id=None, agent_id=agent_id, role="staff") == Changes()
    with pytest.raises(errors.InvalidInput, match="already belongs to the agent Bo Staff"):
        people.edit_agent(session, actor_id=None, agent_id=agent_id, email="BO@desk.test")
    with pytest.raises(errors.InvalidInput, match="needs an e-mail"):
        people.edit_agent(session, actor_id=None, agent_id=agent_id, email="  ")
    with pytest.raises(errors.NotFound):
        people.edit_agent(session, actor_id=None, agent_id=9999, name="Nobody")


def test_a_deactivated_agent_is_offered_nowhere_but_keeps_the_history(session, agent_id, other_agent_id,
                                                                      requester_id):
    ticket = log(session, requester_id=requester_id, actor_id=agent_id)
    tickets.claim(session, ticket_id=ticket, agent_id=agent_id)
    shifts.start_shift(session, agent_id=agent_id)
    changes = people.deactivate_agent(session, actor_id=other_agent_id, agent_id=agent_id)
    assert changes.people and changes.choices and changes.shifts  # their open shift ended
    assert shifts.open_shift(session, agent_id) is None
    assert [name for _id, name in offered.agents(session)] == ["Bo Staff"]
    assert [name for name, _email in offered.agent_emails(session)] == ["Bo Staff"]
    assert [agent.name for agent in frontdesk.agents(session)] == ["Bo Staff"]
    assert [p.name for p in find_people(session, "", agents_only=True)] == ["Bo Staff"]
    with pytest.raises(errors.InvalidInput, match="deactivated"):
        shifts.start_shift(session, agent_id=agent_id)
    ana = session.get(Person, agent_id)
    assert ana.is_agent and ana.name == "Ana Student"  # replies still count as an agent's
    assert "Ana Student" in {entry.actor for entry in history(session, ticket)}
    assert person_events(session, action="deactivate-agent") == [
        ("deactivate-agent", f"person#{agent_id}.active", "yes", "no")]

    with pytest.raises(errors.InvalidInput, match="only active agent"):
        people.deactivate_agent(session, actor_id=None, agent_id=other_agent_id)
    assert people.deactivate_agent(session, actor_id=None, agent_id=agent_id, active=True).choices
    assert [name for _id, name in offered.agents(session)] == ["Ana Student", "Bo Staff"]
    people.deactivate_agent(session, actor_id=None, agent_id=agent_id)
    with pytest.raises(errors.InvalidInput, match="deactivated: reactivate"):
        people.add_agent(session, name="Ana Again", email="ana@desk.test")


# --- requesters -------------------------------------------------------------------------------


def test_edit_person_corrects_a_requester_and_the_search_follows(session, requester_id):
    ticket = log(session, requester_id=requester_id)
    changes = people.edit_person(session, actor_id=None, person_id=requester_id, name="Wei Chén",
                                 email="wei.chen@uni.test", phone=" 02 123  4567 ", kind="staff")
    assert changes.people and changes.tickets
    wei = session.get(Person, requester_id)
    assert (wei.name, wei.email, wei.phone, wei.kind) == ("Wei Chén", "wei.chen@uni.test", "02 123 4567", "staff")
    assert [field for _a, field, _o, _n in person_events(session, action="edit-person")] == [
        f"person#{requester_id}.{name}" for name in ("name", "email", "phone", "kind")]
    found = queue.page(session, queue.QueueFilter(view="all", search="Chén"), limit=5)
    assert [ticket_id for _key, ticket_id in found] == [ticket]
    people.edit_person(session, actor_id=None, person_id=requester_id, phone="")
    assert session.get(Person, requester_id).phone is None
    with pytest.raises(errors.InvalidInput, match="Kind must be"):
        people.edit_person(session, actor_id=None, person_id=requester_id, kind="alien")
    with pytest.raises(errors.InvalidInput, match="is not an e-mail"):
        people.edit_person(session, actor_id=None, person_id=requester_id, email="no-at-sign")


def test_edit_person_refuses_an_email_someone_else_has(session, requester_id, agent_id):
    with pytest.raises(errors.InvalidInput, match="already belongs to the agent Ana Student"):
        people.edit_person(session, actor_id=None, person_id=requester_id, email="ana@desk.test")
    with pytest.raises(errors.NotFound):
        people.edit_person(session, actor_id=None, person_id=4040, name="Ghost")


def test_merge_people_moves_everything_and_keeps_a_signpost(session, agent_id, requester_id):
    dup = people.ensure_requester(session, email="wchen@gmail.test", name="W. Chen", phone="010-1").created_id
    own = log(session, requester_id=requester_id)
    theirs = log(session, requester_id=dup, actor_id=agent_id)
    comments.add_comment(session, ticket_id=theirs, author_id=dup, body="Still broken", public=True)
    changes = people.merge_people(session, actor_id=agent_id, keep_id=requester_id, merge_id=dup)
    assert changes.ticket_ids == {theirs} and changes.tickets and changes.people and changes.comments
    assert session.get(Ticket, theirs).requester_id == requester_id
    assert session.get(Ticket, own).requester_id == requester_id
    assert {c.author_id for c in session.scalars(select(Comment).where(Comment.ticket_id == theirs))} == {requester_id}
    gone = session.get(Person, dup)
    assert gone.merged_into == requester_id and gone.name == "W. Chen"  # the audit log may name it
    assert session.get(Person, requester_id).phone == "010-1"  # filled, it had none
    assert people.find_person_by_email(session, "WCHEN@gmail.test").id == requester_id
    assert people.ensure_requester(session, email="wchen@gmail.test").created_id == requester_id
    assert [p.id for p in find_people(session, "chen")] == [requester_id]
    moved = [(e.field, e.old, e.new) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.ticket_id == theirs, AuditEvent.action == "merge-people"))]
    assert moved == [("requester", "W. Chen", "Wei Chen")]
    assert person_events(session, action="merge-people")[-1] == (
        "merge-people", f"person#{dup}.merged_into", "W. Chen <wchen@gmail.test>", f"#{requester_id} Wei Chen")
    assert session.get(Ticket, theirs).version == 2  # a sync pushes the new requester

    with pytest.raises(errors.InvalidInput, match=f"old address of person #{requester_id}"):
        people.edit_person(session, actor_id=None, person_id=own_requester(session), email="wchen@gmail.test")
    with pytest.raises(errors.InvalidInput, match="already merged"):
        people.merge_people(session, actor_id=None, keep_id=requester_id, merge_id=dup)
    with pytest.raises(errors.InvalidInput, match="merged with herself"):
        people.merge_people(session, actor_id=None, keep_id=requester_id, merge_id=requester_id)
    with pytest.raises(errors.NotFound):
        people.merge_people(session, actor_id=None, keep_id=requester_id, merge_id=777)


def test_merging_two_agent_records_moves_shifts_drafts_and_assignments(session, agent_id, other_agent_id,
                                                                      requester_id):
    ticket = log(session, requester_id=requester_id)
    other = log(session, requester_id=requester_id)
    tickets.claim(session, ticket_id=ticket, agent_id=other_agent_id)
    shifts.start_shift(session, agent_id=other_agent_id)
    drafts.save_draft(session, ticket_id=ticket, agent_id=other_agent_id, body="From the second address")
    drafts.save_draft(session, ticket_id=ticket, agent_id=agent_id, body="Mine")
    drafts.save_draft(session, ticket_id=other, agent_id=other_agent_id, body="Only there")
    canned.create_canned(session, actor_id=other_agent_id, title="Mine", owner_id=other_agent_id)
    people.merge_people(session, actor_id=agent_id, keep_id=agent_id, merge_id=other_agent_id)
    assert session.get(Ticket, ticket).assignee_id == agent_id
    assert set(session.scalars(select(Shift.agent_id))) == {agent_id}
    assert drafts.load_draft(session, ticket_id=ticket, agent_id=agent_id).body == "Mine\n\nFrom the second address"
    assert drafts.load_draft(session, ticket_id=other, agent_id=agent_id).body == "Only there"
    assert session.scalar(select(func.count()).select_from(Draft).where(Draft.agent_id == other_agent_id)) == 0
    assert session.scalar(select(CannedResponse.owner_id)) == agent_id
    assert [name for _id, name in offered.agents(session)] == ["Ana Student"]


# --- categories and locations -----------------------------------------------------------------


def test_add_rename_hide_and_show_a_category(session, agent_id, requester_id):
    added = choices.add_choice(session, actor_id=agent_id, kind="category", name="  Classroom   AV ")
    assert added.choices and added.created_id
    with pytest.raises(errors.InvalidInput, match="already a category named 'Classroom AV'"):
        choices.add_choice(session, actor_id=agent_id, kind="category", name="classroom av")
    ticket = log(session, requester_id=requester_id, category_id=added.created_id)
    canned.create_canned(session, actor_id=agent_id, title="AV", actions=[{"field": "category", "value": "Classroom AV"}])
    renamed = choices.rename_choice(session, actor_id=agent_id, kind="category", choice_id=added.created_id,
                                    name="Classroom A/V")
    assert renamed.choices and renamed.canned
    assert json.loads(session.scalar(select(CannedResponse.actions))) == [{"field": "category", "value": "Classroom A/V"}]
    hidden = choices.hide_choice(session, actor_id=agent_id, kind="category", choice_id=added.created_id)
    assert hidden.choices
    assert offered.categories(session) == [] and frontdesk.choices(session)[0] == []
    assert offered.categories(session, include_hidden=True) == [(added.created_id, "Classroom A/V")]
    assert session.get(Ticket, ticket).category.name == "Classroom A/V"  # the ticket keeps it
    again = choices.add_choice(session, actor_id=agent_id, kind="category", name="CLASSROOM A/V")
    assert again.created_id == added.created_id and offered.categories(session) != []  # shown again
    assert [(a, o, n) for a, _f, o, n in person_events(session) if a.endswith("-category")] == [
        ("add-category", None, "Classroom AV"), ("rename-category", "Classroom AV", "Classroom A/V"),
        ("hide-category", "no", "yes"), ("show-category", "yes", "no")]
    with pytest.raises(errors.InvalidInput, match="Kind must be"):
        choices.add_choice(session, actor_id=None, kind="colour", name="Blue")
    with pytest.raises(errors.InvalidInput, match="empty"):
        choices.add_choice(session, actor_id=None, kind="location", name="   ")


def test_rename_onto_an_existing_name_says_merge(session):
    first = choices.add_choice(session, actor_id=None, kind="location", name="Library").created_id
    choices.add_choice(session, actor_id=None, kind="location", name="Main building")
    with pytest.raises(errors.InvalidInput, match="merge the two"):
        choices.rename_choice(session, actor_id=None, kind="location", choice_id=first, name="main building")


def test_merge_choices_moves_the_tickets_and_removes_the_merged_one(session, agent_id, requester_id):
    keep = choices.add_choice(session, actor_id=None, kind="category", name="Hardware").created_id
    gone = choices.add_choice(session, actor_id=None, kind="category", name="Laptops").created_id
    moved = [log(session, requester_id=requester_id, category_id=gone) for _ in range(2)]
    stays = log(session, requester_id=requester_id, category_id=keep)
    changes = choices.merge_choices(session, actor_id=agent_id, kind="category", keep_id=keep, merge_id=gone)
    assert changes.ticket_ids == set(moved) and changes.tickets and changes.choices
    assert {session.get(Ticket, t).category_id for t in [*moved, stays]} == {keep}
    assert session.get(Category, gone) is None
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "merge-category",
                                                    AuditEvent.ticket_id.is_not(None)))
    assert sorted((e.ticket_id, e.old, e.new, e.actor_id) for e in rows) == [
        (t, "Laptops", "Hardware", agent_id) for t in moved]
    with pytest.raises(errors.InvalidInput, match="itself"):
        choices.merge_choices(session, actor_id=None, kind="category", keep_id=keep, merge_id=keep)
    with pytest.raises(errors.NotFound):
        choices.merge_choices(session, actor_id=None, kind="category", keep_id=keep, merge_id=gone)


def test_seed_defaults_adds_only_what_is_missing(session):
    choices.add_choice(session, actor_id=None, kind="category", name="hardware")
    first = choices.seed_defaults(session)
    assert first.choices
    names = [name for _id, name in offered.categories(session)]
    assert "hardware" in names and "Hardware" not in names  # the desk's own spelling stays
    assert {"Curriculum support", "Event services", "Multimedia production"} <= set(names)
    assert len(offered.locations(session)) == len(choices.DEFAULT_LOCATIONS)
    assert choices.seed_defaults(session) == Changes()  # nothing left to add
    added = [n for a, _f, _o, n in person_events(session) if a in ("add-category", "add-location")]
    assert len(added) == len(choices.DEFAULT_CATEGORIES) + len(choices.DEFAULT_LOCATIONS)


def test_settings_lists_show_everything_with_its_state(session, agent_id, other_agent_id, requester_id):
    people.deactivate_agent(session, actor_id=None, agent_id=other_agent_id)
    assert [(a.name, a.active) for a in offered.agent_rows(session)] == [("Ana Student", True), ("Bo Staff", False)]
    assert [a.name for a in offered.agent_rows(session, include_inactive=False)] == ["Ana Student"]
    used = choices.add_choice(session, actor_id=None, kind="location", name="Library").created_id
    unused = choices.add_choice(session, actor_id=None, kind="location", name="Annex").created_id
    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Wi-Fi", location_id=used)
    choices.hide_choice(session, actor_id=None, kind="location", choice_id=unused)
    assert offered.choice_rows(session, kind="location") == [
        offered.ChoiceRow(unused, "Annex", True, 0), offered.ChoiceRow(used, "Library", False, 1)]
    assert [r.name for r in offered.choice_rows(session, kind="location", include_hidden=False)] == ["Library"]


def test_an_older_store_upgrades_with_everyone_active_and_everything_shown(tmp_path):
    from contextlib import closing

    from desk.core import db

    path = tmp_path / "old.sqlite3"
    db.upgrade(path, "0007")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO people (uuid, name, is_agent, role, created_at) VALUES ('u1', 'Old Agent', 1, 'staff', 0)")
        conn.execute("INSERT INTO categories (name) VALUES ('Old category')")
        conn.commit()
    with db.open_store(path) as store, store.session() as session:
        assert [(a.name, a.active) for a in offered.agent_rows(session)] == [("Old Agent", True)]
        assert [name for _id, name in offered.categories(session)] == ["Old category"]
        assert not needs_setup(session)


def test_a_deactivated_agent_cannot_claim_or_take_next(session, agent_id, other_agent_id, requester_id):
    from desk.core import errors
    from desk.core.models import Ticket
    from desk.core.ops import people, tickets

    waiting = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Projector").created_id
    people.deactivate_agent(session, actor_id=other_agent_id, agent_id=agent_id)
    for attempt in (lambda: tickets.claim(session, ticket_id=waiting, agent_id=agent_id),
                    lambda: tickets.take_next(session, agent_id=agent_id)):
        with pytest.raises(errors.InvalidInput, match="not an active agent"):
            attempt()
    session.rollback()
    assert session.get(Ticket, waiting).assignee_id is None
    people.deactivate_agent(session, actor_id=other_agent_id, agent_id=agent_id, active=True)
    tickets.take_next(session, agent_id=agent_id)
    session.rollback()
    assert session.get(Ticket, waiting).assignee_id == agent_id
