"""What an item's state means to staff: which version is on air, which waits, badges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from publisher.extensions import db
from publisher.jobs.render_queue import ahead_of, channel_progress
from publisher.models import (
    AsRunEntry,
    Channel,
    ContentItem,
    ContentVersion,
    Job,
    JobState,
    RenderState,
    VersionState,
)
from publisher.services.guide import AirRecord, air_record

STATE_LABELS = {
    VersionState.DRAFT: _l("草稿"),
    VersionState.PENDING: _l("待审核"),
    VersionState.APPROVED: _l("已通过"),
    VersionState.REJECTED: _l("已退回"),
    VersionState.SUPERSEDED: _l("已被替换"),
}
RENDER_LABELS = {
    RenderState.QUEUED: _l("排队渲染"),
    RenderState.READY: _l("已上线"),
    RenderState.FAILED: _l("渲染失败"),
}


def in_window(version: ContentVersion, now: datetime) -> bool:
    """Whether ``now`` lies inside the version's validity window (open ends allowed)."""
    if version.valid_from is not None and now < version.valid_from:
        return False
    return version.valid_until is None or now < version.valid_until


@dataclass(frozen=True)
class ItemStatus:
    item: ContentItem
    latest: ContentVersion
    live: ContentVersion | None  # the version currently on air, if any
    now: datetime

    @property
    def withdrawn(self) -> bool:
        return self.item.withdrawn_at is not None

    @property
    def on_air(self) -> bool:
        return not self.withdrawn and self.live is not None and in_window(self.live, self.now)

    @cached_property
    def air(self) -> AirRecord | None:
        """The truth from the as-run log (and the lineup) for the version on air: 已播出 with
        the first air time and today's count, or 待播出 with the expected time."""
        if not self.on_air:
            return None
        assert self.live is not None
        return air_record(self.item.ref, self.live.number, self.item.township_id, self.now)

    @cached_property
    def last_aired(self) -> datetime | None:
        """The latest start of the version on air on the township's channels (as-run log),
        shown beside the first air time once they differ."""
        if self.air is None or self.air.first_aired is None:
            return None
        assert self.live is not None  # on air, as air says
        return last_aired(self.item.ref, self.live.number, self.item.township_id)

    @property
    def expired(self) -> bool:
        shown = self.live or self.latest
        return shown.valid_until is not None and shown.valid_until <= self.now

    @property
    def scheduled(self) -> bool:
        """Approved but its window has not opened yet."""
        shown = self.live or self.latest
        return (
            shown.state == VersionState.APPROVED
            and shown.valid_from is not None
            and self.now < shown.valid_from
        )

    @property
    def has_newer(self) -> bool:
        """A newer version exists besides the one on air (e.g. 线上版本 v2 · 待审核 v3)."""
        return self.live is not None and self.latest.number != self.live.number

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.latest.state, self.latest.state))

    @property
    def render_label(self) -> str:
        label = RENDER_LABELS.get(self.latest.render_state)
        return str(label) if label else ""


def status_of(item: ContentItem, now: datetime, latest: ContentVersion | None = None) -> ItemStatus:
    live = item.live_version
    return ItemStatus(item=item, latest=latest or item.latest, live=live, now=now)


def last_aired(ref: str, version: int, township_id: int) -> datetime | None:
    """When version ``version`` of item ``ref`` last began (page 1) on one of the township's
    channels, from the as-run log; None if it never aired."""
    found = db.session.scalar(
        select(func.max(AsRunEntry.aired_at))
        .join(Channel, Channel.id == AsRunEntry.channel_id)
        .where(Channel.township_id == township_id, AsRunEntry.item_ref == ref,
               AsRunEntry.version == version, AsRunEntry.page_no == 1))
    return found if found is None or found.tzinfo else found.replace(tzinfo=UTC)


# --- long work: where the version's rendering stands ------------------------------------

# The Job kind of a pre-render (publisher.jobs.prerender.PRERENDER, queued on submission).
PRERENDER_JOB = "prerender"
# A submission's pre-render is looked for among this many of the latest ones.
RECENT_PRERENDERS = 200


@dataclass(frozen=True)
class RenderWork:
    """Where a version's rendering stands, for staff waiting on it. ``stage``: "queued"
    (approved, in the render queue), "prerender-queued", "prerendering", "prerendered",
    "prerender-failed", or "" (nothing under way)."""

    stage: str
    ahead: int = 0  # versions (or pre-renders) before this one in its queue
    since: datetime | None = None  # when it joined the queue, or began
    channels_done: int = 0  # queued: channels whose pages are ready (publisher.jobs.render_queue)
    channels: int = 0  # queued: channels the version airs on

    @property
    def busy(self) -> bool:
        return self.stage in ("queued", "prerender-queued", "prerendering")

    def text(self, now: datetime) -> str:
        minutes = int((now - self.since).total_seconds() // 60) if self.since else 0
        seconds = int((now - self.since).total_seconds()) if self.since else 0
        if self.stage == "queued" and self.channels_done:
            return _("正在渲染：%(total)s 个频道中已完成 %(done)s 个（已等 %(m)s 分钟）",
                     total=self.channels, done=self.channels_done, m=minutes)
        if self.stage == "queued":
            where = (_("前面还有 %(n)s 项", n=self.ahead) if self.ahead
                     else _("排在第一位，正在渲染或马上开始"))
            if self.channels > 1:
                where += _("，共 %(total)s 个频道", total=self.channels)
            return _("排队渲染：%(where)s（已等 %(m)s 分钟）", where=where, m=minutes)
        if self.stage == "prerender-queued":
            return _("预渲染排队：前面还有 %(n)s 项", n=self.ahead)
        if self.stage == "prerendering":
            return _("正在预渲染电视画面，已用 %(s)s 秒", s=seconds)
        if self.stage == "prerendered":
            return _("电视画面已预先渲染好，审核通过后立即播出")
        if self.stage == "prerender-failed":
            return _("预渲染没有成功，审核通过后会重新渲染")
        return ""


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def render_work(version: ContentVersion) -> RenderWork:
    """The rendering of ``version``: its place in the render queue once approved (the order
    the clock takes: alerts first, then the townships in turn) and how many of its channels
    are done, or its pre-render while pending."""
    if version.state == VersionState.APPROVED and version.render_state == RenderState.QUEUED:
        done, total = channel_progress(version)
        return RenderWork("queued", ahead_of(version.id), _aware(version.reviewed_at), done, total)
    if version.state != VersionState.PENDING:
        return RenderWork("")
    recent = db.session.scalars(select(Job).where(Job.kind == PRERENDER_JOB)
                                .order_by(Job.id.desc()).limit(RECENT_PRERENDERS))
    job = next((j for j in recent
                if isinstance(j.payload, dict) and j.payload.get("version_id") == version.id),
               None)
    if job is None:
        return RenderWork("")
    if job.state == JobState.QUEUED:
        ahead = db.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == PRERENDER_JOB, Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
            Job.id < job.id)) or 0
        return RenderWork("prerender-queued", ahead, _aware(job.created_at))
    if job.state == JobState.RUNNING:
        return RenderWork("prerendering", 0, _aware(job.started_at))
    if job.state == JobState.DONE and (job.result or {}).get("renders"):
        return RenderWork("prerendered", 0, _aware(job.finished_at))
    if job.state == JobState.FAILED:
        return RenderWork("prerender-failed", 0, _aware(job.finished_at))
    return RenderWork("")
