"""The queue's part of the window's status bar: tickets in the view, people waiting, who is at
the desk. It follows the queue model, the walk-in line and the "At the desk" switcher."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QStatusBar

from desk.core.i18n import _
from desk.core.vocabulary import counted

if TYPE_CHECKING:
    from desk.ui.queue.at_desk import AtDeskSwitcher
    from desk.ui.queue.line import WalkInLine
    from desk.ui.queue.model import QueueModel

SEPARATOR = "   ·   "


def status_text(*, total: int | None, shown: int, more: bool, searching: bool, waiting: int,
                at_desk: list[str] | None) -> str:
    """``total`` is None while it is being counted (a search is never counted in full: it says
    how many it found so far); ``at_desk`` is None without a switcher."""
    if total is not None:
        count = counted(total, "ticket", "tickets")
    elif searching:
        count = _('{shown:,}+ matches').format(shown=shown) if more else counted(shown, "match", "matches")
    else:
        count = _("Loading…")
    parts = [count, _('{waiting:,} waiting at the desk').format(waiting=waiting)]
    if at_desk is not None:
        parts.append(_("At the desk: ") + (", ".join(at_desk) if at_desk else _("nobody")))
    return SEPARATOR.join(parts)


class StatusLine(QLabel):
    def __init__(self, *, model: QueueModel, line: WalkInLine, switcher: AtDeskSwitcher | None,
                 bar: QStatusBar) -> None:
        super().__init__(bar)
        self.model, self.line, self.switcher = model, line, switcher
        self.setAccessibleName(_("Queue status"))
        self.setToolTip(_("Tickets in this view, people waiting, and who is at the desk"))
        bar.addPermanentWidget(self, 1)
        model.count_changed.connect(lambda _n: self.refresh())
        line.changed.connect(self.refresh)
        if switcher is not None:
            switcher.agents_loaded.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        model, switcher = self.model, self.switcher
        self.setText(status_text(
            total=model.total, shown=model.rowCount(), more=model.has_more(),
            searching=bool(model.queue_filter.search.strip()), waiting=self.line.waiting_count(),
            at_desk=None if switcher is None else [agent.name for agent in switcher.on_shift()]))
