"""Channel branding and the colour palette derived from it.

Broadcast-safe colours: no channel value above 235 or below 16 (studio range), so a
picture never clips on a head-end that expects limited range. Every text colour is
checked against its background with the WCAG 2 contrast ratio and pushed lighter or
darker until it reaches :data:`MIN_CONTRAST` (7:1, WCAG AAA), whatever the branding.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

MIN_CONTRAST = 7.0
RGB = tuple[int, int, int]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOGO = ROOT / "assets" / "branding" / "logo.png"


@dataclass(frozen=True)
class Branding:
    """What makes the channel recognisable on every page."""

    channel_name: str
    township: str
    logo: Path | None
    primary: str  # "#RRGGBB": header band, background tint
    accent: str  # "#RRGGBB": highlights, key figures
    ticker: str = ""  # static urgent-notice band at the bottom of every page, if set

    def fingerprint(self) -> str:
        """Everything that changes the look, logo file contents included."""
        logo = "-"
        if self.logo is not None:
            logo = hashlib.sha256(Path(self.logo).read_bytes()).hexdigest()
        fields = (self.channel_name, self.township, logo, self.primary, self.accent, self.ticker)
        return "\x1f".join(fields)


def default_branding(ticker: str = "") -> Branding:
    """A sensible branding for demos and the CLI."""
    logo = DEFAULT_LOGO if DEFAULT_LOGO.is_file() else None
    return Branding("幸福乡村频道", "乾元县监山乡", logo, "#1F4E79", "#F2B705", ticker)


def parse_hex(colour: str) -> RGB:
    """``"#1F4E79"`` -> ``(31, 78, 121)``; ``ValueError`` on anything else."""
    text = colour.strip().lstrip("#")
    if len(text) != 6:
        raise ValueError(f"颜色格式错误 colour must be #RRGGBB, got {colour!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    r, g, b = (_channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio between two colours, from 1.0 to 21.0."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Blend ``a`` towards ``b`` by ``t`` (0 = a, 1 = b)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def legal(rgb: RGB) -> RGB:
    """Clamp to broadcast studio range 16-235."""
    return tuple(min(235, max(16, c)) for c in rgb)  # type: ignore[return-value]


WHITE: RGB = (235, 235, 235)
BLACK: RGB = (16, 16, 16)


def ensure_contrast(fg: RGB, bg: RGB, ratio: float = MIN_CONTRAST) -> RGB:
    """``fg`` moved towards white or black (whichever the background allows) until it
    reaches ``ratio`` against ``bg``; returns the first step that does."""
    if contrast_ratio(fg, bg) >= ratio:
        return fg
    target = WHITE if contrast_ratio(WHITE, bg) >= contrast_ratio(BLACK, bg) else BLACK
    for step in range(1, 21):
        candidate = legal(mix(fg, target, step / 20))
        if contrast_ratio(candidate, bg) >= ratio:
            return candidate
    return target


def darken_until(bg: RGB, fg: RGB, ratio: float = MIN_CONTRAST) -> RGB:
    """``bg`` darkened step by step until ``fg`` reaches ``ratio`` on it."""
    for step in range(0, 21):
        candidate = legal(mix(bg, BLACK, step / 20))
        if contrast_ratio(fg, candidate) >= ratio:
            return candidate
    return BLACK


# Whereabouts status colours: (pill fill, text on it). Checked at 7:1 in the tests.
STATUS_COLOURS: dict[str, tuple[RGB, RGB]] = {
    "green": ((22, 82, 28), WHITE),
    "blue": ((21, 64, 150), WHITE),
    "amber": ((235, 170, 16), BLACK),
    "grey": ((72, 72, 72), WHITE),
    "red": ((140, 16, 16), WHITE),
}

# Emergency alert scheme: deep red field, yellow banner with near-black text.
ALERT_RED: RGB = (140, 16, 16)
ALERT_YELLOW: RGB = (235, 205, 16)


@dataclass(frozen=True)
class Palette:
    """Colours used by the templates; every text/background pair meets 7:1."""

    background: RGB  # page background (top of the gradient)
    background_low: RGB  # bottom of the gradient
    panel: RGB  # cards and table rows
    panel_alt: RGB  # alternate table rows
    header: RGB  # header band
    rule: RGB  # thin accent line under the header
    text: RGB
    muted: RGB  # secondary text, still 7:1
    accent: RGB  # accent text (key figures) on background and panel
    tag_bg: RGB  # category tag: accent fill
    tag_text: RGB
    ticker_bg: RGB
    ticker_text: RGB
    ticker_label_bg: RGB
    ticker_label_text: RGB


def palette_for(branding: Branding) -> Palette:
    """Derive the palette from the branding's two colours."""
    primary = legal(parse_hex(branding.primary))
    accent_raw = legal(parse_hex(branding.accent))
    text = WHITE
    # Calm, dark backgrounds: white text on them is restful and stays legible on SD.
    background = darken_until(mix(primary, BLACK, 0.55), text, 12.0)
    background_low = darken_until(mix(primary, BLACK, 0.70), text, 12.0)
    panel = darken_until(mix(primary, BLACK, 0.45), text, 10.0)
    panel_alt = darken_until(mix(primary, BLACK, 0.30), text, 8.0)  # separators only
    header = darken_until(primary, text, 8.0)
    # Accent and muted text appear on the background and on panels, never on the header.
    worst_bg = max((background, background_low, panel), key=luminance)
    accent = ensure_contrast(accent_raw, worst_bg)
    muted = ensure_contrast(mix(text, worst_bg, 0.25), worst_bg)
    # Tag pills: accent fill with black or white text, whichever suits the accent; the
    # fill is pushed lighter or darker until the pair reaches 7:1.
    tag_text = (
        BLACK if contrast_ratio(BLACK, accent_raw) >= contrast_ratio(WHITE, accent_raw) else WHITE
    )
    tag_bg = ensure_contrast(accent_raw, tag_text)
    ticker_bg = (235, 200, 40)
    return Palette(
        background=background,
        background_low=background_low,
        panel=panel,
        panel_alt=panel_alt,
        header=header,
        rule=accent_raw,
        text=text,
        muted=muted,
        accent=accent,
        tag_bg=tag_bg,
        tag_text=tag_text,
        ticker_bg=ticker_bg,
        ticker_text=ensure_contrast(BLACK, ticker_bg),
        ticker_label_bg=ALERT_RED,
        ticker_label_text=ensure_contrast(WHITE, ALERT_RED),
    )
