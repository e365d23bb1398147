"""Public entry points: turn one content item into cached PNG pages.

::

    pages = render_item(item_dict, profile="1080p", branding=branding,
                        cache_dir=Path("var/cache"), today=date(2026, 11, 22))

Each page's ``key`` is the SHA-256 of the renderer version, template, profile, fonts,
branding and the page's own laid-out content (today's date included, as the header
shows it). A page whose PNG already exists under that key is not drawn again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from renderer.cache import (
    load_manifest,
    manifest_path,
    page_is_whole,
    page_key,
    page_path,
    store_manifest,
    store_png,
)
from renderer.draw import Canvas
from renderer.fonts import FontSet, default_fonts
from renderer.item_parser import parse_item
from renderer.items import Item
from renderer.narration import page_scripts
from renderer.page import Ctx, PageSpec, ReadingPace, page_duration
from renderer.profiles import get_profile
from renderer.templates import template_for
from renderer.templates.display import file_digest
from renderer.theme import Branding

__all__ = [
    "RENDERER_VERSION",
    "Branding",
    "ReadingPace",
    "RenderedPage",
    "draw_page",
    "plan_item",
    "render_item",
]

# Bump whenever a change to the renderer alters pixels for the same inputs.


def code_version(root: Path = Path(__file__).parent) -> str:
    """A digest of the renderer's own source: any change to layout or templates is a new
    renderer version, so no page or whole-item render ever comes from a stale cache after an
    upgrade (a hand-kept version number is one forgotten bump away from airing old layouts)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RENDERER_VERSION = code_version()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedPage:
    """One page on disk, with its content key and its time on air."""

    path: Path
    key: str
    page_no: int
    page_count: int
    duration_s: float
    script: str = ""  # what the page says aloud (renderer.narration), before normalising


def item_text(item: Item) -> str:
    """All text of an item, for the missing-glyph check."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                if f.name != "photo":
                    walk(getattr(value, f.name))
        elif isinstance(value, tuple | list):
            for v in value:
                walk(v)

    walk(item)
    return "\n".join(parts)


def plan_item(
    item: dict[str, Any] | Item,
    *,
    profile: str,
    branding: Branding,
    today: date,
    fonts: FontSet | None = None,
    pace: ReadingPace | None = None,
) -> tuple[Ctx, list[PageSpec]]:
    """Validate and lay out an item without drawing anything. ``pace`` (the channel's)
    decides how much running text a page carries."""
    parsed = item if dataclasses.is_dataclass(item) else parse_item(item)
    ctx = Ctx(get_profile(profile), branding, fonts or default_fonts(), today,
              pace or ReadingPace())
    missing = ctx.fonts.regular.missing(item_text(parsed) + branding.channel_name + branding.ticker)
    if missing:
        log.warning("no installed font has %s; drawn as 〓", "".join(sorted(missing)))
    return ctx, template_for(parsed.type).plan(parsed, ctx)


def draw_page(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one planned page (the canvas carries the marks the tests inspect)."""
    return template_for(spec.template).draw(spec, ctx)


def page_key_for(spec: PageSpec, ctx: Ctx, branding_fingerprint: str | None = None) -> str:
    """The content address of a planned page."""
    return page_key(
        RENDERER_VERSION,
        spec.template,
        ctx.profile.name,
        ctx.fonts.identity(),
        branding_fingerprint or ctx.branding.fingerprint(),
        ctx.today.isoformat(),
        # repr of the frozen dataclasses, tuples and dicts in ``data`` is deterministic
        # and several times faster than a JSON walk; a Python upgrade that changed it
        # would only cost one re-render.
        repr(spec.data),
    )


def item_key(
    item: dict[str, Any],
    profile: str,
    branding_fingerprint: str,
    today: date,
    fonts: FontSet,
    pace: ReadingPace | None = None,
) -> str:
    """Key of a whole item render: the item as given (photo contents included), profile,
    fonts, branding, date, the text a page carries at the pace, and renderer version."""
    photo = item.get("photo") if item.get("type") == "produce" else None
    return page_key(
        RENDERER_VERSION,
        "item",
        profile,
        fonts.identity(),
        branding_fingerprint,
        today.isoformat(),
        json.dumps(item, sort_keys=True, ensure_ascii=False, default=str),
        file_digest(photo) if isinstance(photo, str) and photo else "",
        str((pace or ReadingPace()).page_chars),
    )


def render_item(
    item: dict[str, Any],
    *,
    profile: str = "1080p",
    branding: Branding,
    cache_dir: Path,
    today: date,
    pace: ReadingPace | None = None,
) -> list[RenderedPage]:
    """Validate, lay out and (where not cached) draw an item; returns its pages in order.

    Raises :class:`renderer.items.ItemError` for an invalid item and ``ValueError`` for an
    unknown profile. Durations follow ``pace`` and are snapped to the 0.64 s grid.
    An item rendered before with identical inputs is answered from its manifest without
    laying it out again; a page whose PNG is stored whole is never drawn again.
    """
    fingerprint = branding.fingerprint()
    whole = (
        item_key(item, profile, fingerprint, today, default_fonts(), pace)
        if isinstance(item, dict)
        else None
    )
    manifest = manifest_path(cache_dir, whole) if whole else None
    if manifest is not None:
        known = load_manifest(manifest)
        if known and all(page_is_whole(page_path(cache_dir, p["key"])) for p in known):
            return [
                RenderedPage(
                    page_path(cache_dir, p["key"]),
                    p["key"],
                    p["page_no"],
                    p["page_count"],
                    page_duration(p["chars"], pace),
                    p.get("script", ""),
                )
                for p in known
            ]
    ctx, specs = plan_item(item, profile=profile, branding=branding, today=today, pace=pace)
    parsed = item if dataclasses.is_dataclass(item) else parse_item(item)
    scripts = page_scripts(parsed, specs, today)
    pages = []
    for spec, script in zip(specs, scripts, strict=True):
        key = page_key_for(spec, ctx, fingerprint)
        path = page_path(cache_dir, key)
        if not page_is_whole(path):  # missing, or cut short by a power cut
            store_png(draw_page(spec, ctx).image, path)
        pages.append(
            RenderedPage(
                path,
                key,
                spec.page_no,
                spec.page_count,
                page_duration(spec.reading_chars, pace),
                script,
            )
        )
    if manifest is not None:
        store_manifest(
            manifest,
            [
                {
                    "key": p.key,
                    "page_no": p.page_no,
                    "page_count": p.page_count,
                    "chars": s.reading_chars,
                    "script": p.script,
                }
                for p, s in zip(pages, specs, strict=True)
            ],
        )
    return pages
