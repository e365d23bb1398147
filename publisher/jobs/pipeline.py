"""Render and encode content for the channels of a township, then promote it to air.

Runs in the clock process only. Pages and units are cached by content hash, so
re-running any step for unchanged content costs a few file look-ups. A unit that is not
whole on disk (cut short by a power cut, deleted by hand) is not cached: the renderer
encodes it again, and :class:`UnitRepair` re-renders an on-air version whose units broke.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from publisher.extensions import db
from publisher.jobs.channels import branding_for, encoding_for, local_today, pace_for
from publisher.jobs.render_lane import RenderFailed, run_isolated
from publisher.jobs.render_queue import queued_fairly
from publisher.models import (
    Channel,
    ContentItem,
    ContentVersion,
    Kind,
    RenderState,
    VersionState,
    utcnow,
)
from renderer.declare import VIDEO
from renderer.kinds import KINDS

log = logging.getLogger(__name__)
# A version whose repair failed (ffmpeg broken, disk full) is tried again after this long,
# not on every one-second tick: the log stays readable and the clock keeps its time.
REPAIR_RETRY = timedelta(seconds=60)
# Pages rendered before narration was switched on get their voice one version at a time,
# this far apart (each is a render in a child process: seconds, not minutes).
NARRATION_REFRESH = timedelta(seconds=5)


def narration_for(channel: Channel, narrate: bool = True) -> dict[str, Any]:
    """The render request's narration settings: the channel's switch and the item's
    (``narrate``), and the voice from the settings (``renderer.speech``)."""
    config = current_app.config
    return {"enabled": bool(channel.narration and narrate),
            "command": config.get("NARRATION_COMMAND", ""),
            "entry_point": config.get("NARRATION_ENTRY_POINT", ""),
            "voice_id": config.get("NARRATION_VOICE_ID", ""),
            "yao": bool(config.get("NARRATION_YAO", False))}


def _is_clip(data: dict[str, Any]) -> bool:
    """An item that airs an uploaded clip (its kind declares a video field): transcoded."""
    declared = KINDS.get(str(data.get("type")))
    return declared is not None and any(f.type == VIDEO for f in declared.fields)


def render_for_channel(data: dict[str, Any], channel: Channel, now: datetime,
                       *, encode: bool = True, isolated: bool = True,
                       narrate: bool = True) -> list[dict[str, Any]]:
    """Render ``data`` (renderer item JSON) for one channel; returns PlannedPage dicts.

    ``isolated``: in a child process with a time and a memory limit (``render_lane``), which
    raises RenderFailed with a message for staff. Alerts render in this process (short by
    declaration, and a process start would cost them a second). With ``encode`` each page
    the channel and the item (``narrate``) want read aloud gets its narration track.
    """
    from renderer.job import run

    request = render_request(data, channel, now, encode=encode, narrate=narrate)
    if isolated and _is_clip(data):
        # A clip is transcoded (renderer.video): minutes for a long one, so its own limit,
        # still at the render lane's low priority and memory cap.
        from renderer.media_probe import VIDEO_MAX_SECONDS
        from renderer.video import transcode_timeout

        return run_isolated(request, timeout_s=transcode_timeout(VIDEO_MAX_SECONDS))
    # One ffmpeg run encodes all of an item's new pages: a 5-page policy costs one process start.
    return run_isolated(request) if isolated else run(request)


def render_request(data: dict[str, Any], channel: Channel, now: datetime, *,
                   encode: bool = True, narrate: bool = True) -> dict[str, Any]:
    """The renderer's request for ``data`` on ``channel`` at ``now`` (see renderer.job)."""
    from renderer.job import request_for

    return request_for(data, profile=channel.profile, branding=branding_for(channel),
                       cache_dir=Path(current_app.config["CACHE_DIR"]),
                       today=local_today(channel, now), pace=pace_for(channel),
                       encode=encode, narration=narration_for(channel, narrate))


def render_fingerprint(data: dict[str, Any], channel: Channel, now: datetime,
                       narrate: bool = True) -> str:
    """What a render's pages depend on, as a digest: the item, the channel's look, pace and
    voice, the channel-local day. Equal digests give equal pages (see :mod:`prerender`)."""
    request = render_request(data, channel, now, narrate=narrate)
    request.pop("cache_dir")
    body = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def render_error(exc: Exception) -> str:
    """What the item's page says about a failed render: the renderer's and the render lane's
    own words (Chinese), else a plain sentence (the details are in the clock's log)."""
    from renderer.items import ItemError

    if isinstance(exc, RenderFailed | ItemError):
        return str(exc)[:2000]
    return _("生成画面时出错。请稍后重新提交；如果一直失败，请联系管理员。")


def channels_of(township_id: int) -> list[Channel]:
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
                         *, alerts_only: bool = False, content_only: bool = False) -> int:
    """Render approved versions waiting for it: emergency alerts first, then the townships
    in turn, each one's oldest approval first (:mod:`publisher.jobs.render_queue`).

    Returns how many were handled. ``alerts_only`` lets the clock put alerts ahead of
    everything else it does in a tick (previews included): an alert must be on air in seconds.
    """
    queued = [db.session.get(ContentVersion, vid) for vid in
              queued_fairly(limit, alerts_only=alerts_only, content_only=content_only)]
    for version in queued:
        if version is None:
            continue
        db.session.refresh(version)
        if version.render_state != RenderState.QUEUED:
            continue  # the air lane put it on air from its pre-render meanwhile
        now = now or utcnow()
        render_queued(version, now)
    return len(queued)


def _note_progress(version: ContentVersion, pages: dict[str, Any],
                   still_mine: Callable[[], bool] | None) -> None:
    """Keep the channels rendered so far on the queued version (what staff see as "N of M
    channels"); only while the work is still ours and the version still queued."""
    if still_mine and not still_mine():
        return
    db.session.execute(
        update(ContentVersion)
        .where(ContentVersion.id == version.id, ContentVersion.render_state == RenderState.QUEUED)
        .values(pages=dict(pages)).execution_options(synchronize_session=False))
    db.session.commit()


def render_queued(version: ContentVersion, now: datetime,
                  still_mine: Callable[[], bool] | None = None) -> bool:
    """Render a queued version for every channel of its township and put it on air, or
    record why it failed; commits. A content worker (publisher.jobs.worker) passes
    ``still_mine``, its lease on the work: asked before anything is recorded, and if it
    says no (the work was taken over meanwhile) nothing is, and the answer is False."""
    alert = version.item.kind == Kind.ALERT
    data, narrate = version.data, version.item.narration
    pages: dict[str, Any] = {}
    try:
        channels = channels_of(version.item.township_id)
        for ch in channels:
            pages[ch.slug] = render_for_channel(data, ch, now, isolated=not alert,
                                                narrate=narrate)
            if not alert and len(channels) > 1 and len(pages) < len(channels):
                _note_progress(version, pages, still_mine)
    except Exception as exc:  # noqa: BLE001 - any failure is shown to staff, not raised
        if still_mine and not still_mine():
            db.session.rollback()
            return False
        log.exception("render failed for %s v%s", version.item.ref, version.number)
        version.render_state = RenderState.FAILED
        version.render_error = render_error(exc)
        version.pages = {}  # no channel counts as done: a retry renders them all
    else:
        if still_mine and not still_mine():
            db.session.rollback()
            return False
        mark_ready(version, pages, utcnow())
    db.session.commit()
    return True


def mark_ready(version: ContentVersion, pages: dict[str, Any], now: datetime) -> bool:
    """Record the queued ``version``'s ``pages`` as ready at ``now`` and, if approved, put it
    on air; the caller commits. False, changing nothing, if it is not queued any more: the
    clock's other lane got there first (its pre-render, see :mod:`prerender`), and its
    ``ready_at`` (what makes the item fresh news) must stand."""
    claimed = db.session.execute(
        update(ContentVersion)
        .where(ContentVersion.id == version.id, ContentVersion.render_state == RenderState.QUEUED)
        .values(pages=pages, render_state=RenderState.READY, render_error="", ready_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(version)
    if claimed and version.state == VersionState.APPROVED:
        promote(version)
    return bool(claimed)


class UnitRepair:
    """Keeps the units a plan names whole: each is read once (again when it changes on
    disk); a version with a unit that is not whole is rendered and encoded again."""

    def __init__(self) -> None:
        self._whole: set[tuple[str, int, int]] = set()  # (path, size, mtime) read whole
        self._failed: dict[tuple[int, str], datetime] = {}  # (version, channel) -> retry at
        self._narration_checked: set[tuple[int, str, bool]] = set()
        self._next_narration = datetime.min.replace(tzinfo=UTC)
        # False in the clock's air lane (see plans.DerivedCache): it never renders.
        self.may_render: Callable[[], bool] = lambda: True

    def narration_due(self, now: datetime) -> bool:
        """Whether the pause between two narration reads is over at ``now``: until then a
        version whose narration was switched on may still be waiting its turn."""
        return self._next_narration <= now

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
            # A clip's first unit stands for the clip only while its folder is finished
            # (renderer.video writes clip.json last, after every unit and its sound).
            if page.get("clip") and not (Path(page["clip"]) / "clip.json").is_file():
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
        wanted = bool(channel.narration and version.item.narration)
        recorded = bool((version.data or {}).get("recording"))  # a person's voice: always aired
        if not wanted and version.item.kind != Kind.ALERT and not recorded:
            # Narration switched off since the render: the pages air on the bed at once.
            # (A clip's sound is its own, not narration: it stays.)
            pages = [{**p, "audio": ""} if p.get("audio") and not p.get("clip") else p
                     for p in pages]
        stale = wanted and not any(p.get("audio") for p in pages)
        if stale and ((version.id, channel.slug, wanted) in self._narration_checked
                      or now < self._next_narration):
            # Read once already (nothing to say), or another was just read: one every few
            # seconds, so switching narration on never holds up the clock's air lane.
            stale = False
        if self.whole(pages, channel) and not stale:
            return pages
        if not self.may_render():  # the air lane: the content lane repairs it
            return pages
        if stale:
            self._narration_checked.add((version.id, channel.slug, wanted))
            self._next_narration = now + NARRATION_REFRESH
        slot = (version.id, channel.slug)
        if slot in self._failed and now < self._failed[slot]:
            return pages
        log.warning("%s v%s: a unit for %s is missing or cut short, or narration was switched "
                    "on; encoding again", version.item.ref, version.number, channel.slug)
        try:
            pages = render_for_channel(version.data, channel, now, narrate=wanted)
        except Exception:  # noqa: BLE001 - one broken item must not stop every plan
            log.exception("repair failed for %s v%s", version.item.ref, version.number)
            self._failed[slot] = now + REPAIR_RETRY
            return (version.pages or {}).get(channel.slug) or []
        self._failed.pop(slot, None)
        version.pages = {**(version.pages or {}), channel.slug: pages}
        db.session.commit()
        return pages
