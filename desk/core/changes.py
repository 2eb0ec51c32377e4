"""What an operation touched, so each screen refreshes only what it shows (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Changes:
    ticket_ids: frozenset[int] = field(default_factory=frozenset)
    tickets: bool = False  # queue rows / ticket fields
    comments: bool = False
    people: bool = False  # requesters or agents added or edited
    choices: bool = False  # categories, locations or agents: what filters and pickers offer
    shifts: bool = False
    canned: bool = False
    drafts: bool = False
    settings: bool = False  # store-wide settings, saved views
    remotes: bool = False  # remotes added/removed, their sync state (last synced, errors, outbox)
    quick_questions: bool = False  # a quick question tallied (staffing arrivals, not tickets)
    rota: bool = False  # planned shifts, availability or maximum hours
    rules: bool = False  # triggers, automations, SLA policies added, edited, reordered
    created_id: int | None = None  # the new row's id, for operations that create one

    def __or__(self, other: Changes) -> Changes:
        merged = {
            item.name: getattr(self, item.name) or getattr(other, item.name)
            for item in fields(self) if item.name not in ("ticket_ids", "created_id")
        }
        return Changes(ticket_ids=self.ticket_ids | other.ticket_ids,
                       created_id=self.created_id or other.created_id, **merged)

    @classmethod
    def for_ticket(cls, ticket_id: int, *, comments: bool = False) -> Changes:
        return cls(ticket_ids=frozenset({ticket_id}), tickets=True, comments=comments)


# Everything a screen could show: what an external change (another process) may have touched.
EVERYTHING = Changes(tickets=True, comments=True, people=True, choices=True, shifts=True, canned=True,
                     drafts=True, settings=True, remotes=True, quick_questions=True,
                     rota=True, rules=True)
