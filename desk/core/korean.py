"""Korean words for the search index and for search: Hangul bigrams, particles, family names.

SQLite's unicode61 tokenizer keeps a Hangul word with its particle as one token ("전원이"), and
Korean writes compounds as one word ("무선인터넷"), so a word typed alone is rarely a whole
token. Korean text is therefore also indexed as overlapping syllable pairs — "무선인터넷" is
"무선 선인 인터 터넷" — in a second, contentless FTS5 table (``ticket_ko``, migration 0009), and a
Korean word typed into search becomes the phrase of its pairs: "인터넷" is ``"인터 터넷"``, found
inside "무선인터넷"; "전원" is ``"전원"``, found in "전원이". A lone syllable (a one-syllable word,
or the family name 김 of 김민수, indexed on its own for requesters' names) is one token.

The terms of a row must be computed the same way when it is deleted as when it was inserted
(a contentless FTS5 table deletes by the terms it is given), so a change to ``text_terms`` or
``name_terms`` needs a migration that rebuilds ``ticket_ko``.

Hangul is kept out of the unicode61 index (``ticket_fts``, migration 0015): it is only ever
looked up in ``ticket_ko``, and indexing it twice (each word with its particle, and its 3-, 4-
and 5-letter starts) made the search index of a Korean desk a third larger. ``ticket_fts``
indexes ``plain_text`` of each column and keeps ``hangul_text`` in unindexed columns, from
which the bigram terms are computed when a row is taken out of ``ticket_ko``. (unicode61's
``categories`` option cannot do this: SQLite treats Hangul syllables and CJK ideographs as
token characters whatever categories are given; ``separators`` listing the 11,172 syllables
costs ~54 ms each time a connection first uses the table.)
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from typing import Any


class LazyPattern:
    """A regular expression compiled when first used. The Hangul ranges below took ~2 ms to
    compile (``re`` builds a bitmap of the 11,172 syllables), on every start of the window,
    before a first page that needs none of them: every function here returns early for ASCII."""

    def __init__(self, source: str) -> None:
        self._source = source

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - whatever re.Pattern has
        value = getattr(re.compile(self._source), name)
        setattr(self, name, value)  # found directly from now on
        return value


SYLLABLES = LazyPattern(r"[\uac00-\ud7a3]+")  # precomposed Hangul syllables 가…힣
HANGUL_WORD = LazyPattern(r"^[\uac00-\ud7a3]+$")
# Hangul letters in any form: syllables, and the conjoining jamo of decomposed (NFD) text.
HANGUL_LETTERS = LazyPattern(r"[\uac00-\ud7a3\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]+")
# Jamo left over from an unfinished composition (ㅎ, ㅏ): never in a finished word.
JAMO = LazyPattern(r"[\u1100-\u11ff\u3131-\u318e]+")

# Particles (조사) that trail a noun, longest first so "에서는" goes before "는".
PARTICLES = ("에서는", "으로는", "에게서", "까지", "부터", "에서", "에게", "한테", "으로", "처럼",
             "보다", "이랑", "하고", "은", "는", "이", "가", "을", "를", "에", "의", "와", "과", "도",
             "로", "만", "랑")


def nfc(text: str) -> str:
    """Hangul as precomposed syllables (text from macOS or some web forms comes decomposed)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def without_particle(word: str) -> str:
    """A Hangul word without a trailing particle, when at least two syllables are left
    ("프린터가" is "프린터"; "아이" stays "아이")."""
    if HANGUL_WORD.match(word):
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                return word[: -len(particle)]
    return word


def _pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i: i + 2] for i in range(len(run) - 1)]


def plain_text(text: str | None) -> str | None:
    """The text for the unicode61 index: each run of Hangul letters becomes a space ("USB포트"
    is "USB "), everything else is kept as it is."""
    if not text or text.isascii():
        return text
    return HANGUL_LETTERS.sub(" ", text)


def hangul_text(text: str | None) -> str:
    """Only the Hangul of the text, as precomposed syllables: its runs joined by spaces (''
    when there is none). ``text_terms`` and ``name_terms`` give the same terms for it as for
    the whole text."""
    if not text or text.isascii():
        return ""
    return " ".join(SYLLABLES.findall(nfc(text)))


def text_terms(text: str | None) -> str:
    """The index terms of free text: each run of syllables as its overlapping pairs, a lone
    syllable as itself; '' when there is no Hangul."""
    if not text or text.isascii():
        return ""
    return " ".join(pair for run in SYLLABLES.findall(nfc(text)) for pair in _pairs(run))


def name_terms(name: str | None) -> str:
    """A person's name: its pairs, and the first syllable of each Hangul name on its own, so
    the family name 김 finds 김민수 (the given name 민수 is one of its pairs)."""
    if not name or name.isascii():
        return ""
    runs = SYLLABLES.findall(nfc(name))
    return " ".join([run[0] for run in runs if len(run) > 1] + [p for run in runs for p in _pairs(run)])


def body_terms(description: str | None, comments: str | None, requester: str | None) -> str:
    """The index terms of everything but the subject (the ``body`` column of ``ticket_ko``)."""
    return " ".join(part for part in (text_terms(description), text_terms(comments), name_terms(requester))
                    if part)


def register(conn: sqlite3.Connection) -> None:
    """Give a connection the functions the search triggers call (every connection that writes
    tickets, comments or people needs them)."""
    conn.create_function("desk_ko_terms", 1, text_terms, deterministic=True)
    conn.create_function("desk_ko_body", 3, body_terms, deterministic=True)
    conn.create_function("desk_plain", 1, plain_text, deterministic=True)
    conn.create_function("desk_hangul", 1, hangul_text, deterministic=True)


def query_phrases(word: str) -> list[str]:
    """The FTS5 phrases (quoted) that find a typed word's Hangul inside longer words: one per
    run of syllables ("USB포트" has one, 포트); none when nothing of it is Hangul. A particle
    is dropped first: "전원이" also finds "전원을"."""
    runs = SYLLABLES.findall(JAMO.sub("", nfc(word)))
    if runs:
        runs[-1] = without_particle(runs[-1])
    return ['"' + " ".join(_pairs(run)) + '"' for run in runs]
