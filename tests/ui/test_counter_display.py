"""The counter display as the people waiting see it, found by accessible names: positions,
masked names, the wait as a range, "now serving" with a chime when someone is called from another
Desk on the same store, the closed screen, and the exit survey from Done to a stored rating."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desk.core.desk_settings import save_desk_settings
from desk.core.models import Ticket
from desk.core.ops import people, shifts, tickets

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 10:00 in Seoul: open 09:00-18:00


def by_name(root: QWidget, name: str, kind: type[QWidget] = QWidget) -> QWidget:
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    assert len(found) == 1, (name, len(found))
    return found[0]


def person(session, name: str) -> int:  # noqa: ANN001
    return people.ensure_requester(session, email=f"{name.split()[0].lower()}@uni.test", name=name).created_id


@pytest.fixture
def desk(session, agent_id: int) -> dict[str, int]:  # noqa: ANN001
    """Seoul desk with a phone; Ana on shift; five recent services of 4..12 min; two waiting."""
    save_desk_settings(session, actor_id=None, values={"timezone": "Asia/Seoul", "phone": "02-880-1234",
                                                       "desk_name": "Tech Help Desk"})
    shifts.start_shift(session, agent_id=agent_id, now=NOW - timedelta(hours=2))
    for index, minutes in enumerate((4, 6, 8, 10, 12)):
        done = NOW - timedelta(minutes=10 + 15 * index)
        ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, f"P{index} Q"),
                                       subject="help", now=done - timedelta(minutes=minutes + 1)).created_id
        tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=done - timedelta(minutes=minutes))
        tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=done)
    first = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Minji Kim"),
                               subject="laptop", now=NOW - timedelta(minutes=12)).created_id
    second = tickets.log_ticket(session, actor_id=agent_id, requester_id=person(session, "Jae Park"),
                                subject="printer", now=NOW - timedelta(minutes=5)).created_id
    session.commit()
    return {"first": first, "second": second, "agent": agent_id}


@pytest.fixture
def display(qtbot, store) -> Iterator[QWidget]:  # noqa: ANN001
    """A counter display on the store with the real data_version watch (every second), so a change
    made through the test's own connection arrives as another Desk's would."""
    from desk.ui.counter.display import CounterDisplay
    from desk.ui.tasks import Tasks

    tasks = Tasks(store)
    widget = CounterDisplay(tasks, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    with qtbot.wait_signal(widget.board_shown, timeout=10000):
        widget.show()
    yield widget
    widget.close()
    # Nothing in flight when the test ends: a parentless Tasks freed by the worker thread that
    # held it last (a poll still running) would be deleted off its own thread.
    qtbot.waitUntil(lambda: tasks.pending == 0)
    tasks.shutdown()


def test_line_shows_positions_masked_names_waits_and_ranges(qtbot, desk, display) -> None:  # noqa: ANN001
    assert display.showing == "line"
    assert by_name(display, "Desk name", QLabel).text() == "Tech Help Desk"
    assert by_name(display, "Waiting count", QLabel).text() == "2 people waiting"
    assert [by_name(display, f"Position {n}", QLabel).text() for n in (1, 2)] == ["1", "2"]
    assert [by_name(display, f"Name {n}", QLabel).text() for n in (1, 2)] == ["Minji K.", "Jae P."]
    assert [by_name(display, f"Waited {n}", QLabel).text() for n in (1, 2)] == ["12 min", "5 min"]
    # 5 services of 4..12 min: 10th-90th percentile 4.8-11.2 min, ×1 and ×2, rounded outward
    assert [by_name(display, f"Estimate {n}", QLabel).text() for n in (1, 2)] == \
        ["about 4–12 min", "about 9–23 min"]
    assert not by_name(display, "Position 3", QLabel).isVisible()  # nobody there: nothing shown
    assert not by_name(display, "Now serving", QLabel).isVisible()


def test_a_claim_at_another_desk_shows_now_serving_with_a_chime(qtbot, session, desk, display) -> None:  # noqa: ANN001
    rung = []
    display.chime.rung.connect(lambda: rung.append(True))
    with qtbot.wait_signal(display.called, timeout=5000) as called:
        tickets.claim(session, ticket_id=desk["first"], agent_id=desk["agent"], now=NOW)  # another connection
    assert called.args == [desk["first"]] and rung == [True]
    assert by_name(display, "Now serving", QLabel).text() == "Now serving Minji K. — with Ana"
    assert by_name(display, "Name 1", QLabel).text() == "Jae P."  # the line moved up
    assert not by_name(display, "Position 2", QLabel).isVisible()


def test_closed_screen_outside_hours(qtbot, store, session) -> None:  # noqa: ANN001
    from desk.ui.counter.display import CounterDisplay
    from desk.ui.tasks import Tasks

    save_desk_settings(session, actor_id=None, values={"timezone": "Asia/Seoul", "phone": "02-880-1234"})
    evening = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 19:30 in Seoul
    tasks = Tasks(store, watch_interval_ms=0)
    widget = CounterDisplay(tasks, clock=lambda: evening)
    qtbot.addWidget(widget)
    try:
        with qtbot.wait_signal(widget.board_shown, timeout=10000):
            widget.show()
        assert widget.showing == "closed"
        assert by_name(widget, "Closed", QLabel).isVisible()
        assert "09:00–18:00" in by_name(widget, "Opening hours", QLabel).text()
        assert by_name(widget, "Phone", QLabel).text() == "Phone: 02-880-1234"
        assert by_name(widget, "Next opening", QLabel).text().startswith("We open again ")
    finally:
        widget.close()
        tasks.shutdown()


def serve_and_finish(qtbot, session, desk, display) -> int:  # noqa: ANN001
    """Ana claims Minji, then presses Done at her own Desk: the display asks Minji."""
    ticket_id = desk["first"]
    with qtbot.wait_signal(display.called, timeout=5000):
        tickets.claim(session, ticket_id=ticket_id, agent_id=desk["agent"], now=NOW)
    with qtbot.wait_signal(display.board_shown, timeout=5000):
        tickets.solve(session, ticket_id=ticket_id, actor_id=desk["agent"], now=NOW)
    qtbot.waitUntil(lambda: display.showing == "survey", timeout=5000)
    return ticket_id


def test_survey_from_done_to_a_stored_rating_credited_to_the_agent(qtbot, session, desk, display) -> None:  # noqa: ANN001
    ticket_id = serve_and_finish(qtbot, session, desk, display)
    assert by_name(display, "Survey question", QLabel).text() == "How did we do, Minji K.?"
    good, bad = by_name(display, "Good"), by_name(display, "Bad")
    assert not good.isChecked() and not bad.isChecked()  # nothing chosen for them
    assert not by_name(display, "Comment").isVisible()  # no comment box before a low score
    qtbot.mouseClick(bad, Qt.MouseButton.LeftButton)
    comment = by_name(display, "Comment")
    assert comment.isVisible()
    qtbot.mouseClick(comment, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(comment, "Had to come back twice")
    qtbot.mouseClick(by_name(display, "Send rating"), Qt.MouseButton.LeftButton)
    assert by_name(display, "Thank you", QLabel).isVisible()

    def stored() -> Ticket:
        session.rollback()  # end the test connection's read: see the display's write
        return session.get(Ticket, ticket_id)

    qtbot.waitUntil(lambda: stored().satisfaction is not None, timeout=5000)
    ticket = stored()
    assert (ticket.satisfaction, ticket.satisfaction_source, ticket.satisfaction_agent_id) == \
        ("bad", "person", desk["agent"])
    assert ticket.satisfaction_comment == "Had to come back twice" and ticket.satisfaction_at is not None
    assert not ticket.satisfaction_anonymous


def test_good_and_anonymous_in_two_touches(qtbot, session, desk, display) -> None:  # noqa: ANN001
    ticket_id = serve_and_finish(qtbot, session, desk, display)
    qtbot.mouseClick(by_name(display, "Anonymous"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(by_name(display, "Good"), Qt.MouseButton.LeftButton)

    def stored() -> Ticket:
        session.rollback()  # end the test connection's read: see the display's write
        return session.get(Ticket, ticket_id)

    qtbot.waitUntil(lambda: stored().satisfaction == "good", timeout=5000)
    assert stored().satisfaction_anonymous and stored().satisfaction_agent_id == desk["agent"]


def test_survey_times_out_quietly(qtbot, session, desk, display, monkeypatch) -> None:  # noqa: ANN001
    from desk.ui.counter import survey

    monkeypatch.setattr(survey, "TIMEOUT_MS", 50)
    ticket_id = serve_and_finish(qtbot, session, desk, display)
    qtbot.waitUntil(lambda: display.showing == "line", timeout=5000)
    session.rollback()
    assert session.get(Ticket, ticket_id).satisfaction is None


def test_view_menu_opens_the_counter_display(qtbot, main_window) -> None:  # noqa: ANN001
    from desk.ui.counter.display import CounterDisplay

    [action] = [a for a in main_window.menu("View").actions() if a.text().replace("&", "") == "Counter display"]
    action.trigger()
    [shown] = [w for w in main_window.findChildren(CounterDisplay) if w.isVisible()]
    qtbot.waitUntil(shown.isFullScreen)  # the platform applies the state from its event queue
    assert shown.accessibleName() == "Counter display"
    qtbot.keyClick(shown, Qt.Key.Key_Escape)
    assert not shown.isVisible()


def test_desk_counter_command_opens_the_display_full_screen_on_its_own(qtbot, store, desk) -> None:  # noqa: ANN001
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desk.cli.main import main
    from desk.ui.counter.display import CounterDisplay

    seen: list[tuple[bool, str]] = []

    def look() -> None:  # once the display shows its board: note what it shows, then close it
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, CounterDisplay) and w.isVisible()]
        if shown and shown[0].board is not None and shown[0].isFullScreen():
            seen.append((True, by_name(shown[0], "Waiting count", QLabel).text()))
            shown[0].close()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    assert main(["counter", "--db", str(store.path), "--screen", "0"]) == 0
    assert seen == [(True, "2 people waiting")]


def test_without_qt_multimedia_the_chime_is_played_by_the_desktops_player(qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """PySide6-Essentials has no Qt Multimedia: the WAV goes to the first player on PATH."""
    import os
    import sys

    from desk.ui.counter import chime as chime_module

    played = tmp_path / "played.txt"
    for name in chime_module.SOUND_PLAYERS:  # whichever the machine has, ours comes first on PATH
        player = tmp_path / name
        player.write_text(f"#!{sys.executable}\nimport sys\nopen({str(played)!r}, 'w').write(sys.argv[1])\n")
        player.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # as on an Essentials install
    chime = chime_module.Chime()
    assert chime.plays_sound_file
    rung: list[bool] = []
    chime.rung.connect(lambda: rung.append(True))
    chime.ring()
    assert rung == [True]
    qtbot.waitUntil(lambda: played.exists() and played.read_text() == str(chime_module.CHIME), timeout=10_000)
