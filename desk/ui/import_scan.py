"""PySide6's import hook, told up front what it would find in Desk's modules.

Importing PySide6.QtCore replaces ``__import__``. After every import statement, a module the
hook has not seen is entered in PySide6's published ``__feature__`` table (PYSIDE-1019), and
to decide its entry the hook reads the module's whole source file and looks for "PySide6"
(the table serves ``from __feature__ import snake_case``, which Desk never uses). The window's
start runs ~75 such reads — Desk's own modules and the standard library's — ~12 ms of a ~0.2 s
start on the bench machine.

Importing this module imports QtCore and enters, before the window's modules load, what the
hook's own reads would enter: for a module loaded before Qt, -1 ("ignore": it cannot have
opted into a feature); for each of Desk's modules, 0 (uses PySide6, no feature) under
``desk.ui`` and -1 elsewhere (the core never imports Qt). Modules found later are read as
before. Without the table (another PySide6 version) nothing is entered.
"""

from __future__ import annotations

import os
import sys

from desk.ui.qt_support_cache import import_qtcore

import_qtcore()  # installs the hook this module informs (PySide6's support code from Desk's cache)

NO_FEATURE, IGNORE = 0, -1  # the table's values (PySide6's feature.py)


def _desk_module_names() -> list[str]:
    """Every module and package name of ``desk``, from its folders (nothing is imported: an
    import here would itself be read by the hook)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # desk/
    names: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(("_", "."))]
        relative = os.path.relpath(folder, root)
        package = ".".join(["desk", *([] if relative == os.curdir else relative.split(os.sep))])
        names.append(package)  # with or without an __init__.py
        names.extend(f"{package}.{file[:-3]}" for file in files
                     if file.endswith(".py") and file != "__init__.py")
    return names


def enter_known_modules() -> None:
    """Enter the modules loaded so far and Desk's own."""
    table = getattr(sys.modules.get("PySide6.support.feature"), "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return
    for name in _desk_module_names():
        table.setdefault(name, NO_FEATURE if name == "desk.ui" or name.startswith("desk.ui.") else IGNORE)
    for name in list(sys.modules):
        table.setdefault(name, IGNORE)


enter_known_modules()
