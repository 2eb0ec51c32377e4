"""Compiles the translation catalogs (``desk.po`` -> ``desk.mo``) with Babel.

The ``.mo`` files are build products (ignored by git): the Makefile's set-up step compiles them,
and ``desk.core.i18n.set_language`` calls :func:`ensure_compiled` as a fallback, so a checkout run
straight from source (or a ``.po`` edited since) still shows the current translations. A ``.mo``
is rebuilt only when it is missing or older than its ``.po``. No Qt here.

    python -m desk.core.i18n_build          # compile every language
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

DOMAIN = "desk"
LOCALE_DIR = Path(__file__).resolve().parents[2] / "resources" / "locale"


def catalog_paths(language: str, *, locale_dir: Path = LOCALE_DIR) -> tuple[Path, Path]:
    folder = locale_dir / language / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def is_stale(po: Path, mo: Path) -> bool:
    return po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime)


def compile_catalog(po: Path, mo: Path) -> None:
    """Writes ``mo`` from ``po`` atomically (a reader never sees half a file); fuzzy entries
    are left out, as gettext's msgfmt does, so a doubtful guess never reaches a person."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=f".{DOMAIN}.", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_compiled(language: str, *, locale_dir: Path = LOCALE_DIR) -> Path | None:
    """The ``.mo`` of ``language``, compiled first when missing or older than its ``.po``; None
    when there is no catalog (or it cannot be written, e.g. a read-only install: then the
    translations the build made are used as they are)."""
    po, mo = catalog_paths(language, locale_dir=locale_dir)
    if is_stale(po, mo):
        try:
            compile_catalog(po, mo)
        except OSError as exc:
            log.warning("cannot compile the %s catalog %s: %s", language, po, exc)
    return mo if mo.exists() else None


def compile_all(*, locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return [mo for folder in sorted(locale_dir.glob("*/LC_MESSAGES"))
            if (mo := ensure_compiled(folder.parent.name, locale_dir=locale_dir)) is not None]


if __name__ == "__main__":
    for built in compile_all():
        print(built)
    sys.exit(0)
