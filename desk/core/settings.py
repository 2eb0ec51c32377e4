"""Store-wide settings kept in the ``settings`` table (never secrets)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.core import errors
from desk.core.changes import Changes
from desk.core.db import unit_of_work
from desk.core.i18n import _
from desk.core.models import Setting

TIMEZONE_KEY = "timezone"


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def set_setting(session: Session, *, key: str, value: str) -> Changes:
    with unit_of_work(session):
        session.merge(Setting(key=key, value=value))
    return Changes(settings=True)


def local_zone_name() -> str:
    """The machine's IANA zone name, or UTC when it cannot be told."""
    try:
        from pathlib import Path

        link = Path("/etc/localtime").resolve()
        if "zoneinfo" in link.parts:
            name = "/".join(link.parts[link.parts.index("zoneinfo") + 1 :])
            ZoneInfo(name)
            return name
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    return "UTC"


def desk_timezone(session: Session) -> ZoneInfo:
    """The desk's time zone (business hours and charts use it); defaults to the machine's."""
    name = get_setting(session, TIMEZONE_KEY) or local_zone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise errors.InvalidInput(_('The desk time zone {name!r} is not a known zone.').format(name=name)) from exc


def start_of_local_day(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(0), zone).astimezone(UTC)
