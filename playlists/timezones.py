"""The one time-zone helper: names to zones, UTC to township time and back.

The database and every computation keep UTC; a township's (or channel's) zone is applied at
the edges: a form's typed time, a page's clock, a calendar day. ``zone`` is the only place
that turns a stored name into a :class:`~zoneinfo.ZoneInfo`, so every part of the system
falls back the same way: an empty name means :data:`DEFAULT_TIMEZONE` (China keeps one
zone), and an unknown one (a typo that reached the database, a zone the system's tzdata
lacks) also gives the default, with a warning in the log, instead of a server error on every
page that shows the time. Forms check a name with :func:`is_zone` before saving it.

It lives in playlists, the lowest layer that both the playout core and the publisher import
(see playlists.clock for the same choice).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this system knows (``Asia/Urumqi``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)  # one warning per bad name, not one per page drawn
def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; empty gives the default, an unknown name the default too,
    with a warning logged."""
    if not name:
        return ZoneInfo(DEFAULT_TIMEZONE)
    if is_zone(name):
        return ZoneInfo(name)
    log.warning("unknown time zone %r: using %s", name, DEFAULT_TIMEZONE)
    return ZoneInfo(DEFAULT_TIMEZONE)


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware instant in ``tz`` (aware); a naive one is taken as UTC, as the DB columns are."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day in ``tz`` at ``moment``: "today" is ``local_date(now, tz)``."""
    return to_local(moment, tz).date()


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
    return to_local(value, tz).replace(tzinfo=None)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant (aware, in ``tz``) where the local ``day`` starts."""
    return datetime.combine(day, time(0), tzinfo=tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local ``day`` starts and the next one starts."""
    return (local_midnight(day, tz).astimezone(UTC),
            local_midnight(day + timedelta(days=1), tz).astimezone(UTC))
