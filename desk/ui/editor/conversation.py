"""The conversation: the request, then public replies and internal notes, shown safely.

Bodies are plain text (escaped, line breaks kept). A body that is HTML (from a sync) is
sanitized with nh3: no scripts, styles, images or iframes, only http/https/mailto links. The
browser loads no resource at all (``loadResource`` returns nothing), so nothing remote is
ever fetched; links open in the system browser only when clicked.

Size: Qt lays a document out on the UI thread, and an unbroken run of text costs it far more than
words (300,000 characters without a space took ~5 s). So what is rendered at once is capped
(``Limits``): each message shows its first ``BODY_CHARS`` characters with a "Show the rest" link
that adds as many again, the conversation stops after ``TOTAL_CHARS`` with a link for the
remaining messages, and long unbroken runs get break opportunities (a zero-width space every
``RUN`` characters). A 10 MB conversation then costs no more than a short one to show.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from PySide6.QtCore import QByteArray, QDateTime, QLocale, QTimeZone, QUrl
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from desk.core.i18n import _, ngettext
from desk.core.mail.outbox import Delivery
from desk.core.queries.editor import TicketView
from desk.ui import theme
from desk.ui.language import show_moment

SAFE_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "blockquote", "pre",
             "code", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "td", "th", "hr", "span",
             "div"}
_HTML_HINT = re.compile(r"<(p|br|div|b|strong|i|em|ul|ol|li|a|table|span|blockquote|pre|h[1-6])[\s>/]",
                        re.IGNORECASE)



BODY_CHARS = 10_000  # per message, and per "Show the rest"
TOTAL_CHARS = 30_000  # the conversation at once (~35 ms of layout); "Show the rest" adds as much again
RUN = 80  # longest run of text without a break opportunity
MORE = "desk-more"  # the scheme of the "show the rest" links (handled here, never opened)
_TAG = re.compile(r"(<[^>]*>)")
_LONG_RUN = re.compile(rf"([^\s<>&]{{{RUN}}})(?=[^\s<>&])")


@dataclass
class Limits:
    """How much of each message is shown (index 0 is the request) and of the whole conversation."""

    shown: dict[int, int] = field(default_factory=dict)  # message index -> characters shown
    total: int = TOTAL_CHARS

    def of(self, index: int) -> int:
        return self.shown.get(index, BODY_CHARS)


def _breakable(text: str) -> str:
    """Break opportunities in long unbroken runs (outside tags and entities), so Qt's layout
    stays linear in the text's length."""
    if len(text) <= RUN:
        return text
    parts = _TAG.split(text)  # odd items are tags: their attributes (a link's address) stay whole
    return "".join(part if number % 2 else _LONG_RUN.sub("\\1\u200b", part) for number, part in enumerate(parts))


def body_html(body: str, *, limit: int | None = None) -> str:
    """A comment body as safe HTML (its first ``limit`` characters when given)."""
    if limit is not None:
        body = body[:limit]
    if _HTML_HINT.search(body):
        return _breakable(nh3.clean(
            body, tags=SAFE_TAGS, clean_content_tags={"script", "style"},
            attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
        ))
    escaped = _breakable(html.escape(body))
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _capped_body(index: int, body: str, limits: Limits, budget: int) -> tuple[str, int]:
    """The body's HTML within its limit and the budget left, with a "Show the rest" link when
    it is cut; returns (html, characters used)."""
    limit = max(1, min(limits.of(index), budget)) if budget < len(body) else limits.of(index)
    if len(body) <= limit:
        return body_html(body), len(body)
    rest = len(body) - limit
    link = (f"<p><a href='{MORE}:message/{index}'>" + html.escape(_("Show the rest ({count} more characters)").format(
        count=f"{rest:,}")) + "</a></p>")
    return body_html(body, limit=limit) + "…" + link, limit


def _when(moment: object, zone: ZoneInfo) -> str:
    try:
        return show_moment(moment.astimezone(zone))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return ""


def _block(heading: str, body: str, bubble: theme.Bubble) -> str:
    # Colours come from the palette (``theme.bubbles``): readable in a light and a dark theme.
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:8px;"'
        f' bgcolor="{theme.css(bubble.background)}"><tr><td style="border-left: 4px solid'
        f' {theme.css(bubble.border)}; color: {theme.css(bubble.text)};">'
        f"<p style='margin:0 0 4px 0;'>{heading}</p><div>{body}</div></td></tr></table>"
    )


def _local(moment: datetime | None, zone: str) -> str:
    """A time as the desk's people read it (QLocale: their language's words and order)."""
    if moment is None:
        return ""
    when = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone(zone.encode()))
    return QLocale().toString(when, QLocale.FormatType.ShortFormat)


def delivery_text(delivery: Delivery | None, *, zone: str = "UTC") -> str:
    """What became of a public reply, in words: recorded only, queued, sent, failed (why)."""
    if delivery is None:
        return _("recorded only, not sent")
    if delivery.state == "sent":
        if delivery.via != "email":
            return _("sent to {helpdesk}").format(helpdesk=delivery.via)
        return _("e-mail sent {when}").format(when=_local(delivery.at, zone)).strip()
    if delivery.state == "failed":
        return _("e-mail failed: {why}").format(why=delivery.error or _("unknown reason"))
    if delivery.via != "email":
        return _("waiting to sync to {helpdesk}").format(helpdesk=delivery.via)
    if delivery.state == "sending":
        return _("e-mail being sent")
    if delivery.error:
        return _("e-mail queued, will try again {when}: {why}").format(when=_local(delivery.at, zone),
                                                                       why=delivery.error)
    return _("e-mail queued")


def conversation_html(view: TicketView, pal: QPalette | None = None, limits: Limits | None = None) -> str:
    zone = ZoneInfo(view.timezone)
    bubbles = theme.bubbles(pal)
    limits = limits or Limits()
    budget = limits.total
    confirmation = "" if view.confirmation is None else " · " + html.escape(
        _("“We have your request”: {state}").format(state=delivery_text(view.confirmation, zone=view.timezone)))
    if view.description.strip():
        request, used = _capped_body(0, view.description, limits, budget)
        budget -= used
    else:
        request = f"<i>{html.escape(view.subject)}</i>"
    parts = [_block(
        f"<b>{html.escape(view.requester)}</b> · request via {html.escape(view.channel)} · "
        f"{_when(view.arrived_at, zone)}{confirmation}",
        request,
        bubbles["request"],
    )]
    for index, message in enumerate(view.messages, start=1):
        if budget <= 0:
            left = len(view.messages) - index + 1
            parts.append(f"<p><a href='{MORE}:messages'>" + html.escape(ngettext(
                "Show the rest ({count} more message)", "Show the rest ({count} more messages)", left).format(
                    count=f"{left:,}")) + "</a></p>")
            break
        if message.public and not message.author_is_agent:
            kind, bubble = _("Reply from the requester"), bubbles["request"]
        elif message.public:
            kind, bubble = _("Public reply"), bubbles["public"]
        else:
            kind, bubble = _("🔒 Internal note (not sent to the requester)"), bubbles["note"]
        heading = (f"<b>{html.escape(message.author)}</b> · <b>{kind}</b> · "
                   f"{_when(message.created_at, zone)}")
        if message.public and message.author_is_agent:
            heading += f" · <i>{html.escape(delivery_text(message.delivery, zone=view.timezone))}</i>"
        body, used = _capped_body(index, message.body, limits, budget)
        budget -= used
        parts.append(_block(heading, body, bubble))
    return "".join(parts)


class ConversationView(QTextBrowser):
    """Read-only, never loads anything; links open outside when clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setAccessibleName(_("Conversation"))
        self.setToolTip(_("The request and the requester's replies (grey), public replies (blue), internal notes (yellow, 🔒)"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._open)
        self.shown: TicketView | None = None
        self.limits = Limits()
        theme.follow(self, lambda: self.shown is not None and self.show_view(self.shown))

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 - Qt override
        # No images, style sheets or anything else: nothing remote is fetched. An empty byte
        # array, not None: PySide6 drops a reference to None for each None returned here.
        return QByteArray()

    def show_view(self, view: TicketView) -> None:
        if self.shown is None or self.shown.id != view.id:
            self.limits = Limits()  # another ticket: start capped again
        self.shown = view
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.setHtml(conversation_html(view, self.palette(), self.limits))
        if at_end:
            bar.setValue(bar.maximum())

    def show_more(self, what: str) -> None:
        """``message/N``: N's next ``BODY_CHARS`` characters; ``messages``: the next messages."""
        if what.startswith("message/"):
            index = int(what.removeprefix("message/"))
            self.limits.shown[index] = self.limits.of(index) + BODY_CHARS
            self.limits.total += BODY_CHARS
        else:
            self.limits.total += TOTAL_CHARS
        if self.shown is not None:
            bar = self.verticalScrollBar()
            where = bar.value()
            self.setHtml(conversation_html(self.shown, self.palette(), self.limits))
            bar.setValue(where)  # stay where the reader was, not at the top

    def _open(self, url: QUrl) -> None:
        if url.scheme() == MORE:
            self.show_more(url.path())
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
