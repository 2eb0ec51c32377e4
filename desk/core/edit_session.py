"""What the ticket editor is in the middle of, as plain values: no Qt, no store.

The editor widget renders an ``EditSession`` and calls it; everything it decides can be tested
without a window:

* the ticket as last shown (``view``) and as it was when the user began changing fields (the
  *base*): Save/Send is checked against the base's version, so a change made elsewhere in the
  meantime comes back as a conflict instead of being overwritten;
* the staged field values, what the user chose per field, and a category to create;
* what Send or Save changes will send (``submission``) and which buttons make sense now;
* whose words the reply box holds and how much of them is already kept as a draft (``DraftState``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desk.core.i18n import _
from desk.core.queries.editor import EDITOR_FIELDS, FIELD_LABELS

if TYPE_CHECKING:
    from desk.core.ops.drafts import DraftText
    from desk.core.queries.editor import TicketView


@dataclass(frozen=True)
class Submission:
    """One Send or Save changes: the arguments of ``ops.replies.send_reply`` but the author."""

    ticket_id: int
    body: str
    public: bool
    fields: dict[str, object]
    new_category: str | None
    expected_version: int
    canned_id: int | None


@dataclass(frozen=True)
class Controls:
    """Which of the editor's buttons can be pressed."""

    send: bool
    solve: bool
    save: bool
    revert: bool
    canned: bool


@dataclass(frozen=True)
class ChangedElsewhere:
    """What another person or process changed since the editor last showed the ticket."""

    lines: list[str]  # e.g. "Priority: normal → urgent", "1 new reply/note"
    kept: list[str]  # labels of the fields whose unsaved changes the editor keeps


@dataclass
class DraftState:
    """The reply box's words: whose they are and what of them the store already holds.

    Nobody sends another agent's words: when someone else signs in at the desk the words go
    to the previous agent's draft and the box starts again from the new agent's draft."""

    agent_id: int | None
    saved_text: str = ""
    saved_public: bool = True
    restored: bool = False  # the draft of the agent was put into the box (or there was none)

    def needs_saving(self, *, text: str, public: bool) -> bool:
        return self.agent_id is not None and (text != self.saved_text or public != self.saved_public)

    def saving(self, *, text: str, public: bool) -> None:
        """``text`` is on its way to the store: typing the same again need not save again."""
        self.saved_text, self.saved_public = text, public

    def save_failed(self) -> None:
        self.saved_text = ""  # the next save tries again, whatever the text

    def to_restore(self, view: TicketView, *, box_text: str) -> DraftText | None:
        """The draft to put in the box on the first load (never over words already typed)."""
        if self.restored:
            return None
        self.restored = True
        if view.draft is None or box_text:
            return None
        self.saved_text, self.saved_public = view.draft.body, view.draft.public
        return view.draft

    def switch_agent(self, agent_id: int | None) -> bool:
        """Another agent is at the desk. True when the box holds the previous agent's words and
        must be emptied (after they were saved as that agent's draft); the next load then puts
        the new agent's draft in."""
        previous, self.agent_id = self.agent_id, agent_id
        if previous is None or previous == agent_id:
            return False
        self.saved_text, self.saved_public, self.restored = "", True, False
        return True

    def sent(self, body: str) -> None:
        if body.strip():
            self.saved_text = ""  # the draft went with the reply (send_reply removes it)


@dataclass
class EditSession:
    ticket_id: int
    agent_id: int | None = None  # whose draft the reply box starts with
    view: TicketView | None = None  # the ticket as last shown
    canned_id: int | None = None  # the canned response the reply came from; counted on send
    gaps: tuple[str, ...] = ()  # "[location?]" marks a canned response left in the reply to fill in
    sending: bool = False
    draft: DraftState = field(init=False)
    _base: TicketView | None = field(default=None, init=False)
    _base_values: dict[str, object] = field(default_factory=dict, init=False)
    _staged: dict[str, object] = field(default_factory=dict, init=False)
    _new_category: str | None = field(default=None, init=False)
    _quiet: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.draft = DraftState(agent_id=self.agent_id)

    # -- showing --------------------------------------------------------------------------------
    def show(self, view: TicketView) -> ChangedElsewhere | None:
        """Take a freshly loaded ``view``; say what changed elsewhere since the last one (None
        when nothing did, or the change was the user's own)."""
        old, self.view = self.view, view
        quiet, self._quiet = self._quiet, False
        if old is None or old.version == view.version or self.sending or quiet:
            return None
        lines = [f"{_(FIELD_LABELS[name])}: {old.label(name, old.fields.get(name))} → "
                 f"{view.label(name, view.fields.get(name))}"
                 for name in EDITOR_FIELDS if old.fields.get(name) != view.fields.get(name)]
        added = len(view.messages) - len(old.messages)
        if added > 0:
            lines.append(f"{added} new repl{'y' if added == 1 else 'ies'}/note{'s' if added != 1 else ''}")
        if not lines:
            return None
        return ChangedElsewhere(lines=lines, kept=sorted(_(FIELD_LABELS[name]) for name in self._staged
                                                         if name in FIELD_LABELS))

    def expect_own_change(self) -> None:
        """The next new version is the user's own doing (a sync conflict resolved here)."""
        self._quiet = True

    # -- staging --------------------------------------------------------------------------------
    def stage(self, name: str, value: object) -> None:
        """The user chose ``value`` for field ``name`` (kept until Save, Send or Revert)."""
        if self._base is None:
            self._base = self.view
        if name not in self._base_values and self._base is not None:
            self._base_values[name] = self._base.fields.get(name)
        self._staged[name] = value
        if name == "category_id":
            self._new_category = None

    def stage_new_category(self, name: str) -> None:
        """A category that does not exist yet; the send creates it in the same transaction."""
        self.stage("category_id", None)
        self._new_category = name

    def unstage(self, name: str) -> None:
        """Forget the user's choice for ``name``; with nothing left staged the next edit starts
        from the ticket as it is then."""
        self._staged.pop(name, None)
        self._base_values.pop(name, None)
        if name == "category_id":
            self._new_category = None
        if not self._staged:
            self._base = None

    def revert(self) -> None:
        for name in list(self._staged):
            self.unstage(name)
        self._base, self._base_values = None, {}

    def is_staged(self, name: str) -> bool:
        return name in self._staged

    def staged_value(self, name: str) -> object:
        return self._staged.get(name)

    @property
    def new_category(self) -> str | None:
        return self._new_category if "category_id" in self._staged else None

    def changed_fields(self) -> dict[str, object]:
        """Staged fields whose value differs from the ticket as last shown."""
        if self.view is None:
            return {}
        shown = self.view.fields
        return {name: value for name, value in sorted(self._staged.items())
                if not (name == "category_id" and self.new_category) and value != shown.get(name)}

    def has_changes(self) -> bool:
        return bool(self.changed_fields()) or bool(self.new_category)

    def marked_fields(self) -> set[str]:
        """The fields to show as changed (•)."""
        return set(self.changed_fields()) | ({"category_id"} if self.new_category else set())

    # -- sending --------------------------------------------------------------------------------
    def controls(self, *, has_agent: bool, has_text: bool) -> Controls:
        changed = self.has_changes()
        idle = not self.sending and self.view is not None
        return Controls(send=idle and has_agent and (has_text or changed), solve=idle and has_agent,
                        save=idle and changed, revert=changed, canned=has_agent and self.view is not None)

    def can_send(self, *, has_agent: bool, text: str, solve: bool) -> bool:
        if not has_agent or self.view is None or self.sending:
            return False
        return bool(text.strip()) or self.has_changes() or solve

    def unfilled_gaps(self, text: str) -> list[str]:
        """The marked gaps of an inserted canned response still in ``text`` (Send asks first)."""
        return [gap for gap in self.gaps if gap in text]

    def submission(self, *, body: str, public: bool, solve: bool,
                   fields: dict[str, object] | None = None) -> Submission:
        """What Send (or Save changes, with an empty body) sends: ``fields`` when given (the
        choices of a conflict), else the changed fields."""
        base = self._base or self.view
        assert base is not None, "nothing to send before the ticket is shown"
        chosen = dict(self.changed_fields() if fields is None else fields)
        if solve:
            chosen["status"] = "solved"
        return Submission(ticket_id=self.ticket_id, body=body, public=public, fields=chosen,
                          new_category=self.new_category, expected_version=base.version,
                          canned_id=self.canned_id)

    def sent(self, body: str) -> None:
        """The send went through: nothing is staged any more, and the new version the reload
        brings is the user's own doing (their reply, the fields they or a canned response set),
        not "changed elsewhere"."""
        self.sending = False
        self._quiet = True
        self.canned_id = None
        self.gaps = ()
        self._staged, self._new_category = {}, None
        self._base, self._base_values = None, {}
        self.draft.sent(body)

    # -- conflicts ------------------------------------------------------------------------------
    def conflict_base(self, fresh: TicketView) -> TicketView:
        """The ticket as the user started from, to set against ``fresh`` in the conflict dialog."""
        return self._base or self.view or fresh

    @property
    def base_values(self) -> dict[str, object]:
        """Each staged field's value when the user first changed it."""
        return dict(self._base_values)

    def adopt(self, fresh: TicketView, chosen: dict[str, object]) -> None:
        """The user settled a conflict: start again from ``fresh`` with ``chosen`` staged."""
        self.view = self._base = fresh
        self._base_values = {name: fresh.fields.get(name) for name in chosen}
        self._staged = {name: value for name, value in chosen.items() if name in EDITOR_FIELDS}
        self._new_category = None
