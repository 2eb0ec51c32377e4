"""Work around PySide6 6.12 dropping a reference to ``None`` on Python 3.11.

With PySide6 6.12.0 on CPython 3.11, every call of a C++ method that returns ``void``
(``setText``, ``setEnabled``, ``processEvents``, …) gives back ``None`` without taking a
reference to it, so ``None``'s reference count falls by one per call. It starts near 5,000:
after a few thousand calls the interpreter aborts with "Fatal Python error: none_dealloc:
deallocating None". Python 3.12 made ``None`` immortal (PEP 683), which is what PySide6 now
assumes. On older Pythons we give ``None`` the same kind of effectively endless count.

Imported first by ``desk.ui`` so it runs before any widget exists. Harmless on 3.12+.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # ~10^12 calls: decades of a busy desk


def protect_none() -> bool:
    """Raise ``None``'s reference count far out of reach (CPython < 3.12 only)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcount.value < _HEADROOM:
        refcount.value += _HEADROOM
    return True


protect_none()
