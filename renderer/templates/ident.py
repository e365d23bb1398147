"""Channel ident / filler: logo, channel name, township, today's date and weekday."""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.frame import draw_page_chrome, frame_for, new_page
from renderer.items import IdentItem
from renderer.kinds import KINDS
from renderer.page import Ctx, PageSpec, chinese_date, count_chars, number_pages
from renderer.profiles import Rect
from renderer.templates.common import fit_title, gap, px
from renderer.templates.display import LogoOp, Op, TextOp, run_ops

NAME = "ident"
# What the channel offers, in the kinds' declared words (an editorial pick: not every kind).
LINEUP_KINDS = ("policy", "service", "produce", "whereabouts", "requests", "notice")


def lineup() -> str:
    return " · ".join(KINDS[name].label for name in LINEUP_KINDS if name in KINDS)


def plan(item: IdentItem, ctx: Ctx) -> list[PageSpec]:
    """A centred stack, vertically centred in the content area."""
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    box = frame.content
    cx = box.left + box.width / 2
    blocks: list[tuple[str, int, str, bool, int]] = []  # text, size, role, bold, max lines
    blocks.append((ctx.branding.channel_name, px(ctx, 0.12), "text", True, 1))
    if ctx.branding.township:
        blocks.append((ctx.branding.township, px(ctx, 0.065), "muted", False, 1))
    blocks.append((chinese_date(ctx.today), px(ctx, 0.065), "accent", True, 1))
    blocks.append((lineup(), px(ctx, 0.05), "muted", False, 2))
    fits = []
    for text, size, role, bold, lines in blocks:
        fit = fit_title(ctx, text, box.width, size, max_lines=lines)
        fits.append((fit, role, bold))
    logo_h = ctx.profile.px(0.2) if ctx.branding.logo is not None else 0
    spacing = gap(ctx)
    # A ticker leaves less room: the logo gives way first (smaller, then gone), then the
    # line-up; the channel's name, township and date always show, above the ticker.
    overflow = _height(fits, logo_h, spacing) - box.height
    if overflow > 0 and logo_h:
        logo_h = logo_h - overflow if logo_h - overflow >= ctx.profile.px(0.1) else 0
    if _height(fits, logo_h, spacing) > box.height:
        fits = fits[:-1]
    total = _height(fits, logo_h, spacing)
    y = box.top + max(0, (box.height - total) // 2)
    ops: list[Op] = []
    if logo_h:
        ops.append(LogoOp(Rect(round(cx - logo_h), y, round(cx + logo_h), y + logo_h)))
        y += logo_h + spacing * 2
    chars = 0
    for fit, role, bold in fits:
        for line in fit.lines:
            ops.append(
                TextOp(cx, y, line.text, fit.size, fit.line_height, role, bold=bold, align="center")
            )
            y += fit.line_height
            chars += count_chars(line.text)
        y += spacing
    return number_pages(NAME, [({"ops": tuple(ops), "today": ctx.today}, chars)])


def _height(fits: list, logo_h: int, spacing: int) -> int:
    """The stack's height: the logo (with its double gap) and every text block."""
    total = logo_h + (spacing * 2 if logo_h else 0)
    return total + sum(len(f.lines) * f.line_height for f, _, _ in fits) + spacing * (len(fits) - 1)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw the ident page."""
    canvas, frame = new_page(ctx)
    run_ops(canvas, ctx, spec.data["ops"])
    draw_page_chrome(canvas, ctx, frame, spec.page_no, spec.page_count)
    return canvas
