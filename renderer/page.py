"""What a template hands the renderer: page specs, the render context, reading time.

A :class:`PageSpec` holds *everything* its page shows (already laid out: which lines,
at which size), so hashing its data identifies the picture and drawing needs no
further decisions. Specs are cheap to compute; drawing and PNG encoding are not, and
happen only on a cache miss.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from renderer.fonts import FontSet
from renderer.profiles import Profile
from renderer.theme import Branding, Palette, palette_for
from renderer.timing import snap_seconds

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class ReadingPace:
    """How long a page stays on air: a slow reading pace for elderly viewers."""

    chars_per_second: float = 3.0
    min_seconds: float = 8.0
    max_seconds: float = 40.0

    def __post_init__(self) -> None:
        if self.chars_per_second <= 0 or self.min_seconds <= 0:
            raise ValueError("reading pace and minimum duration must be positive")
        if self.max_seconds < self.min_seconds:
            raise ValueError("max_seconds must be at least min_seconds")


def page_duration(chars: int, pace: ReadingPace | None = None) -> float:
    """Seconds on air for a page with ``chars`` characters to read, snapped to the unit grid."""
    pace = pace or ReadingPace()
    wanted = chars / pace.chars_per_second
    return snap_seconds(min(pace.max_seconds, max(pace.min_seconds, wanted)))


def count_chars(*texts: str) -> int:
    """Characters a viewer reads (whitespace does not count)."""
    return sum(1 for t in texts for c in t if not c.isspace())


def chinese_date(day: date) -> str:
    """``2026年11月22日 星期日``."""
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def short_date(day: date) -> str:
    """``2026年11月22日``."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Ctx:
    """Everything a template needs besides the item."""

    profile: Profile
    branding: Branding
    fonts: FontSet
    today: date
    palette: Palette = field(init=False)

    def __post_init__(self) -> None:
        self.palette = palette_for(self.branding)


@dataclass(frozen=True)
class PageSpec:
    """One page, fully decided: ``data`` is what gets drawn (and hashed)."""

    template: str
    data: dict[str, Any]
    reading_chars: int
    page_no: int = 1
    page_count: int = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def canonical_json(value: Any) -> str:
    """A stable text form of ``value`` (dataclasses, dates and paths included) for hashing."""
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def number_pages(template: str, pages: list[tuple[dict[str, Any], int]]) -> list[PageSpec]:
    """Turn ``(data, reading_chars)`` pairs into specs with page numbers filled in."""
    count = len(pages)
    return [
        PageSpec(template, {**data, "page_no": i, "page_count": count}, chars, i, count)
        for i, (data, chars) in enumerate(pages, start=1)
    ]
