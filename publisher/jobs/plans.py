"""Building each channel's plan file from the database (clock process only).

A plan is rebuilt when what it is made of changed, not on every tick: each tick reads a
digest of its inputs (:func:`plan_inputs`: the township's live content rows, its derived
slides, the channel's and township's settings, the rendered slides the cache holds and the
channel's local day, so midnight is a boundary) and builds the channel's plan only when
that digest differs from the one it was last built from. Validity windows need no boundary
here: they are in the plan, and the playout's timeline applies them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from playlists.coming import COMING_WINDOW, Coming, coming_path, coming_to_json, save_coming
from playlists.plan import (
    ChannelPlan,
    PlannedItem,
    PlannedPage,
    plan_to_dict,
    save_plan,
)
from publisher.extensions import db
from publisher.jobs import derived
from publisher.jobs.channels import local_today
from publisher.jobs.pipeline import UnitRepair, render_for_channel
from publisher.models import (
    Channel,
    ContentItem,
    ContentVersion,
    Kind,
    RenderState,
    VersionState,
)
from publisher.services.schedule import max_gap_s_for, rules_for

EPOCH_READY = datetime(2000, 1, 1, tzinfo=UTC)


def _pages(raw: list[dict[str, Any]]) -> tuple[PlannedPage, ...]:
    return tuple(PlannedPage(**p) for p in raw)


class NotReady(Exception):
    """A derived slide not rendered yet, asked for in a thread that may not render."""


class DerivedCache:
    """Remembers rendered derived slides so an unchanged board costs no rendering, and
    (``units``) which units were found whole, so a broken one is encoded again.

    Shared by the clock's two lanes: inside :meth:`renders_elsewhere` (the air lane) nothing
    is rendered or repaired, the slides last rendered are used; the content lane renders
    (:func:`warm_plans`).
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[int, list[dict[str, Any]], datetime]] = {}
        # Grows with every slide rendered: a plan built without it (not ready) is built again.
        self.generation = 0
        self.units = UnitRepair()
        self.units.may_render = self.may_render  # repairs too: only in the content lane
        self._lane = threading.local()

    @contextmanager
    def renders_elsewhere(self) -> Iterator[None]:
        self._lane.no_render = True
        try:
            yield
        finally:
            self._lane.no_render = False

    def may_render(self) -> bool:
        return not getattr(self._lane, "no_render", False)

    def pages(self, channel: Channel, name: str, data: dict[str, Any],
              now: datetime) -> tuple[list[dict[str, Any]], datetime]:
        stamp = derived.fingerprint({"data": data, "day": str(local_today(channel, now)),
                                     "profile": channel.profile, "name": channel.name,
                                     "colours": [channel.primary_colour, channel.accent_colour]})
        cached = self._seen.get((channel.slug, name))
        if not self.may_render():
            if cached is None:
                raise NotReady(name)
            return cached[1], cached[2]  # the content lane renders the new ones
        if cached and cached[0] == stamp and self.units.whole(cached[1], channel):
            return cached[1], cached[2]
        pages = render_for_channel(data, channel, now)
        self._seen[(channel.slug, name)] = (stamp, pages, now)
        self.generation += 1
        return pages, now

    def settled(self, now: datetime) -> bool:
        """Whether a build at ``now`` left no work for a later tick. Narration switched on is
        read one version every few seconds (``UnitRepair``): until that pause is over another
        version may be waiting its turn, so the content lane builds again."""
        return self.units.narration_due(now)


def build_plan(channel: Channel, now: datetime, cache: DerivedCache) -> ChannelPlan:
    """The channel's plan at ``now``: what may air (with priorities and validity windows),
    and how (its schedule and time zone)."""
    township = channel.township
    items: list[PlannedItem] = []
    live = list(db.session.scalars(  # a list: a repair below commits mid-loop
        select(ContentItem).where(
            ContentItem.township_id == township.id,
            ContentItem.withdrawn_at.is_(None),
            ContentItem.is_exercise.is_(False),
            ContentItem.live_version_id.is_not(None),
        )
    ))
    for item in live:
        version = item.live_version
        raw_pages = (version.pages or {}).get(channel.slug)
        if version.render_state != RenderState.READY or not raw_pages:
            continue
        raw_pages = cache.units.sound_pages(version, channel, now)
        items.append(PlannedItem(
            id=item.ref,
            version=version.number,
            category=item.kind,
            title=version.title,
            pages=_pages(raw_pages),
            ready_at=version.ready_at or now,
            valid_from=version.valid_from,
            valid_until=version.valid_until,
            priority=version.priority,
            interrupt=item.kind == Kind.ALERT,
        ))
    for slide in derived.slides(township, local_today(channel, now), now):
        with suppress(NotReady):  # not rendered yet: in a later plan
            pages, ready = cache.pages(channel, slide.kind, slide.item, now)
            items.append(PlannedItem(id=f"{slide.kind}:{township.id}", version=slide.version,
                                     category=slide.kind, title=slide.title,
                                     pages=_pages(pages), ready_at=ready))
    ident_pages, _ = cache.pages(channel, "ident", derived.ident_item(), now)
    filler = PlannedItem(id=f"ident:{channel.slug}", version=1, category="ident",
                         title=channel.name, pages=_pages(ident_pages), ready_at=EPOCH_READY)
    return ChannelPlan(
        slug=channel.slug,
        name=channel.name,
        timezone=channel.effective_timezone,
        profile=channel.profile,
        generated_at=now,
        items=tuple(sorted(items, key=lambda i: i.id)),
        categories=rules_for(channel),
        filler=filler,
        max_gap_s=max_gap_s_for(channel),
    )


def plan_path(slug: str) -> Path:
    return Path(current_app.config["PLAN_DIR"]) / f"{slug}.json"


def _comparable(plan: ChannelPlan) -> str:
    body = plan_to_dict(plan)
    body.pop("generated_at")
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def _row(obj: Any) -> tuple[Any, ...]:
    """Every column of an ORM object, in the table's order."""
    return tuple(getattr(obj, c.key) for c in obj.__table__.columns)


def plan_inputs(channel: Channel, now: datetime, cache: DerivedCache) -> str:
    """A digest of everything :func:`build_plan` makes the channel's plan from at ``now``.

    Read with a few plain queries (no plan is built, no page looked at): the township's
    live items with every column of their live versions (pages, windows, render state …),
    its derived slides as they would air today, the channel's and township's rows, the
    cache's generation of rendered slides, and the channel's local day.
    """
    township = channel.township
    day = local_today(channel, now)
    content = db.session.execute(
        select(ContentItem.id, ContentItem.kind, ContentItem.withdrawn_at,
               ContentItem.is_exercise, ContentItem.narration, *ContentVersion.__table__.c)
        .join(ContentVersion, ContentVersion.id == ContentItem.live_version_id)
        .where(ContentItem.township_id == township.id)
        .order_by(ContentItem.id)).all()
    slides = [(s.kind, s.version, s.title, derived.fingerprint(s.item))
              for s in derived.slides(township, day, now)]
    raw = repr((str(day), cache.generation, _row(channel), _row(township), slides,
                [tuple(r) for r in content]))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class PlanBook:
    """What each channel's plan was last built from (the digest of :func:`plan_inputs`),
    and, for the air lane, the plan written."""

    def __init__(self) -> None:
        self.inputs: dict[str, str] = {}
        self.written: dict[str, str] = {}
        self.units: dict[str, list[dict[str, str]]] = {}  # the content lane's: pages to keep whole

    def unchanged(self, channel: Channel, inputs: str) -> bool:
        return self.inputs.get(channel.slug) == inputs


def _enabled_channels() -> list[Channel]:
    # A list: a repair during a build commits mid-loop.
    return list(db.session.scalars(select(Channel).where(Channel.enabled)))


def sync_plans(now: datetime, cache: DerivedCache, book: PlanBook) -> list[str]:
    """Rewrite the plan of every enabled channel whose content changed; returns their slugs.
    A channel whose inputs are as they were when its plan was written is not built again."""
    changed = []
    for channel in _enabled_channels():
        path = plan_path(channel.slug)
        inputs = plan_inputs(channel, now, cache)
        if book.unchanged(channel, inputs) and path.exists():
            continue
        try:
            plan = build_plan(channel, now, cache)
        except NotReady:
            continue  # the filler is not rendered yet: the content lane is on it
        book.inputs[channel.slug] = inputs
        body = _comparable(plan)
        if book.written.get(channel.slug) == body and path.exists():
            continue
        save_plan(plan, path)
        book.written[channel.slug] = body
        changed.append(channel.slug)
    return changed


def warm_plans(now: datetime, cache: DerivedCache, book: PlanBook | None = None) -> None:
    """The content lane's share of the plans: render the derived slides that changed and
    repair broken units, so the air lane's :func:`sync_plans` finds them ready.

    With ``book``, a channel is built only when its inputs changed, a unit of its last plan
    is no longer whole on disk, or the last build left work for later (narration).
    """
    for channel in _enabled_channels():
        slug = channel.slug
        if book is not None and book.unchanged(channel, plan_inputs(channel, now, cache)) \
                and cache.units.whole(book.units.get(slug, []), channel):
            continue
        plan = build_plan(channel, now, cache)
        if book is None:
            continue
        # Read after the build, which may have rendered slides and repaired units itself.
        settled = cache.settled(now)
        book.inputs[slug] = plan_inputs(channel, now, cache) if settled else ""
        book.units[slug] = [{"unit": page.unit, "clip": page.clip}
                            for item in (*plan.items, plan.filler) for page in item.pages]


def sync_coming(now: datetime, written: dict[str, bytes]) -> None:
    """Tell each enabled channel's playout which items were approved in the last moments and
    are still rendering, so it holds the page on screen for them (see playlists.coming).

    Run at the start of every clock tick, before the render queue: that is the only way the
    playout hears of an approval before the item is in the plan. Written only when it changes.
    """
    rows = db.session.execute(
        select(ContentItem, ContentVersion.number, ContentVersion.reviewed_at)
        .join(ContentVersion, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.state == VersionState.APPROVED,
               ContentVersion.render_state == RenderState.QUEUED,
               ContentVersion.reviewed_at >= now - COMING_WINDOW,
               ContentItem.withdrawn_at.is_(None), ContentItem.is_exercise.is_(False),
               ContentItem.kind != Kind.ALERT)  # an alert cuts in anyway
    ).all()
    for channel in db.session.scalars(select(Channel).where(Channel.enabled)):
        coming = [Coming(item.ref, number, reviewed_at) for item, number, reviewed_at in rows
                  if item.township_id == channel.township_id and reviewed_at is not None]
        body = coming_to_json(coming)
        path = coming_path(plan_path(channel.slug))
        if written.get(channel.slug) != body or not path.exists():
            save_coming(path, coming)
            written[channel.slug] = body
