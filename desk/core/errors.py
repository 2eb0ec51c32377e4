"""Typed errors raised by the core.

``DeskError`` subclasses are *environment* or *user* errors: expected, with a message that
says what to do. Anything else escaping the core is a bug. Only the CLI and ``ui/errors.py``
turn these into words on screen; messages here must never contain secrets.

* ``StoreError``: the store file (``db.classify`` maps SQLite result codes to these).
* ``FileError``: a file the user asked for (export, report, backup; ``desk.core.files``).
"""

from __future__ import annotations

from typing import NamedTuple

from desk.core.i18n import _


class DeskError(Exception):
    """An expected failure with a message fit to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreError(DeskError):
    """The store file cannot be used as it is.

    ``sqlite_error`` names the SQLite result code it was classified from (``SQLITE_BUSY``,
    ``SQLITE_IOERR_READ``...; empty when Desk itself found the problem), for the log file.
    """

    def __init__(self, message: str, *, sqlite_error: str = "") -> None:
        super().__init__(message)
        self.sqlite_error = sqlite_error


class StoreLocked(StoreError):
    """Another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED)."""


class StoreReadOnly(StoreError):
    """The file or its folder cannot be written (SQLITE_READONLY, SQLITE_PERM)."""


class StoreCannotOpen(StoreReadOnly):
    """SQLite cannot open the file at all (SQLITE_CANTOPEN: missing folder, no permission).

    A kind of ``StoreReadOnly``: callers that treated an unopenable store as read-only still do."""


class StoreCorrupt(StoreError):
    """The file is damaged or is not a database (SQLITE_CORRUPT, SQLITE_NOTADB)."""


class StoreTooNew(StoreError):
    pass


class StoreSchemaMismatch(StoreCorrupt):
    """The schema stamp disagrees with the tables (an older stamp over a newer schema): an
    upgrade would try to create what exists, so the store is refused untouched."""


class StoreDamaged(StoreCorrupt):
    """SQLite found damaged pages (``quick_check`` failed after a write failed): Desk writes
    nothing more to this file; the message says how to recover from the backup."""


class DiskFull(StoreError):
    """The disk (or the store's size limit) is full (SQLITE_FULL)."""


class StoreIOError(StoreError):
    """The operating system failed to read or write the file (SQLITE_IOERR*)."""


class FileError(DeskError):
    """A file Desk was asked to write (an export, a report, a backup) could not be written.

    ``path`` is the file asked for; ``reason`` says why in a few words (``permission denied``,
    ``disk full``...). Nothing half-written is left at ``path`` (see ``desk.core.files``).
    """

    def __init__(self, message: str, *, path: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


class NotFound(DeskError):
    pass


class InvalidInput(DeskError):
    pass


# Not dataclasses: every start of the window imports this module, and a dataclass compiles its
# generated methods (~1 ms for these two). Same fields, constructors, equality and repr.
class FieldConflict(NamedTuple):
    field: str
    mine: object
    theirs: object


class ConflictError(DeskError):
    """The ticket changed since the caller read it (optimistic ``version`` check failed)."""

    def __init__(self, ticket_id: int, expected_version: int, actual_version: int,
                 conflicts: list[FieldConflict] | None = None) -> None:
        self.ticket_id = ticket_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        self.conflicts = [] if conflicts is None else conflicts
        DeskError.__init__(
            self,
            _("Ticket #{id} was changed by someone else (you had version {mine}, it is now {theirs}). "
              "Review their changes, then apply yours again.").format(
                id=self.ticket_id, mine=self.expected_version, theirs=self.actual_version),
        )

    def __repr__(self) -> str:
        return (f"ConflictError(ticket_id={self.ticket_id!r}, expected_version={self.expected_version!r}, "
                f"actual_version={self.actual_version!r}, conflicts={self.conflicts!r})")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.ticket_id, self.expected_version, self.actual_version, self.conflicts) == (
            other.ticket_id, other.expected_version, other.actual_version, other.conflicts)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment] - as the dataclass was: equal by value, unhashable

    def __str__(self) -> str:
        return self.message
