"""What the set-up assistant saves, and the one function that saves it.

The assistant collects a ``SetupPlan`` (plain data, no Qt) and hands ``apply_setup`` to ONE
``tasks.op`` call: every core operation it calls opens its own ``unit_of_work``, and those nest
inside the outer one, so the whole set-up is one transaction — all of it is saved, or (a bad
time zone, a duplicate e-mail) none of it and the assistant stays open to fix it.
A part the person skipped is None and is not touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from desk.core.changes import Changes
from desk.core.db import unit_of_work


@dataclass(frozen=True)
class AgentPlan:
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class ChoicesPlan:
    """The list as the person left it: ``kept`` maps an existing id to its (maybe new) name,
    ``added`` are new names, ``removed`` existing ids taken off the list (hidden, never deleted:
    their tickets keep them)."""

    kept: Mapping[int, str] = field(default_factory=dict)
    added: Sequence[str] = ()
    removed: Sequence[int] = ()


@dataclass(frozen=True)
class SetupPlan:
    settings: Mapping[str, object] | None = None  # DeskSettings fields to change
    terms: Sequence[Mapping[str, str]] | None = None
    categories: ChoicesPlan | None = None
    locations: ChoicesPlan | None = None
    agents: Sequence[AgentPlan] = ()


@dataclass(frozen=True)
class SetupStart:
    """What the assistant starts from (read on the DB worker)."""

    settings: object  # DeskSettings
    terms: list  # calendar.Term
    categories: list  # choices.ChoiceRow (not hidden)
    locations: list
    default_categories: tuple[str, ...]
    default_locations: tuple[str, ...]
    has_active_agent: bool = False  # run again: Finish needs no new agent


def load_setup_start(session: Session) -> SetupStart:
    from desk.core import calendar, desk_settings
    from desk.core.ops import choices
    from desk.ui.settings.choices import load_choices

    return SetupStart(
        settings=desk_settings.load_desk_settings(session),
        terms=calendar.terms(session),
        categories=[c for c in load_choices(session, kind="category") if not c.hidden],
        locations=[c for c in load_choices(session, kind="location") if not c.hidden],
        default_categories=tuple(choices.DEFAULT_CATEGORIES),
        default_locations=tuple(choices.DEFAULT_LOCATIONS),
        has_active_agent=not desk_settings.needs_setup(session),
    )


def _apply_choices(session: Session, *, kind: str, plan: ChoicesPlan, actor_id: int | None,
                   current: Mapping[int, str]) -> Changes:
    from desk.core.ops import choices

    changes = Changes()
    for choice_id, name in plan.kept.items():
        if current.get(choice_id) != name:
            changes |= choices.rename_choice(session, actor_id=actor_id, kind=kind, choice_id=choice_id, name=name)
    for choice_id in plan.removed:
        changes |= choices.hide_choice(session, actor_id=actor_id, kind=kind, choice_id=choice_id, hidden=True)
    for name in plan.added:
        changes |= choices.add_choice(session, actor_id=actor_id, kind=kind, name=name)
    return changes


def apply_setup(session: Session, *, plan: SetupPlan) -> Changes:
    """Save the whole plan as one transaction (see the module notes). The first new agent is
    the actor of the audit rows of everything after them."""
    from desk.core import calendar, canned_io, desk_settings
    from desk.core.ops import people
    from desk.ui.settings.choices import load_choices

    changes = Changes()
    with unit_of_work(session):
        actor_id: int | None = None
        for agent in plan.agents:
            made = people.add_agent(session, name=agent.name, email=agent.email, role=agent.role,
                                    actor_id=actor_id)
            actor_id = actor_id or made.created_id
            changes |= made
        if plan.settings is not None:  # only the fields of the pages not skipped
            changes |= desk_settings.save_desk_settings(session, actor_id=actor_id, values=dict(plan.settings))
            language = dict(plan.settings).get("language")
            if language and canned_io.defaults_follow_language(session, language=str(language), actor_id=actor_id):
                changes |= Changes(canned=True)  # the untouched defaults now speak the desk's language
        if plan.terms is not None:
            changes |= calendar.set_terms(session, terms=list(plan.terms), actor_id=actor_id)
        for kind, choices_plan in (("category", plan.categories), ("location", plan.locations)):
            if choices_plan is not None:
                current = {c.id: c.name for c in load_choices(session, kind=kind)}
                changes |= _apply_choices(session, kind=kind, plan=choices_plan, actor_id=actor_id, current=current)
    return changes | Changes(created_id=actor_id)

