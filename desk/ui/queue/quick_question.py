"""Quick questions ("where is room 204?") tallied with one key: F8 brief, Shift+F8 short,
Ctrl+F8 long. Each is an arrival for staffing (``ops.quick_questions``), never a ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from desk.core.i18n import N_, _
from desk.ui.errors import show_error
from desk.ui.widgets import with_text

if TYPE_CHECKING:  # a dataclass module: not loaded while the window is built (install())
    from desk.core.changes import Changes

EFFORTS = (
    ("brief", "F8", N_("Quick question (brief)"), N_("Tally a quick question answered in a moment (F8)")),
    ("short", "Shift+F8", N_("Quick question (short)"), N_("Tally a quick question that took a couple of minutes")),
    ("long", "Ctrl+F8", N_("Quick question (long)"), N_("Tally a quick question that took about five minutes")),
)
EFFORT_NAMES = {"brief": N_("brief"), "short": N_("short"), "long": N_("long")}


def install(window: QMainWindow) -> list[QAction]:
    """Add the three tally actions to the window's Ticket menu."""
    menu = window.menu("Ticket")  # type: ignore[attr-defined]
    menu.addSeparator()
    actions = []
    for effort, key, text, tip in EFFORTS:
        action = with_text(QAction(window), _(text))
        action.setShortcut(QKeySequence(key))
        action.setToolTip(_(tip))
        action.setStatusTip(_(tip))
        action.triggered.connect(lambda _checked=False, e=effort: tally(window, e))
        menu.addAction(action)
        actions.append(action)
    return actions


def tally(window: QMainWindow, effort: str) -> None:
    # Imported here: the op module loads SQLAlchemy (~0.3 s), which the first paint must not wait
    # for (install() runs while the window is built).
    from desk.core.ops.quick_questions import tally_quick_question

    agent = window.current_agent_id()  # type: ignore[attr-defined]

    def done(_changes: Changes) -> None:
        window.statusBar().showMessage(
            _("Quick question tallied ({effort}): it counts in staffing, not as a ticket.").format(
                effort=_(EFFORT_NAMES[effort])), 5000)

    window.tasks.op(lambda s: tally_quick_question(s, effort=effort, agent_id=agent),  # type: ignore[attr-defined]
                    initiator=window, on_done=done, on_error=lambda exc: show_error(window, exc))
