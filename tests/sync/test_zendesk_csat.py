"""Zendesk's newer CSAT (survey responses): the good/bad mapping, the pull, malformed answers,
a newer answer over an older legacy rating, a person's rating over an agent-reported one, and a
legacy account whose no-op sync never asks for survey responses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from desk.core.models import SyncStatus, Ticket
from desk.core.ops import tickets as ticket_ops
from desk.core.sync import config
from desk.core.sync.merge import rating_side
from desk.core.sync.remotes import zendesk_csat
from desk.core.sync.remotes.zendesk_csat import GOOD_RATINGS, response_problem, score
from tests.sync.conftest import sync_zendesk
from tests.sync.fake_zendesk import FakeZendesk

SURVEYS = "GET /api/v2/guide/survey_responses"

# --- the mapping ----------------------------------------------------------------------------


def test_the_mapping_table() -> None:
    """docs/metrics.md, "CSAT": Zendesk's rating_category decides; without it the scale does."""
    assert [score(rating=n, scale=5) for n in range(1, 6)] == ["bad", "bad", "bad", "good", "good"]
    assert [score(rating=n, scale=3) for n in range(1, 4)] == ["bad", "bad", "good"]
    assert [score(rating=n, scale=2) for n in range(1, 3)] == ["bad", "good"]
    assert score(rating=3, category="neutral", scale=5) == "bad"  # a rating that is not good
    assert score(rating=3, category="good", scale=5) == "good"  # Zendesk's own word wins
    assert score(rating=6, scale=5) is None and score(rating=0, scale=5) is None
    assert score(rating=7, scale=10) is None  # a scale Zendesk's CSAT does not offer: not guessed


@given(scale=st.sampled_from(sorted(GOOD_RATINGS)), data=st.data())
def test_a_rating_on_a_known_scale_is_good_only_at_its_top(scale: int, data: st.DataObject) -> None:
    rating = data.draw(st.integers(min_value=1, max_value=scale))
    expected = "good" if rating >= {2: 2, 3: 3, 5: 4}[scale] else "bad"
    assert score(rating=rating, scale=scale) == expected


@given(rating=st.integers(min_value=-5, max_value=20), category=st.sampled_from(["good", "neutral", "bad"]),
       scale=st.one_of(st.none(), st.integers(min_value=0, max_value=12)))
def test_zendesks_category_always_decides(rating: int, category: str, scale: int | None) -> None:
    assert score(rating=rating, category=category, scale=scale) == ("good" if category == "good" else "bad")


@given(rating=st.integers(min_value=-5, max_value=20), scale=st.one_of(st.none(), st.integers(0, 12)))
def test_without_a_category_only_known_scales_in_range_map(rating: int, scale: int | None) -> None:
    result = score(rating=rating, scale=scale)
    assert (result is None) == (scale not in GOOD_RATINGS or not 1 <= rating <= scale)


@pytest.mark.parametrize(("raw", "why"), [
    ("nope", "not an object"),
    ({"answers": []}, "id is missing"),
    ({"id": "01J", "answers": "five"}, "answers are not a list"),
    ({"id": "01J", "answers": [], "subject_zrns": ["zen:conversation:abc"]}, "names no ticket"),
    ({"id": "01J", "subject_zrns": ["zen:ticket:9"], "answers": [{"type": "rating_scale", "rating": "5"}]},
     "not a whole number"),
    ({"id": "01J", "subject_zrns": ["zen:ticket:9"],
      "answers": [{"type": "rating_scale", "rating": 4, "rating_category": "great"}]}, "rating category"),
    ({"id": "01J", "subject_zrns": ["zen:ticket:9"],
      "answers": [{"type": "rating_scale", "rating": 8, "question": {"options": [{"rating": 10}]}}]}, "scale"),
    ({"id": "01J", "subject_zrns": ["zen:ticket:9"],
      "answers": [{"type": "rating_scale", "rating": 4, "rating_category": "good", "created_at": "yesterday"}]},
     "not a date"),
])
def test_a_malformed_response_says_why(raw: Any, why: str) -> None:
    problem = response_problem(raw)
    assert problem is not None and why in problem


def test_a_persons_rating_stands_over_an_agents_and_the_newer_of_two() -> None:
    agent = {"satisfaction": "bad", "satisfaction_source": "agent", "satisfaction_at": "2027-01-15T08:00:00Z"}
    person = {"satisfaction": "good", "satisfaction_source": "person", "satisfaction_at": "2027-01-14T08:00:00Z"}
    unrated = {"satisfaction": None, "satisfaction_source": None}
    assert rating_side(local=agent, remote=person) == "remote"
    assert rating_side(local=person, remote=agent) == "local"
    assert rating_side(local=person, remote=unrated) == "local"  # never withdrawn by the remote
    later = {**person, "satisfaction": "bad", "satisfaction_at": "2027-01-16T08:00:00Z"}
    assert rating_side(local=person, remote=later) == "remote"
    assert rating_side(local=agent, remote={"satisfaction": "good"}) is None  # cannot say who rated


# --- against the fake ---------------------------------------------------------------------


@pytest.fixture
def zd(session: Any, zendesk: FakeZendesk) -> FakeZendesk:
    """An account on the updated CSAT: someone already answered a survey on the web."""
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    earlier = zendesk.create_ticket({"subject": "Answered before Desk", "comment": {"body": "hi"},
                                     "requester": {"email": "early@uni.test", "name": "Early Bird"}})
    zendesk.survey_response(earlier["id"], 5, category="good")
    return zendesk


@pytest.fixture
def legacy(session: Any, zendesk: FakeZendesk) -> FakeZendesk:
    """An account on the legacy CSAT: the survey responses endpoint answers an empty list."""
    config.add_remote(session, name="zd", kind="zendesk", url=zendesk.url, username=zendesk.state.email)
    return zendesk


def _synced_ticket(session: Any, zd: FakeZendesk, agent_id: int, requester_id: int, subject: str) -> tuple[int, int]:
    tid = ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject=subject).created_id
    sync_zendesk(session, zd)
    session.rollback()
    remote = session.scalar(select(SyncStatus.remote_ticket_id).where(SyncStatus.ticket_id == tid))
    return tid, int(remote)


def _rating(session: Any, tid: int) -> tuple[Any, ...]:
    session.rollback()
    t = session.get(Ticket, tid)
    return t.satisfaction, t.satisfaction_comment, t.satisfaction_source


def test_survey_responses_come_down_as_the_persons_rating(session: Any, zd: FakeZendesk, agent_id: int,
                                                          requester_id: int) -> None:
    tid, rid = _synced_ticket(session, zd, agent_id, requester_id, "Rated in a survey")
    other, other_rid = _synced_ticket(session, zd, agent_id, requester_id, "Rated 3 of 5")
    zd.survey_response(rid, 5, category="good", comment="Quick and friendly")
    zd.survey_response(other_rid, 3, category="neutral")
    zd.state.requests.clear()
    report = sync_zendesk(session, zd)
    assert report.skipped == [], report.skipped
    assert _rating(session, tid) == ("good", "Quick and friendly", "person")
    assert _rating(session, other) == ("bad", None, "person")
    assert session.get(Ticket, tid).satisfaction_at is not None
    assert zd.state.requests.count(SURVEYS) >= 1
    # Nothing new: the survey is read once more, no ticket is applied again.
    zd.state.requests.clear()
    quiet = sync_zendesk(session, zd)
    assert quiet.updated_local == 0 and zd.state.requests.count(SURVEYS) == 1


def test_a_response_before_the_exports_minute_is_applied_at_once(session: Any, zd: FakeZendesk, agent_id: int,
                                                                 requester_id: int) -> None:
    """The export holds back the newest minute; the rated ticket is read by id instead."""
    from desk.core.sync import engine
    from desk.core.sync.credentials import Secret
    from desk.core.sync.remotes.zendesk import ZendeskRemote
    from tests.sync.conftest import Waits

    tid, rid = _synced_ticket(session, zd, agent_id, requester_id, "Rated just now")
    zd.survey_response(rid, 2, scale=2)  # no category: the 2-point scale's top is good
    remote = ZendeskRemote(url=zd.url, username=zd.state.email, auth="token", secret=Secret(token=zd.state.token),
                           sleep=Waits())
    try:
        engine.sync(session, "zd", remote=remote)  # no advance: the export does not show it yet
    finally:
        remote.close()
    assert _rating(session, tid) == ("good", None, "person")


def test_a_newer_response_wins_over_an_older_legacy_rating(session: Any, zd: FakeZendesk, agent_id: int,
                                                           requester_id: int) -> None:
    tid, rid = _synced_ticket(session, zd, agent_id, requester_id, "Switched CSAT")
    zd.rate(rid, "bad", comment="Slow")
    sync_zendesk(session, zd)
    assert _rating(session, tid) == ("bad", "Slow", "person")
    zd.advance(3600)
    zd.survey_response(rid, 4, comment="Better now")
    sync_zendesk(session, zd)
    assert _rating(session, tid) == ("good", "Better now", "person")
    again = sync_zendesk(session, zd)  # the older legacy rating on the ticket does not come back
    assert _rating(session, tid) == ("good", "Better now", "person") and again.conflicts == 0


def test_an_agent_reported_rating_gives_way_to_the_persons(session: Any, zd: FakeZendesk, agent_id: int,
                                                           requester_id: int) -> None:
    tid, rid = _synced_ticket(session, zd, agent_id, requester_id, "Told the agent")
    session.rollback()
    ticket = session.get(Ticket, tid)
    ticket_ops.update_ticket(session, ticket_id=tid, actor_id=agent_id, expected_version=ticket.version,
                             fields={"satisfaction": "bad"})
    assert _rating(session, tid) == ("bad", None, "agent")
    zd.survey_response(rid, 5, category="good", comment="All good")
    report = sync_zendesk(session, zd)
    assert report.conflicts == 0
    assert _rating(session, tid) == ("good", "All good", "person")
    sync_zendesk(session, zd)
    assert _rating(session, tid) == ("good", "All good", "person")


def test_a_malformed_response_is_skipped_with_its_reason(session: Any, zd: FakeZendesk, agent_id: int,
                                                         requester_id: int) -> None:
    tid, rid = _synced_ticket(session, zd, agent_id, requester_id, "Half broken")
    good, good_rid = _synced_ticket(session, zd, agent_id, requester_id, "Fine")
    zd.survey_response(rid, 4, shape={"answers": [{"type": "rating_scale", "rating": "four"}]})
    zd.survey_response(good_rid, 1, category="bad", comment="No")
    report = sync_zendesk(session, zd)
    assert any("survey response" in line and "not a whole number" in line for line in report.skipped), report.skipped
    assert _rating(session, tid) == (None, None, None)
    assert _rating(session, good) == ("bad", "No", "person")


def test_a_legacy_account_is_asked_once_then_left_alone(session: Any, legacy: FakeZendesk, agent_id: int,
                                                        requester_id: int) -> None:
    ticket_ops.log_ticket(session, actor_id=agent_id, requester_id=requester_id, subject="Legacy CSAT")
    sync_zendesk(session, legacy)
    assert legacy.state.requests.count(SURVEYS) == 1  # the one cheap check: no responses there
    sync_zendesk(session, legacy)  # brings back the create's own first comment
    legacy.state.requests.clear()
    quiet = sync_zendesk(session, legacy)
    assert quiet.pulled == 0 and quiet.updated_local == 0
    assert SURVEYS not in legacy.state.requests, legacy.state.requests
    # What a no-op Zendesk sync made before survey responses: the export, the tickets updated
    # last (past the export's minute; they replaced the live line's show_many), macros.
    assert legacy.state.requests == ["GET /api/v2/incremental/tickets/cursor", "GET /api/v2/tickets",
                                     "GET /api/v2/macros/active"]
    assert quiet.requests == 3


def test_a_legacy_account_is_asked_again_an_hour_later(session: Any, legacy: FakeZendesk, agent_id: int,
                                                       requester_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import time as real_time

    tid, rid = _synced_ticket(session, legacy, agent_id, requester_id, "Switched later")
    legacy.survey_response(rid, 5, category="good")  # the account turned the updated CSAT on
    sync_zendesk(session, legacy)
    assert _rating(session, tid) == (None, None, None)  # still taken as legacy for now
    later = real_time.time() + zendesk_csat.RECHECK + 60
    monkeypatch.setattr(zendesk_csat.time, "time", lambda: later)
    sync_zendesk(session, legacy)
    assert _rating(session, tid) == ("good", None, "person")


def test_an_answer_changed_while_editable_is_read_again(session: Any, zd: FakeZendesk, agent_id: int,
                                                        requester_id: int) -> None:
    tid, rid = _synced_ticket(session, zd, agent_id, requester_id, "Changed their mind")
    response_id = zd.survey_response(rid, 5, category="good", editable_for=3600)
    sync_zendesk(session, zd)
    assert _rating(session, tid) == ("good", None, "person")
    with zd.lock:  # the person opens the link again within the hour and answers 2 of 5
        response = next(r for r in zd.state.survey_responses if r["id"] == response_id)
        answer = response["answers"][0]
        answer.update(rating=2, rating_category="bad", updated_at="2027-01-15T09:00:00.000Z")
        response["answers"][1] = {**response["answers"][1], "type": "open_ended", "value": "Not fixed after all"}
    zd.advance(120)
    sync_zendesk(session, zd)
    assert _rating(session, tid) == ("bad", "Not fixed after all", "person")
