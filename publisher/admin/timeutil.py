"""Township-local time at the edges of the admin: forms take local times, the DB keeps UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.config import DEFAULT_TIMEZONE


def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; an unknown or empty name falls back to China time."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_to_utc(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A wall-clock time typed in a form (naive, township time) as an aware UTC instant."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware instant as a naive wall-clock time in ``tz`` (what a form field shows)."""
    if value is None:
        return None
    if value.tzinfo is None:  # treat naive values as UTC, as the DB columns do
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).replace(tzinfo=None)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local ``day`` starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_now(now: datetime, tz: ZoneInfo) -> datetime:
    """``now`` (aware) in the township's zone."""
    return now.astimezone(tz)
