"""File → Import… in the window: progress, a summary, bad rows listed, Cancel imports nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QProgressDialog
from sqlalchemy import func, select

from desk.core.models import Ticket


def _write(tmp_path, rows: int, *, bad_line: int | None = None):  # noqa: ANN001, ANN202
    lines = ["Title,Email,Name"]
    for n in range(rows):
        subject = "" if bad_line == n + 2 else f"Projector {n}"
        lines.append(f"{subject},person{n}@uni.example,Person {n}")
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(session) -> int:  # noqa: ANN001
    session.rollback()
    return session.scalar(select(func.count()).select_from(Ticket))


def _run(main_window, qtbot, path, *, before_start=None):  # noqa: ANN001, ANN202
    from desk.ui.import_dialog import ImportRun

    results = []
    run = ImportRun(main_window, path)
    run.finished.connect(results.append)
    if before_start:
        before_start(run)
    qtbot.waitUntil(lambda: bool(results), timeout=20000)
    return run, results[0]


def test_the_file_menu_offers_import(main_window):
    actions = [a.text() for a in main_window.menu("File").actions()]
    assert "&Import tickets…" in actions


def test_import_shows_progress_then_a_summary_and_the_queue_hears_of_it(main_window, qtbot, session, tmp_path):
    path = _write(tmp_path, 1200)
    heard = []
    main_window.tasks.changes_executed.connect(lambda changes, _initiator: heard.append(changes))
    run, box = _run(main_window, qtbot, path)
    assert isinstance(run.dialog, QProgressDialog) and run.dialog.maximum() == 1200
    assert box.objectName() == "importSummary" and box.text() == "Imported 1200 tickets."
    assert _count(session) == 1200
    assert any(changes.tickets for changes in heard)
    box.close()


def test_a_file_with_a_bad_row_imports_nothing_and_lists_the_line(main_window, qtbot, session, tmp_path):
    path = _write(tmp_path, 10, bad_line=5)
    _run_obj, box = _run(main_window, qtbot, path)
    assert box.icon() == QMessageBox.Icon.Warning
    assert "Nothing was imported" in box.text() and "line 5: subject is empty" in box.informativeText()
    assert _count(session) == 0
    box.close()


def test_cancel_rolls_the_whole_import_back(main_window, qtbot, session, tmp_path):
    import threading

    path = _write(tmp_path, 1200)
    busy = threading.Event()
    main_window.tasks.db(lambda _session: busy.wait(10))  # the DB worker is busy: the import queues behind

    def press_cancel(run) -> None:  # noqa: ANN001
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QPushButton

        button = run.dialog.findChild(QPushButton)
        assert button.text() == "Cancel"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        busy.set()

    _run_obj, shown = _run(main_window, qtbot, path, before_start=press_cancel)
    assert shown is None  # Cancel shows nothing...
    assert "nothing was imported" in main_window.statusBar().currentMessage()  # ...but a status line
    assert _count(session) == 0


def test_an_unreadable_file_is_shown_as_an_error(main_window, qtbot, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Title,Email\n빔 고장,a@uni.example\n".encode("cp949"))
    _run_obj, box = _run(main_window, qtbot, path)
    assert box.objectName() == "errorBox" and "CP949" in box.text()
    box.close()
