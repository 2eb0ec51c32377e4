"""Start-up of the window: no cyclic garbage collection until the queue's first rows are painted.

Importing PySide6 and the window's modules creates tens of thousands of objects that live as
long as the process (modules, classes, functions, Qt enums). While they were made, the cyclic
collector ran ~50 times over them (~8 ms of a ~0.2 s start on the bench machine) and found next
to nothing to free. ``pause()`` — called by ``desk`` / ``desk gui`` before the window's modules
are imported — turns automatic collection off; the main window calls ``resume()`` once the
queue's first page is on screen. ``resume()`` first moves every object then alive into the
permanent generation (``gc.freeze``), so later collections, and their pauses while someone
scrolls or types a search, do not walk the start-up objects again; then it turns collection
back on. Memory is still freed by reference counting meanwhile; only cycles wait.

Both are idempotent, and ``resume()`` without a ``pause()`` does nothing (tests that build a
window never pause collection). No Qt here: the command line calls ``pause`` before Qt loads.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn automatic cyclic collection off until ``resume()`` (if it is on)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what is alive now and turn automatic collection back on (after ``pause()`` only)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def paused() -> bool:
    return _paused
