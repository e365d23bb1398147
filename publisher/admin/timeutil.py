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


# Time zones as people in China name them; any other zone is shown by its code.
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Harbin": "北京时间",
              "PRC": "北京时间", "Asia/Urumqi": "新疆时间", "Asia/Kashgar": "新疆时间",
              "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间"}
COMMON_ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei")


def zone_label(name: str | None, at: datetime | None = None) -> str:
    """``Asia/Shanghai`` as 北京时间（UTC+8）: a name staff know and the offset that matters."""
    tz = zone(name)
    offset = (at or datetime.now(UTC)).astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    utc = f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return f"{ZONE_NAMES.get(tz.key, tz.key)}（{utc}）"


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
