"""Typed errors raised by the core.

``DeskError`` subclasses are *environment* or *user* errors: expected, with a message that
says what to do. Anything else escaping the core is a bug. Only the CLI and ``ui/errors.py``
turn these into words on screen; messages here must never contain secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DeskError(Exception):
    """An expected failure with a message fit to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreError(DeskError):
    """The store file cannot be used as it is."""


class StoreLocked(StoreError):
    pass


class StoreReadOnly(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class DiskFull(StoreError):
    pass


class NotFound(DeskError):
    pass


class InvalidInput(DeskError):
    pass


@dataclass
class FieldConflict:
    field: str
    mine: object
    theirs: object


@dataclass
class ConflictError(DeskError):
    """The ticket changed since the caller read it (optimistic ``version`` check failed)."""

    ticket_id: int
    expected_version: int
    actual_version: int
    conflicts: list[FieldConflict] = field(default_factory=list)

    def __post_init__(self) -> None:
        DeskError.__init__(
            self,
            f"Ticket #{self.ticket_id} was changed by someone else "
            f"(you had version {self.expected_version}, it is now {self.actual_version}). "
            "Review their changes, then apply yours again.",
        )

    def __str__(self) -> str:
        return self.message
