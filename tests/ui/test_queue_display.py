"""The queue table's display strings (made on the DB worker) and the sort a search shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from desk.core.models import utcnow
from desk.core.ops import tickets
from desk.ui.queue.model import COL_AGE, COL_ID, COLUMNS, QueueModel, row_texts

DISPLAY = Qt.ItemDataRole.DisplayRole
COL_SUBJECT, COL_ASSIGNEE = 3, 8


def _log(session, requester_id, subject, *, minutes_ago=0):
    return tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject=subject,
                              channel="walk-in", arrived_at=utcnow() - timedelta(minutes=minutes_ago)).created_id


def _texts(model, ticket_id):
    row = model.row_of(ticket_id)
    return [model.data(model.index(row, column), DISPLAY) for column in range(len(COLUMNS))]


def test_display_texts_follow_changes_and_the_age_ticks(tasks, qtbot, session, requester_id, agent_id):
    now = [datetime.now(UTC)]
    model = QueueModel(tasks, clock=lambda: now[0])
    ticket_id = _log(session, requester_id, "Projector flickers", minutes_ago=5)
    model.reload()
    qtbot.waitUntil(lambda: model.ready() and model.cached_row(ticket_id) is not None)
    texts = _texts(model, ticket_id)
    assert texts[COL_ID] == str(ticket_id) and texts[COL_SUBJECT] == "Projector flickers"
    assert texts[COL_ASSIGNEE] == "" and texts[COL_AGE] == "5 min"

    now[0] += timedelta(minutes=2)  # what tick() repaints: the age alone is computed on the fly
    assert _texts(model, ticket_id)[COL_AGE] == "7 min"

    tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id)
    version = model.cached_row(ticket_id).version + 1  # the claim bumped it
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=version,
                          fields={"subject": "Projector flickers in room 204"})
    model.mark_stale({ticket_id})
    qtbot.waitUntil(lambda: model.ready() and model.cached_row(ticket_id) is not None
                    and model.cached_row(ticket_id).assignee is not None)
    texts = _texts(model, ticket_id)
    assert texts[COL_SUBJECT] == "Projector flickers in room 204"
    assert texts[COL_ASSIGNEE] == "Ana Student"
    assert model.data(model.index(0, COL_SUBJECT), Qt.ItemDataRole.ToolTipRole) == texts[COL_SUBJECT]


def test_row_texts_mark_local_changes_not_yet_synced(tasks, qtbot, session, requester_id):
    model = QueueModel(tasks)
    ticket_id = _log(session, requester_id, "Printer jam")
    model.reload()
    qtbot.waitUntil(lambda: model.ready() and model.cached_row(ticket_id) is not None)
    row = model.cached_row(ticket_id)
    assert row_texts(row._replace(unsynced=True))[COL_ID] == f"↑ {ticket_id}"
    assert row_texts(row._replace(unsynced=False))[COL_ID] == str(ticket_id)
    assert row_texts(row._replace(category=None, location=None))[4] == ""


def test_search_shows_newest_first_on_the_header_and_clearing_brings_the_sort_back(
        main_window, qtbot, session, requester_id):
    panel = main_window.queue_panel
    header = panel.table.horizontalHeader()
    older = _log(session, requester_id, "Eduroam drops", minutes_ago=30)
    newer = _log(session, requester_id, "Eduroam slow", minutes_ago=1)
    _log(session, requester_id, "Printer jam", minutes_ago=10)
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and len(panel.model.ids()) == 3)
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COL_AGE, Qt.SortOrder.AscendingOrder)

    panel.search.setText("eduroam")
    panel._apply_search()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and panel.model.ids() == [newer, older])
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COL_ID, Qt.SortOrder.DescendingOrder)

    panel.search.setText("")
    panel._apply_search()
    qtbot.waitUntil(lambda: main_window.tasks.pending == 0 and len(panel.model.ids()) == 3)
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COL_AGE, Qt.SortOrder.AscendingOrder)
    assert panel.model.ids()[0] == older


def test_table_rows_and_scroll_bar_never_change_size(main_window):
    table = main_window.queue_panel.table
    assert table.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
    assert table.verticalHeader().sectionResizeMode(0) == table.verticalHeader().ResizeMode.Fixed
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows


def test_header_labels_and_tooltips(tasks):
    model = QueueModel(tasks)
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    labels = [model.headerData(c, horizontal, Qt.ItemDataRole.DisplayRole) for c in range(model.columnCount())]
    assert labels[:4] == ["#", "Wait / age", "Requester", "Subject"] and len(labels) == 11
    assert labels[10] == "Due"  # the SLA column (issue 15)
    assert model.headerData(3, horizontal, Qt.ItemDataRole.ToolTipRole) == "What it is about (click to sort)"
    assert model.headerData(3, horizontal, Qt.ItemDataRole.FontRole) is None
    assert model.headerData(0, vertical, Qt.ItemDataRole.DisplayRole) is None
    assert model.headerData(11, horizontal, Qt.ItemDataRole.DisplayRole) is None


def test_the_due_column_shows_and_sorts_by_the_next_sla_target(tasks, qtbot, session, requester_id):
    from desk.core.rules import ops as rules
    from desk.ui.queue.model import COL_DUE

    rules.add_rule(session, actor_id=None, kind="sla", name="Fast", definition={
        "all": [{"field": "priority", "op": "is", "value": "urgent"}],
        "targets": {"first_response": {"hours": 1, "business": False}}})
    rules.add_rule(session, actor_id=None, kind="sla", name="Slow", definition={
        "targets": {"first_response": {"hours": 4, "business": False}}})
    now = datetime.now(UTC).replace(microsecond=0)
    slow = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Slow", channel="email",
                              now=now).created_id
    late = tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Late", channel="email",
                              priority="urgent", arrived_at=now - timedelta(hours=2), now=now).created_id
    model = QueueModel(tasks, clock=lambda: now)
    with qtbot.wait_signal(model.loaded, timeout=10000):
        model.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.cached_row(late) is not None and model.cached_row(slow) is not None)
    assert model.ids()[:2] == [late, slow]  # the breached one first
    assert _texts(model, late)[COL_DUE] == "1 h 00 late"
    assert _texts(model, slow)[COL_DUE] == "in 4 h 00"
    index = model.index(model.row_of(late), COL_DUE)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    assert "breached" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(model.row_of(slow), COL_DUE), Qt.ItemDataRole.ForegroundRole) is None
