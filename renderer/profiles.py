"""Output profiles: the picture sizes the channel is rendered for.

Pages are drawn with square pixels. Standard-definition PAL stores 720x576 with
non-square pixels; we draw at the square-pixel size of the display aspect (1024x576
for 16:9, 768x576 for 4:3) and record the storage size and sample aspect ratio (SAR)
so the encoder can scale to 720x576 and flag the aspect correctly.

Every length in the templates is a fraction of the picture height, so one design
serves all profiles; the title-safe area is the central 90% in each direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Broadcast title-safe area: central 90% of width and height.
TITLE_SAFE = 0.90
# Legibility floor for every piece of text: 4.5% of picture height (≥ 48 px at 1080),
# readable from 3 m on a standard-definition set.
MIN_TEXT_FRACTION = 0.045


@dataclass(frozen=True)
class Rect:
    """An axis-aligned box in pixels: left, top, right (exclusive), bottom (exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def contains(self, other: Rect) -> bool:
        """True when ``other`` lies wholly inside this box."""
        return (
            other.left >= self.left
            and other.top >= self.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


@dataclass(frozen=True)
class Profile:
    """One output format."""

    name: str
    width: int  # drawing size, square pixels
    height: int
    storage_width: int  # coded size the encoder scales to
    storage_height: int
    sar: tuple[int, int]  # sample aspect ratio of the coded picture
    interlaced: bool = False

    @property
    def dar(self) -> tuple[int, int]:
        """Display aspect ratio, reduced (16:9 or 4:3)."""
        g = math.gcd(self.width, self.height)
        return self.width // g, self.height // g

    @property
    def wide(self) -> bool:
        """True for 16:9 pictures."""
        return self.width * 9 >= self.height * 16

    def px(self, fraction: float) -> int:
        """A length given as a fraction of picture height, in pixels."""
        return round(self.height * fraction)

    @property
    def min_text(self) -> int:
        """Smallest text size allowed on this profile, in pixels."""
        return math.ceil(self.height * MIN_TEXT_FRACTION)

    @property
    def safe(self) -> Rect:
        """The title-safe area: all text and logos stay inside it."""
        mx = math.ceil(self.width * (1 - TITLE_SAFE) / 2)
        my = math.ceil(self.height * (1 - TITLE_SAFE) / 2)
        return Rect(mx, my, self.width - mx, self.height - my)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("1080p", 1920, 1080, 1920, 1080, (1, 1)),
        Profile("720p", 1280, 720, 1280, 720, (1, 1)),
        Profile("576i-16x9", 1024, 576, 720, 576, (64, 45), interlaced=True),
        Profile("576i-4x3", 768, 576, 720, 576, (16, 15), interlaced=True),
    )
}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; ``ValueError`` listing the valid names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"未知的输出规格 unknown profile {name!r}; choose one of {', '.join(PROFILES)}"
        ) from None
