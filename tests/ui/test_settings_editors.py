"""The assistant's editors keep what a person did: whatever they add, rename and remove, the
outcome names every existing choice once (kept or removed) and no name twice."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.ui.settings.choices import NamesEditor
from desk.ui.settings.desk_forms import HoursEditor, TermsEditor

names = st.text(alphabet="abcAB é한", min_size=1, max_size=6).filter(lambda t: t.strip())
steps = st.lists(st.tuples(st.sampled_from(["add", "rename", "remove"]), names, st.integers(0, 6)), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_names_editor_outcome_accounts_for_every_existing_choice(qtbot, steps):
    editor = NamesEditor("category")
    qtbot.addWidget(editor)
    editor.set_items([(1, "Moodle"), (2, "Zoom"), (None, "Printing")])
    for action, text, row in steps:
        editor.list.setCurrentRow(min(row, editor.list.count() - 1))
        editor.name.setText(text)
        getattr(editor, action)()
    kept, added, removed = editor.outcome()
    assert set(kept) | set(removed) == {1, 2} and not set(kept) & set(removed)
    shown = list(kept.values()) + added
    assert sorted(shown, key=str.lower) == sorted(editor.names(), key=str.lower)
    assert len({n.lower() for n in shown}) == len(shown)  # never the same name twice


def test_hours_editor_keeps_several_periods_unless_changed(qtbot):
    from datetime import time

    editor = HoursEditor()
    qtbot.addWidget(editor)
    split = ((time(9), time(12)), (time(13), time(17)))
    editor.set_hours((split,) * 5 + ((), ()))
    assert editor.hours()[0] == split  # not collapsed to the first period
    editor.to_edits[0].setTime(editor.to_edits[0].time().addSecs(1800))
    assert editor.hours()[0] == ((time(9), time(12, 30)),)
    editor.open_boxes[1].setChecked(False)
    assert editor.hours()[1] == ()


def test_terms_editor_leaves_out_empty_rows(qtbot):
    editor = TermsEditor(first_year=2026)
    qtbot.addWidget(editor)
    editor.use_preset("ko")
    count = len(editor.values())
    editor.add_row()
    assert len(editor.values()) == count
    editor.remove_row()
    editor.table.setCurrentCell(0, 0)
    editor.remove_row()
    assert len(editor.values()) == count - 1
    assert editor.values()[0]["name"] == "Autumn semester 2025"
