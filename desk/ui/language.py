"""The window's language: Qt's own texts (qtbase: standard buttons, file dialogs, context
menus) and QLocale's dates and numbers follow the language Desk's own catalog uses.

``desk.core.i18n.set_language`` has already chosen the language (``--lang``, else the store's
setting, else the system) before any widget is made; :func:`apply_to_qt` makes Qt agree. A
change in Settings takes effect at the next start (see :func:`restart_notice`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale

from desk.core.i18n import _, current_language

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator

# QDate, QDateTime, QTime, QLibraryInfo and QTranslator are imported where they are used: this
# module loads with the window, and each PySide6 type is made (with its enums) when first
# imported, ~0.5 ms for these five that an English start never needs before its first paint.

log = logging.getLogger(__name__)

QT_LOCALES = {"en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
              "ko": QLocale(QLocale.Language.Korean, QLocale.Country.SouthKorea)}
_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators


def apply_to_qt(app: QCoreApplication, language: str | None = None) -> QLocale:
    """Loads ``qtbase_<lang>.qm`` from PySide6's translations folder and makes the language's
    QLocale the default (what ``QLocale()`` formats with); returns that locale."""
    code = language or current_language()
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    locale = QT_LOCALES.get(code, QT_LOCALES["en"])
    QLocale.setDefault(locale)
    if code != "en":
        from PySide6.QtCore import QLibraryInfo, QTranslator

        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator = QTranslator(app)
        if translator.load(f"qtbase_{code}", folder):
            app.installTranslator(translator)
            _installed.append(translator)
        else:
            log.warning("Qt's own %s translations are missing from %s", code, folder)
    return locale


def ui_locale() -> QLocale:
    """The locale dates and numbers are shown in (Korean: 2026. 12. 1. (화) 14:05, 24-hour)."""
    return QT_LOCALES.get(current_language(), QT_LOCALES["en"])


# English patterns match what strftime wrote before ("Tue 01 Dec 2026, 14:05"); Korean is written
# "2026. 12. 1. (화) 14:05", 24-hour, as Korean desks write it.
DATE_TIME = {"en": "ddd dd MMM yyyy, HH:mm", "ko": "yyyy. M. d. (ddd) HH:mm"}
SHORT_DATE_TIME = {"en": "ddd dd MMM HH:mm", "ko": "M. d. (ddd) HH:mm"}
HISTORY_TIME = {"en": "yyyy-MM-dd HH:mm", "ko": "yyyy. M. d. HH:mm"}
DAY = {"en": "ddd yyyy-MM-dd", "ko": "yyyy. M. d. (ddd)"}
MONTH_DAY = {"en": "MMM dd", "ko": "M. d."}


def pattern(table: dict[str, str]) -> str:
    return table.get(current_language(), table["en"])


def show_moment(moment: datetime, table: dict[str, str] = DATE_TIME) -> str:
    """``moment`` (already in the zone it is shown in) in the language's words and order."""
    from PySide6.QtCore import QDate, QDateTime, QTime

    shown = QDateTime(QDate(moment.year, moment.month, moment.day),
                      QTime(moment.hour, moment.minute, moment.second))
    return ui_locale().toString(shown, pattern(table))


def show_day(day: date, table: dict[str, str] = DAY) -> str:
    from PySide6.QtCore import QDate

    return ui_locale().toString(QDate(day.year, day.month, day.day), pattern(table))


def weekday_names() -> list[str]:
    """Monday first, short: Mon..Sun, 월..일."""
    locale = ui_locale()
    return [locale.dayName(day, QLocale.FormatType.ShortFormat) for day in range(1, 8)]


def restart_notice(old: str, new: str) -> str | None:
    """What to tell a person who changed the language in Settings (None when nothing changes)."""
    if (old or "") == (new or ""):
        return None
    return _("The new language is used the next time Desk starts.")
