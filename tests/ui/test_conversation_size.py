"""Very large conversations stay responsive (issue 18): what the conversation renders at once is
capped, whatever the size of the replies, and the rest comes by "Show the rest". Responsiveness is
checked by counting frames (a 16 ms timer's callbacks and the viewport's paints) while the ticket
opens, never by timing; the milliseconds are measured by ``make bench`` (bench_editor ``large``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer, QUrl
from sqlalchemy import text

from desk.core.ops import comments, tickets
from desk.ui.editor import conversation
from desk.ui.editor.editor import TicketEditor

UNBROKEN = 300_000
MB = 1024 * 1024


def add_reply(session, ticket_id: int, agent_id: int, body: str) -> None:  # noqa: ANN001
    comments.add_comment(session, ticket_id=ticket_id, author_id=agent_id, body=body, public=True)


@pytest.fixture
def big_tickets(session, agent_id, requester_id) -> tuple[int, int]:  # noqa: ANN001
    """#1: one reply of 300,000 characters without a break; #2: a 10 MB conversation."""
    unbroken = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                  subject="Log file pasted").created_id
    add_reply(session, unbroken, agent_id, "x" * UNBROKEN)
    add_reply(session, unbroken, agent_id, "Last words")
    huge = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                              subject="Mail loop", description="loop " * 200_000).created_id
    for number in range(9):
        add_reply(session, huge, agent_id, f"Bounce {number}: " + ("bounced mail header " * 55_000))
    session.commit()
    size = session.execute(text("SELECT sum(length(body)) FROM comments WHERE ticket_id = :t"), {"t": huge}).scalar()
    assert size + 1_000_000 >= 10 * MB
    return unbroken, huge


class Frames(QObject):
    """Counts a 16 ms timer's callbacks (the event loop turning) and the viewport's paints."""

    def __init__(self, viewport: QObject) -> None:
        super().__init__()
        self.ticks = self.paints = 0
        self.timer = QTimer(self)
        self.timer.setInterval(16)
        self.timer.timeout.connect(self._tick)
        viewport.installEventFilter(self)

    def _tick(self) -> None:
        self.ticks += 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def open_editor(qtbot, tasks, ticket_id: int, agent_id: int) -> tuple[TicketEditor, Frames]:  # noqa: ANN001
    editor = TicketEditor(tasks, ticket_id, lambda: agent_id)
    qtbot.addWidget(editor)
    frames = Frames(editor.conversation.viewport())
    frames.timer.start()
    editor.resize(1280, 800)
    editor.show()
    qtbot.waitUntil(lambda: editor.view is not None and tasks.pending == 0, timeout=30_000)
    qtbot.waitUntil(lambda: frames.paints > 0 and frames.ticks > 2)
    return editor, frames


def rendered(editor: TicketEditor) -> int:
    return editor.conversation.document().characterCount()


def test_a_300000_character_unbroken_reply_is_capped_and_the_rest_comes_on_request(qtbot, tasks, big_tickets,
                                                                                    agent_id):
    editor, frames = open_editor(qtbot, tasks, big_tickets[0], agent_id)
    assert frames.ticks > 2 and frames.paints > 0  # the window kept turning while the ticket came
    first = rendered(editor)
    assert first < conversation.TOTAL_CHARS + 10_000
    plain = editor.conversation.toPlainText()
    step = conversation.BODY_CHARS
    assert f"Show the rest ({UNBROKEN - step:,} more characters)" in plain and "Last words" in plain
    editor.conversation.anchorClicked.emit(QUrl(f"{conversation.MORE}:message/1"))
    assert f"Show the rest ({UNBROKEN - 2 * step:,} more characters)" in editor.conversation.toPlainText()
    assert rendered(editor) > first + conversation.BODY_CHARS - 100


def test_a_10_mb_conversation_renders_a_bounded_part_and_shows_more_on_request(qtbot, tasks, big_tickets, agent_id):
    editor, frames = open_editor(qtbot, tasks, big_tickets[1], agent_id)
    assert frames.ticks > 2 and frames.paints > 0
    assert rendered(editor) < conversation.TOTAL_CHARS + 10_000  # of more than 10,000,000
    plain = editor.conversation.toPlainText()
    assert "Show the rest (" in plain and "more messages)" in plain
    before = rendered(editor)
    editor.conversation.anchorClicked.emit(QUrl(f"{conversation.MORE}:messages"))
    assert rendered(editor) > before + conversation.BODY_CHARS
    assert rendered(editor) < 2 * conversation.TOTAL_CHARS + 20_000


def test_long_runs_get_break_opportunities_but_links_stay_whole():
    url = "https://example.test/" + "a" * 200
    out = conversation.body_html(f'<p><a href="{url}">{"b" * 200}</a></p>')
    assert f'href="{url}"' in out and "\u200b" in out.split(">", 2)[2]
    assert "\u200b" not in conversation.body_html("short words only " * 100)


def test_a_small_conversation_is_shown_whole():
    from desk.ui.editor.conversation import Limits, _capped_body

    body, used = _capped_body(1, "Fixed the projector.", Limits(), conversation.TOTAL_CHARS)
    assert "Show the rest" not in body and used == len("Fixed the projector.")
