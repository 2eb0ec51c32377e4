"""Application set-up and the main window.

``MainWindow(store)`` owns the ``Tasks`` and a QTabWidget: "Queue" first, "Stats" (created the
first time it is shown), and one closable tab per opened ticket. Other parts of the UI add
their actions to ``main_window.menu("Sync")`` and friends.
"""

from __future__ import annotations

# First: Qt, and its import hook told about Desk's modules before they load (see there).
import desk.ui.import_scan  # noqa: F401

# isort: split

import importlib
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QTabWidget, QWidget
from shiboken6 import isValid

from desk import __version__
from desk.core.db import Store
from desk.core.errors import DeskError
from desk.core.i18n import N_, _
from desk.core.logs import log_folder, setup_logging
from desk.ui import startup
from desk.ui.errors import show_error
from desk.ui.first_paint import FirstPaintWatcher
from desk.ui.queue import columns
from desk.ui.tasks import Tasks
from desk.ui.widgets import with_text

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QShowEvent

# QMessageBox and QSettings are imported where they are used: each Python type PySide6 makes
# (with its enums) costs start-up time, and the first paint needs neither.

MENUS = ("File", "View", "Ticket", "Sync", "Help")  # the keys; MENU_TITLES are what people read
MENU_TITLES = {"File": N_("&File"), "View": N_("&View"), "Ticket": N_("&Ticket"), "Sync": N_("&Sync"), "Help": N_("&Help")}
CANNED_DEFAULTS_SETTING = "canned.defaults_installed"  # canned_io.DEFAULTS_SETTING (a test checks)
SYNC_PRELOAD_DELAY_MS = 300  # after the first screenful is painted, before anyone reaches for Sync
# After the window has closed, how long a sync run cancelled by the close may take to reach its
# next checkpoint before the store is closed (a request that hangs is then abandoned: every
# action is its own transaction, so the next run carries on without loss).
SYNC_STOP_GRACE_S = 10.0


class MainWindow(QMainWindow):
    agent_changed = Signal(object)  # the agent at the desk changed (id or None)

    def __init__(self, store: Store, *, tasks: Tasks | None = None, first_run: bool = False) -> None:
        """``first_run``: offer the set-up assistant when the store has no active agent (``run``
        passes True; tests that only need a window leave it off)."""
        super().__init__()
        self.store = store
        self.tasks = tasks or Tasks(store, parent=self)
        self.tasks.unhandled_error = lambda exc: show_error(self, exc)
        # The queue's first page is read with plain sqlite3; the ORM jobs of the start (agents,
        # filters, saved views, the walk-in line...) wait until that page is painted.
        self.tasks.hold_orm()
        self.setWindowTitle(_('Desk — {name}').format(name=store.path.name))
        self.setObjectName("mainWindow")
        from desk.ui.screen_fit import default_size

        self.resize(default_size(self.screen().availableGeometry()))  # title bar included: fits
        self._menus: dict[str, QMenu] = {}
        self._fitted = False
        self._ticket_tabs: dict[int, QWidget] = {}

        from desk.ui.queue.at_desk import AtDeskSwitcher
        from desk.ui.queue.panel import QueuePanel

        self.at_desk = AtDeskSwitcher(self.tasks, self)
        self.at_desk.agent_changed.connect(self.agent_changed)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setAccessibleName(_("Main tabs"))
        self.tabs.setToolTip(_("Queue, statistics and open tickets"))
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.tabBar().setAccessibleName(_("Tabs"))
        self.tabs.tabBar().setToolTip(_("Queue, Stats and open tickets (Ctrl+1, Ctrl+2; Ctrl+W closes a ticket)"))
        self.queue_panel = QueuePanel(self.tasks, self.current_agent_id, self)
        self.queue_panel.open_requested.connect(self.open_ticket)
        self.queue_panel.model.loaded.connect(self._first_page_shown)
        self.queue_panel.model.load_failed.connect(self._first_page_shown)
        self._first_paint = FirstPaintWatcher(self.queue_panel.table, self.queue_panel.model.ready,
                                              self._first_rows_painted)
        self.agent_changed.connect(self.queue_panel.agent_changed)
        self._add_fixed_tab(self.queue_panel, _("Queue"))
        self._stats_placeholder = QWidget(self)
        self._add_fixed_tab(self._stats_placeholder, _("Stats"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setCentralWidget(self.tabs)
        self.addToolBar(self.at_desk.toolbar())
        self._build_menus()
        self.notifier = None  # desktop notifications: installed once the first rows are painted
        self.queue_panel.install_status_bar(self.statusBar(), self.at_desk)
        # A new store gets the default canned responses once (deleted ones stay deleted).
        self.tasks.sql(_canned_defaults_installed, on_done=self._install_canned_defaults, owner=self)
        self._first_run = first_run  # the assistant is offered once the first rows are painted

    # -- contract -------------------------------------------------------------------------------
    def current_agent_id(self) -> int | None:
        return self.at_desk.agent_id()

    def menu(self, name: str) -> QMenu:
        """The menu named ``name`` ("File", "View", "Ticket", "Sync", "Help"), created if new."""
        if name not in self._menus:
            self._menus[name] = self.menuBar().addMenu(_(MENU_TITLES.get(name, name)))
        return self._menus[name]

    def open_ticket(self, ticket_id: int) -> QWidget:
        existing = self._ticket_tabs.get(ticket_id)
        if existing is not None and self.tabs.indexOf(existing) >= 0:
            self.tabs.setCurrentWidget(existing)
            return existing
        from desk.ui.editor.editor import TicketEditor  # loaded when first needed: quicker start

        widget = TicketEditor(self.tasks, ticket_id, self.current_agent_id, self)
        widget.setProperty("ticket_id", ticket_id)
        index = self.tabs.addTab(widget, f"#{ticket_id}")
        widget.windowTitleChanged.connect(lambda title, w=widget: self._retitle(w, title))
        self.tabs.setTabToolTip(index, _('Ticket #{ticket_id} (Ctrl+W closes it)').format(ticket_id=ticket_id))
        self.tabs.setCurrentIndex(index)
        self._ticket_tabs[ticket_id] = widget
        return widget

    def _retitle(self, widget: QWidget, title: str) -> None:
        index = self.tabs.indexOf(widget)
        if index >= 0:
            self.tabs.setTabText(index, title if len(title) <= 28 else title[:27] + "…")
            self.tabs.setTabToolTip(index, _('{title} (Ctrl+W closes it)').format(title=title))

    def close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is None or widget in (self.queue_panel, self.stats_tab_widget()):
            return
        if hasattr(widget, "can_close") and not widget.can_close():
            return
        self.tabs.removeTab(index)
        self._ticket_tabs = {k: w for k, w in self._ticket_tabs.items() if w is not widget}
        widget.deleteLater()

    def show_stats(self) -> QWidget:
        self.tabs.setCurrentIndex(1)
        return self.stats_tab_widget()

    def stats_tab_widget(self) -> QWidget:
        return self.tabs.widget(1)

    # -- internals ------------------------------------------------------------------------------
    def _install_canned_defaults(self, installed: bool) -> None:
        if not installed:
            self.tasks.op(_install_default_canned)

    def _first_page_shown(self, *args: object) -> None:
        model = self.queue_panel.model
        model.loaded.disconnect(self._first_page_shown)
        model.load_failed.disconnect(self._first_page_shown)
        if args or not self.isVisible():  # the load failed, or nothing is on screen to paint
            self._first_paint.now()
        else:
            self._first_paint.expect()

    def _first_rows_painted(self) -> None:
        """The queue's first rows are on screen (see desk.ui.first_paint): the rest of the start."""
        self.tasks.release_orm()
        startup.resume()  # cyclic GC, paused by `desk` while it started
        # The sync code (httpx, keyring: ~0.1 s of imports) loads on the network pool once the
        # first rows are on screen; only its widgets are made here. Started at once, its imports
        # held the GIL while the rows were painted and the first screenful came 0.3 s later.
        QTimer.singleShot(SYNC_PRELOAD_DELAY_MS, self, self._load_sync)
        QTimer.singleShot(SYNC_PRELOAD_DELAY_MS, self, self.install_mail)
        from desk.ui.queue.notify import install_notifications  # its Qt types wait for the paint

        self.notifier = install_notifications(self, self.tasks, self.current_agent_id, self.menu("View"))
        from desk.ui.rules.runner import install_rules  # automations each minute, notices, SLA warnings

        self.rules_runner = install_rules(self, self.tasks)
        if self._first_run:  # its widgets and the settings code are not needed for the first paint
            from desk.ui.settings.setup_wizard import offer_setup

            offer_setup(self)

    def _load_sync(self) -> None:
        self.tasks.net(_load_sync_code, on_done=lambda _loaded: self.install_sync(), owner=self)

    def install_sync(self) -> QObject:
        """The Sync menu and status-bar indicator (once)."""
        controller = getattr(self, "sync_controller", None)
        if controller is None:
            from desk.ui.settings.sync_action import install

            controller = install(self)
        return controller

    def install_mail(self) -> QObject:
        """The mail worker (once): sends the outbox and reads answers while e-mail is set up."""
        worker = getattr(self, "mail_worker", None)
        if worker is None:
            from desk.ui.mail_worker import install

            worker = install(self)
        return worker

    def _add_fixed_tab(self, widget: QWidget, title: str) -> None:
        self._hide_close_button(self.tabs.addTab(widget, title))

    def _hide_close_button(self, index: int) -> None:
        bar = self.tabs.tabBar()
        for side in (bar.ButtonPosition.RightSide, bar.ButtonPosition.LeftSide):
            button = bar.tabButton(index, side)
            if button is not None:
                button.resize(0, 0)
                button.hide()

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is not self._stats_placeholder:
            return
        from desk.ui.stats.panel import StatsPanel  # pyqtgraph loads only when Stats is opened

        panel = StatsPanel(self.tasks, self)
        panel.setToolTip(panel.toolTip() or _("Statistics"))
        self.tabs.blockSignals(True)
        self.tabs.removeTab(1)
        self.tabs.insertTab(1, panel, _("Stats"))
        self._hide_close_button(1)
        self.tabs.setCurrentIndex(1)
        self.tabs.blockSignals(False)
        self._stats_placeholder.deleteLater()
        self._stats_placeholder = panel

    def _action(self, menu: str, text: str, slot: Callable[[], object], shortcut: str | None = None,
                tip: str = "") -> QAction:
        action = with_text(QAction(self), text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("&", ""))
        action.setStatusTip(tip or text.replace("&", ""))
        action.triggered.connect(lambda _checked=False: slot())
        self.menu(menu).addAction(action)
        return action

    def _build_menus(self) -> None:
        for name in MENUS:
            self.menu(name)
        qp = self.queue_panel
        self._action("File", _("&New ticket…"), qp.quick_log, _("Ctrl+N"), _("Log a walk-in, call or request"))
        self._action("File", _("&Import tickets…"), lambda: importlib.import_module("desk.ui.import_dialog").choose_and_import(self), None, _("Bring tickets in from a CSV, TSV or JSON file (all or nothing)"))  # noqa: E501 - loaded when used: quicker start
        self.menu("File").addSeparator()
        self._action("File", _("Se&ttings…"), self.show_settings, _("Ctrl+,"),
                     _("The desk, its calendar, people, categories and locations"))
        self.menu("File").addSeparator()
        self._action("File", _("&Quit"), self.close, _("Ctrl+Q"), _("Close Desk"))
        self._action("View", _("&Queue"), lambda: self.tabs.setCurrentIndex(0), _("Ctrl+1"), _("Show the queue"))
        self._action("View", _("&Stats"), self.show_stats, _("Ctrl+2"), _("Show the statistics"))
        self._action("View", _("&Find…"), qp.focus_search, _("Ctrl+F"), _("Search tickets"))
        self._action("View", _("&Refresh"), qp.refresh, _("F5"), _("Reload the queue"))
        self._action("View", _("C&ounter display"), self.show_counter_display, None,
                     _("Open the display for the people waiting, full screen on a second monitor or TV"))
        self._action("View", _("Close &tab"), lambda: self.close_tab(self.tabs.currentIndex()),
                     _("Ctrl+W"), _("Close the current ticket tab"))
        queue_columns = self.menu("View").addMenu(_("Queue &columns"))  # filled when opened
        queue_columns.setToolTipsVisible(True)
        queue_columns.aboutToShow.connect(lambda: columns.fill(queue_columns, self.queue_panel.table))
        self._action("Ticket", _("&Open"), qp.open_selected, None, _("Open the selected ticket"))
        self._action("Ticket", _("Take &next"), qp.take_next, _("Ctrl+T"), _("Claim the person who has waited longest"))
        self._action("Ticket", _("&Claim"), qp.claim_selected, _("Ctrl+K"), _("Claim the selected ticket"))
        self._action("Ticket", _("&Release"), qp.release_selected, _("Ctrl+Shift+K"),
                     _("Give the selected ticket back to the queue"))
        self._action("Ticket", _("&Done (solved)"), qp.solve_selected, _("Ctrl+D"),
                     _("Mark the selected ticket solved"))
        self._action("Ticket", _("&Left without service"), qp.left_selected, None,
                     _("Record that the person left before being served"))
        self._action("Ticket", _("&Print receipt…"), lambda: _receipts().print_receipt(self), None,
                     _("Print the receipt slip for the person: number, request, what to expect, how to follow up"))
        self._action("Ticket", _("S&ave receipt as PDF…"), lambda: _receipts().save_receipt_pdf(self), None,
                     _("Save the receipt slip of the ticket on screen as a PDF"))
        self._action("Ticket", _("Print &ticket with conversation…"), lambda: _receipts().print_receipt(self, whole=True),
                     None, _("Print the ticket on screen with its public conversation"))
        self._action("Ticket", _("Canned &responses…"), self.manage_canned, None,
                     _("Create, edit, import and export canned responses"))
        importlib.import_module("desk.ui.queue.quick_question").install(self)  # F8: quick questions
        self._action("Ticket", _("R&ules and SLA…"), self.manage_rules, None,
                     _("Triggers, automations and SLA policies: list, order, switch on or off, edit, test"))
        self._action("Help", _("&User guide"), self.show_guide, _("F1"), _("How to use Desk (offline)"))
        self._action("Help", _("&Keyboard shortcuts"), self.show_shortcuts, _("Ctrl+/"),
                     _("Every shortcut this window has"))
        self.menu("Help").addSeparator()
        self._action("Help", _("Open &data folder"), self.open_data_folder, None,
                     _("Show the folder that holds this store"))
        self._action("Help", _("Open &log folder"), self.open_log_folder, None,
                     _("Show the folder with Desk's log files (for a support request)"))
        self.menu("Help").addSeparator()
        self._action("Help", _("&About Desk"), self._about, None, _("Version, the store's path and schema version"))

    def show_counter_display(self, *, screen: int | None = None) -> QWidget:
        """The counter display (one per window), full screen on ``screen`` or the second screen."""
        display = getattr(self, "_counter_display", None)
        if display is None or not isValid(display):
            from desk.ui.counter.display import CounterDisplay

            display = self._counter_display = CounterDisplay(self.tasks, self)
        display.show_on(screen)
        display.raise_()
        return display

    def manage_rules(self) -> QWidget:
        from desk.ui.rules.editor import RulesDialog

        dialog = RulesDialog(self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def manage_canned(self) -> QWidget:
        from desk.ui.canned.manager import CannedManager

        dialog = CannedManager(self.tasks, self.current_agent_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_log_folder(self) -> Path:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = log_folder()
        try:
            from desk.core import files

            files.make_folder(folder, what=_("log folder"))
        except DeskError as exc:
            show_error(self, exc)
            return folder
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            show_error(self, DeskError(_("No file manager could show {folder}. Desk's log files are there.").format(folder=folder)))
        return folder

    def show_settings(self, *, tab: str | None = None) -> QWidget:
        from desk.ui.settings.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self, tab=tab)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_setup(self) -> QWidget:
        from desk.ui.settings.setup_wizard import SetupWizard

        wizard = SetupWizard(self.tasks, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.saved.connect(lambda _changes: self.statusBar().showMessage(
            _("Set-up saved. Pick your name under “At the desk” to sign in."), 15000))
        wizard.open()
        return wizard

    def show_shortcuts(self) -> QWidget:
        from desk.ui.help import ShortcutsDialog, shortcut_rows

        dialog = ShortcutsDialog(shortcut_rows(self), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_guide(self) -> QWidget:
        from desk.ui.help import GuideDialog

        dialog = GuideDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_data_folder(self) -> Path:
        from desk.ui.help import open_folder

        folder = self.store.path.resolve().parent
        open_folder(self, folder, what="store")
        return folder

    def _about(self) -> None:
        from desk.ui.help import about_box, store_revision

        self.tasks.sql(store_revision, on_done=lambda rev: about_box(self, self.store, rev), owner=self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._fitted:  # once the window manager has framed it, keep the frame on screen
            self._fitted = True
            from desk.ui.screen_fit import fit_on_screen

            QTimer.singleShot(0, self, lambda: fit_on_screen(self))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if hasattr(widget, "can_close") and not widget.can_close():
                event.ignore()
                return
        from PySide6.QtCore import QSettings

        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue(_agent_key(self.store), self.current_agent_id() or 0)
        self.queue_panel.stop()
        controller = getattr(self, "sync_controller", None)
        if controller is not None:
            controller.shutdown()  # a run stops at its next checkpoint; the close does not wait
        worker = getattr(self, "mail_worker", None)
        if worker is not None:
            worker.shutdown()
        self.tasks.shutdown()
        super().closeEvent(event)


def _explain_open_failure(exc: BaseException | None) -> None:
    """The store could not be opened: a locked, damaged, newer or unwritable store gets its
    message; anything else is a bug and gets the crash dialog. Waits until it is closed (no
    window exists yet)."""
    if isinstance(exc, DeskError):
        from PySide6.QtWidgets import QMessageBox

        logging.getLogger(__name__).warning("cannot open the store: %s: %s", type(exc).__name__, exc.message)
        box = QMessageBox(QMessageBox.Icon.Critical, _("Desk cannot open the store"), exc.message,
                          QMessageBox.StandardButton.Ok)
        box.setAccessibleName(_("Desk cannot open the store"))
        box.exec()
        return
    shown = show_error(None, exc if exc is not None else RuntimeError(_("the store did not open")))
    if shown is not None:
        shown.exec()


def _canned_defaults_installed(conn: sqlite3.Connection) -> bool:
    """What ``canned_io.install_defaults`` checks first, read without loading the ORM (the
    usual case: already installed, nothing more to do at start)."""
    found = conn.execute("SELECT 1 FROM settings WHERE key = ?", (CANNED_DEFAULTS_SETTING,))
    return found.fetchone() is not None


def _install_default_canned(session):  # noqa: ANN001, ANN202
    from desk.core import canned_io  # on the DB worker: the window does not wait for the ORM

    return canned_io.install_defaults(session)


def _receipts():  # noqa: ANN202 - the module, loaded when first used (quicker start)
    return importlib.import_module("desk.ui.receipt_actions")


def _load_sync_code() -> None:
    import desk.core.sync.engine  # noqa: F401 - warms the import for install_sync


def _agent_key(store: Store) -> str:
    """Settings key of the agent last at the desk in this window, per store file."""
    return "at_desk/" + str(store.path.resolve()).replace("/", "|")


def make_application(argv: list[str] | None = None) -> QApplication:
    # Qt's raster engine hands large fills (the table's background, a scroll bar) to a pool of
    # threads and waits for them; for this window's repaints the hand-off costs more than the
    # fill. Without it: a start 2.4 % sooner, a search's repaint p50 9.0 -> 7.4 ms (1M bench).
    # Read by Qt once, at the first large fill: set before the application paints anything.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(_("Desk"))
    app.setOrganizationName(_("Desk"))
    app.setApplicationVersion(__version__)
    from desk.ui.language import apply_to_qt

    apply_to_qt(app)  # Qt's own dialogs and QLocale in the language chosen at start (desk.cli.main)
    if os.environ.get("DESK_THEME"):  # dark|light; else the desktop's palette (no theme code at start)
        from desk.ui import theme

        theme.apply_from_environment(app)
    return app  # type: ignore[return-value]


def _install_excepthook(window: QWidget) -> None:
    previous = sys.excepthook

    def hook(kind, value, tb):  # noqa: ANN001, ANN202
        if isinstance(value, KeyboardInterrupt):
            previous(kind, value, tb)
            return
        show_error(window, value)

    sys.excepthook = hook


def run(db_path: Path | str | None) -> int:
    """Open the store and the window; returns the exit code. Store trouble is explained.

    The store is opened (and an older one backed up and upgraded, with a progress dialog) on
    a worker thread, so the desktop never sees a frozen, unanswering Desk at start."""
    from PySide6.QtCore import QSettings

    from desk.ui.opening import StoreOpener

    app = make_application()
    setup_logging()
    opener = StoreOpener(db_path)
    store = opener.wait()
    if store is None:
        _explain_open_failure(opener.error)
        return 2
    window: MainWindow | None = None
    try:
        window = MainWindow(store, first_run=True)
        columns.restore(window.queue_panel.table, QSettings().value(columns.SETTING))
        geometry = QSettings().value("window/geometry")
        if geometry is not None:
            window.restoreGeometry(geometry)
        remembered = int(QSettings().value(_agent_key(store), 0) or 0)
        window.at_desk.resume_if_on_shift(remembered or None)
        _install_excepthook(window)
        window.show()
        return int(app.exec())
    finally:
        controller = getattr(window, "sync_controller", None)
        if controller is not None:
            controller.shutdown()
            controller.wait_stopped(SYNC_STOP_GRACE_S)  # the window is gone already
        worker = getattr(window, "mail_worker", None)
        if worker is not None:
            worker.shutdown()
            worker.wait_stopped(SYNC_STOP_GRACE_S)
        if window is not None:
            window.tasks.shutdown()  # closeEvent did, unless the window never closed
            window.tasks.wait_stopped(SYNC_STOP_GRACE_S)  # a keyring write, a claim upstream...
        store.close()
