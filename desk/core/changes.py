"""What an operation touched, so each screen refreshes only what it shows (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    ticket_ids: frozenset[int] = field(default_factory=frozenset)
    tickets: bool = False  # queue rows / ticket fields
    comments: bool = False
    people: bool = False
    shifts: bool = False
    canned: bool = False
    drafts: bool = False
    settings: bool = False
    created_id: int | None = None  # the new row's id, for operations that create one

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            ticket_ids=self.ticket_ids | other.ticket_ids,
            tickets=self.tickets or other.tickets,
            comments=self.comments or other.comments,
            people=self.people or other.people,
            shifts=self.shifts or other.shifts,
            canned=self.canned or other.canned,
            drafts=self.drafts or other.drafts,
            settings=self.settings or other.settings,
            created_id=self.created_id or other.created_id,
        )

    @classmethod
    def for_ticket(cls, ticket_id: int, *, comments: bool = False) -> Changes:
        return cls(ticket_ids=frozenset({ticket_id}), tickets=True, comments=comments)
