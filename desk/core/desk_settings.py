"""The desk's own settings: its name, time zone, language, opening hours, holidays and phone.

Kept as rows of the ``settings`` table (never secrets) and read and written as one typed
``DeskSettings``, so the set-up assistant, the Settings dialog and ``desk settings`` share one
validation. Terms (semesters) live in ``desk.core.calendar``; the time zone key is the one
``desk.core.settings.desk_timezone`` reads, so the stats days follow it. No Qt here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _, current_language
from desk.core.models import Setting, utcnow
from desk.core.ops._audit import set_setting_audited
from desk.core.ops.people import active_agent_count
from desk.core.settings import TIMEZONE_KEY, local_zone_name

LANGUAGES = ("", "en", "ko")  # "" = follow the system
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_NAME = 80
MAX_PHONE = 40
MAX_CLOSED_DAYS = 2000
MAX_PERIODS_PER_DAY = 6

Period = tuple[time, time]  # open, close (local time of the desk; close after open)
NINE_TO_SIX: tuple[Period, ...] = ((time(9), time(18)),)
DEFAULT_HOURS: tuple[tuple[Period, ...], ...] = (NINE_TO_SIX,) * 5 + ((), ())  # Mon-Fri 09-18

# DeskSettings field -> settings-table key (the time zone's key predates this module).
KEYS = {
    "desk_name": "desk_name",
    "timezone": TIMEZONE_KEY,
    "language": "language",
    "holidays_country": "holidays_country",
    "holidays_subdivision": "holidays_subdivision",
    "opening_hours": "opening_hours",
    "closed_days": "closed_days",
    "phone": "phone",
    "counter_names": "counter_names",
}
# How the counter display names the people waiting (a room can read it): "first-initial"
# ("Kim L."), "first" ("Kim") or "none" (ticket numbers only).
COUNTER_NAMES = ("first-initial", "first", "none")


@dataclass(frozen=True)
class DeskSettings:
    desk_name: str = ""
    timezone: str = field(default_factory=local_zone_name)  # IANA name
    language: str = ""  # "en", "ko", or "" to follow the system
    holidays_country: str = ""  # ISO 3166 code such as "KR" or "US"; "" = no public holidays
    holidays_subdivision: str = ""  # e.g. "CA" for California; "" = the whole country
    # Seven entries, Monday first; each the day's opening periods (empty: closed all day).
    opening_hours: tuple[tuple[Period, ...], ...] = DEFAULT_HOURS
    closed_days: tuple[date, ...] = ()  # the desk's own closed days, besides public holidays
    phone: str = ""  # shown on the closed screen
    counter_names: str = "first-initial"  # one of COUNTER_NAMES


# --- validation: each returns the clean value or raises InvalidInput saying what is wrong ------


def _text(value: object, what: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise errors.InvalidInput(_('The {what} is longer than {limit} characters.').format(what=what, limit=limit))
    return text


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def check_timezone(value: object, *, strict: bool = True) -> str:
    name = str(value or "").strip()
    if strict and name not in _zones():
        raise errors.InvalidInput(
            _('{name!r} is not a known time zone; use an IANA name such as Asia/Seoul or America/New_York.').format(name=name)
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise errors.InvalidInput(_('The time zone {name!r} cannot be loaded.').format(name=name)) from exc
    return name


def check_language(value: object) -> str:
    language = str(value or "").strip().lower()
    if language not in LANGUAGES:
        raise errors.InvalidInput(_("The language must be en, ko, or empty to follow the system."))
    return language


def _countries() -> dict[str, list[str]]:
    import holidays  # imported when holidays are first asked about (~50 ms)

    return holidays.list_supported_countries()


def check_country(value: object, *, strict: bool = True) -> str:
    code = str(value or "").strip().upper()
    if code and not strict and re.fullmatch(r"[A-Z]{2,3}", code):
        return code
    if code and code not in _countries():
        raise errors.InvalidInput(
            _('{code!r} is not a country the holidays calendar knows; use an ISO code such as KR or US.').format(code=code)
        )
    return code


def check_subdivision(country: str, value: object, *, strict: bool = True) -> str:
    code = str(value or "").strip().upper()
    if not code or (country and not strict and re.fullmatch(r"[A-Z0-9-]{1,8}", code)):
        return code
    if not country:
        raise errors.InvalidInput(_("Choose the holidays country before a subdivision."))
    known = [item.upper() for item in _countries().get(country, [])]
    if code not in known:
        sample = ", ".join(known[:8]) + ("…" if len(known) > 8 else "")
        raise errors.InvalidInput(
            _('{code!r} is not a subdivision of {country}').format(code=code, country=country) + (_(' (known: {sample}).').format(sample=sample) if known else _(" (it has none)."))
        )
    return code


def _time(value: object, where: str) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise errors.InvalidInput(_('{where}: {text!r} is not a time of day (HH:MM).').format(where=where, text=text))
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise errors.InvalidInput(_('{where}: {text!r} is not a time of day (00:00 to 23:59).').format(where=where, text=text))
    return time(hours, minutes)


def check_hours(value: object) -> tuple[tuple[Period, ...], ...]:
    """Seven days of (open, close) periods: each closes after it opens, none overlap."""
    if isinstance(value, Mapping):  # {"Monday": [["09:00", "18:00"]], ...} or {"mon": ...}
        by_day = {key.lower()[:3]: periods for key, periods in value.items()}
        unknown = set(by_day) - {day.lower()[:3] for day in WEEKDAYS}
        if unknown:
            raise errors.InvalidInput(_('Opening hours: unknown weekday {value!r}.').format(value=sorted(unknown)[0]))
        value = [by_day.get(day.lower()[:3], []) for day in WEEKDAYS]
    if not isinstance(value, list | tuple) or len(value) != 7:
        raise errors.InvalidInput(_("Opening hours need seven days, Monday first."))
    week = []
    for day, periods in zip(WEEKDAYS, value, strict=True):
        if not isinstance(periods, list | tuple) or len(periods) > MAX_PERIODS_PER_DAY:
            raise errors.InvalidInput(_('{day}: give at most {MAX_PERIODS_PER_DAY} opening periods.').format(day=day, MAX_PERIODS_PER_DAY=MAX_PERIODS_PER_DAY))
        clean: list[Period] = []
        for period in periods:
            if not isinstance(period, list | tuple) or len(period) != 2:
                raise errors.InvalidInput(_('{day}: each opening period is an opening and a closing time.').format(day=day))
            opens, closes = _time(period[0], day), _time(period[1], day)
            if closes <= opens:
                raise errors.InvalidInput(_('{day}: the desk closes ({closes:%H:%M}) before it opens ({opens:%H:%M}).').format(day=day, closes=closes, opens=opens))
            clean.append((opens, closes))
        clean.sort()
        for (_opens, first_close), (second_open, _closes) in zip(clean, clean[1:], strict=False):
            if second_open < first_close:
                raise errors.InvalidInput(_('{day}: two opening periods overlap.').format(day=day))
        week.append(tuple(clean))
    return tuple(week)


def parse_hours(text: str) -> tuple[tuple[Period, ...], ...]:
    """Opening hours written as the CLI takes them: ``mon-fri 09:00-18:00; sat 10:00-14:00``
    (days not named are closed; ``closed`` or nothing after a day closes it)."""
    abbreviations = [day.lower()[:3] for day in WEEKDAYS]
    week: list[list[Period]] = [[] for _day in WEEKDAYS]
    for part in (piece.strip() for piece in text.split(";")):
        if not part:
            continue
        days, _space, spans = part.partition(" ")
        first, _dash, last = days.lower().partition("-")
        if first[:3] not in abbreviations or (last and last[:3] not in abbreviations):
            raise errors.InvalidInput(_('Opening hours: {days!r} is not a weekday or a range such as mon-fri.').format(days=days))
        start, end = abbreviations.index(first[:3]), abbreviations.index((last or first)[:3])
        if end < start:
            raise errors.InvalidInput(_('Opening hours: {days!r} runs backwards; write mon-fri.').format(days=days))
        periods = []
        for span in spans.replace(",", " ").split():
            if span.lower() == "closed":
                continue
            opens, sep, closes = span.partition("-")
            if not sep:
                raise errors.InvalidInput(_('Opening hours: {span!r} should be HH:MM-HH:MM.').format(span=span))
            periods.append((opens, closes))
        for index in range(start, end + 1):
            week[index] = periods  # type: ignore[assignment] - checked just below
    return check_hours(week)


def format_hours(week: Iterable[Iterable[Period]]) -> str:
    """The opposite of ``parse_hours``: one ``day HH:MM-HH:MM`` per open day."""
    parts = []
    for day, periods in zip(WEEKDAYS, week, strict=True):
        spans = " ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in periods)
        parts.append(f"{day.lower()[:3]} {spans or 'closed'}")
    return "; ".join(parts)


def check_closed_days(value: object) -> tuple[date, ...]:
    if isinstance(value, str):
        value = [item for item in re.split(r"[,\s]+", value) if item]
    if not isinstance(value, list | tuple | set | frozenset):
        raise errors.InvalidInput(_("Closed days must be a list of dates (YYYY-MM-DD)."))
    if len(value) > MAX_CLOSED_DAYS:
        raise errors.InvalidInput(_('At most {MAX_CLOSED_DAYS} closed days can be set.').format(MAX_CLOSED_DAYS=MAX_CLOSED_DAYS))
    days = set()
    for item in value:
        if isinstance(item, date):
            days.add(item)
            continue
        try:
            days.add(date.fromisoformat(str(item).strip()))
        except ValueError as exc:
            raise errors.InvalidInput(_('Closed day {item!r} is not a date (YYYY-MM-DD).').format(item=item)) from exc
    return tuple(sorted(days))


def check_phone(value: object) -> str:
    phone = _text(value, "phone number", MAX_PHONE)
    if phone and not re.fullmatch(r"[0-9+()./\- ]+(?:\s*(?:ext\.?|x)\s*[0-9]+)?", phone, re.IGNORECASE):
        raise errors.InvalidInput(_('{phone!r} is not a phone number (digits, spaces, + - ( ) and ext).').format(phone=phone))
    return phone


def check_counter_names(value: object) -> str:
    if value not in COUNTER_NAMES:
        raise errors.InvalidInput(
            _("Counter names must be one of {choices} (got {value!r}).").format(
                choices=", ".join(COUNTER_NAMES), value=value))
    return str(value)


def validated(
    values: DeskSettings | Mapping[str, object], *, base: DeskSettings, strict: bool = True,
) -> DeskSettings:
    """``base`` with ``values`` applied (a mapping may give only some fields), every field checked.

    ``strict=False`` (reading what was saved, e.g. while the window starts) checks the zone by
    loading it and the holidays codes by their shape, sparing the ~0.1 s of listing every zone
    and loading the holidays package; saving is always strict."""
    given = dataclasses.asdict(values) if isinstance(values, DeskSettings) else dict(values)
    given = {key.replace("-", "_"): value for key, value in given.items()}
    unknown = set(given) - set(KEYS)
    if unknown:
        raise errors.InvalidInput(_('Unknown desk setting {value!r}; known: {join}.').format(value=sorted(unknown)[0], join=', '.join(KEYS)))
    merged = {**dataclasses.asdict(base), **given}

    def strictly(name: str) -> bool:  # what was already there passed when it was saved
        return strict and name in given

    country = check_country(merged["holidays_country"], strict=strictly("holidays_country"))
    return DeskSettings(
        desk_name=_text(merged["desk_name"], "desk name", MAX_NAME),
        timezone=check_timezone(merged["timezone"], strict=strictly("timezone")),
        language=check_language(merged["language"]),
        holidays_country=country,
        holidays_subdivision=check_subdivision(
            country, merged["holidays_subdivision"],
            strict=strictly("holidays_subdivision") or strictly("holidays_country")),
        opening_hours=check_hours(merged["opening_hours"]),
        closed_days=check_closed_days(merged["closed_days"]),
        phone=check_phone(merged["phone"]),
        counter_names=check_counter_names(merged["counter_names"]),
    )


# --- storage -----------------------------------------------------------------------------------


def _to_text(name: str, value: object) -> str:
    if name == "opening_hours":
        return json.dumps([[[f"{o:%H:%M}", f"{c:%H:%M}"] for o, c in day] for day in value])  # type: ignore[union-attr]
    if name == "closed_days":
        return json.dumps([day.isoformat() for day in value])  # type: ignore[union-attr]
    return str(value)


def _from_text(name: str, text: str) -> object:
    if name in ("opening_hours", "closed_days"):
        return json.loads(text)
    return text


def load_desk_settings(session: Session) -> DeskSettings:
    """The desk's settings; defaults for what was never set. A stored value that no longer
    validates (edited by hand, a zone this system lacks) falls back to its default."""
    stored = dict(session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(KEYS.values()))).all())
    settings = DeskSettings()
    for name, key in KEYS.items():
        if key not in stored:
            continue
        try:
            settings = validated({name: _from_text(name, stored[key])}, base=settings, strict=False)
        except (errors.InvalidInput, ValueError):
            continue
    return settings


def save_desk_settings(
    session: Session, *, actor_id: int | None, values: DeskSettings | Mapping[str, object],
) -> Changes:
    """Validate and save; one audit row per key whose stored text changes. A mapping may give
    only the fields to change (``{"timezone": "Asia/Seoul"}``)."""
    now = utcnow()
    with unit_of_work(session):
        new = validated(values, base=load_desk_settings(session))
        given = KEYS if isinstance(values, DeskSettings) else {
            name.replace("-", "_"): KEYS[name.replace("-", "_")] for name in values}
        changed = [set_setting_audited(session, key=key, text=_to_text(name, getattr(new, name)),
                                       actor_id=actor_id, now=now) for name, key in given.items()]
    return Changes(settings=True) if any(changed) else Changes()


# --- what the settings mean --------------------------------------------------------------------


def _holiday_language(country: str, language: str) -> str | None:
    """The holidays package's locale for the desk's language, or None for the country's own."""
    if not language:
        return None
    import holidays

    localized = holidays.list_localized_countries().get(country, [])
    return next((code for code in localized if code == language or code.startswith(f"{language}_")), None)


def public_holidays(settings: DeskSettings, years: Iterable[int]) -> dict[date, str]:
    """The days the desk is closed in ``years``: the country's public holidays (the holidays
    package, in the desk's language where it has one) and the desk's own closed days."""
    years = sorted(set(years))
    days: dict[date, str] = {}
    if settings.holidays_country:
        import holidays

        calendar = holidays.country_holidays(
            settings.holidays_country, subdiv=settings.holidays_subdivision or None, years=years,
            language=_holiday_language(settings.holidays_country, settings.language or current_language()),
        )
        days.update(sorted(calendar.items()))
    for day in settings.closed_days:
        if day.year in years:
            days.setdefault(day, "Desk closed")
    return dict(sorted(days.items()))


def needs_setup(session: Session) -> bool:
    """True when nobody can sign in: the store has no active agent (a new or emptied desk)."""
    return active_agent_count(session) == 0
