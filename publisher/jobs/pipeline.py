"""Render and encode content for the channels of a township, then promote it to air.

Runs in the clock process only. Pages and units are cached by content hash, so
re-running any step for unchanged content costs a few file look-ups.
"""

from __future__ import annotations

import logging
from datetime import datetime
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
