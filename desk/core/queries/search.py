"""Turning whatever a user types into a safe FTS5 query.

FTS5 has its own syntax (``"``, ``*``, ``NEAR``, ``AND``/``OR``/``NOT``, ``-``, ``(``, column
filters with ``:``). A person typing in a search box means words, so every word becomes a quoted
phrase token and the words are ANDed; the last word is a prefix so results appear as you type —
from its third letter on: one or two letters are matched as a whole word (a surname like "Li"
still finds its person), because matching every word that starts with "r" costs a scan of
most of the index, while 3- to 5-letter starts have their own index (migration 0005).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PREFIX = 3  # the shortest last word matched as the start of longer words


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when there is nothing to search for."""
    words = _WORD.findall(text)[:32]
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]  # \w+ never contains a double quote
    if prefix_last and len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)
