"""The fixed vocabularies of the store (statuses, channels, ...) and the words built on them
("waiting at the desk", the open statuses, an age as text), defined once, without the ORM.

``desk.core.models`` re-exports the tuples; screens that only need the words (the queue's filter
bar) import them from here so that showing the window does not wait for SQLAlchemy. SQL
fragments are spelled over the table alias ``t`` exactly as the partial indexes of migrations
0001-0005 are, so SQLite keeps using those indexes.
"""

from __future__ import annotations

from collections.abc import Iterable

from desk.core.i18n import N_, _, ngettext

# Open and waiting on nobody but the desk: a walk-in or caller in one of these is still in the
# line or at the counter being served.
ACTIVE_STATUSES = ("new", "open")
# Open but waiting on someone else (the requester, a third party): SLA clocks pause here when the
# policy says so, and a walk-in released in one of these does not go back into the line.
PAUSED_STATUSES = ("pending", "on-hold")
OPEN_STATUSES = ACTIVE_STATUSES + PAUSED_STATUSES
# Finished: a ticket in one of these has left the backlog and every SLA clock has stopped.
DONE_STATUSES = ("solved", "closed")
STATUSES = OPEN_STATUSES + DONE_STATUSES
# The statuses a requester's answer by e-mail reopens (to open): solved (they say it is not) and
# pending (the desk was waiting for that answer). Deliberately not all of DONE or PAUSED: a closed
# ticket keeps its status (the answer is only added to it) and on-hold waits on a third party,
# not on the requester.
REOPENED_BY_ANSWER = ("solved", "pending")
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("walk-in", "phone", "email", "web")
# People in front of the desk or on the line: they wait, are served, may walk away.
DESK_CHANNELS = ("walk-in", "phone")
PERSON_KINDS = ("faculty", "staff", "student", "guest")
AGENT_ROLES = ("student-worker", "staff", "supervisor")
SATISFACTION = ("good", "bad")
# What people read for each code above (the store keeps the codes): N_ here, _() in word().
WORDS = {
    "new": N_("new"), "open": N_("open"), "pending": N_("pending"), "on-hold": N_("on-hold"),
    "solved": N_("solved"), "closed": N_("closed"),
    "low": N_("low"), "normal": N_("normal"), "high": N_("high"), "urgent": N_("urgent"),
    "walk-in": N_("walk-in"), "phone": N_("phone"), "email": N_("email"), "web": N_("web"),
    "faculty": N_("faculty"), "staff": N_("staff"), "student": N_("student"), "guest": N_("guest"),
    "student-worker": N_("student-worker"), "supervisor": N_("supervisor"),
    "good": N_("good"), "bad": N_("bad"),
}
# What the history (audit) shows for each action: the code itself in English (N_), a word in
# other languages.
ACTIONS = {
    "create": N_("create"), "update": N_("update"), "reply": N_("reply"), "note": N_("note"),
    "claim": N_("claim"), "release": N_("release"), "solve": N_("solve"), "reopen": N_("reopen"),
    "left": N_("left"), "undo-left": N_("undo-left"), "canned": N_("canned"), "sync": N_("sync"),
    "sync-resolve": N_("sync-resolve"), "merge-people": N_("merge-people"), "import": N_("import"),
    "shift-start": N_("shift-start"), "shift-end": N_("shift-end"),
}


def word(code: str | None) -> str:
    """The word shown for a vocabulary code in the current language ("walk-in" -> "방문")."""
    return _(WORDS[code]) if code in WORDS else (code or "")


def action_word(action: str | None) -> str:
    """The history's word for an audit action ("claim" -> "맡음"); unknown ones as they are."""
    return _(ACTIONS[action]) if action in ACTIONS else (action or "")


def sql_list(values: Iterable[str]) -> str:
    """``('a','b')`` for an SQL ``IN``; the values are this module's own words, never user text."""
    return "(" + ",".join(f"'{value}'" for value in values) + ")"


OPEN_SQL = sql_list(OPEN_STATUSES)
ACTIVE_SQL = sql_list(ACTIVE_STATUSES)
DONE_SQL = sql_list(DONE_STATUSES)
DESK_CHANNELS_SQL = f"t.channel IN {sql_list(DESK_CHANNELS)}"
# Waiting at the desk: a walk-in or caller nobody has started serving, who has not left.
WAITING_AT_DESK_SQL = (
    "t.status = 'new' AND t.assignee_id IS NULL AND t.left_at IS NULL "
    f"AND t.service_started_at IS NULL AND {DESK_CHANNELS_SQL}"
)


def is_waiting_at_desk(
    *, status: str, assignee_id: int | None, service_started_at: object, left_at: object, channel: str
) -> bool:
    """``WAITING_AT_DESK_SQL`` for one row already in memory."""
    return (status == "new" and assignee_id is None and service_started_at is None
            and left_at is None and channel in DESK_CHANNELS)


def format_age(seconds: float) -> str:
    """A duration as the queue, the line and ``desk list`` show it: 45 s, 12 min, 3 h 05, 2 d 4 h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("{hours} h {minutes:02d}").format(hours=hours, minutes=minutes)
    return _("{days} d {hours} h").format(days=hours // 24, hours=hours % 24)


def counted(count: int, one: str, many: str) -> str:
    """``count`` with the word that fits it: "1 match", "2 matches", "1,204 tickets". The words
    are passed whole (English plurals are not regular) and go through ngettext, so a language
    with other plural rules picks its own form (extracted with the ``counted:2,3`` keyword)."""
    return _("{count} {word}").format(count=f"{count:,}", word=ngettext(one, many, count))  # ko: no space
