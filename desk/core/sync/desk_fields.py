"""The desk's own work as it travels through a remote helpdesk: one list of fields, their names
upstream and their wire format. Shared by both adapters, ``desk remote check/prepare`` and the
merge, so a field added here is checked, created, pushed and pulled everywhere at once.

Why custom fields: two Desk PCs share one walk-in line only through the helpdesk (Desk adds no
server of its own), so everything the line, Take next and the stats read must survive the trip:
channel, arrival, start of service, first response, walk-away, location, requester kind, tags,
rating and its comment, expected resolution, and who holds the person ("claimed by", which also
carries a claim by an agent the helpdesk has no account or seat for).

Wire values are plain strings (or a sorted list for tags) so that they fit a free-form RT custom
field and a Zendesk text field, and compare equal after a round trip: times are UTC
``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds; the store keeps whole seconds too).

This module imports nothing of the store or of the adapters (both import it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from desk.core.i18n import N_


@dataclass(frozen=True)
class DeskField:
    key: str  # the name in ``RemoteTicket.fields`` and in the merge base
    rt_name: str  # RT ticket custom field (Freeform, one value, applied to the synced queue)
    zendesk_title: str  # Zendesk ticket field (text / textarea), found by this title
    zendesk_type: str  # "text" or "textarea"
    what: str  # for `desk remote check` and the docs (wrapped with N_, translated at use)
    is_time: bool = False
    merged: bool = True  # False: read and written by the adapters only (folded into another field)


DESK_FIELDS: tuple[DeskField, ...] = (
    DeskField("channel", "Desk Channel", "Desk channel", "text", N_("how the person came (walk-in, phone, e-mail, web)")),
    DeskField("arrived_at", "Desk Arrived", "Desk arrived at", "text",
              N_("when the person walked in or the call began"), is_time=True),
    DeskField("service_started_at", "Desk Service Started", "Desk service started at", "text",
              N_("when someone started serving the person"), is_time=True),
    DeskField("first_response_at", "Desk First Response", "Desk first response at", "text",
              N_("the first response"), is_time=True),
    DeskField("left_at", "Desk Left Unserved", "Desk left without service at", "text",
              N_("when the person left without service"), is_time=True),
    DeskField("location", "Desk Location", "Desk location", "text", N_("where the person was served")),
    DeskField("requester_kind", "Desk Requester Kind", "Desk requester kind", "text",
              N_("faculty, staff, student or guest")),
    DeskField("tags", "Desk Tags", "Desk tags", "text", N_("the ticket's tags")),
    DeskField("satisfaction", "Desk Satisfaction", "Desk satisfaction", "text", N_("the person's rating (good, bad)")),
    DeskField("satisfaction_comment", "Desk Satisfaction Comment", "Desk satisfaction comment", "textarea",
              N_("the person's comment with the rating")),
    DeskField("satisfaction_source", "Desk Satisfaction Source", "Desk satisfaction source", "text",
              N_("who gave the rating: person (their own, counted in CSAT) or agent (agent-reported)")),
    DeskField("satisfaction_at", "Desk Satisfaction At", "Desk satisfaction at", "text",
              N_("when the rating was given"), is_time=True),
    DeskField("expected_resolution", "Desk Expected Resolution", "Desk expected resolution", "textarea",
              N_("what was promised and by when")),
    DeskField("claimed_by", "Desk Claimed By", "Desk claimed by", "text",
              N_("the e-mail of the agent who has the person (also when the helpdesk has no seat for them)"),
              merged=False),  # folded into "assignee" by each adapter
)
DESK_KEYS = tuple(f.key for f in DESK_FIELDS if f.merged)  # merged like subject or status
BY_KEY = {f.key: f for f in DESK_FIELDS}
TIME_KEYS = frozenset(f.key for f in DESK_FIELDS if f.is_time)
NOBODY = "nobody"  # "claimed by" when Desk says nobody has the person (an empty field is "unknown")
# The category has its own field on both remotes (RT: ``category_field``; Zendesk: this title).
ZENDESK_CATEGORY_TITLE = "Desk category"
RT_UUID_FIELD = "Desk UUID"
RT_CATEGORY_FIELD = "Desk Category"

RATING_SOURCES = ("person", "agent")  # tickets.satisfaction_source (0012): only "person" counts in CSAT


def time_out(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_in(value: Any) -> datetime | None:
    """A wire time as an aware UTC datetime; anything unreadable is None (never a guess)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def tags_out(tags: list[str] | tuple[str, ...] | None) -> str | None:
    """Tags in one free-form field: sorted, space separated (Desk tags have no spaces)."""
    return " ".join(sorted(tags)) if tags else None


def tags_in(value: Any) -> list[str]:
    if isinstance(value, list):
        return sorted({str(v) for v in value if str(v).strip()})
    if not isinstance(value, str):
        return []
    return sorted({part for part in value.replace(",", " ").split() if part})


def normalize(key: str, value: Any) -> Any:
    """A desk field's value as it compares after any round trip."""
    if key in TIME_KEYS:
        return time_out(time_in(value) if not isinstance(value, datetime) else value)
    if key == "tags":
        return tags_in(value)
    if key == "claimed_by" and isinstance(value, str):
        return value.strip().lower() or None
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def wire_out(key: str, value: Any) -> str | None:
    """What goes into the remote's text field for ``value``."""
    if key == "tags":
        return tags_out(tags_in(value))
    value = normalize(key, value)
    return None if value is None else str(value)


def wire_in(key: str, value: Any) -> Any:
    """A remote text field's content as the wire value ``RemoteTicket.fields`` carries."""
    if key == "tags":
        return tags_in(value)
    return normalize(key, value)
