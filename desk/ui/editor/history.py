"""The History tab: who changed what and when, from the ticket's audit log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from desk.core.i18n import N_, _
from desk.core.queries.editor import FIELD_LABELS, TicketView
from desk.core.vocabulary import action_word, word
from desk.ui.language import HISTORY_TIME, show_moment

ID_FIELDS = {"category_id", "location_id", "assignee_id", "requester_id"}  # audited as ids, shown as names


def _label_id(view: TicketView, field: str | None, value: str | None) -> str | None:
    if value is None or field is None:
        return value
    try:
        return view.label(field, int(value))
    except ValueError:
        return value


class HistoryView(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("History"))
        self.setToolTip(_("Who changed what, when (from the audit log)"))
        self.setHeaderLabels([_("When"), _("Who"), _("What"), _("Field"), _("Old"), _("New")])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)

    def show_view(self, view: TicketView) -> None:
        zone = ZoneInfo(view.timezone)
        self.clear()
        for entry in view.history:
            old, new = entry.old, entry.new
            if entry.field in ID_FIELDS:
                old, new = (_label_id(view, entry.field, value) for value in (old, new))
            QTreeWidgetItem(self, [
                show_moment(entry.at.astimezone(zone), HISTORY_TIME), entry.actor or _("(system)"),
                action_word(entry.action), _(_field_label(entry.action, entry.field)),
                word(old), word(new),  # codes (walk-in, open…) as words; other values as they are
            ])
        for column in range(4):
            self.resizeColumnToContents(column)


def _field_label(action: str, field: str | None) -> str:
    """The field's label; a rating the person gave (action "rate") is not the agent-reported field."""
    if action == "rate":
        return {"satisfaction": N_("Person's rating"), "satisfaction_comment": N_("Person's comment")}.get(
            field or "", field or "")
    return FIELD_LABELS.get(field or "", field or "")
