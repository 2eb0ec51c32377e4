"""Translation of every user-visible string: one gettext catalog per language for UI, CLI and core.

Usage everywhere (core, CLI and UI alike)::

    from desk.core.i18n import _, ngettext, N_

    _("Take next")                                   # translated now
    ngettext("{n} person waiting", "{n} people waiting", n).format(n=n)
    LABELS = {"new": N_("New")}  ...  _(LABELS[code])  # marked at import, translated at use

Why gettext and not Qt Linguist: the CLI and the core's messages must be translated without Qt,
and one mechanism should serve all three. Catalogs live in ``resources/locale/<lang>/LC_MESSAGES/
desk.po`` and are compiled to ``desk.mo`` by the build (see ``desk.core.i18n_build``).
Module-level constants must use ``N_`` (translation happens when the language is known).
"""

from __future__ import annotations

import gettext
import locale
import os
from datetime import date, datetime
from pathlib import Path

DOMAIN = "desk"
LANGUAGES = ("en", "ko")
LOCALE_DIR = Path(__file__).resolve().parents[2] / "resources" / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    # gettext("") is the catalog's header, never what a caller with an empty label wants.
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it (module-level constants)."""
    return message


def current_language() -> str:
    return _language


def system_language() -> str:
    """The language the system asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), if Desk has it."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        for part in value.split(":"):
            code = part.split("_")[0].split(".")[0].lower()
            if code in LANGUAGES:
                return code
    try:
        code = (locale.getlocale()[0] or "").split("_")[0].lower()
    except ValueError:
        code = ""
    return code if code in LANGUAGES else "en"


def stored_language(db_path: Path | str | None) -> str:
    """The store's ``language`` setting read straight from the file ("" when absent, not yet a
    store, or unreadable): the language must be known before any text or widget is made, which
    is before the store is opened (and perhaps upgraded) properly."""
    import sqlite3

    if db_path is None or not Path(db_path).is_file():
        return ""
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'language'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return ""
    code = str(row[0] if row else "").strip().lower()
    return code if code in LANGUAGES else ""


def set_language(language: str | None) -> str:
    """Switches the process to ``language`` ("en", "ko"; empty/None follows the system)."""
    global _translation, _language
    code = (language or "").strip().lower() or system_language()
    if code not in LANGUAGES:
        code = "en"
    if code == "en":
        _translation = gettext.NullTranslations()
    else:
        from desk.core.i18n_build import ensure_compiled

        ensure_compiled(code, locale_dir=LOCALE_DIR)  # a source checkout or an edited .po
        _translation = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True)
    _language = code
    return code


def gettext_for(language: str | None):  # noqa: ANN201 - Callable[[str], str]
    """``_`` in ``language`` whatever the process speaks: for data written once in the store's
    language (default rules, like the default canned responses)."""
    code = (language or "").strip().lower()
    if code not in LANGUAGES or code == "en":
        return gettext.NullTranslations().gettext
    from desk.core.i18n_build import ensure_compiled

    ensure_compiled(code, locale_dir=LOCALE_DIR)
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True).gettext


# Dates and numbers for the CLI and the core's own texts (the UI uses QLocale): Babel's CLDR
# data, so Korean reads "2026. 12. 1. (화) 14:05" and English "Tue, Dec 1, 2026, 14:05".
# 24-hour time everywhere, as desks write it.
_DATE = {"en": "EEE, MMM d, y", "ko": "y. M. d. (E)"}
_WEEKDAY = {"en": "EEE", "ko": "E"}


def babel_locale() -> str:
    return {"ko": "ko_KR"}.get(_language, "en_US")


def format_date(value: date) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, _DATE.get(_language, _DATE["en"]), locale=babel_locale())


def format_datetime(value: datetime) -> str:
    """``value`` as the person reads it, in the zone it carries (callers convert first)."""
    from babel.dates import format_time

    return f"{format_date(value.date())} {format_time(value, 'HH:mm', locale=babel_locale())}"


def format_weekday(value: date) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, _WEEKDAY.get(_language, "EEE"), locale=babel_locale())


def format_number(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale())


def format_day(value: date) -> str:
    """A day in tables and exports: ISO in English (what spreadsheets and scripts read), the
    Korean order with the weekday in Korean ("2026. 12. 1. (화)"). ``parse_day`` reads both."""
    if _language == "en":
        return value.isoformat()
    return format_date(value)


def parse_day(text: str) -> date:
    import re

    found = re.fullmatch(r"\s*(\d{4})\. (\d{1,2})\. (\d{1,2})\.(?: \(\S+\))?\s*", text)
    if found:
        return date(*(int(part) for part in found.groups()))
    return date.fromisoformat(text)


def territory_name(code: str) -> str | None:
    """A country's name in the current language (CLDR, through Babel): "KR" -> "대한민국"."""
    from babel import Locale

    return Locale.parse(babel_locale()).territories.get(code.upper()) if code else None


def format_moment(value: datetime) -> str:
    """A moment in the CLI's output: "2026-12-01 14:05" in English (as it always was, for
    scripts), "2026. 12. 1. (화) 14:05" in Korean."""
    if _language == "en":
        return f"{value:%Y-%m-%d %H:%M}"
    return format_datetime(value)
