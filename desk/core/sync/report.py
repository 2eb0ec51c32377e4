"""What one sync run did: counts for people, and the precise ``Changes`` for the screens.

Its own module so that the engine's halves (``pull``, ``push``, ``merge``), the planner and the
callers (CLI, GUI, ``run``) can all name it without importing the engine (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desk.core.changes import Changes

if TYPE_CHECKING:
    from desk.core.sync.plan import Plan


@dataclass
class SyncReport:
    remote: str
    pulled: int = 0
    created_local: int = 0
    updated_local: int = 0
    comments_in: int = 0
    created_remote: int = 0
    updated_remote: int = 0
    comments_out: int = 0
    conflicts: int = 0
    requests: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # remote items left out, each with why (sync/validate.py)
    # Not errors, but people must see them: a paging loop stopped, a refused cursor fell back,
    # an agent with no account upstream...
    notes: list[str] = field(default_factory=list)
    ticket_ids: set[int] = field(default_factory=set)  # local tickets this run wrote to
    people_added: bool = False  # a requester or agent was added for a remote person
    people_renamed: int = 0  # people renamed here after a rename on the remote (sync.people_sync)
    choices_added: bool = False  # a category or an agent was added: filters and pickers change
    canned_changed: bool = False
    dry_run: bool = False
    plan: Plan | None = None  # what the run planned (the whole of a dry run's answer)
    refused: str | None = None  # dry run: why the mass-change guard would refuse the real run

    def added(self, what: str) -> None:
        """Told by the merge when it adds a ``person``, an ``agent`` or a ``category``."""
        self.people_added = self.people_added or what in ("person", "agent")
        self.choices_added = self.choices_added or what in ("agent", "category")

    def changes(self) -> Changes:
        """Exactly what the run touched; ``remotes`` always (last synced, outbox, errors) except
        after a dry run, which touches nothing."""
        if self.dry_run:
            return Changes()
        return Changes(
            # A renamed person's name shows in queue rows and ticket headers too.
            ticket_ids=frozenset(self.ticket_ids), tickets=bool(self.ticket_ids) or self.people_renamed > 0,
            comments=self.comments_in > 0, people=self.people_added or self.people_renamed > 0,
            choices=self.choices_added or self.people_renamed > 0,
            canned=self.canned_changed, remotes=True,
        )
