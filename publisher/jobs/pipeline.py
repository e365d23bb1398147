"""Render and encode content for the channels of a township, then promote it to air.

Runs in the clock process only. Pages and units are cached by content hash, so
re-running any step for unchanged content costs a few file look-ups. A unit that is not
whole on disk (cut short by a power cut, deleted by hand) is not cached: the renderer
encodes it again, and :class:`UnitRepair` re-renders an on-air version whose units broke.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import case, select

from publisher.extensions import db
from publisher.jobs.channels import branding_for, encoding_for, local_today, pace_for
from publisher.models import (
    Channel,
    ContentItem,
    ContentVersion,
    Kind,
    RenderState,
    VersionState,
    utcnow,
)

log = logging.getLogger(__name__)
# A version whose repair failed (ffmpeg broken, disk full) is tried again after this long,
# not on every one-second tick: the log stays readable and the clock keeps its time.
REPAIR_RETRY = timedelta(seconds=60)


def render_for_channel(data: dict[str, Any], channel: Channel, now: datetime,
                       *, encode: bool = True) -> list[dict[str, Any]]:
    """Render ``data`` (renderer item JSON) for one channel; returns PlannedPage dicts."""
    from renderer.encode import ensure_units
    from renderer.render import render_item

    cache_dir: Path = current_app.config["CACHE_DIR"]
    pages = render_item(
        data,
        profile=channel.profile,
        branding=branding_for(channel),
        cache_dir=cache_dir,
        today=local_today(channel, now),
        pace=pace_for(channel),
    )
    # One ffmpeg run encodes all of an item's new pages: a 5-page policy costs one process start.
    todo = [(page.path, page.key) for page in pages]
    units = ensure_units(todo, cache_dir, encoding_for(channel)) if encode else [None] * len(pages)
    return [
        {
            "key": page.key,
            "png": str(page.path),
            "unit": str(unit) if unit else "",
            "duration_s": page.duration_s,
            "page_no": page.page_no,
            "page_count": page.page_count,
        }
        for page, unit in zip(pages, units, strict=True)
    ]


def _channels(township_id: int) -> list[Channel]:
    return list(db.session.scalars(
        select(Channel).where(Channel.township_id == township_id, Channel.enabled)
    ))


def promote(version: ContentVersion) -> None:
    """Make ``version`` the one on air; the one it replaces is superseded."""
    item: ContentItem = version.item
    previous = item.live_version
    if previous is not None and previous.id != version.id:
        previous.state = VersionState.SUPERSEDED
    item.live_version = version


def process_render_queue(now: datetime | None = None, limit: int = 20,
                         *, alerts_only: bool = False) -> int:
    """Render approved versions waiting for it, emergency alerts first, then by approval time.

    Returns how many were handled. ``alerts_only`` lets the clock put alerts ahead of
    everything else it does in a tick (previews included): an alert must be on air in seconds.
    """
    query = (
        select(ContentVersion).join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.render_state == RenderState.QUEUED)
        .order_by(case((ContentItem.kind == Kind.ALERT, 0), else_=1), ContentVersion.reviewed_at)
        .limit(limit)
    )
    if alerts_only:
        query = query.where(ContentItem.kind == Kind.ALERT)
    queued = list(db.session.scalars(query))
    for version in queued:
        now = now or utcnow()
        try:
            pages = {ch.slug: render_for_channel(version.data, ch, now)
                     for ch in _channels(version.item.township_id)}
        except Exception as exc:  # noqa: BLE001 - any failure is shown to staff, not raised
            log.exception("render failed for %s v%s", version.item.ref, version.number)
            version.render_state = RenderState.FAILED
            version.render_error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            version.pages = pages
            version.render_state = RenderState.READY
            version.render_error = ""
            version.ready_at = utcnow()
            if version.state == VersionState.APPROVED:
                promote(version)
        db.session.commit()
    return len(queued)


class UnitRepair:
    """Keeps the units a plan names whole: each is read once (again when it changes on
    disk); a version with a unit that is not whole is rendered and encoded again."""

    def __init__(self) -> None:
        self._whole: set[tuple[str, int, int]] = set()  # (path, size, mtime) read whole
        self._failed: dict[tuple[int, str], datetime] = {}  # (version, channel) -> retry at

    def whole(self, pages: list[dict[str, Any]], channel: Channel) -> bool:
        """Whether every page's unit is on disk and whole."""
        from renderer.encode import unit_is_whole

        enc = encoding_for(channel)
        for page in pages:
            path = Path(page.get("unit") or "")
            try:
                st = path.stat()
            except OSError:
                return False
            seen = (str(path), st.st_size, st.st_mtime_ns)
            if seen in self._whole:
                continue
            if not unit_is_whole(path, enc):
                return False
            self._whole.add(seen)
        return True

    def sound_pages(self, version: ContentVersion, channel: Channel,
                    now: datetime) -> list[dict[str, Any]]:
        """The version's pages for ``channel``, re-rendered first if a unit broke.

        A failed repair is logged and the old pages are kept (playout airs the filler in
        place of a unit it cannot read); it is tried again after ``REPAIR_RETRY``.
        """
        pages = (version.pages or {}).get(channel.slug) or []
        if self.whole(pages, channel):
            return pages
        slot = (version.id, channel.slug)
        if slot in self._failed and now < self._failed[slot]:
            return pages
        log.warning("%s v%s: a unit for %s is missing or cut short; encoding again",
                    version.item.ref, version.number, channel.slug)
        try:
            pages = render_for_channel(version.data, channel, now)
        except Exception:  # noqa: BLE001 - one broken item must not stop every plan
            log.exception("repair failed for %s v%s", version.item.ref, version.number)
            self._failed[slot] = now + REPAIR_RETRY
            return (version.pages or {}).get(channel.slug) or []
        self._failed.pop(slot, None)
        version.pages = {**(version.pages or {}), channel.slug: pages}
        db.session.commit()
        return pages
