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
# Fewer characters than this a page would set a long text a line or two to a page, the
# pages flipping more than they are read.
MIN_PAGE_CHARS = 100


@dataclass(frozen=True)
class ReadingPace:
    """How long a page stays on air: the channel's slow reading pace for elderly viewers.

    No page is ever hurried: it stays up for all its characters at ``chars_per_second``
    (``min_seconds`` at least). Running text is instead cut into pages of at most
    :attr:`page_chars` characters (``page_seconds`` of reading), so a long policy goes on
    more pages, each up for as long as it takes to read, rather than on fewer pages read
    too fast.
    """

    chars_per_second: float = 3.0
    min_seconds: float = 8.0
    page_seconds: float = 45.0

    def __post_init__(self) -> None:
        if self.chars_per_second <= 0 or self.min_seconds <= 0:
            raise ValueError("reading pace and minimum duration must be positive")
        if self.page_seconds < self.min_seconds:
            raise ValueError("page_seconds must be at least min_seconds")

    @property
    def page_chars(self) -> int:
        """The most characters of running text one page carries: ``page_seconds`` of
        reading, but never less than :data:`MIN_PAGE_CHARS` (at a very slow pace such a
        page simply stays up longer)."""
        return max(MIN_PAGE_CHARS, round(self.chars_per_second * self.page_seconds))


def page_duration(chars: int, pace: ReadingPace | None = None) -> float:
    """Seconds on air for a page with ``chars`` characters to read at the pace (never less
    than its minimum, never capped), snapped up to the unit grid."""
    pace = pace or ReadingPace()
    return snap_seconds(max(pace.min_seconds, chars / pace.chars_per_second))


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
    pace: ReadingPace = field(default_factory=ReadingPace)  # how much text a page carries
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
