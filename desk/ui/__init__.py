"""The PySide6 user interface. Imports the core; the core never imports this."""

from desk.ui import compat as _compat  # noqa: F401 - must run before any widget (see compat.py)
