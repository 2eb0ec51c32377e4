"""The desk's phone and how the counter display names people are set in Settings → Desk."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desk.core.desk_settings import load_desk_settings
from tests.ui.test_settings_dialog import _click, _open, _type


def test_desk_tab_saves_phone_and_counter_names(main_window, qtbot, store, agent_id) -> None:  # noqa: ANN001
    dialog = _open(qtbot, main_window, agent_id)
    form = dialog.desk_form
    assert form.counter_names.currentData() == "first-initial"  # the default: "Kim L."
    _type(qtbot, form.phone, "02-880-1234")
    form.counter_names.setFocus()
    qtbot.keyClick(form.counter_names, Qt.Key.Key_Down)  # "First name only"
    assert form.counter_names.accessibleName() == "Names on the counter display"
    _click(qtbot, dialog.save_desk_button)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0)
    with store.session() as s:
        saved = load_desk_settings(s)
        assert (saved.phone, saved.counter_names) == ("02-880-1234", "first")
    dialog.reject()
