"""Printable papers for the person: the receipt slip and the ticket with its conversation.

Both are plain HTML (Qt's rich-text subset, so QTextDocument prints them as they are; the UI and
``desk receipt`` turn them into paper or PDF), written in the desk's language (Settings →
language) whatever the language of the window, because the person takes them away. Every value
from the store is escaped. Times are the desk's local time, written as numbers (no English month
names). No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from html import escape

from sqlalchemy.orm import Session

from desk.core import i18n
from desk.core.desk_settings import DeskSettings, load_desk_settings
from desk.core.i18n import _
from desk.core.queries.tickets import get_ticket
from desk.core.settings import desk_timezone
from desk.core.templating import expected_resolution_text

STYLE = """
<style>
body { font-family: 'DejaVu Sans', 'Noto Sans CJK KR', sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 13pt; margin: 0; }
h2 { font-size: 10pt; margin: 6pt 0 0 0; }
.number { font-size: 18pt; font-weight: bold; }
.muted { color: #555; }
td { padding: 2pt 6pt 2pt 0; vertical-align: top; }
</style>
"""


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate in ``language`` (the desk's) for the block, then go back."""
    before = i18n.current_language()
    i18n.set_language(language or None)
    try:
        yield
    finally:
        i18n.set_language(before)


def _paragraphs(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.strip().splitlines()) or "&nbsp;"


def _local(moment: datetime | None, session: Session) -> str:
    return moment.astimezone(desk_timezone(session)).strftime("%Y-%m-%d %H:%M") if moment else ""


def _follow_up(settings: DeskSettings, ticket_id: int) -> str:
    lines = [_("Quote ticket number {number} when you get in touch.").format(number=ticket_id)]
    if settings.phone:
        lines.append(_("Phone: {phone}").format(phone=settings.phone))
    hours = opening_hours_lines(settings)
    if hours:
        lines.append(_("Opening hours:"))
        lines.extend(hours)
    return "<br/>".join(escape(line) for line in lines)


def opening_hours_lines(settings: DeskSettings) -> list[str]:
    """"Monday–Friday 09:00–18:00": runs of days with the same hours, closed days left out."""
    runs: list[tuple[int, int, str]] = []
    for index, periods in enumerate(settings.opening_hours):
        spans = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in periods)
        if runs and runs[-1][2] == spans and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index, spans)
        else:
            runs.append((index, index, spans))
    return [
        (f"{_(WEEKDAY_NAMES[first])}–{_(WEEKDAY_NAMES[last])}" if last > first else _(WEEKDAY_NAMES[first]))
        + f" {spans}" for first, last, spans in runs if spans
    ]


WEEKDAY_NAMES = (i18n.N_("Monday"), i18n.N_("Tuesday"), i18n.N_("Wednesday"), i18n.N_("Thursday"),
                 i18n.N_("Friday"), i18n.N_("Saturday"), i18n.N_("Sunday"))


def receipt_html(session: Session, *, ticket_id: int) -> str:
    """The slip handed over at the counter: number, what was asked, what to expect, how to follow up."""
    settings = load_desk_settings(session)
    ticket = get_ticket(session, ticket_id)
    expected = expected_resolution_text(session, ticket)
    with in_language(settings.language):
        desk = escape(settings.desk_name or _("Service desk"))
        promise = (_("We expect this to take {estimate}.").format(estimate=expected) if expected
                   else _("We will tell you as soon as we know how long this takes."))
        description = _paragraphs(ticket.description) if ticket.description.strip() else ""
        # translated here, outside the f-strings, where the message extractor finds them
        label = {key: escape(text) for key, text in (
            ("request", _("Your request")), ("number", _("Ticket number")), ("asked", _("What you asked")),
            ("expect", _("What to expect")), ("follow_up", _("How to follow up")))}
        return (
            f"<html><head>{STYLE}</head><body>"
            f"<h1>{desk}</h1>"
            f"<p class='muted'>{label['request']} · {_local(ticket.arrived_at, session)}</p>"
            f"<p>{label['number']}<br/><span class='number'>#{ticket.id}</span></p>"
            f"<p><b>{label['asked']}</b><br/>{escape(ticket.subject)}<br/>{description}</p>"
            f"<p><b>{label['expect']}</b><br/>{escape(promise)}</p>"
            f"<p><b>{label['follow_up']}</b><br/>{_follow_up(settings, ticket.id)}</p>"
            "</body></html>"
        )


def ticket_html(session: Session, *, ticket_id: int, internal: bool = False) -> str:
    """The ticket with its conversation (public replies; internal notes too with ``internal``)."""
    settings = load_desk_settings(session)
    ticket = get_ticket(session, ticket_id)
    expected = expected_resolution_text(session, ticket)
    with in_language(settings.language):
        rows = [
            (_("Requester"), ticket.requester.name),
            (_("Arrived"), _local(ticket.arrived_at, session)),
            (_("Status"), ticket.status),
            (_("Category"), ticket.category.name if ticket.category else ""),
            (_("Assignee"), ticket.assignee.name if ticket.assignee else ""),
            (_("Expected resolution"), expected or ""),
        ]
        table = "".join(f"<tr><td class='muted'>{escape(label)}</td><td>{escape(str(value))}</td></tr>"
                        for label, value in rows if value)
        note, unknown = _("internal note"), _("(unknown)")
        messages = []
        for comment in ticket.comments:
            if not comment.is_public and not internal:
                continue
            who = comment.author.name if comment.author else unknown
            kind = "" if comment.is_public else f" · {note}"
            messages.append(f"<p><b>{escape(who)}</b> <span class='muted'>{_local(comment.created_at, session)}"
                            f"{escape(kind)}</span><br/>{_paragraphs(comment.body)}</p>")
        no_replies = _("No replies yet.")
        conversation = "".join(messages) or f"<p class='muted'>{escape(no_replies)}</p>"
        headings = {"description": _("Description"), "conversation": _("Conversation"),
                    "follow_up": _("How to follow up")}
        return (
            f"<html><head>{STYLE}</head><body>"
            f"<h1>#{ticket.id} {escape(ticket.subject)}</h1><table>{table}</table>"
            f"<h2>{escape(headings['description'])}</h2><p>{_paragraphs(ticket.description)}</p>"
            f"<h2>{escape(headings['conversation'])}</h2>{conversation}"
            f"<h2>{escape(headings['follow_up'])}</h2><p>{_follow_up(settings, ticket.id)}</p>"
            "</body></html>"
        )
