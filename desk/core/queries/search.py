"""Turning whatever a user types into a safe FTS5 query.

FTS5 has its own syntax (``"``, ``*``, ``NEAR``, ``AND``/``OR``/``NOT``, ``-``, ``(``, column
filters with ``:``). A person typing in a search box means words, so every word becomes a quoted
phrase token and the words are ANDed; the last word is a prefix so results appear as you type —
from its third letter on: one or two letters are matched as a whole word (a surname like "Li"
still finds its person), because matching every word that starts with "r" costs a scan of
most of the index, while 3- to 5-letter starts have their own index (migration 0005).

Korean words go to the bigram index instead (``ticket_ko``, see ``desk.core.korean``): there a
word is found inside longer words as you type it, particles and compounds included.
"""

from __future__ import annotations

import re

from desk.core import korean

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PREFIX = 3  # the shortest last word matched as the start of longer words
# "#20001" or "20001": what a person types to find a ticket by its number.
_TICKET_NUMBER = re.compile(r"^\s*(#)?\s*(\d{1,12})\s*$")


def _split(text: str, *, prefix_last: bool = True) -> tuple[list[str], list[str]]:
    """The words for the unicode61 index (quoted, the last one a prefix when typed last and
    long enough) and the Hangul phrases for the bigram index (``desk.core.korean``)."""
    words = _WORD.findall(korean.nfc(text))[:32]
    plain: list[str] = []
    hangul: list[str] = []
    for index, word in enumerate(words):
        phrases = korean.query_phrases(word)
        if not phrases and not word.isascii() and korean.JAMO.sub("", word) == "":
            continue  # only jamo of an unfinished syllable: nothing to look for yet
        if phrases:
            hangul.extend(phrases)
            # "USB포트": the letters before the Hangul start the indexed word "usb포트".
            lead = korean.SYLLABLES.split(word, maxsplit=1)[0]
            if len(lead) >= MIN_PREFIX:
                plain.append(f'"{lead}"*')
            continue
        quoted = f'"{word}"'  # \w+ never contains a double quote
        if prefix_last and index == len(words) - 1 and len(word) >= MIN_PREFIX:
            quoted += "*"
        plain.append(quoted)
    return plain, hangul


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """The FTS5 MATCH expression for ``ticket_fts`` (the words that are not Korean), or None
    when there is nothing to search for there."""
    plain, _hangul = _split(text, prefix_last=prefix_last)
    return " ".join(plain) or None


def ko_query(text: str) -> str | None:
    """The FTS5 MATCH expression for ``ticket_ko`` (the Korean words as bigram phrases, all of
    them required), or None when nothing typed is Korean."""
    return " ".join(_split(text)[1]) or None


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
가 을 를 은 는 에 의 도 와 과 로 만 요 안돼요 안돼 안됨 안됩니다 됩니다 됨 않아요 않음 않습니다 주세요
해주세요 부탁드립니다 드립니다 있어요 없어요 있습니다 없습니다 싶어요 어떻게 왜 계속 갑자기 다시 지금
너무 아직 자꾸 제 저희 우리
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
HANGUL_WORD = korean.HANGUL_WORD


def subject_words(text: str) -> list[str]:
    """The words of a subject that say what it is about: no stop words, no particles, no
    numbers of one or two digits; each once, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(korean.nfc(text).lower())[:32]:
        word = korean.without_particle(word)
        if word in STOP_WORDS or (word.isdigit() and len(word) < 3) or len(word) < 2 and word.isascii():
            continue
        seen.setdefault(word, None)
    return list(seen)
