"""The History tab: who changed what and when, from the ticket's audit log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from desk.core.queries.editor import FIELD_LABELS, TicketView

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
        self.setAccessibleName("History")
        self.setToolTip("Who changed what, when (from the audit log)")
        self.setHeaderLabels(["When", "Who", "What", "Field", "Old", "New"])
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
                entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), entry.actor or "(system)",
                entry.action, _field_label(entry.action, entry.field), old or "", new or "",
            ])
        for column in range(4):
            self.resizeColumnToContents(column)


def _field_label(action: str, field: str | None) -> str:
    """The field's label; a rating the person gave (action "rate") is not the agent-reported field."""
    if action == "rate":
        return {"satisfaction": "Person's rating", "satisfaction_comment": "Person's comment"}.get(field or "", field or "")
    return FIELD_LABELS.get(field or "", field or "")
