"""The programme guide (节目单) in XMLTV, from what aired and what playout will air.

A loop channel has no fixed programmes, so the guide describes what actually airs: the as-run
log for the past and playout's materialised lineup (:mod:`playlists.lineup`) ahead, both lists
of pages (:class:`~playlists.lineup.Entry`; a timeline ``Slot`` works too). Consecutive slots
of one category become one programme (title = the category's name,
description = the items it shows). Because the whereabouts board and the weighted rotation
interleave categories every minute or two, set-top boxes with a grid guide read better with
``block_minutes``: clock-aligned blocks titled by the categories that fill them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from playlists.plan import ChannelPlan
from playlists.playstate import PlayState
from playlists.timeline import simulate
from playlists.timezones import zone
from renderer.kinds import KINDS

GENERATOR = "villagecast"
ID_DOMAIN = "villagecast"
# Chinese names of the categories, used when the plan's CategoryRule has no label: each
# kind's guide category from its declaration (the plan builder can override any of them).
# A snapshot for the as-run export; :func:`category_title` reads the declarations.
CATEGORY_TITLES = {d.name: d.guide_title for d in KINDS.values()}
MAX_DESC_TITLES = 12  # a guide line is read on a TV: list the first items, then "等 N 项"
MAX_BLOCK_TITLES = 3
_GAP = timedelta(seconds=1)  # slots further apart than this are not one programme
# Characters XML 1.0 forbids even when escaped (most C0 controls).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ChannelInfo:
    """How a channel is listed in the guide and the M3U channel list."""

    slug: str
    name: str
    icon_url: str | None = None
    group: str = ""  # M3U group-title, e.g. the county

    @property
    def xmltv_id(self) -> str:
        return channel_id(self.slug)


@dataclass(frozen=True)
class Programme:
    """One guide entry; ``start``/``stop`` are timezone-aware."""

    start: datetime
    stop: datetime
    title: str
    desc: str = ""
    categories: tuple[str, ...] = ()


def channel_id(slug: str) -> str:
    """An XMLTV channel id (``name.domain``, letters, digits and dashes only) for a slug."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", slug).strip("-") or "channel"
    return f"{name}.{ID_DOMAIN}"


def category_title(plan: ChannelPlan, category: str) -> str:
    """The viewer-facing name of a category: the plan's label, else the built-in one."""
    rule = plan.categories.get(category)
    declared = KINDS.get(category)
    return (rule.label if rule else "") or (declared.guide_title if declared else category)


def _describe(titles: Iterable[str]) -> str:
    unique = list(dict.fromkeys(t for t in titles if t))
    shown = "、".join(unique[:MAX_DESC_TITLES])
    extra = len(unique) - MAX_DESC_TITLES
    return f"{shown} 等 {len(unique)} 项" if extra > 0 else shown


def programmes_from_slots(
    slots: Sequence[Any], plan: ChannelPlan, *, block_minutes: int | None = None
) -> list[Programme]:
    """Guide entries for ``slots`` (in airing order), in the channel's time zone.

    ``slots`` are timeline ``Slot``s or lineup/as-run ``Entry``s (whose own ``title`` wins
    over the plan's, so an item withdrawn since is still named).

    Without ``block_minutes`` consecutive slots of one category make one programme. With it,
    the day is cut into clock-aligned blocks of that many minutes, each titled by its (up to
    three) biggest categories by airtime.
    """
    tz = zone(plan.timezone)
    titles = {i.id: i.title for i in plan.items}
    if plan.filler:
        titles.setdefault(plan.filler.id, plan.filler.title)
    if block_minutes is not None and block_minutes <= 0:
        raise ValueError("block_minutes must be positive")

    def together(a: Any, b: Any) -> bool:
        if abs(b.start - a.end) > _GAP:
            return False
        if block_minutes:
            return _block_of(a, tz, block_minutes) == _block_of(b, tz, block_minutes)
        return (a.category, a.interrupt) == (b.category, b.interrupt)

    groups: list[list[Any]] = []
    for slot in slots:
        if groups and together(groups[-1][-1], slot):
            groups[-1].append(slot)
        else:
            groups.append([slot])

    programmes = []
    for group in groups:
        airtime: Counter[str] = Counter()
        for slot in group:
            airtime[slot.category] += slot.duration_s
        names = [category_title(plan, c) for c, _ in airtime.most_common()]
        programmes.append(
            Programme(
                start=group[0].start.astimezone(tz),
                stop=group[-1].end.astimezone(tz),
                title=" · ".join(names[:MAX_BLOCK_TITLES]),
                desc=_describe(getattr(s, "title", "") or titles.get(s.item_id, "") for s in group),
                categories=tuple(names),
            )
        )
    return programmes


def _block_of(slot: Any, tz: ZoneInfo, minutes: int) -> int:
    local = slot.start.astimezone(tz)
    return (local.toordinal() * 1440 + local.hour * 60 + local.minute) // minutes


def guide_programmes(
    plan: ChannelPlan,
    now: datetime,
    state: PlayState,
    *,
    before: timedelta = timedelta(hours=1),
    after: timedelta = timedelta(hours=24),
    block_minutes: int | None = None,
) -> list[Programme]:
    """Programmes for ``now - before`` … ``now + after``, simulated from ``state``.

    A preview for a plan that is not on air (tests, a new channel). A channel on air lists what
    aired and its playout's lineup instead (``publisher.services.guide``): a second simulation
    from a guessed state lists items in slots where they do not air.
    """
    slots, _ = simulate(plan, now - before, now + after, state)
    return programmes_from_slots(slots, plan, block_minutes=block_minutes)


def xmltv_time(moment: datetime) -> str:
    """``20261122060000 +0800`` (the offset is the datetime's own)."""
    if moment.tzinfo is None:
        raise ValueError("guide times must be timezone-aware")
    return moment.strftime("%Y%m%d%H%M%S %z")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    child.text = _text(text)
    return child


def build_epg(channels: Sequence[tuple[ChannelInfo, Sequence[Programme]]]) -> bytes:
    """An XMLTV document (UTF-8) listing ``channels`` and their programmes."""
    tv = ET.Element("tv", {"generator-info-name": GENERATOR})
    for info, _ in channels:
        channel = ET.SubElement(tv, "channel", {"id": info.xmltv_id})
        _add(channel, "display-name", info.name, lang="zh")
        if info.icon_url:
            ET.SubElement(channel, "icon", {"src": _text(info.icon_url)})
    for info, programmes in channels:
        for prog in sorted(programmes, key=lambda p: p.start):
            node = ET.SubElement(
                tv,
                "programme",
                {
                    "start": xmltv_time(prog.start),
                    "stop": xmltv_time(prog.stop),
                    "channel": info.xmltv_id,
                },
            )
            _add(node, "title", prog.title.strip() or info.name, lang="zh")
            if prog.desc.strip():  # XMLTV wants no <desc> rather than an empty one
                _add(node, "desc", prog.desc, lang="zh")
            for category in prog.categories:
                _add(node, "category", category, lang="zh")
    ET.indent(tv, space=" ")
    body = ET.tostring(tv, encoding="unicode")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">\n'
    return (head + body + "\n").encode("utf-8")
