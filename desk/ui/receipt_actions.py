"""Ticket → Print receipt… / Save receipt as PDF… / Print ticket…: for the ticket on screen (the
open ticket tab, else the one selected in the queue or the line). The HTML is made on the DB worker
(``desk.core.receipts``, in the desk's language); printing and saving happen here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow, QWidget

from desk.core.i18n import _
from desk.ui import receipts
from desk.ui.errors import report_errors
from desk.ui.stats.saving import ask_save_path, say_saved


def ticket_on_screen(window: QMainWindow) -> int | None:
    tab = window.tabs.currentWidget()  # type: ignore[attr-defined]
    ticket_id = tab.property("ticket_id") if tab is not None else None
    if ticket_id is not None:
        return int(ticket_id)
    queue = window.queue_panel  # type: ignore[attr-defined]
    return queue.selected_id() or queue.line.selected_id()


def _with_html(window: QMainWindow, *, whole: bool, then: Callable[[int, str], object]) -> None:
    ticket_id = ticket_on_screen(window)
    if ticket_id is None:
        window.statusBar().showMessage(_("Select a ticket first."), 8000)
        return
    from desk.core.receipts import receipt_html, ticket_html

    def make(session):  # noqa: ANN001, ANN202 - runs on the DB worker
        return ticket_html(session, ticket_id=ticket_id) if whole else receipt_html(session, ticket_id=ticket_id)

    window.tasks.db(make, on_done=lambda html: then(ticket_id, html), owner=window)  # type: ignore[attr-defined]


def print_receipt(window: QMainWindow, *, whole: bool = False) -> None:
    """Qt's print dialog for the receipt slip (or the whole ticket with ``whole``)."""
    page = receipts.TICKET if whole else receipts.SLIP
    _with_html(window, whole=whole, then=lambda _id, html: receipts.print_html(window, html, page=page))


def save_receipt_pdf(window: QMainWindow, *, whole: bool = False, path_for: Callable[[QWidget, int], object] | None = None) -> None:
    """Ask where, then write the slip (or the whole ticket) as PDF; ``path_for`` replaces the file
    dialog in tests."""
    page = receipts.TICKET if whole else receipts.SLIP

    def save(ticket_id: int, html: str) -> None:
        stem = (_("Ticket {number}") if whole else _("Receipt {number}")).format(number=ticket_id)
        path = path_for(window, ticket_id) if path_for else ask_save_path(
            window, caption=_("Save receipt as PDF"), stem=stem, suffix="pdf", kind="PDF")
        if path is None:
            return
        with report_errors(window):
            say_saved(window, receipts.write_pdf(html, path, page=page, title=stem), what=_("the receipt"))

    _with_html(window, whole=whole, then=save)
