"""The rules editor, driven by accessible names as a person would: write a trigger, test it on
the last 30 days, save it, switch it off, reorder; an SLA policy's targets; the rules runner."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
)

from desk.core.ops import tickets
from desk.core.rules.store import load_rules


def named(widget, kind, name):  # noqa: ANN001, ANN201
    found = [w for w in widget.findChildren(kind) if w.accessibleName() == name]
    assert len(found) == 1, f"{name}: {len(found)} widgets"
    return found[0]


def click(qtbot, dialog, name):  # noqa: ANN001
    qtbot.mouseClick(named(dialog, QPushButton, name), Qt.MouseButton.LeftButton)




def test_write_test_save_disable_and_reorder_a_trigger(qtbot, tasks, session, requester_id, wait_idle):  # noqa: ANN001
    from desk.ui.rules.editor import RulesDialog

    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Projector in 204")
    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Password")
    dialog = RulesDialog(tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(tasks)
    qtbot.keyClicks(named(dialog, QLineEdit, "Rule name"), "Projectors to AV")
    click(qtbot, dialog, "Add condition")
    conditions = named(dialog, QTableWidget, "Conditions")
    named(conditions, QComboBox, "Condition 1 field").setCurrentText("text")
    named(conditions, QComboBox, "Condition 1 op").setCurrentText("contains")
    qtbot.keyClicks(named(conditions, QLineEdit, "Condition 1 value"), "projector")
    click(qtbot, dialog, "Add action")
    actions = named(dialog, QTableWidget, "Actions")
    named(actions, QComboBox, "Action 1").setCurrentText("tags_add")
    qtbot.keyClicks(named(actions, QLineEdit, "Action 1 value"), "av, classroom")
    click(qtbot, dialog, "Test on the last 30 days")
    result = named(dialog, QLabel, "Test result")
    qtbot.waitUntil(lambda: "would have fired on 1 ticket." in result.text())
    assert load_rules(session) == []  # testing saved nothing
    click(qtbot, dialog, "Save rule")
    qtbot.waitUntil(lambda: result.text() == "Saved.")
    session.commit()
    (rule,) = load_rules(session)
    assert rule.name == "Projectors to AV" and rule.definition["actions"] == [
        {"action": "tags_add", "value": ["av", "classroom"]}]
    assert rule.definition["all"] == [{"field": "text", "op": "contains", "value": "projector"}]

    listing = named(dialog, QListWidget, "Rules in order")
    listing.item(0).setCheckState(Qt.CheckState.Unchecked)  # the box beside the rule
    wait_idle(tasks)
    session.commit()
    assert not load_rules(session)[0].active

    click(qtbot, dialog, "New rule")
    qtbot.keyClicks(named(dialog, QLineEdit, "Rule name"), "Note urgent")
    click(qtbot, dialog, "Add action")
    named(actions, QComboBox, "Action 1").setCurrentText("note")
    qtbot.keyClicks(named(actions, QLineEdit, "Action 1 value"), "Call the supervisor.")
    click(qtbot, dialog, "Save rule")
    qtbot.waitUntil(lambda: result.text() == "Saved.")
    assert [listing.item(i).text() for i in range(listing.count())] == ["Projectors to AV", "Note urgent"]
    click(qtbot, dialog, "Move rule up")
    qtbot.waitUntil(lambda: listing.item(0).text() == "Note urgent")
    session.commit()
    assert [r.name for r in load_rules(session)] == ["Note urgent", "Projectors to AV"]


def test_a_bad_rule_says_what_is_wrong_and_an_sla_policy_has_targets(qtbot, tasks, session, wait_idle):  # noqa: ANN001
    from desk.ui.rules.editor import RulesDialog

    dialog = RulesDialog(tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(tasks)
    qtbot.keyClicks(named(dialog, QLineEdit, "Rule name"), "Nothing to do")
    click(qtbot, dialog, "Save rule")
    result = named(dialog, QLabel, "Test result")
    qtbot.waitUntil(lambda: "at least one action" in result.text())
    named(dialog, QComboBox, "Kind of rule").setCurrentIndex(2)  # SLA policies
    wait_idle(tasks)
    targets = named(dialog, QTableWidget, "SLA targets")
    assert targets.isVisible() and not named(dialog, QTableWidget, "Actions").isVisible()
    qtbot.keyClicks(named(dialog, QLineEdit, "Rule name"), "Everyone")
    named(targets, QDoubleSpinBox, "first_response hours").setValue(2)
    named(targets, QCheckBox, "first_response in business hours").setChecked(False)
    click(qtbot, dialog, "Save rule")
    qtbot.waitUntil(lambda: result.text() == "Saved.")
    session.commit()
    (policy,) = load_rules(session, kind="sla")
    assert policy.definition["targets"] == {"first_response": {"hours": 2.0, "business": False}}
    assert policy.definition["pause"] is True


def test_the_window_runs_automations_and_shows_the_desk_notices(main_window, qtbot, session, requester_id):  # noqa: ANN001
    from datetime import timedelta

    from desk.core.models import utcnow

    runner = main_window.rules_runner
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    session.commit()
    assert any(rule.name == "Walk-in waiting 15 minutes" for rule in load_rules(session))  # defaults, once
    tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Printer jam",
                       arrived_at=utcnow() - timedelta(minutes=20))
    runner.tick()  # what the minute timer does
    qtbot.waitUntil(lambda: any("Printer jam" in text for _title, text in runner.shown), timeout=10000)
    assert runner.timer.isActive() and runner.timer.interval() == 60_000
