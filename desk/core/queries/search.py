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
# "#20001" or "20001": what a person types to find a ticket by its number.
_TICKET_NUMBER = re.compile(r"^\s*(#)?\s*(\d{1,12})\s*$")


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when there is nothing to search for."""
    words = _WORD.findall(text)[:32]
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]  # \w+ never contains a double quote
    if prefix_last and len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


def ticket_number(text: str) -> tuple[int, bool] | None:
    """``(number, only)`` when ``text`` is a ticket number: ``#20001`` means that ticket only,
    a bare ``20001`` that ticket first and the text matches after it (it may be a room or a
    phone number); None otherwise."""
    found = _TICKET_NUMBER.match(text)
    if found is None:
        return None
    return int(found.group(2)), found.group(1) is not None


# Words too common to make two subjects alike: English function words, and Korean particles
# and function words (a particle written apart, or trailing a word: "프린터가" is "프린터").
# A short list on purpose: a word that is only frequent at this desk ("printer") still counts.
_STOP_WORDS_TEXT = """
a an and are as at be been but by can cannot could did do does for from has have how i if in
into is it its me my no not of on or our please so that the their them there this to up was we
were what when where which who why will with would you your
및 등 또는 그리고 그 이 저 것 수 좀 안 못 더 잘 또 때 중 위 후 전 관련 문의 요청 부탁 합니다 해요 돼요
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
KOREAN_PARTICLES = ("에서는", "으로는", "에게서", "까지", "부터", "에서", "에게", "한테", "으로", "처럼",
                    "보다", "이랑", "하고", "은", "는", "이", "가", "을", "를", "에", "의", "와", "과", "도",
                    "로", "만", "랑")
HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")


def _without_particle(word: str) -> str:
    """A Hangul word without a trailing particle, when at least two syllables are left."""
    if HANGUL_WORD.match(word):
        for particle in KOREAN_PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                return word[: -len(particle)]
    return word


def subject_words(text: str) -> list[str]:
    """The words of a subject that say what it is about: no stop words, no particles, no
    numbers of one or two digits; each once, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower())[:32]:
        word = _without_particle(word)
        if word in STOP_WORDS or (word.isdigit() and len(word) < 3) or len(word) < 2 and word.isascii():
            continue
        seen.setdefault(word, None)
    return list(seen)
