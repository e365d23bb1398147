"""What the operations endpoints report, read once per request from where it already lives.

The playout and clock processes (possibly on other machines) keep their state in the
database and in small files under the status directory: the feed status file each channel's
playout rewrites after every segment, the heartbeats, the leases' node rows. The web process
reads those at the moment it is asked, so ``/healthz`` and ``/metrics`` need no help from the
processes they describe and show exactly what the admin's pages show. No personal data is
read here: counts and ages only, channels named by their slug.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from publisher.extensions import db
from publisher.jobs.render_queue import channels_waiting
from publisher.models import (
    AsRunEntry,
    Channel,
    ContentItem,
    ContentVersion,
    Incident,
    Job,
    JobState,
    Kind,
    LeaseNode,
    RenderState,
    SmsMessage,
    SmsStatus,
)
from publisher.models.emergency import OPEN_STATES
from publisher.services.feed_status import STALL_SEGMENTS
from publisher.supervision.heartbeat import STALE_SECONDS, read_heartbeat

HEARTBEATS = ("playout", "clock")
# A playout node that has not renewed its presence for this long is not counted (its leases
# run out well before: see publisher.leases).
NODE_FRESH = timedelta(seconds=30)
# Outbound messages not yet out of our hands: stored, being handed over, in the gateway's outbox.
SMS_WAITING = (SmsStatus.PENDING, SmsStatus.SENDING, SmsStatus.QUEUED)


@dataclass(frozen=True)
class FeedReading:
    """One enabled channel's feed, from its status file."""

    slug: str
    planned: bool  # a plan file exists: playout is expected to air it
    last_segment_age_s: float | None  # None: never published (no status file)
    lateness_s: float | None  # the last segment's write time after its due time
    stall_after_s: float
    udp_state: str  # off | sending | error
    udp_late_datagrams: int
    as_run_age_s: float | None  # since the last page in the as-run log began

    @property
    def on_air(self) -> bool:
        age = self.last_segment_age_s
        return age is not None and age <= self.stall_after_s


@dataclass(frozen=True)
class Readings:
    now: datetime
    database_ok: bool
    database_error: str = ""
    feeds: tuple[FeedReading, ...] = ()
    heartbeat_age_s: dict[str, float | None] = field(default_factory=dict)
    playout_nodes: int = 0  # nodes of the playout role seen within NODE_FRESH
    render_queue: dict[str, int] = field(default_factory=dict)  # lane -> versions waiting
    render_oldest_s: float | None = None
    render_channels_waiting: int = 0  # channel renders still to do (a version counts each)
    jobs_queued: dict[str, int] = field(default_factory=dict)  # kind -> queued
    jobs_running: dict[str, int] = field(default_factory=dict)
    jobs_oldest_s: float | None = None
    sms_waiting: int = 0
    sms_oldest_s: float | None = None
    incidents_open: int = 0


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def read_feed(status_dir: Path, plan_dir: Path, slug: str, now: datetime,
              last_aired: datetime | None) -> FeedReading:  # fmt: skip
    """A channel's feed as its status file says (written by playlists.playout)."""
    planned = (plan_dir / f"{slug}.json").exists()
    stall = STALL_SEGMENTS * 3.84
    try:
        raw = json.loads((status_dir / f"{slug}.json").read_text("utf-8"))
        written = datetime.fromisoformat(raw["last_segment_at"])
        due = datetime.fromisoformat(raw["last_segment_start"])
        udp = raw.get("udp") if isinstance(raw.get("udp"), dict) else {}
        stall = float(raw.get("stall_after_s", stall))
    except (OSError, ValueError, KeyError, TypeError):
        return FeedReading(slug, planned, None, None, stall, "off", 0, _age(now, last_aired))
    return FeedReading(
        slug, planned, _age(now, written), (written - due).total_seconds(), stall,
        str(udp.get("state", "off")), int(udp.get("late_datagrams", 0) or 0),
        _age(now, last_aired),
    )


def _feeds(status_dir: Path, plan_dir: Path, now: datetime) -> tuple[FeedReading, ...]:
    channels = db.session.execute(
        select(Channel.id, Channel.slug).where(Channel.enabled).order_by(Channel.slug)).all()
    page_end = {
        cid: at for cid, at in db.session.execute(
            select(AsRunEntry.channel_id, func.max(AsRunEntry.aired_at))
            .group_by(AsRunEntry.channel_id)).all()
    }  # fmt: skip
    return tuple(read_feed(status_dir, plan_dir, slug, now, page_end.get(cid))
                 for cid, slug in channels)  # fmt: skip


def _render_queue(now: datetime) -> tuple[dict[str, int], float | None]:
    """Approved versions waiting for their render, by lane (alerts have their own)."""
    rows = db.session.execute(
        select(ContentItem.kind, func.count(), func.min(ContentVersion.reviewed_at))
        .join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.render_state == RenderState.QUEUED)
        .group_by(ContentItem.kind)).all()
    depth = {"alert": 0, "content": 0}
    oldest: datetime | None = None
    for kind, count, first in rows:
        depth["alert" if kind == Kind.ALERT else "content"] += count
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    return depth, _age(now, oldest)


def _jobs(now: datetime) -> tuple[dict[str, int], dict[str, int], float | None]:
    queued: dict[str, int] = {}
    running: dict[str, int] = {}
    oldest: datetime | None = None
    rows = db.session.execute(
        select(Job.kind, Job.state, func.count(), func.min(Job.created_at))
        .where(Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
        .group_by(Job.kind, Job.state)).all()
    for kind, state, count, first in rows:
        (queued if state == JobState.QUEUED else running)[kind] = count
        if state == JobState.QUEUED and first is not None and (oldest is None or first < oldest):
            oldest = first
    return queued, running, _age(now, oldest)


def _sms(now: datetime) -> tuple[int, float | None]:
    count, first = db.session.execute(
        select(func.count(), func.min(SmsMessage.created_at))
        .where(SmsMessage.direction == "out", SmsMessage.status.in_(SMS_WAITING))).one()
    return count, _age(now, first)


def _heartbeats(status_dir: Path) -> dict[str, float | None]:
    ages: dict[str, float | None] = {}
    for name in HEARTBEATS:
        beat = read_heartbeat(status_dir, name)
        ages[name] = beat.age_s(time.monotonic()) if beat else None
    return ages


def read_all(status_dir: Path, plan_dir: Path, now: datetime) -> Readings:
    """Everything ``/healthz`` and ``/metrics`` report, as of ``now``."""
    beats = _heartbeats(status_dir)
    try:
        db.session.execute(text("SELECT 1"))
        feeds = _feeds(status_dir, plan_dir, now)
        nodes = db.session.scalar(select(func.count()).select_from(LeaseNode).where(
            LeaseNode.role == "playout", LeaseNode.seen_at >= now - NODE_FRESH)) or 0
        depth, render_oldest = _render_queue(now)
        channel_renders = channels_waiting()
        queued, running, jobs_oldest = _jobs(now)
        sms_waiting, sms_oldest = _sms(now)
        incidents = db.session.scalar(
            select(func.count()).select_from(Incident).where(Incident.state.in_(OPEN_STATES)))
    except SQLAlchemyError as exc:
        db.session.rollback()
        reason = str(exc.__cause__ or exc).splitlines()[0][:200]
        return Readings(now, False, reason, heartbeat_age_s=beats)
    return Readings(now, True, "", feeds, beats, nodes, depth, render_oldest, channel_renders,
                    queued, running, jobs_oldest, sms_waiting, sms_oldest, incidents or 0)


def heartbeat_fresh(age_s: float | None) -> bool:
    return age_s is not None and age_s <= STALE_SECONDS
