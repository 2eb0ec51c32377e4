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
from pathlib import Path

DOMAIN = "desk"
LANGUAGES = ("en", "ko")
LOCALE_DIR = Path(__file__).resolve().parents[2] / "resources" / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    return _translation.gettext(message)


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


def set_language(language: str | None) -> str:
    """Switches the process to ``language`` ("en", "ko"; empty/None follows the system)."""
    global _translation, _language
    code = (language or "").strip().lower() or system_language()
    if code not in LANGUAGES:
        code = "en"
    if code == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[code], fallback=True)
    _language = code
    return code
