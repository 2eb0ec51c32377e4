"""The conversation: the request, then public replies and internal notes, shown safely.

Bodies are plain text (escaped, line breaks kept). A body that is HTML (from a sync) is
sanitized with nh3: no scripts, styles, images or iframes, only http/https/mailto links. The
browser loads no resource at all (``loadResource`` returns nothing), so nothing remote is
ever fetched; links open in the system browser only when clicked.
"""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

import nh3
from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from desk.core.i18n import _
from desk.core.queries.editor import TicketView
from desk.core.vocabulary import word
from desk.ui import theme
from desk.ui.language import show_moment

SAFE_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "blockquote", "pre",
             "code", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "td", "th", "hr", "span",
             "div"}
_HTML_HINT = re.compile(r"<(p|br|div|b|strong|i|em|ul|ol|li|a|table|span|blockquote|pre|h[1-6])[\s>/]",
                        re.IGNORECASE)



def body_html(body: str) -> str:
    """A comment body as safe HTML."""
    if _HTML_HINT.search(body):
        return nh3.clean(
            body, tags=SAFE_TAGS, clean_content_tags={"script", "style"},
            attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
        )
    escaped = html.escape(body)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


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


def conversation_html(view: TicketView, pal: QPalette | None = None) -> str:
    zone = ZoneInfo(view.timezone)
    bubbles = theme.bubbles(pal)
    parts = [_block(
        _('<b>{escape}</b> · request via {escape2} · {when}').format(escape=html.escape(view.requester), escape2=html.escape(word(view.channel)), when=_when(view.arrived_at, zone)),
        body_html(view.description) if view.description.strip() else f"<i>{html.escape(view.subject)}</i>",
        bubbles["request"],
    )]
    for message in view.messages:
        if message.public and not message.author_is_agent:
            kind, bubble = _("Reply from the requester"), bubbles["request"]
        elif message.public:
            kind, bubble = _("Public reply"), bubbles["public"]
        else:
            kind, bubble = _("🔒 Internal note (not sent to the requester)"), bubbles["note"]
        heading = (f"<b>{html.escape(message.author)}</b> · <b>{kind}</b> · "
                   f"{_when(message.created_at, zone)}")
        parts.append(_block(heading, body_html(message.body), bubble))
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
        theme.follow(self, lambda: self.shown is not None and self.show_view(self.shown))

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 - Qt override
        # No images, style sheets or anything else: nothing remote is fetched. An empty byte
        # array, not None: PySide6 drops a reference to None for each None returned here.
        return QByteArray()

    def show_view(self, view: TicketView) -> None:
        self.shown = view
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.setHtml(conversation_html(view, self.palette()))
        if at_end:
            bar.setValue(bar.maximum())

    @staticmethod
    def _open(url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
