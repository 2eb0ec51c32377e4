"""The desk's settings (issue 11): typed, validated, audited; holidays; and a changed time zone
moving the stats days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from desk.core import desk_settings as ds
from desk.core import errors
from desk.core.changes import Changes
from desk.core.models import AuditEvent, Setting
from desk.core.ops import people, tickets
from desk.core.settings import desk_timezone, local_zone_name
from desk.core.stats import StatsFilter, compute_stats


def setting_events(session) -> list[tuple[str | None, str | None, str | None]]:  # noqa: ANN001
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "set-setting").order_by(AuditEvent.id))
    return [(e.field, e.old, e.new) for e in rows]


def test_defaults_before_anything_is_set(session):
    settings = ds.load_desk_settings(session)
    assert settings.timezone == local_zone_name()  # the system's zone until the desk picks one
    assert settings.language == "" and settings.holidays_country == "" and settings.closed_days == ()
    nine_to_six = ((time(9), time(18)),)
    assert settings.opening_hours == (nine_to_six,) * 5 + ((), ())


def test_saving_validates_and_audits_each_changed_key(session, agent_id):
    changes = ds.save_desk_settings(session, actor_id=agent_id, values={
        "desk_name": "  Media   Desk ", "timezone": "Asia/Seoul", "holidays_country": "kr",
        "opening_hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "14:00"]]},
        "closed_days": ["2026-12-31", "2026-12-24", "2026-12-24"], "phone": "+82 2-123-4567 ext 5"})
    assert changes == Changes(settings=True)
    loaded = ds.load_desk_settings(session)
    assert (loaded.desk_name, loaded.timezone, loaded.holidays_country) == ("Media Desk", "Asia/Seoul", "KR")
    assert loaded.opening_hours[0] == ((time(9), time(12)), (time(13), time(18)))
    assert loaded.opening_hours[1] == () and loaded.opening_hours[5] == ((time(10), time(14)),)
    assert loaded.closed_days == (date(2026, 12, 24), date(2026, 12, 31))
    assert desk_timezone(session).key == "Asia/Seoul"  # the key the stats read
    fields = [field for field, _old, _new in setting_events(session)]
    assert sorted(fields) == sorted(["desk_name", "timezone", "holidays_country", "opening_hours",
                                     "closed_days", "phone"])  # language untouched: no row
    assert {e.actor_id for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "set-setting"))} == {agent_id}

    # The same values again: nothing changes, nothing is audited.
    assert ds.save_desk_settings(session, actor_id=agent_id, values=loaded) == Changes(settings=True)  # language now pinned
    count = len(setting_events(session))
    assert ds.save_desk_settings(session, actor_id=agent_id, values=loaded) == Changes()
    assert len(setting_events(session)) == count
    ds.save_desk_settings(session, actor_id=None, values={"timezone": "Europe/Berlin"})
    assert setting_events(session)[-1] == ("timezone", "Asia/Seoul", "Europe/Berlin")


@pytest.mark.parametrize(("values", "message"), [
    ({"timezone": "Mars/Olympus"}, "not a known time zone"),
    ({"timezone": ""}, "not a known time zone"),
    ({"language": "fr"}, "en, ko"),
    ({"holidays_country": "XX"}, "not a country"),
    ({"holidays_country": "US", "holidays_subdivision": "ZZ"}, "not a subdivision of US"),
    ({"holidays_subdivision": "CA"}, "country before"),
    ({"opening_hours": [[]] * 6}, "seven days"),
    ({"opening_hours": {"mon": [["18:00", "09:00"]]}}, "closes (09:00) before it opens (18:00)"),
    ({"opening_hours": {"tue": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "overlap"),
    ({"opening_hours": {"wed": [["9am", "5pm"]]}}, "not a time of day"),
    ({"opening_hours": {"funday": []}}, "unknown weekday"),
    ({"closed_days": ["2026-02-30"]}, "not a date"),
    ({"phone": "call me maybe"}, "not a phone number"),
    ({"colour": "blue"}, "Unknown desk setting"),
])
def test_bad_values_are_refused_with_a_clear_message(session, values, message):
    with pytest.raises(errors.InvalidInput, match=re.escape(message)):
        ds.save_desk_settings(session, actor_id=None, values=values)
    assert session.scalars(select(Setting)).all() == [] and setting_events(session) == []


def test_public_holidays_of_the_country_and_the_desks_own_closed_days(session):
    ds.save_desk_settings(session, actor_id=None, values={"holidays_country": "KR", "language": "ko",
                                                         "closed_days": ["2026-12-24", "2025-12-24"]})
    days = ds.public_holidays(ds.load_desk_settings(session), [2026])
    assert days[date(2026, 10, 3)] == "개천절"  # National Foundation Day, in the desk's language
    assert days[date(2026, 12, 24)] == "Desk closed" and date(2025, 12, 24) not in days
    assert list(days) == sorted(days)
    us = ds.DeskSettings(holidays_country="US", holidays_subdivision="CA", language="en")
    american = ds.public_holidays(us, [2026, 2027])
    assert american[date(2026, 7, 4)] == "Independence Day" and date(2027, 7, 4) in american
    assert ds.public_holidays(ds.DeskSettings(), [2026]) == {}


def test_needs_setup_until_an_active_agent_exists(session):
    assert ds.needs_setup(session)
    people.ensure_requester(session, email="walk@in.test")  # a requester cannot sign in
    assert ds.needs_setup(session)
    people.add_agent(session, name="Ana", email="ana@desk.test")
    assert not ds.needs_setup(session)


def test_hours_text_as_the_cli_takes_it():
    week = ds.parse_hours("mon-fri 09:00-18:00; sat 10:00-12:00,13:00-14:00")
    assert week[4] == ((time(9), time(18)),) and week[6] == ()
    assert ds.format_hours(week).startswith("mon 09:00-18:00; tue 09:00-18:00")
    assert ds.format_hours(week).endswith("sat 10:00-12:00 13:00-14:00; sun closed")
    for bad, message in (("fri-mon 09:00-18:00", "backwards"), ("someday 09:00-10:00", "not a weekday"),
                         ("mon 0900", "HH:MM-HH:MM")):
        with pytest.raises(errors.InvalidInput, match=message):
            ds.parse_hours(bad)


minutes = st.integers(min_value=0, max_value=23 * 60 + 59)


@st.composite
def day_periods(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    edges = sorted(draw(st.sets(minutes, max_size=6)))
    pairs = list(zip(edges[0::2], edges[1::2], strict=False))
    return tuple((time(a // 60, a % 60), time(b // 60, b % 60)) for a, b in pairs)


@given(st.lists(day_periods(), min_size=7, max_size=7))
def test_hours_round_trip_through_text(week):
    assert ds.parse_hours(ds.format_hours(week)) == tuple(week)


# --- the time zone moves the stats days (docs/metrics.md: days are the desk's local dates) ----

# Around New York's switch to daylight saving time on Sunday 2026-03-08 (02:00 EST -> 03:00 EDT).
ARRIVALS_UTC = [
    datetime(2026, 3, 7, 16, 0, tzinfo=UTC),  # NY Sat 11:00; Seoul Sun 01:00
    datetime(2026, 3, 8, 3, 30, tzinfo=UTC),  # NY Sat 22:30 EST; Seoul Sun 12:30
    datetime(2026, 3, 8, 4, 30, tzinfo=UTC),  # NY Sat 23:30 EST
    datetime(2026, 3, 9, 4, 30, tzinfo=UTC),  # NY Mon 00:30 EDT (a fixed EST offset would say Sun 23:30)
]
PERIOD = StatsFilter(start=date(2026, 3, 6), end=date(2026, 3, 10))


@pytest.mark.parametrize(("zone", "per_day"), [
    ("UTC", [0, 1, 2, 1, 0]),
    ("America/New_York", [0, 3, 0, 1, 0]),
    ("Asia/Seoul", [0, 0, 3, 1, 0]),
])
def test_changing_the_time_zone_moves_tickets_near_midnight_to_their_local_day(session, requester_id, zone,
                                                                               per_day):
    for arrived in ARRIVALS_UTC:
        tickets.log_ticket(session, actor_id=None, requester_id=requester_id, subject="Near midnight",
                           arrived_at=arrived, now=arrived)
    ds.save_desk_settings(session, actor_id=None, values={"timezone": "Pacific/Auckland"})
    compute_stats(session, PERIOD)  # day summaries built (and cached) under another zone first
    ds.save_desk_settings(session, actor_id=None, values={"timezone": zone})
    report = compute_stats(session, PERIOD)
    assert report.timezone == zone
    assert report.days == [date(2026, 3, day) for day in range(6, 11)]
    assert report.daily["created"].tolist() == per_day


def test_a_hand_edited_bad_value_falls_back_to_its_default_on_load(session):
    from desk.core.settings import set_setting

    set_setting(session, key="timezone", value="Not/AZone")
    set_setting(session, key="opening_hours", value="[[\"broken\"]]")
    set_setting(session, key="desk_name", value="Kept Desk")
    loaded = ds.load_desk_settings(session)
    assert (loaded.timezone, loaded.opening_hours, loaded.desk_name) == (local_zone_name(), ds.DEFAULT_HOURS, "Kept Desk")
    ds.save_desk_settings(session, actor_id=None, values={"phone": "123"})  # other keys still save
    assert ds.load_desk_settings(session).phone == "123"
