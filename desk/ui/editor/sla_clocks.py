"""The ticket editor's SLA box: the policy that covers the ticket and each target's clock (met,
running with the time left, paused, breached), read on the DB worker with the ticket."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtWidgets import QLabel, QWidget

from desk.core.i18n import N_, _, current_language
from desk.core.vocabulary import format_age
from desk.ui import theme
from desk.ui.language import SHORT_DATE_TIME, show_moment

if TYPE_CHECKING:
    from desk.core.rules.sla import Clock

TARGETS = {"first_response": N_("First response"), "next_reply": N_("Next reply"), "resolution": N_("Resolution")}


def _when(moment: datetime) -> str:
    if current_language() == "ko":  # Korean desks write 24-hour times: "12. 4. (금) 13:33"
        return show_moment(moment.astimezone(), SHORT_DATE_TIME)
    return QLocale().toString(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())), QLocale.FormatType.ShortFormat)


def clock_line(clock: Clock, now: datetime) -> str:
    """One target in words, e.g. "Resolution: 2 h 05 left (due 3/9/26 2:30 PM)"."""
    name = _(TARGETS.get(clock.target, clock.target))
    limit = format_age(clock.limit.total_seconds()) + (_(" business") if clock.business else "")
    if clock.breached and clock.due_at is not None:
        late = format_age(((clock.stopped_at or now) - clock.due_at).total_seconds())
        state = _("breached by {late} (was due {when})").format(late=late, when=_when(clock.due_at))
    elif clock.state == "met":
        state = _("met in {time}").format(time=format_age(clock.elapsed.total_seconds()))
    elif clock.paused:
        left = format_age(max(0.0, (clock.limit - clock.elapsed).total_seconds()))
        state = _("paused, {left} left").format(left=left)
    elif clock.due_at is not None:
        state = _("{left} left (due {when})").format(left=format_age((clock.due_at - now).total_seconds()),
                                                     when=_when(clock.due_at))
    else:
        state = ""
    return _("{target} ({limit}): {state}").format(target=name, limit=limit, state=state)


class SlaClocks(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("SLA clocks"))
        self.setToolTip(_("The SLA policy that covers this ticket and each target's clock"))
        self.setWordWrap(True)
        self.hide()

    def show_clocks(self, found: tuple[str | None, list[Clock]]) -> None:
        policy, clocks = found
        if policy is None:
            self.hide()
            return
        now = datetime.now(UTC)
        lines = []
        for clock in clocks:
            line = html.escape(clock_line(clock, now), quote=False)
            if clock.breached:
                line = f"<span style='color:{theme.pick(theme.ERROR_TEXT).name()}'><b>{line}</b></span>"
            lines.append(line)
        title = html.escape(_("SLA: {policy}").format(policy=policy), quote=False)
        self.setText(f"<b>{title}</b><br>" + "<br>".join(lines or [html.escape(_("no target applies yet"))]))
        self.show()
