"""Remote and requester text is text: helpers so Qt never reads it as rich text.

Qt guesses: a QLabel with the default ``Qt.AutoText`` and every tooltip render a string as HTML
when it *might* be (``Qt::mightBeRichText``: it starts with something like a tag). A subject such
as ``<img src=…>`` or ``<b>urgent</b>`` from a remote or a requester would then be interpreted,
fetching or styling what it names. Outside the sanitised conversation view (``editor/conversation``),
Desk shows such text only through these helpers.
"""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QWidget


def tooltip(text: str) -> str:
    """A tooltip string that shows ``text`` exactly: as it is when Qt would take it as plain
    text anyway, else escaped inside a ``<p>`` (line breaks kept) so nothing in it is markup."""
    if not Qt.mightBeRichText(text):
        return text
    return f"<p style='white-space:pre-wrap'>{_escaped(text)}</p>"


# html.escape(text, quote=False) without the html module (and its entity tables) at start-up.
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _escaped(text: str) -> str:
    return text.translate(_MARKUP)


def set_tooltip(widget: QWidget, text: str) -> None:
    widget.setToolTip(tooltip(text))


def plain_label(label: QLabel) -> QLabel:
    """``label`` set to show its text as plain text, whatever it holds."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
