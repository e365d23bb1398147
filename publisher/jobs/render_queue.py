"""The order approved content is rendered in: alerts first, then townships in turn.

A county runs one channel per township from one clock (or a few workers). Taken strictly by
approval time, one township that approves forty items at once would hold every other
township's single notice behind all forty. Instead the queue goes round the townships: each
township's oldest waiting version, the townships in the order their oldest was approved,
then each one's second, and so on; emergency alerts go before everything, oldest first.
A version is rendered for every channel of its township; how many of them are done is kept
on the version while it renders (:func:`channel_progress`), so staff see "N of M channels".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from publisher.extensions import db
from publisher.models import Channel, ContentItem, ContentVersion, Kind, RenderState

_NEVER = datetime.max.replace(tzinfo=UTC)  # a version with no approval time goes last


@dataclass(frozen=True)
class Waiting:
    """One approved version waiting for its render."""

    version_id: int
    township_id: int
    alert: bool
    approved_at: datetime | None


def _when(w: Waiting) -> datetime:
    at = w.approved_at
    if at is None:
        return _NEVER
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def fair_order(waiting: Iterable[Waiting]) -> list[Waiting]:
    """Alerts by approval time, then content round robin across townships (pure)."""
    waiting = list(waiting)
    alerts = sorted((w for w in waiting if w.alert), key=lambda w: (_when(w), w.version_id))
    per_township: dict[int, list[Waiting]] = {}
    for w in sorted((w for w in waiting if not w.alert), key=lambda w: (_when(w), w.version_id)):
        per_township.setdefault(w.township_id, []).append(w)
    # Round k holds each township's k-th oldest; inside a round, the earlier approval first.
    turns = [(rank, _when(w), w.version_id, w)
             for queue in per_township.values() for rank, w in enumerate(queue)]  # fmt: skip
    return alerts + [w for *_, w in sorted(turns, key=lambda t: t[:3])]


def waiting(*, alerts_only: bool = False, content_only: bool = False) -> list[Waiting]:
    """Every version in the render queue (a county's queue is dozens, not thousands)."""
    query = (
        select(ContentVersion.id, ContentItem.township_id, ContentItem.kind,
               ContentVersion.reviewed_at)
        .join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.render_state == RenderState.QUEUED)
    )  # fmt: skip
    if alerts_only:
        query = query.where(ContentItem.kind == Kind.ALERT)
    if content_only:
        query = query.where(ContentItem.kind != Kind.ALERT)
    return [Waiting(vid, town, kind == Kind.ALERT, at)
            for vid, town, kind, at in db.session.execute(query)]  # fmt: skip


def queued_fairly(limit: int, *, alerts_only: bool = False,
                  content_only: bool = False) -> list[int]:  # fmt: skip
    """Ids of the next ``limit`` versions to render, in :func:`fair_order`."""
    found = waiting(alerts_only=alerts_only, content_only=content_only)
    return [w.version_id for w in fair_order(found)[:limit]]


def ahead_of(version_id: int) -> int:
    """How many versions the render queue takes before this one (0: it is next)."""
    order = [w.version_id for w in fair_order(waiting())]
    return order.index(version_id) if version_id in order else 0


def channel_progress(version: ContentVersion) -> tuple[int, int]:
    """(channels whose pages are ready, channels it airs on) for a version being rendered."""
    slugs = set(db.session.scalars(select(Channel.slug).where(
        Channel.township_id == version.item.township_id, Channel.enabled)))
    done = set(version.pages or {}) & slugs
    if version.render_state == RenderState.READY:
        done = slugs
    return len(done), len(slugs)


def channels_waiting() -> int:
    """Channel renders still to do across the queue (for metrics: a county-wide notice
    approved for 15 channels counts 15 until its first channel is done)."""
    rows = db.session.execute(
        select(ContentVersion.pages, ContentItem.township_id)
        .join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.render_state == RenderState.QUEUED)).all()
    per_town = dict(db.session.execute(
        select(Channel.township_id, func.count()).where(Channel.enabled)
        .group_by(Channel.township_id)).all())
    return sum(max(0, per_town.get(town, 0) - len(pages or {})) for pages, town in rows)
