"""The desk's academic calendar: its terms (semesters), kept in the settings table.

"This semester" in the stats panel and ``desk stats --period semester`` mean the configured term
that contains today, never dates guessed for one country. A desk sets its terms itself
(``set_terms``) or from a preset for its kind of academic year (``preset_terms``: a US year, a
Korean year), which the set-up assistant can offer. No Qt here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import N_, _
from desk.core.models import Setting, utcnow
from desk.core.ops._audit import record

TERMS_KEY = "terms"
MAX_NAME = 80
MAX_TERMS = 200
HOW_TO_SET = N_("Set the desk's terms with `desk terms set-preset us` (or `ko`), or `desk terms set FILE.json`.")


@dataclass(frozen=True)
class Term:
    """A named term, ``start``..``end`` inclusive (local dates of the desk)."""

    name: str
    start: date
    end: date

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class TermPreset:
    """An academic year's terms as (name, (start month, day), (end month, day), end year offset)."""

    key: str
    title: str
    terms: tuple[tuple[str, tuple[int, int], tuple[int, int], int], ...]


# Contiguous, so that every day belongs to a term (a vacation counts with the term before it).
PRESETS = {
    "us": TermPreset("us", N_("US academic year (spring, summer, fall)"), (
        ("Spring", (1, 1), (5, 31), 0),
        ("Summer", (6, 1), (8, 14), 0),
        ("Fall", (8, 15), (12, 31), 0),
    )),
    "ko": TermPreset("ko", N_("Korean academic year (spring from 1 March, autumn from 1 September)"), (
        ("Spring semester", (3, 1), (8, 31), 0),
        ("Autumn semester", (9, 1), (2, 28), 1),  # to the end of February (29 in a leap year)
    )),
}


def _end_of(year: int, month: int, day: int) -> date:
    if (month, day) == (2, 28):
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def preset_terms(key: str, *, years: Iterable[int]) -> list[Term]:
    """The preset's terms for each academic year starting in ``years`` (named "Fall 2026"…)."""
    preset = PRESETS.get(key)
    if preset is None:
        raise errors.InvalidInput(_('Unknown term preset {key!r}; choose one of {join}.').format(key=key, join=', '.join(PRESETS)))
    made = []
    for year in years:
        for name, (m1, d1), (m2, d2), offset in preset.terms:
            made.append(Term(f"{name} {year}", date(year, m1, d1), _end_of(year + offset, m2, d2)))
    return sorted(made, key=lambda term: term.start)


def parse_terms(raw: object) -> list[Term]:
    """Terms from JSON data (a list of {name, start, end}); raises ``InvalidInput`` saying
    what is wrong. Terms may leave gaps but must not overlap."""
    if not isinstance(raw, list):
        raise errors.InvalidInput(_("Terms must be a list of {name, start, end}."))
    if len(raw) > MAX_TERMS:
        raise errors.InvalidInput(_('At most {MAX_TERMS} terms can be set.').format(MAX_TERMS=MAX_TERMS))
    found: list[Term] = []
    for index, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"name", "start", "end"}:
            raise errors.InvalidInput(_('Term {index} must have exactly a name, a start and an end.').format(index=index))
        name = " ".join(str(item["name"]).split())
        if not name or len(name) > MAX_NAME:
            raise errors.InvalidInput(_('Term {index} needs a name of 1 to {MAX_NAME} characters.').format(index=index, MAX_NAME=MAX_NAME))
        try:
            start, end = date.fromisoformat(str(item["start"])), date.fromisoformat(str(item["end"]))
        except ValueError as exc:
            raise errors.InvalidInput(_('Term {name!r}: dates must be YYYY-MM-DD ({exc}).').format(name=name, exc=exc)) from exc
        if end < start:
            raise errors.InvalidInput(_('Term {name!r} ends ({end}) before it starts ({start}).').format(name=name, end=end, start=start))
        found.append(Term(name, start, end))
    found.sort(key=lambda term: term.start)
    names = [term.name for term in found]
    if len(set(names)) != len(names):
        raise errors.InvalidInput(_("Two terms have the same name."))
    for before, after in zip(found, found[1:], strict=False):
        if after.start <= before.end:
            raise errors.InvalidInput(_('Terms {name!r} and {name2!r} overlap.').format(name=before.name, name2=after.name))
    return found


def terms(session: Session) -> list[Term]:
    """The configured terms, by start date ([] when none are set)."""
    setting = session.get(Setting, TERMS_KEY)
    return parse_terms(json.loads(setting.value)) if setting is not None else []


def current_term(session: Session, today: date) -> Term | None:
    """The configured term containing ``today``; None when none does (or none are set)."""
    return next((term for term in terms(session) if term.start <= today <= term.end), None)


def set_terms(
    session: Session, *, terms: Sequence[Term] | Sequence[dict[str, str]], actor_id: int | None = None,
    now: datetime | None = None,
) -> Changes:
    """Replace the desk's terms (validated as ``parse_terms``; an empty list clears them), with
    an audit row holding the old and the new list."""
    given = [term.as_json() if isinstance(term, Term) else term for term in terms] \
        if isinstance(terms, list | tuple) else terms
    new = [term.as_json() for term in parse_terms(given)]
    with unit_of_work(session):
        setting = session.get(Setting, TERMS_KEY)
        old = setting.value if setting is not None else None
        value = json.dumps(new, ensure_ascii=False)
        if not new and setting is not None:
            session.delete(setting)
        elif new:
            session.merge(Setting(key=TERMS_KEY, value=value))
        record(session, ticket_id=None, actor_id=actor_id, at=now or utcnow(), action="set-terms",
               field=TERMS_KEY, old=old, new=value if new else None)
    return Changes(settings=True)
