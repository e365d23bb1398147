"""The channel list, the programme guide and the as-run log, as the public sees them."""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from playlists.asrun import AsRunRow, asrun_csv
from playlists.m3u import build_m3u
from playlists.plan import PlanError, load_plan
from playlists.playstate import PlayState, PlayStateError
from playlists.xmltv import ChannelInfo, build_epg, guide_programmes
from publisher.extensions import db
from publisher.models import AsRunEntry, Channel, utcnow

log = logging.getLogger(__name__)
# The rotation changes category every few seconds; the guide lists half-hour blocks.
GUIDE_BLOCK_MINUTES = 30


def _enabled() -> list[Channel]:
    return list(db.session.scalars(select(Channel).where(Channel.enabled).order_by(Channel.id)))


def _info(channel: Channel, base_url: str) -> ChannelInfo:
    icon = f"{base_url}/channel/{channel.slug}/logo.png"  # the uploaded logo, else the default
    return ChannelInfo(slug=channel.slug, name=channel.name, icon_url=icon,
                       group=channel.group or channel.township.name)


def m3u(base_url: str) -> str:
    return build_m3u([_info(c, base_url) for c in _enabled()], base_url, f"{base_url}/epg.xml")


def state_path(slug: str) -> Path:
    return Path(current_app.config["STATUS_DIR"]) / f"{slug}.state.json"


def play_state(slug: str) -> PlayState:
    """The playout's persisted state, or a fresh one (the guide is then an estimate)."""
    try:
        return PlayState.from_dict(json.loads(state_path(slug).read_text("utf-8")))
    except (OSError, ValueError, PlayStateError):
        return PlayState()


def epg(base_url: str, now: datetime | None = None) -> bytes:
    now = now or utcnow()
    entries = []
    for channel in _enabled():
        path = Path(current_app.config["PLAN_DIR"]) / f"{channel.slug}.json"
        programmes = []
        if path.exists():
            try:
                plan = load_plan(path)
                programmes = guide_programmes(plan, now, play_state(channel.slug),
                                              block_minutes=GUIDE_BLOCK_MINUTES)
            except PlanError:
                log.warning("unreadable plan for %s; listing the channel without programmes",
                            channel.slug)
        entries.append((_info(channel, base_url), programmes))
    return build_epg(entries)


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
    zone = ZoneInfo(channel.effective_timezone)
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
