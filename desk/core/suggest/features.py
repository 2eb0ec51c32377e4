"""Features of a subject for the category model: words, Hangul syllable bigrams, and character
trigrams of Latin words.

* Korean has no spaces inside compounds and glues particles to nouns ("프린터가", "프린터를"):
  syllable bigrams ("프린", "린터") match the noun whatever follows it.
* Latin character trigrams (with word boundaries) match a word that is still being typed
  ("proj" shares "<pr", "pro", "roj" with "projector") and survive small typos.
* Numbers (room 204, floor 3) say nothing about the category and are dropped.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)  # letter runs; digits and punctuation split words
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
STOP = frozenset({"the", "a", "an", "to", "in", "on", "of", "for", "and", "is", "my", "at", "with", "not",
                  "please", "help", "need"})


def features(subject: str) -> list[str]:
    """The subject's features (repeats kept: the model is multinomial)."""
    found: list[str] = []
    for word in TOKEN.findall(subject.lower()):
        hangul = HANGUL.findall(word)
        if hangul:
            for run in hangul:
                found.append(f"w:{run}")
                found.extend(f"h:{run[i:i + 2]}" for i in range(len(run) - 1))
            continue
        if word in STOP or len(word) < 2:
            continue
        found.append(f"w:{word}")
        padded = f"<{word}>"
        found.extend(f"c:{padded[i:i + 3]}" for i in range(len(padded) - 2))
    return found
