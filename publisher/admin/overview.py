"""The county overview: one row per township and the charts, read from the database, the plan
files and the feed status files (the pure maths is in :mod:`publisher.admin.charts`).

Every number comes from the outside truth where one exists: what is on air now and the feed's
24 hours from the as-run log, what the plan wants from the plan files playout reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from playlists import timezones
from playlists.plan import ChannelPlan, PlanError, load_plan
from publisher.admin import charts
from publisher.admin.access import CONTENT_KINDS
from publisher.admin.queries import items_with_latest, on_air_clause
from publisher.extensions import db
from publisher.models import (
    AsRunEntry,
    Channel,
    ContentItem,
    ContentVersion,
    Township,
    User,
    VersionState,
)
from publisher.models.emergency import OPEN_STATES, Incident
from publisher.services.scope import scoped
from publisher.services.whereabouts_board import load_board, local_now
from publisher.words import kind_label

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
# An as-run row is written as its page starts; a page still counts as on air this long after
# its planned end (the row of the next page may be a moment late).
ON_AIR_SLACK = timedelta(seconds=15)
CALL_WEEKS = 8

def category_label(category: str) -> str:
    """A plan/as-run category in the words staff know from the menus: the kind's declared word."""
    return kind_label(category)


@dataclass(frozen=True)
class NowAiring:
    """What one channel airs now, from its latest as-run row (None: nothing on air)."""

    channel: Channel
    entry: AsRunEntry | None
    thumbnail: bool  # whether the page's rendered PNG is in the cache
    last: AsRunEntry | None = None  # the latest row of the last day, on air now or not

    @property
    def last_end(self) -> datetime | None:
        if self.last is None:
            return None
        return _aware(self.last.aired_at) + timedelta(milliseconds=self.last.duration_ms)


@dataclass(frozen=True)
class TownshipRow:
    township: Township
    pending: int
    on_air: int  # items inside their window with a live version
    airing: list[NowAiring]
    reported: int  # cadres who checked in today
    cadres: int
    feeds: list[dict[str, Any]]  # per enabled channel, see feed_states
    open_calls: int
    # The request ledger (issue 15, part 1) does not exist yet: when it does, fill this with
    # the township's overdue requests and the template shows the column.
    overdue_requests: int | None = None

    @property
    def checkin_rate(self) -> float | None:
        return self.reported / self.cadres if self.cadres else None

    @property
    def feed_alarm(self) -> bool:
        return any(f["alarm"] for f in self.feeds)


def feed_states(townships: list[Township]) -> list[dict[str, Any]]:
    """Each enabled channel's feed health (see ``publisher.services.feed_status``)."""
    from publisher.services.feed_status import channel_status

    states = []
    for township in townships:
        for channel in township.channels:
            if not channel.enabled:
                continue
            try:
                states.append({"channel": channel, **channel_status(channel)})
            except Exception:  # the dashboard must load even when feed status cannot be read
                current_app.logger.exception("feed status unavailable for %s", channel.slug)
    return states


def _by_township(query: Any) -> dict[int, int]:
    return {tid: n for tid, n in db.session.execute(query)}


def pending_counts(actor: User) -> dict[int, int]:
    """Township id → items waiting for review."""
    query = items_with_latest(actor).where(
        ContentItem.kind.in_(CONTENT_KINDS), ContentItem.withdrawn_at.is_(None),
        ContentVersion.state == VersionState.PENDING)
    return _by_township(query.with_only_columns(ContentItem.township_id, func.count())
                        .group_by(ContentItem.township_id))


def on_air_counts(actor: User, now: datetime) -> dict[int, int]:
    live = aliased(ContentVersion)
    query = (select(ContentItem.township_id, func.count()).select_from(ContentItem)
             .join(live, live.id == ContentItem.live_version_id)
             .where(ContentItem.kind.in_(CONTENT_KINDS), on_air_clause(live, now))
             .group_by(ContentItem.township_id))
    return _by_township(scoped(query, actor, ContentItem.township_id))


def open_call_counts(actor: User) -> dict[int, int]:
    """Township id → emergency calls not yet resolved (drills left out)."""
    query = (select(Incident.township_id, func.count())
             .where(Incident.state.in_(OPEN_STATES), Incident.is_drill.is_(False))
             .group_by(Incident.township_id))
    return _by_township(scoped(query, actor, Incident.township_id))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_png(key: str) -> Path:
    return Path(current_app.config["CACHE_DIR"]) / "pages" / key[:2] / f"{key}.png"


def now_airing(channel: Channel, now: datetime) -> NowAiring:
    last = db.session.scalar(
        select(AsRunEntry).where(AsRunEntry.channel_id == channel.id,
                                 AsRunEntry.aired_at <= now,
                                 AsRunEntry.aired_at > now - DAY)
        .order_by(AsRunEntry.aired_at.desc()).limit(1))
    entry = last
    if last is not None:
        ends = _aware(last.aired_at) + timedelta(milliseconds=last.duration_ms) + ON_AIR_SLACK
        if ends < now:
            entry = None
    thumb = entry is not None and page_png(entry.page_key).is_file()
    return NowAiring(channel, entry, thumb, last)


def township_rows(actor: User, townships: list[Township], now: datetime) -> list[TownshipRow]:
    """One row per township of the county overview."""
    pending, on_air = pending_counts(actor), on_air_counts(actor, now)
    calls = open_call_counts(actor)
    feeds = feed_states(townships)
    rows = []
    for township in townships:
        board = load_board(township, local_now(township, now).date(), now)
        channels = [c for c in township.channels if c.enabled]
        rows.append(TownshipRow(
            township=township, pending=pending.get(township.id, 0),
            on_air=on_air.get(township.id, 0),
            airing=[now_airing(c, now) for c in channels],
            reported=board.count("reported"), cadres=len(board.rows),
            feeds=[f for f in feeds if f["channel"].township_id == township.id],
            open_calls=calls.get(township.id, 0)))
    return rows


# --- charts -----------------------------------------------------------------------------


def channel_plan(channel: Channel) -> ChannelPlan | None:
    path = Path(current_app.config["PLAN_DIR"]) / f"{channel.slug}.json"
    try:
        return load_plan(path)
    except PlanError:  # no plan yet (nothing rendered) or an unreadable one: no plan bars
        return None


def aired_hours(channels: list[Channel], start: datetime, now: datetime,
                hours: int = 24) -> list[charts.AiredHour]:
    """The as-run log of ``channels`` from ``start`` to ``now``, summed in the database by
    channel, category and the hour a page began in."""
    ids = [c.id for c in channels]
    if not ids:
        return []
    # The hour as a CASE over the bounds: the same SQL on SQLite and PostgreSQL.
    bucket = case((AsRunEntry.aired_at < start, -1),  # runs into the first hour
                  *((AsRunEntry.aired_at < start + (n + 1) * HOUR, n) for n in range(hours)),
                  else_=hours)
    found = db.session.execute(
        select(AsRunEntry.channel_id, bucket, AsRunEntry.category,
               func.sum(AsRunEntry.duration_ms))
        .where(AsRunEntry.channel_id.in_(ids), AsRunEntry.aired_at >= start - HOUR,
               AsRunEntry.aired_at < now)
        .group_by(AsRunEntry.channel_id, bucket, AsRunEntry.category))
    return [charts.AiredHour(cid, hour, category, (ms or 0) / 1000)
            for cid, hour, category, ms in found]


@dataclass(frozen=True)
class ChannelHealth:
    channel: Channel
    minutes: list[float]
    rects: list[charts.Rect]
    y: float


@dataclass
class Charts:
    """Everything the chart partial draws, for the channels the viewer may see."""

    zone: ZoneInfo
    start: datetime  # the 24 hours the share and health charts cover, local time
    share: list[charts.ShareRow]
    has_plan: bool
    timeline_channel: Channel | None
    timeline: list[tuple[charts.PlanDay, float, list[charts.Rect]]]
    timeline_categories: list[str]
    health: list[ChannelHealth]
    calls: list[tuple[date, int]]
    call_rects: list[charts.Rect]
    channels: list[Channel] = field(default_factory=list)

    @property
    def call_bars(self) -> list[tuple[tuple[date, int], charts.Rect]]:
        return list(zip(self.calls, self.call_rects, strict=True))


def build_charts(townships: list[Township], now: datetime,
                 timeline_slug: str | None = None) -> Charts:
    """The charts of ``townships`` (those the viewer may see) at ``now``; the week timeline
    is of the channel ``timeline_slug`` (else the first with a plan)."""
    channels = [c for t in townships for c in t.channels if c.enabled]
    zone = timezones.zone(channels[0].effective_timezone if channels else
                          townships[0].timezone if townships else None)
    # The last 24 whole hours and the current one: hour bars line up with the clock.
    local = now.astimezone(zone)
    start = local.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    start_utc = start.astimezone(UTC)
    summed = aired_hours(channels, start_utc, now)
    in_window = [row for row in summed if row.hour >= 0]
    plans = {c.slug: p for c in channels if (p := channel_plan(c)) is not None}
    planned = charts.planned_shares(plans.values(), start_utc, now)
    aired = charts.aired_shares(in_window)

    chosen = next((c for c in channels if c.slug == timeline_slug), None)
    chosen = chosen or next((c for c in channels if c.slug in plans), None)
    days = charts.week_plan(plans[chosen.slug], local_now(chosen.township, now).date()) \
        if chosen is not None and chosen.slug in plans else []
    timeline = charts.timeline_rects(days)

    health = []
    possible = charts.possible_minutes(start_utc, now)
    for n, channel in enumerate(channels):
        minutes = charts.on_air_minutes(summed, channel.id)
        y = 28 + n * charts.HEALTH_ROW_H
        health.append(ChannelHealth(channel, minutes, charts.health_rects(minutes, y, possible),
                                    y))

    ids = [t.id for t in townships]
    call_times = db.session.scalars(
        select(Incident.triggered_at).where(Incident.township_id.in_(ids),
                                            Incident.is_drill.is_(False),
                                            Incident.triggered_at >= now - timedelta(
                                                weeks=CALL_WEEKS)))
    calls = charts.weekly_counts((_aware(t).astimezone(zone).date() for t in call_times),
                                 local.date(), CALL_WEEKS)
    return Charts(zone=zone, start=start, share=charts.share_rows(planned, aired),
                  has_plan=bool(plans), timeline_channel=chosen, timeline=timeline,
                  timeline_categories=charts.ordered(c for d in days for h in d.hours for c in h),
                  health=health, calls=calls, call_rects=charts.calls_rects(calls),
                  channels=channels)


def township_counts(actor: User, township_id: int, now: datetime) -> dict[str, int]:
    """The dashboard's counts (on air, pending, drafts, rejected) for one township."""
    states = (items_with_latest(actor)
              .where(ContentItem.kind.in_(CONTENT_KINDS), ContentItem.withdrawn_at.is_(None),
                     ContentItem.township_id == township_id)
              .with_only_columns(ContentVersion.state, func.count())
              .group_by(ContentVersion.state))
    counts = {"on_air": 0, "pending": 0, "draft": 0, "rejected": 0}
    for state, n in db.session.execute(states):
        if state in counts:
            counts[state] = n
    counts["on_air"] = on_air_counts(actor, now).get(township_id, 0)
    return counts
