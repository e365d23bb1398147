"""What an item's state means to staff: which version is on air, which waits, badges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from flask_babel import lazy_gettext as _l

from publisher.models import ContentItem, ContentVersion, RenderState, VersionState
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
