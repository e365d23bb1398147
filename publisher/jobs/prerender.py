"""Rendering submitted content before it is approved, so approval puts it on air at once.

Submitting an item for review queues a ``prerender`` job (``services.content.submit``). The
clock's content lane renders and encodes its pages for every channel of the township, as it
would after approval, and keeps them in the job's result beside a digest of what the render
depended on (:func:`publisher.jobs.pipeline.render_fingerprint`). The pages are cached by
content hash like every render, but they go nowhere near a plan: only ``live_version`` is
planned, and a version becomes live only through approval.

When the version is approved, the clock's air lane (:func:`adopt_prerendered`) finds the
job, checks that every channel's digest still holds (same text, same channel look, pace,
voice and day) and makes the version live in the same tick, with no render: the plan is
written at once. Anything else (no job, a job still running or failed, a channel added, the
day changed) leaves the version queued, and the content lane renders it as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from publisher.extensions import db
from publisher.jobs.pipeline import (
    channels_of,
    mark_ready,
    render_error,
    render_fingerprint,
    render_for_channel,
)
from publisher.models import (
    ContentItem,
    ContentVersion,
    Job,
    JobState,
    Kind,
    RenderState,
    VersionState,
    utcnow,
)

log = logging.getLogger(__name__)
PRERENDER = "prerender"  # the Job kind (queued by services.content.submit)


def _renders(version: ContentVersion) -> dict[str, dict[str, Any]]:
    """The newest finished pre-render of ``version``: {slug: {"fingerprint", "pages"}}."""
    job = db.session.scalar(
        select(Job).where(Job.kind == PRERENDER, Job.state == JobState.DONE,
                          Job.payload["version_id"].as_integer() == version.id)
        .order_by(Job.id.desc()).limit(1))
    return dict((job.result or {}).get("renders") or {}) if job else {}


def adopt(version: ContentVersion, renders: dict[str, dict[str, Any]], now: datetime) -> bool:
    """Make the approved ``version`` live from ``renders`` if they still hold for every
    channel; True if it did (the caller commits)."""
    item = version.item
    channels = channels_of(item.township_id)
    if not channels:
        return False
    for channel in channels:
        done = renders.get(channel.slug) or {}
        if not done.get("pages") or done.get("fingerprint") != render_fingerprint(
                version.data, channel, now, narrate=item.narration):
            return False
        # Pruned while it waited for review (over budget): render again rather than air filler.
        if not all(Path(p.get("unit") or "").is_file() for p in done["pages"]):
            return False
    # Ready to air from now: a fresh item (see playlists.timeline).
    return mark_ready(version, {c.slug: renders[c.slug]["pages"] for c in channels}, now)


def adopt_prerendered(now: datetime | None = None) -> int:
    """The air lane's share: approved versions whose pages were rendered before approval go
    live now. Returns how many did. Cheap: database rows and a digest per channel."""
    waiting = list(db.session.scalars(
        select(ContentVersion).join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.state == VersionState.APPROVED,
               ContentVersion.render_state == RenderState.QUEUED,
               ContentItem.kind != Kind.ALERT)))
    adopted = 0
    for version in waiting:
        renders = _renders(version)
        if renders and adopt(version, renders, now or utcnow()):
            log.info("%s v%s approved and on air from its pre-render", version.item.ref,
                     version.number)
            adopted += 1
            db.session.commit()
    return adopted


def run_prerenders(now: datetime | None = None, limit: int = 1) -> int:
    """The content lane's share: render the oldest submitted versions (``limit``, so an
    approval queued meanwhile waits for one pre-render at most). Returns how many ran."""
    jobs = list(db.session.scalars(
        select(Job).where(Job.kind == PRERENDER, Job.state == JobState.QUEUED)
        .order_by(Job.id).limit(limit)))
    for job in jobs:
        run_prerender(job, now)
    return len(jobs)


def run_prerender(job: Job, now: datetime | None = None,
                  still_mine: Callable[[], bool] | None = None) -> bool:
    """Render one submitted version for every channel of its township and keep the result
    for its approval; commits. ``still_mine`` (a content worker's lease,
    publisher.jobs.worker) is asked before the result is recorded: False, nothing
    recorded, when the job was taken over meanwhile."""
    job.state, job.started_at = JobState.RUNNING, utcnow()
    db.session.commit()
    version = db.session.get(ContentVersion, int((job.payload or {}).get("version_id", 0)))
    if version is None or version.state != VersionState.PENDING:
        # Approved already (the render queue has it), sent back, edited or gone.
        job.state, job.result = JobState.DONE, {"skipped": version.state if version else ""}
        job.finished_at = utcnow()
        db.session.commit()
        return True
    data, narrate = dict(version.data), version.item.narration
    renders: dict[str, dict[str, Any]] = {}
    error = ""
    try:
        for channel in channels_of(version.item.township_id):
            moment = now or utcnow()
            renders[channel.slug] = {
                "fingerprint": render_fingerprint(data, channel, moment, narrate=narrate),
                "pages": render_for_channel(data, channel, moment, narrate=narrate),
            }
    except Exception as exc:  # noqa: BLE001 - approval renders again and shows the error
        log.exception("pre-render failed for %s v%s", version.item.ref, version.number)
        error = render_error(exc)
    if still_mine and not still_mine():
        db.session.rollback()
        return False
    if error:
        job.state, job.error = JobState.FAILED, error
    else:
        job.state, job.result = JobState.DONE, {"renders": renders}
        db.session.refresh(version)
        # Approved while it rendered: live now, rather than render it all again.
        if (version.state == VersionState.APPROVED
                and version.render_state == RenderState.QUEUED):
            adopt(version, renders, now or utcnow())
    job.finished_at = utcnow()
    db.session.commit()
    return True
