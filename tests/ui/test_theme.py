"""Colours come from the palette: under a light and a dark palette the text of the conversation,
the banners and the warnings keeps WCAG AA contrast (≥ 4.5:1), computed from the colours the
widgets actually paint with; charts follow the palette too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication, QTextEdit

from desk.core.edit_session import ChangedElsewhere
from desk.core.sync.config import OpenConflict, TicketSyncState
from desk.ui import theme
from tests.ui.test_editor import open_editor
from tests.ui.test_editor import ticket_id as ticket_id  # noqa: F401 - the fixture

AA = 4.5


@pytest.fixture(params=["light", "dark"])
def palette_named(request, qapp) -> Iterator[str]:  # noqa: ANN001
    before = QPalette(qapp.palette())
    qapp.setPalette(theme.dark_palette() if request.param == "dark" else theme.light_palette())
    yield request.param
    qapp.setPalette(before)


def text_on_backgrounds(view: QTextEdit) -> list[tuple[str, QColor, QColor]]:
    """(text, its colour, the colour under it) for every run of text in the document, as the
    document will paint it (a cell's, else its table's, else the view's base colour)."""
    found = []
    block = view.document().begin()
    base = view.palette().color(QPalette.ColorRole.Base)
    default_ink = view.palette().color(QPalette.ColorRole.Text)
    while block.isValid():
        cursor = QTextCursor(block)
        table = cursor.currentTable()
        background = base
        if table is not None:
            cell = table.cellAt(cursor).format().background()
            frame = table.format().background()
            if cell.style() != Qt.BrushStyle.NoBrush:
                background = cell.color()
            elif frame.style() != Qt.BrushStyle.NoBrush:
                background = frame.color()
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.isValid() and fragment.text().strip():
                brush = fragment.charFormat().foreground()
                ink = brush.color() if brush.style() != Qt.BrushStyle.NoBrush else default_ink
                found.append((fragment.text(), ink, background))
            fragments += 1
        block = block.next()
    return found


def widget_colours(widget) -> tuple[QColor, QColor]:  # noqa: ANN001
    pal = widget.palette()
    return pal.color(widget.foregroundRole()), pal.color(widget.backgroundRole())


def test_contrast_ratio_matches_wcag_examples():
    assert theme.contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert theme.contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert theme.contrast(QColor("#336699"), QColor("#336699")) == pytest.approx(1.0)


def test_conversation_text_is_readable_in_both_palettes(qtbot, tasks, ticket_id, agent_id, palette_named):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    runs = text_on_backgrounds(editor.conversation)
    texts = " ".join(text for text, _ink, _bg in runs)
    assert "On my way." in texts and "Internal note" in texts and "Public reply" in texts
    backgrounds = {bg.name() for _t, _i, bg in runs}
    assert len(backgrounds) >= 3  # request, public reply and note each have their own colour
    for text, ink, background in runs:
        assert theme.contrast(ink, background) >= AA, (palette_named, text, ink.name(), background.name())
    dark = palette_named == "dark"
    assert all((QColor(bg).lightnessF() < 0.5) == dark for bg in backgrounds)  # the bubbles follow the theme


def test_banners_and_warnings_are_readable_in_both_palettes(qtbot, tasks, ticket_id, agent_id, palette_named):
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.notice.say(ChangedElsewhere(lines=["Priority: normal → urgent"], kept=[]))
    editor.sync_banner.show_state(TicketSyncState(
        remotes=("zd",), unsynced=("zd",),
        conflicts=(OpenConflict(id=1, remote="zd", field="priority", mine="high", theirs="low"),)))
    assert editor.notice.isVisible() and editor.sync_banner.box.isVisible()
    checked = {"changed notice": editor.notice.label, "sync conflict banner": editor.sync_banner.box,
               "not yet synced": editor.sync_banner.unsynced}
    checked.update({f"conflict cell {label.text()}": label for label in editor.sync_banner.box.findChildren(
        type(editor.notice.label)) if label.text()})
    for name, widget in checked.items():
        ink, background = widget_colours(widget)
        if widget is editor.sync_banner.unsynced:
            background = editor.palette().color(QPalette.ColorRole.Window)
        assert theme.contrast(ink, background) >= AA, (palette_named, name, ink.name(), background.name())
    banner_bg = widget_colours(editor.notice.label)[1]
    assert banner_bg != editor.palette().color(QPalette.ColorRole.Window)  # it stands out...
    assert (banner_bg.lightnessF() < 0.5) == (palette_named == "dark")  # ...in the theme's own tone

    # An internal note is typed on the note colour, still readable.
    qtbot.mouseClick(editor.internal, Qt.MouseButton.LeftButton)
    pal = editor.reply.palette()
    note_bg, ink = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    assert note_bg != editor.palette().color(QPalette.ColorRole.Base)
    assert theme.contrast(ink, note_bg) >= AA


def test_canned_preview_warnings_are_readable_in_both_palettes(qtbot, tasks, ticket_id, agent_id, session,
                                                              palette_named):
    from desk.core.ops import canned

    canned.create_canned(session, actor_id=agent_id, title="On my way", body="Going to {{location}} {{x.y}}",
                         allow_unknown=True)
    editor = open_editor(qtbot, tasks, ticket_id, agent_id)
    editor.reply.setFocus()
    qtbot.keyClick(editor.reply, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: editor.canned_picker is not None)
    picker = editor.canned_picker
    qtbot.waitUntil(lambda: "No value for this ticket" in picker.preview.toPlainText())
    warnings = [(t, ink, bg) for t, ink, bg in text_on_backgrounds(picker.preview)
                if "No value" in t or "Unknown placeholders" in t]
    assert len(warnings) == 2
    for text, ink, background in warnings:
        assert ink != picker.preview.palette().color(QPalette.ColorRole.Text)  # coloured as a warning
        assert theme.contrast(ink, background) >= AA, (palette_named, text, ink.name(), background.name())
    picker.reject()


def test_status_bar_errors_and_chart_colours_follow_the_palette(qtbot, palette_named):
    from desk.ui.stats.charts import SeriesChart

    pal = QApplication.instance().palette()
    for pair in (theme.ERROR_TEXT, theme.WARNING_TEXT):
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            assert theme.contrast(theme.pick(pair, pal), pal.color(role)) >= AA
    chart = SeriesChart("Backlog", "test")
    qtbot.addWidget(chart)
    background = chart.plot.backgroundBrush().color()
    assert background == pal.color(QPalette.ColorRole.Base)
    axis = chart.plot.getPlotItem().getAxis("left")
    assert theme.contrast(axis.textPen().color(), background) >= AA
    for index in range(len(theme.SERIES)):
        assert theme.contrast(chart.colour(index), background) >= 3.0  # lines and bars stand out (WCAG non-text contrast)


def test_switching_the_palette_while_open_recolours(qtbot, tasks, ticket_id, agent_id, qapp):
    before = QPalette(qapp.palette())
    qapp.setPalette(theme.light_palette())
    try:
        editor = open_editor(qtbot, tasks, ticket_id, agent_id)
        editor.notice.say(ChangedElsewhere(lines=["Status: open → pending"], kept=[]))
        assert all(bg.lightnessF() > 0.5 for _t, _i, bg in text_on_backgrounds(editor.conversation))
        qapp.setPalette(theme.dark_palette())
        qtbot.waitUntil(lambda: all(bg.lightnessF() < 0.5 for _t, _i, bg in text_on_backgrounds(editor.conversation)))
        ink, background = widget_colours(editor.notice.label)
        assert background.lightnessF() < 0.5 and theme.contrast(ink, background) >= AA
    finally:
        qapp.setPalette(before)


@pytest.mark.parametrize("make", [theme.light_palette, theme.dark_palette])
def test_disabled_controls_look_disabled_in_both_palettes(make):
    pal = make()
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        enabled = pal.color(QPalette.ColorGroup.Active, role)
        disabled = pal.color(QPalette.ColorGroup.Disabled, role)
        assert theme.contrast(enabled, disabled) > 1.5, role
