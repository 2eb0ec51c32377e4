"""Every GUI export, clicked as a person would with the file dialog's answer stubbed: it writes
the file, and a file it cannot write (permission, folder, disk full, a folder chosen as the
file, a chart Qt cannot encode) is a message naming the file, never the crash dialog."""

from __future__ import annotations

import errno
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from desk.core import files
from desk.core.db import open_store
from desk.core.demo import generate
from tests.ui.conftest import shown_stats_panel


@pytest.fixture
def panel(qtbot, tmp_path):  # noqa: ANN001, ANN201
    path = tmp_path / "demo.sqlite3"
    generate(path, tickets=300, seed=5, end=datetime.now(UTC) - timedelta(hours=1), days=20)
    with open_store(path) as store, shown_stats_panel(qtbot, store) as widget:
        yield widget


def answer_dialog(monkeypatch, path: Path) -> list[str]:  # noqa: ANN001
    asked: list[str] = []

    def ask(_parent, caption, *_args, **_kwargs):  # noqa: ANN001, ANN202
        asked.append(caption)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    return asked


def click(qtbot, root: QWidget, name: str) -> None:  # noqa: ANN001
    """Click the button with this accessible name; "{heatmap}" and "{backlog}" stand for the
    titles of those charts and tables (other work renames the metrics' labels)."""
    if hasattr(root, "heatmap"):
        name = name.format(heatmap=root.heatmap.title, backlog=root.backlog.title, agents=root.agents_box.title)
    (found,) = [b for b in root.findChildren(QPushButton) if b.accessibleName() == name]
    qtbot.mouseClick(found, Qt.MouseButton.LeftButton)


def error_box(qtbot, root: QWidget) -> QMessageBox:  # noqa: ANN001
    qtbot.waitUntil(lambda: bool(root.findChildren(QMessageBox, "errorBox")))
    (box,) = root.findChildren(QMessageBox, "errorBox")
    assert box.icon() == QMessageBox.Icon.Warning  # not the crash box
    assert box.windowTitle() == "Desk could not write the file"
    text = box.text()
    box.close()
    box.setObjectName("errorBoxSeen")  # the next error_box waits for a new one
    box.deleteLater()
    return text


# (button, what it writes, how to check the written file)
PANEL_EXPORTS = [
    ("Save {heatmap} as PNG", "png", lambda p: p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"),
    ("Save {heatmap} as CSV", "csv", lambda p: p.read_text().startswith("Weekday,00")),
    ("Save {agents} as CSV", "csv", lambda p: p.read_text().startswith("Agent,")),
    ("Export report as XLSX", "xlsx", lambda p: p.read_bytes()[:2] == b"PK"),
    ("Export printable report", "html", lambda p: "data:image/png;base64," in p.read_text()),
]


@pytest.mark.parametrize(("name", "suffix", "looks_right"), PANEL_EXPORTS)
def test_each_stats_export_writes_its_file(panel, qtbot, monkeypatch, tmp_path, name, suffix, looks_right):
    target = tmp_path / f"out.{suffix}"
    asked = answer_dialog(monkeypatch, target)
    click(qtbot, panel, name)
    assert asked and target.exists() and looks_right(target)
    assert not panel.findChildren(QMessageBox, "errorBox")


@pytest.mark.parametrize(("name", "suffix", "_check"), PANEL_EXPORTS)
def test_each_stats_export_explains_a_folder_it_may_not_write(panel, qtbot, monkeypatch, unwritable_folder,
                                                             name, suffix, _check):
    target = unwritable_folder / f"desk-out.{suffix}"
    answer_dialog(monkeypatch, target)
    click(qtbot, panel, name)
    text = error_box(qtbot, panel)
    assert "permission denied" in text and str(target) in text
    assert not target.exists()


@pytest.mark.parametrize(("name", "suffix", "_check"), PANEL_EXPORTS)
def test_each_stats_export_explains_a_full_disk_and_keeps_the_old_file(panel, qtbot, monkeypatch, tmp_path,
                                                                      name, suffix, _check):
    target = tmp_path / f"out.{suffix}"
    target.write_bytes(b"last week's report")

    def full(_path: Path) -> None:  # what fsync answers on a full disk
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_flush_to_disk", full)
    answer_dialog(monkeypatch, target)
    click(qtbot, panel, name)
    assert "disk is full" in error_box(qtbot, panel)
    assert target.read_bytes() == b"last week's report"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("name", ["Save {agents} as CSV", "Save {backlog} as PNG"])
def test_choosing_a_folder_or_a_missing_folder_is_explained(panel, qtbot, monkeypatch, tmp_path, name):
    answer_dialog(monkeypatch, tmp_path)
    click(qtbot, panel, name)
    assert "it is a folder" in error_box(qtbot, panel)
    answer_dialog(monkeypatch, tmp_path / "gone" / "x.out")
    click(qtbot, panel, name)
    assert "folder does not exist" in error_box(qtbot, panel)


@pytest.mark.parametrize("name", ["Save {heatmap} as PNG", "Export printable report"])
def test_a_chart_qt_cannot_encode_says_so(panel, qtbot, monkeypatch, tmp_path, name):
    monkeypatch.setattr(QPixmap, "save", lambda *_args, **_kwargs: False)  # QPixmap.save's only failure signal
    target = tmp_path / "chart.png"
    answer_dialog(monkeypatch, target)
    click(qtbot, panel, name)
    assert "could not be turned into a PNG image" in error_box(qtbot, panel)
    assert not target.exists()


@pytest.fixture
def manager(qtbot, tasks, agent_id):  # noqa: ANN001, ANN201
    from desk.ui.canned.manager import CannedManager

    dialog = CannedManager(tasks, lambda: agent_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: tasks.pending == 0)
    return dialog


def test_canned_export_writes_and_explains_its_errors(manager, tasks, qtbot, monkeypatch, tmp_path,
                                                      unwritable_folder):
    target = tmp_path / "canned.json"
    answer_dialog(monkeypatch, target)
    qtbot.mouseClick(manager.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tasks.pending == 0 and target.exists())
    assert json.loads(target.read_text())["format"]
    for chosen, reason in ((unwritable_folder / "canned.json", "permission denied"),
                           (tmp_path / "gone" / "canned.json", "folder does not exist"),
                           (tmp_path, "it is a folder")):
        answer_dialog(monkeypatch, chosen)
        qtbot.mouseClick(manager.export_button, Qt.MouseButton.LeftButton)
        text = error_box(qtbot, manager)
        assert reason in text and str(chosen) in text
