"""The Stats panel's CSAT is people's own ratings: the tile says how many and the response rate,
and the low-rating comments are listed (anonymous ones without name or ticket)."""

from __future__ import annotations

from datetime import timedelta

from desk.core.models import Ticket, utcnow
from desk.core.ops import people, survey, tickets
from tests.ui.conftest import shown_stats_panel


def test_csat_tile_and_low_rating_comments(qtbot, store, session, agent_id: int) -> None:  # noqa: ANN001
    now = utcnow() - timedelta(hours=1)
    made = []
    for index in range(4):
        requester = people.ensure_requester(session, email=f"p{index}@uni.test", name=f"Person {index}").created_id
        ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester, subject="x",
                                       now=now + timedelta(minutes=index)).created_id
        tickets.claim(session, ticket_id=ticket_id, agent_id=agent_id, now=now + timedelta(minutes=index + 1))
        tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=now + timedelta(minutes=index + 5))
        made.append(ticket_id)
    survey.record_rating(session, ticket_id=made[0], rating="good")
    survey.record_rating(session, ticket_id=made[1], rating="bad", comment="Nobody told me it takes a week")
    version = session.get(Ticket, made[2]).version  # the agent says "good": agent-reported, not CSAT
    tickets.update_ticket(session, ticket_id=made[2], actor_id=agent_id, expected_version=version,
                          fields={"satisfaction": "good"})
    with shown_stats_panel(qtbot, store) as panel:
        qtbot.waitUntil(lambda: panel.ratings is not None, timeout=10000)
        tile = panel.tiles["CSAT"].text()
        assert "50.0%" in tile and "2 people's ratings" in tile and "50.0% responded" in tile, tile
        assert "agent-reported ratings (1)" in panel.tiles["CSAT"].toolTip()
        table = panel.ratings_box.view
        assert table.rowCount() == 1
        assert [table.item(0, c).text() for c in (2, 3, 4)] == ["Person 1", "Ana Student",
                                                                 "Nobody told me it takes a week"]
        assert {t.name for t in panel.tables()} >= {"People's ratings", "Low-rating comments"}
