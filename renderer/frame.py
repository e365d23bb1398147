"""The chrome around every page: background, header band, ticker band, page mark.

The static part (background, header with logo and channel name, ticker band) depends
only on profile, branding and fonts, so it is drawn once per process and copied for
each page; the date and the page mark are drawn per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from renderer.draw import Canvas, Mark
from renderer.fonts import FontSet
from renderer.layout import Fit, fit_text, paragraphs
from renderer.page import Ctx, chinese_date
from renderer.profiles import Profile, Rect
from renderer.theme import ALERT_RED, RGB, Branding, Palette, mix
from renderer.titles import balanced_lines

TICKER_LABEL = "紧急通知"


class TickerTooLong(ValueError):
    """The ticker text needs more than two lines even at the legibility floor."""


@dataclass(frozen=True)
class Frame:
    """Page geometry in pixels."""

    header: Rect  # full-width band at the top
    header_row: Rect  # inside the safe area: logo, channel name, date
    name_size: int
    date_size: int
    content: Rect  # where templates draw
    footer: Rect  # a row under the content: page mark and footnotes
    ticker: Rect | None  # full-width band at the bottom
    ticker_fit: Fit | None
    ticker_size: int


def _ticker_fit(profile: Profile, fonts: FontSet, text: str, width: int) -> Fit:
    """One line if the floor allows it, else two; longer tickers are refused."""
    max_size = max(profile.min_text, profile.px(0.05))
    chain = fonts.regular
    for lines in (1, 2):
        fit = fit_text(
            paragraphs(text),
            chain,
            width=width,
            heights=[lines * chain.line_height(profile.min_text)],
            max_size=max_size,
            min_size=profile.min_text,
        )
        if len(fit.pages) == 1:
            lines = balanced_lines(paragraphs(text), chain, fit.size, width)
            return Fit(fit.size, fit.line_height, (tuple(lines),))
    raise TickerTooLong(
        f"滚动字幕过长，请精简到两行以内 (ticker text too long for two lines: {text[:20]}…)"
    )


@lru_cache(maxsize=64)
def frame_for(profile: Profile, branding: Branding, fonts: FontSet) -> Frame:
    """Compute the chrome geometry for a profile and branding."""
    safe = profile.safe
    name_size = max(profile.min_text, profile.px(0.052))
    date_size = profile.min_text
    row_h = fonts.bold.line_height(name_size)
    header_row = Rect(safe.left, safe.top, safe.right, safe.top + row_h)
    header = Rect(0, 0, profile.width, header_row.bottom + profile.px(0.012))
    footer_h = fonts.regular.line_height(profile.min_text)
    bottom = safe.bottom
    ticker = None
    ticker_fit = None
    ticker_size = 0
    if branding.ticker.strip():
        ticker_size = profile.min_text
        label_w = fonts.bold.measure(TICKER_LABEL, ticker_size) + profile.px(0.08)
        ticker_fit = _ticker_fit(profile, fonts, branding.ticker, int(safe.width - label_w))
        block = len(ticker_fit.lines) * ticker_fit.line_height
        pad = profile.px(0.012)
        ticker = Rect(0, safe.bottom - block - pad, profile.width, profile.height)
        bottom = ticker.top - profile.px(0.012)
    footer = Rect(safe.left, bottom - footer_h, safe.right, bottom)
    content = Rect(
        safe.left, header.bottom + profile.px(0.035), safe.right, footer.top - profile.px(0.005)
    )
    return Frame(
        header, header_row, name_size, date_size, content, footer, ticker, ticker_fit, ticker_size
    )


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    # A vertical gradient built from a 1-px column and stretched: fast and exact.
    w, h = size
    column = Image.new("RGB", (1, h))
    column.putdata([mix(top, bottom, y / max(1, h - 1)) for y in range(h)])
    return column.resize((w, h), Image.Resampling.NEAREST)


@lru_cache(maxsize=64)
def _logo(path: Path, height: int) -> Image.Image:
    with Image.open(path) as src:
        logo = src.convert("RGBA")
    width = max(1, round(logo.width * height / logo.height))
    return logo.resize((width, height), Image.Resampling.LANCZOS)


def _draw_static(
    canvas: Canvas,
    profile: Profile,
    branding: Branding,
    pal: Palette,
    frame: Frame,
    header_fill: RGB,
) -> None:
    row = frame.header_row
    canvas.rect(frame.header, header_fill)
    canvas.rect(
        Rect(
            0, frame.header.bottom, profile.width, frame.header.bottom + max(2, profile.px(0.005))
        ),
        pal.rule,
    )
    x = row.left
    if branding.logo is not None and Path(branding.logo).is_file():
        logo_h = round(row.height * 0.92)
        logo = _logo(Path(branding.logo), logo_h)
        canvas.paste(logo, x, row.top + (row.height - logo_h) // 2, kind="logo")
        x += logo.width + profile.px(0.018)
    canvas.text(
        x,
        row.top,
        branding.channel_name,
        frame.name_size,
        fill=pal.text,
        bg=header_fill,
        bold=True,
        line_height=row.height,
    )
    if frame.ticker is not None and frame.ticker_fit is not None:
        band = frame.ticker
        canvas.rect(band, pal.ticker_bg)
        safe = profile.safe
        fit = frame.ticker_fit
        top = band.top + profile.px(0.006)
        size = frame.ticker_size
        label_h = fit.line_height
        label_w = canvas.pill(
            safe.left,
            top,
            TICKER_LABEL,
            size,
            fill=pal.ticker_label_bg,
            text_fill=pal.ticker_label_text,
            height=label_h,
        )
        x = safe.left + label_w + profile.px(0.02)
        for i, line in enumerate(fit.lines):
            canvas.text(
                x,
                top + i * fit.line_height,
                line.text,
                fit.size,
                fill=pal.ticker_text,
                bg=pal.ticker_bg,
                line_height=fit.line_height,
            )


@lru_cache(maxsize=32)
def _base(
    profile: Profile, branding: Branding, fonts_id: str, alert: bool, fonts: FontSet
) -> tuple[Image.Image, Frame, tuple[Mark, ...]]:
    from renderer.theme import palette_for

    pal = palette_for(branding)
    frame = frame_for(profile, branding, fonts)
    size = (profile.width, profile.height)
    if alert:
        image = Image.new("RGB", size, ALERT_RED)
        header_fill = mix(ALERT_RED, (16, 16, 16), 0.45)
    else:
        image = _gradient(size, pal.background, pal.background_low)
        header_fill = pal.header
    canvas = Canvas(image, fonts)
    _draw_static(canvas, profile, branding, pal, frame, header_fill)
    return image, frame, tuple(canvas.marks)


def new_page(ctx: Ctx, *, alert: bool = False) -> tuple[Canvas, Frame]:
    """A fresh canvas with the static chrome already on it (copied from a cached base)."""
    image, frame, marks = _base(ctx.profile, ctx.branding, ctx.fonts.identity(), alert, ctx.fonts)
    return Canvas(image.copy(), ctx.fonts, list(marks)), frame


def header_fill(ctx: Ctx, alert: bool) -> RGB:
    """The header band colour (for the date's contrast)."""
    return mix(ALERT_RED, (16, 16, 16), 0.45) if alert else ctx.palette.header


def draw_page_chrome(
    canvas: Canvas,
    ctx: Ctx,
    frame: Frame,
    page_no: int,
    page_count: int,
    *,
    alert: bool = False,
    footer_bg: RGB | None = None,
) -> None:
    """The per-page chrome: today's date in the header and, if paginated, 第n/m页."""
    pal = ctx.palette
    row = frame.header_row
    canvas.text(
        row.right,
        row.top,
        chinese_date(ctx.today),
        frame.date_size,
        fill=pal.text,
        bg=header_fill(ctx, alert),
        line_height=row.height,
        align="right",
    )
    if page_count > 1:
        bg = footer_bg or (ALERT_RED if alert else pal.background_low)
        colour = pal.text if alert else pal.muted
        canvas.text(
            frame.footer.right,
            frame.footer.top,
            f"第{page_no}/{page_count}页",
            ctx.profile.min_text,
            fill=colour,
            bg=bg,
            align="right",
            line_height=frame.footer.height,
        )
