"""The channel list, the programme guide and the as-run log, as the public sees them.

The guide is what aired (the as-run log) followed by what playout has materialised to air next
(its lineup file, :mod:`playlists.lineup`); the web never simulates the timeline itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from flask import current_app, g
from sqlalchemy import func, select

from playlists.asrun import AsRunRow, asrun_csv
from playlists.lineup import Entry, Lineup, LineupError, guide_entries, lineup_path, load_lineup
from playlists.m3u import build_m3u
from playlists.plan import PlanError, load_plan
from playlists.timezones import zone as named_zone
from playlists.xmltv import ChannelInfo, Programme, build_epg, programmes_from_slots
from publisher.extensions import db
from publisher.models import AsRunEntry, Channel, utcnow

log = logging.getLogger(__name__)
# The rotation changes category every few seconds; the guide lists half-hour blocks.
GUIDE_BLOCK_MINUTES = 30
GUIDE_PAST = timedelta(hours=1)  # how much of the as-run log the guide repeats


def _enabled() -> list[Channel]:
    return list(db.session.scalars(select(Channel).where(Channel.enabled).order_by(Channel.id)))


def _info(channel: Channel, base_url: str) -> ChannelInfo:
    icon = f"{base_url}/channel/{channel.slug}/logo.png"  # the uploaded logo, else the default
    return ChannelInfo(slug=channel.slug, name=channel.name, icon_url=icon,
                       group=channel.group or channel.township.name)


def m3u(base_url: str) -> str:
    return build_m3u([_info(c, base_url) for c in _enabled()], base_url, f"{base_url}/epg.xml")


# Lineups read, by file: a day's lineup is ~1 MB of JSON (~0.1 s to read), rewritten when
# playout departs from it or extends it; every guide and item page in between reuses it.
_READ: dict[Path, tuple[tuple[int, int], Lineup]] = {}


def lineup(slug: str) -> Lineup | None:
    """The channel's materialised lineup as its playout last wrote it, if any."""
    path = lineup_path(Path(current_app.config["STATUS_DIR"]), slug)
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _READ.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        found = load_lineup(path)
    except LineupError:
        return None
    _READ[path] = (stamp, found)
    return found


def aired_entries(channel: Channel, start: datetime, end: datetime) -> list[Entry]:
    """The as-run log of ``channel`` for pages that started in [start, end), as entries."""
    rows = db.session.scalars(
        select(AsRunEntry).where(AsRunEntry.channel_id == channel.id,
                                 AsRunEntry.aired_at >= start, AsRunEntry.aired_at < end)
        .order_by(AsRunEntry.aired_at))
    return [Entry(_utc(e.aired_at), e.duration_ms / 1000, e.item_ref, e.version, e.category,
                  e.title, e.page_key, e.page_no, e.page_count, e.interrupt) for e in rows]


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every instant is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def programmes(channel: Channel, now: datetime) -> list[Programme]:
    """The channel's guide in half-hour blocks: the last hour as aired, then its playout's
    lineup (a day ahead); what ``/epg.xml`` lists and the channel page shows."""
    path = Path(current_app.config["PLAN_DIR"]) / f"{channel.slug}.json"
    if not path.exists():
        return []
    try:
        plan = load_plan(path)
    except PlanError:
        log.warning("unreadable plan for %s; listing the channel without programmes",
                    channel.slug)
        return []
    listed = guide_entries(aired_entries(channel, now - GUIDE_PAST, now),
                           lineup(channel.slug), now)
    return programmes_from_slots(listed, plan, block_minutes=GUIDE_BLOCK_MINUTES)


def epg(base_url: str, now: datetime | None = None) -> bytes:
    now = now or utcnow()
    listed = [(_info(channel, base_url), programmes(channel, now)) for channel in _enabled()]
    # A channel whose playout has not materialised anything yet is left out: XMLTV has no way
    # to say "nothing known", and an empty channel fails tv_validate_file.
    return build_epg([(info, shown) for info, shown in listed if shown])


def _row(entry: AsRunEntry) -> AsRunRow:
    return AsRunRow(aired_at=entry.aired_at, duration_s=entry.duration_ms / 1000,
                    item_id=entry.item_ref, version=entry.version, page_no=entry.page_no,
                    page_count=entry.page_count, page_key=entry.page_key,
                    category=entry.category, title=entry.title, interrupt=entry.interrupt)


def recent_as_run(channel: Channel, limit: int = 30) -> list[AsRunEntry]:
    return list(db.session.scalars(
        select(AsRunEntry).where(AsRunEntry.channel_id == channel.id)
        .order_by(AsRunEntry.aired_at.desc()).limit(limit)
    ))


def as_run_csv(channel: Channel, day: str | None) -> bytes:
    """One channel-local day of the as-run log (today when ``day`` is missing, malformed or
    absurd)."""
    zone = named_zone(channel.effective_timezone)
    try:
        local_day = datetime.strptime(day or "", "%Y-%m-%d").date()
    except ValueError:
        local_day = None
    # Far-off years would overflow the time-zone arithmetic and mean a typo anyway.
    if local_day is None or not 1900 <= local_day.year <= 2200:
        local_day = utcnow().astimezone(zone).date()
    start = datetime.combine(local_day, time(0), tzinfo=zone)
    entries = db.session.scalars(
        select(AsRunEntry).where(AsRunEntry.channel_id == channel.id,
                                 AsRunEntry.aired_at >= start,
                                 AsRunEntry.aired_at < start + timedelta(days=1))
        .order_by(AsRunEntry.aired_at)
    )
    return asrun_csv((_row(e) for e in entries), channel.effective_timezone)


@dataclass(frozen=True)
class AirRecord:
    """What the as-run log and the lineup say about one item, for staff."""

    timezone: str  # of the channel the record is for
    first_aired: datetime | None  # first page 1 of the live version on any channel
    times_today: int  # page-1 airings today (channel time), any version
    expected: datetime | None  # next page 1 of the live version in a lineup


def _lineup_cached(slug: str) -> Lineup | None:
    # A listing asks for many items: read each channel's lineup once per request.
    cache = g.setdefault("_lineups", {})
    if slug not in cache:
        cache[slug] = lineup(slug)
    return cache[slug]


def air_record(ref: str, version: int, township_id: int, now: datetime) -> AirRecord | None:
    """Whether version ``version`` of item ``ref`` has aired (and how often today) or when it
    is expected to, on the township's channels; None when the township has no channel."""
    channels = [c for c in _enabled() if c.township_id == township_id]
    if not channels:
        return None
    ids = [c.id for c in channels]
    zone = channels[0].effective_timezone
    midnight = datetime.combine(now.astimezone(named_zone(zone)).date(), time(0),
                                tzinfo=named_zone(zone))
    first_page = (AsRunEntry.channel_id.in_(ids), AsRunEntry.item_ref == ref,
                  AsRunEntry.page_no == 1)
    first = db.session.scalar(select(func.min(AsRunEntry.aired_at)).where(
        *first_page, AsRunEntry.version == version))
    today = db.session.scalar(select(func.count()).select_from(AsRunEntry).where(
        *first_page, AsRunEntry.aired_at >= midnight)) or 0
    expected = None
    if first is None:
        upcoming = [e for c in channels if (lu := _lineup_cached(c.slug))
                    and (e := lu.next_airing(ref, version, now)) is not None]
        expected = min((e.start for e in upcoming), default=None)
    return AirRecord(zone, _utc(first) if first else None, today, expected)


def upcoming(channel: Channel, now: datetime, limit: int = 12) -> list[Entry]:
    """The next items playout will air (their first pages), from its lineup: the admin's
    timeline shows exactly what the guide lists and playout airs."""
    found = lineup(channel.slug)
    if found is None:
        return []
    starts = [e for e in found.entries if e.end > now and (e.page_no == 1 or e.start <= now)]
    return starts[:limit]
