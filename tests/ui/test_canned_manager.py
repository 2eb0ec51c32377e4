"""The canned-response manager through its widgets: create, refuse unknown placeholders,
edit, duplicate, delete, import Zendesk macros, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desk.core.ops import canned
from desk.core.queries.canned import list_canned
from desk.ui.canned.manager import CannedManager

SAMPLE = Path(__file__).parent.parent / "unit" / "data" / "zendesk_macros.json"


@pytest.fixture
def manager(qtbot, tasks, agent_id) -> CannedManager:  # noqa: ANN001
    dialog = CannedManager(tasks, lambda: agent_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: tasks.pending == 0)
    return dialog


def rows(session, agent_id):  # noqa: ANN001, ANN201
    session.rollback()
    return list_canned(session, agent_id=agent_id)


def test_create_edit_duplicate_delete(qtbot, manager, tasks, session, agent_id):
    qtbot.keyClicks(manager.title, "Printer jam")
    qtbot.keyClicks(manager.body, "Hi {{requester.frist_name}}")
    assert "frist_name" in manager.warning.text()
    manager.save()
    qtbot.waitUntil(lambda: tasks.pending == 0)
    box = next(w for w in manager.findChildren(QMessageBox) if w.isVisible())
    assert "Unknown placeholder" in box.text()
    box.close()
    assert rows(session, agent_id) == []

    manager.body.setPlainText("Hi {{requester.first_name}}, the printer is fixed.")
    assert manager.warning.text() == ""
    manager.status.setCurrentIndex(manager.status.findData("solved"))
    manager.tags_add.setText("printer, hardware")
    manager.shared.setChecked(False)
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: manager.message.text() == "Saved." and tasks.pending == 0)
    saved = rows(session, agent_id)
    assert [(r.title, r.owner_id) for r in saved] == [("Printer jam", agent_id)]
    assert saved[0].actions == [{"field": "status", "value": "solved"},
                                {"field": "tags_add", "value": ["hardware", "printer"]}]
    assert manager.list.count() == 1

    manager.title.setText("Printer jam cleared")
    manager.save()
    qtbot.waitUntil(lambda: tasks.pending == 0)
    assert rows(session, agent_id)[0].title == "Printer jam cleared"

    manager.duplicate()
    qtbot.waitUntil(lambda: manager.list.count() == 2 and tasks.pending == 0)
    assert manager.title.text() == "Printer jam cleared (copy)"

    manager.delete()
    box = manager.confirm_box
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: manager.list.count() == 1 and tasks.pending == 0)
    assert [r.title for r in rows(session, agent_id)] == ["Printer jam cleared"]


def test_search_and_sorted_by_use(qtbot, manager, tasks, session, agent_id):
    canned.create_canned(session, actor_id=agent_id, title="Rarely", body="x", usage_count=1)
    canned.create_canned(session, actor_id=agent_id, title="Often", body="eduroam", usage_count=7)
    manager.refresh()
    qtbot.waitUntil(lambda: manager.list.count() == 2)
    assert manager.list.item(0).text().startswith("Often")
    qtbot.keyClicks(manager.search, "eduroam")
    qtbot.waitUntil(lambda: manager.list.count() == 1)


def test_import_zendesk_macros_and_export(qtbot, manager, tasks, session, agent_id, tmp_path):
    manager.import_from(SAMPLE)
    qtbot.waitUntil(lambda: manager.report_box is not None and manager.list.count() == 3)
    report = manager.report_box
    assert "3 created" in report.text()
    assert "group_id" in report.detailedText() and "Close and Save" in report.detailedText()
    report.close()

    target = tmp_path / "export.json"
    manager.export_to(target)
    qtbot.waitUntil(lambda: target.exists() and tasks.pending == 0)
    assert len(json.loads(target.read_text())["canned_responses"]) == 3
