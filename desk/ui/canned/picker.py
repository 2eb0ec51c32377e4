"""Pick a canned response for a ticket: type to search, arrows to choose, Enter to insert.

The preview shows the text with its placeholders filled for this ticket and the field
changes it would make. Enter inserts it into the reply (fields staged in the editor);
Ctrl+Enter inserts and sends at once. A placeholder with no value for this ticket ("on the way
to {{location}}" on a ticket with no location) stops both and asks: fill the gap in by hand (the
text goes in with "[location?]" selected, and is never sent as it is), insert or send it as it
is, or go back.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk.core.i18n import N_, _
from desk.core.ops import canned
from desk.core.queries.canned import CannedRow, list_canned
from desk.ui import theme
from desk.ui.errors import show_error
from desk.ui.tasks import Tasks
from desk.ui.widgets import ask

NAVIGATION_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


def preview_html(shown: canned.CannedPreview) -> str:
    kind = _("Public reply") if shown.public else _("🔒 Internal note")
    parts = [f"<p><b>{html.escape(shown.title)}</b> · {kind}</p>",
             "<div style='white-space: pre-wrap;'>" + html.escape(shown.text) + "</div>"]
    if shown.changes:
        parts.append(_("<p><b>Field changes</b></p><ul>") + "".join(
            f"<li>{html.escape(c.field)}: {html.escape(c.old)} → <b>{html.escape(c.new)}</b></li>"
            for c in shown.changes) + "</ul>")
    else:
        parts.append(_("<p><i>No field changes.</i></p>"))
    if shown.empty:
        parts.append(_("<p style='color:{warning_css};'>No value for this ticket: ").format(warning_css=theme.warning_css())
                     + ", ".join(html.escape("{{" + n + "}}") for n in shown.empty) + "</p>")
    if shown.unknown:
        parts.append(_("<p style='color:{error_css};'>Unknown placeholders left as typed: ").format(error_css=theme.error_css())
                     + ", ".join(html.escape("{{" + n + "}}") for n in shown.unknown) + "</p>")
    return "".join(parts)


def _suggested_first(session, ticket_id: int, rows: list) -> list:  # noqa: ANN001
    """The canned responses used on solved tickets like this one first (``similar_canned``), each
    marked with its share; the rest in their usual order."""
    from desk.core.models import Ticket
    from desk.core.suggest.intake import similar_canned

    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return rows
    found = {s.canned_id: s.score for s in similar_canned(session, subject=ticket.subject,
                                                          category_id=ticket.category_id)}
    if not found:
        return rows
    first = [_Suggested(row, found[row.id]) for row in rows if row.id in found]
    first.sort(key=lambda row: -row.suggested_share)
    return first + [row for row in rows if row.id not in found]


class _Suggested:
    """A listed canned response with the share it had on similar solved tickets."""

    def __init__(self, row: object, share: float) -> None:
        self._row, self.suggested_share = row, share

    def __getattr__(self, name: str) -> object:
        return getattr(self._row, name)


class CannedPicker(QDialog):
    def __init__(self, tasks: Tasks, ticket_id: int, agent_id: int | None,
                 parent: QWidget | None = None, *, manage: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.ticket_id = ticket_id
        self.agent_id = agent_id
        self.chosen: canned.CannedPreview | None = None
        self.send_now = False
        self._previews: dict[int, canned.CannedPreview] = {}
        self._search_serial = 0
        self.setObjectName("cannedPicker")
        self.setWindowTitle(_("Canned responses"))
        self.setAccessibleName(_("Canned responses"))
        self.resize(860, 520)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Search canned responses…"))
        self.search.setAccessibleName(_("Search canned responses"))
        self.search.setToolTip(_("Type words from the title or text; ↑/↓ choose, Enter inserts, Ctrl+Enter sends"))
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.list = QListWidget(self)
        self.list.setAccessibleName(_("Canned responses"))
        self.list.setToolTip(_("Most used first"))
        self.preview = QTextBrowser(self)
        self.preview.setOpenLinks(False)
        self.preview.setAccessibleName(_("Preview"))
        self.preview.setToolTip(_("The text as it will be sent, and the field changes"))
        self.status = QLabel(self)
        self.status.setAccessibleName(_("Picker status"))

        splitter = QSplitter(self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        splitter.setSizes([300, 560])
        buttons = QDialogButtonBox(self)
        self.insert_button = buttons.addButton(_("Insert"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.insert_button.setToolTip(_("Put the text into the reply and stage the field changes (Enter)"))
        self.send_button = buttons.addButton(_("Insert and send"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setToolTip(_("Send it right away with its field changes (Ctrl+Enter)"))
        for button in (self.insert_button, self.send_button):
            button.setAccessibleName(button.text())
        self.insert_button.setDefault(True)
        self.insert_button.clicked.connect(lambda: self._accept(send=False))
        self.send_button.clicked.connect(lambda: self._accept(send=True))
        if manage is not None:
            manage_button = buttons.addButton(_("Manage…"), QDialogButtonBox.ButtonRole.ResetRole)
            manage_button.setAccessibleName(_("Manage canned responses"))
            manage_button.setToolTip(_("Create, edit, import and export canned responses"))
            manage_button.clicked.connect(manage)
            manage_button.clicked.connect(self.reject)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(_("Cancel"))
        cancel.setToolTip(_("Close without inserting (Esc)"))
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.search)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=lambda: self._accept(send=True))

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(120)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.list.itemDoubleClicked.connect(lambda _i: self._accept(send=False))
        self.search.setFocus()
        self.refresh()

    # -- searching ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._search_serial += 1
        serial, words, agent = self._search_serial, self.search.text(), self.agent_id
        ticket_id = self.ticket_id

        def work(session):  # noqa: ANN001, ANN202
            rows = list_canned(session, agent_id=agent, search=words)
            return rows if words.strip() else _suggested_first(session, ticket_id, rows)

        self.tasks.db(work, on_done=lambda rows: self._listed(serial, rows),
                      on_error=lambda exc: show_error(self, exc), owner=self)

    def _listed(self, serial: int, rows: list[CannedRow]) -> None:
        if serial != self._search_serial:
            return  # an older search answered late
        self.list.clear()
        for row in rows:
            scope = "" if row.shared else _(" · personal")
            share = getattr(row, "suggested_share", None)
            if share is not None:  # desk.core.suggest: used on solved tickets like this one
                scope += " · " + _("suggested: {percent:.0%} of the uses on similar solved tickets").format(
                    percent=share)
            item = QListWidgetItem(f"{row.title}\n{row.usage_count} uses{scope}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(row.body[:400])
            self.list.addItem(item)
        self.status.setText(_('{count} canned response{value}').format(count=len(rows), value='s' if len(rows) != 1 else '')
                            if rows else _("No canned response matches."))
        if rows:
            self.list.setCurrentRow(0)
        else:
            self.preview.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in NAVIGATION_KEYS:
                self.list.keyPressEvent(key_event)
                return True
        return super().eventFilter(watched, event)

    # -- preview --------------------------------------------------------------------------------
    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _show_current(self) -> None:
        canned_id = self.current_id()
        if canned_id is None:
            return
        if canned_id in self._previews:
            self.preview.setHtml(preview_html(self._previews[canned_id]))
            return
        self.preview.setHtml(_("<i>Filling in…</i>"))
        ticket_id, agent_id = self.ticket_id, self.agent_id
        self.tasks.db(
            lambda s: canned.preview(s, canned_id=canned_id, ticket_id=ticket_id, agent_id=agent_id),
            on_done=self._previewed, on_error=lambda exc: self.preview.setPlainText(str(exc)), owner=self,
        )

    def _previewed(self, shown: canned.CannedPreview) -> None:
        self._previews[shown.canned_id] = shown
        if self.current_id() == shown.canned_id:
            self.preview.setHtml(preview_html(shown))
            if self._pending_accept is not None:
                send, self._pending_accept = self._pending_accept, None
                self._accept(send=send)

    _pending_accept: bool | None = None

    def _accept(self, *, send: bool) -> None:
        canned_id = self.current_id()
        if canned_id is None:
            return
        if canned_id not in self._previews:
            self._pending_accept = send  # Enter pressed before the preview arrived
            return
        shown = self._previews[canned_id]
        if shown.empty:
            self._ask_about_gaps(shown, send=send)
            return
        self._choose(shown, send=send)

    def _choose(self, shown: canned.CannedPreview, *, send: bool, fill_in: bool = False) -> None:
        self.chosen, self.send_now, self.fill_in = shown, send and not fill_in, fill_in
        self.accept()

    gap_question: QMessageBox | None = None
    fill_in = False  # the chosen text goes in with its gaps marked, to be filled in by hand

    def _ask_about_gaps(self, shown: canned.CannedPreview, *, send: bool) -> None:
        """Stop before a reply with a hole goes in (or out): say which value is missing."""
        names = ", ".join("{{" + name + "}}" for name in shown.empty)
        fill, as_is = _("Fill in by hand"), _("Send as it is") if send else _("Insert as it is")

        def answered(choice: str) -> None:
            self.gap_question = None
            if choice == fill:
                self._choose(shown, send=send, fill_in=True)
            elif choice == as_is:
                self._choose(shown, send=send)
            else:
                self.search.setFocus()

        self.gap_question = ask(
            self, name="gapQuestion", title=_("No value for a placeholder"),
            text=_('“{title}” uses {names}, which has no value for this ticket. As it is, the text would read:\n\n{value}').format(title=shown.title, names=names, value=shown.text.strip()[:300]),
            choices=[(fill, QMessageBox.ButtonRole.AcceptRole,
                      _("Insert the text with the gap marked and selected, to type the value (nothing is sent)")),
                     (as_is, QMessageBox.ButtonRole.DestructiveRole, _("Use the text with the gap left empty")),
                     (N_("Go back"), QMessageBox.ButtonRole.RejectRole, _("Choose another canned response (Esc)"))],
            answered=answered)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self._accept(send=False)
            return
        super().keyPressEvent(event)
