"""特色农产品 produce card: photo, product, big price, phone and a QR code to call.

The card is one page. A description that fits beside the facts goes there; a longer
one moves whole to the following pages (never shrunk below the floor, never cut).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from renderer.draw import Canvas
from renderer.frame import draw_page_chrome, frame_for, new_page
from renderer.items import ProduceItem
from renderer.layout import Fit, Para, block_height, fit_text, paragraphs
from renderer.page import Ctx, PageSpec, count_chars, number_pages, short_date
from renderer.profiles import Rect
from renderer.templates.common import BODY, CONT_TITLE, fit_body, fit_title, gap, px
from renderer.templates.display import (
    DiscOp,
    Op,
    PhotoOp,
    QrOp,
    RectOp,
    TextOp,
    file_digest,
    run_ops,
)
from renderer.templates.document import DocPage, draw_document

NAME = "produce"
log = logging.getLogger(__name__)


def price_text(item: ProduceItem) -> tuple[str, str]:
    """(big figure, small unit) e.g. ("4.5", "元/斤"); ("面议", "") without a price."""
    if not item.price:
        return "面议", ""
    if re.fullmatch(r"[0-9.]+", item.price):
        return item.price, f"元/{item.unit}" if item.unit else "元"
    return item.price, f"/{item.unit}" if item.unit else ""


def _block(
    ops: list[Op],
    ctx: Ctx,
    x: int,
    y: int,
    width: int,
    text: str,
    size: int,
    *,
    role: str = "text",
    bold: bool = False,
    lines: int = 2,
) -> int:
    """Append a wrapped text block to ``ops``; returns the y below it."""
    if bold:
        fit = fit_title(ctx, text, width, size, max_lines=lines)
    else:
        chain = ctx.fonts.regular
        fit = fit_text(
            paragraphs(text),
            chain,
            width=width,
            heights=[lines * chain.line_height(size)],
            max_size=size,
            min_size=ctx.profile.min_text,
        )
        fit = Fit(fit.size, fit.line_height, (fit.lines,))
    for line in fit.lines:
        ops.append(TextOp(x, y, line.text, fit.size, fit.line_height, role, bold=bold))
        y += fit.line_height
    return y


def _picture(ops: list[Op], ctx: Ctx, item: ProduceItem, box: Rect) -> None:
    digest = file_digest(item.photo) if item.photo else ""
    if digest:
        ops.append(PhotoOp(box, str(Path(item.photo)), digest))
        return
    if item.photo:
        log.warning("produce photo %s cannot be read; drawing the placeholder", item.photo)
    # Placeholder: a calm panel with the product's first character in an accent disc.
    ops.append(RectOp(box, "panel", ctx.profile.px(0.015)))
    radius = min(box.width, box.height) * 0.3
    cx, cy = box.left + box.width / 2, box.top + box.height / 2
    ops.append(DiscOp(cx, cy, radius, "tag_bg"))
    size = round(radius * 1.1)
    ops.append(
        TextOp(
            cx,
            round(cy - size * 0.75),
            item.product[0],
            size,
            round(size * 1.5),
            "tag_text",
            "tag_bg",
            bold=True,
            align="center",
        )
    )


def _card(item: ProduceItem, ctx: Ctx, box: Rect, scale: float = 1.0) -> tuple[list[Op], int, Rect]:
    """Ops for the card at ``scale`` (sizes never below the floor); returns them, the
    characters to read and the free box left under the facts (may be negative height)."""

    def size(fraction: float) -> int:
        return px(ctx, fraction * scale)

    ops: list[Op] = []
    gutter = ctx.profile.px(0.04)
    left_w = round(box.width * (0.40 if ctx.profile.wide else 0.42))
    photo_h = min(round(left_w * 3 / 4), round(box.height * 0.58 * scale))
    _picture(ops, ctx, item, Rect(box.left, box.top, box.left + left_w, box.top + photo_h))
    chars = 0
    below = box.top + photo_h + gap(ctx)
    if item.phone:
        side = min(box.bottom - below, ctx.profile.px(0.26 * scale))
        ops.append(
            QrOp(
                Rect(box.left, below, box.left + side, below + side),
                "tel:" + re.sub(r"[^0-9+]", "", item.phone),
            )
        )
        label = ctx.profile.min_text
        lh = ctx.fonts.regular.line_height(label)
        x = box.left + side + ctx.profile.px(0.02)
        for i, text in enumerate(("扫码", "拨打电话")):
            ops.append(TextOp(x, below + side // 2 - lh + i * lh, text, label, lh, "muted"))
        chars += 6
    x = box.left + left_w + gutter
    width = box.right - x
    y = _block(ops, ctx, x, box.top, width, item.product, size(0.085), bold=True)
    origin = "·".join(p for p in (item.village, item.seller) if p)
    if origin:
        y = _block(ops, ctx, x, y, width, origin, size(0.05), role="muted")
    figure, unit = price_text(item)
    big = size(0.13)
    lh_big = round(big * 1.25)
    y += gap(ctx, 0.5)
    ops.append(TextOp(x, y, figure, big, lh_big, "accent", bold=True))
    fig_w = ctx.fonts.bold.measure(figure, big)
    if unit:
        small = size(0.06)
        # Share the baseline with the big figure: both em boxes end at the same line.
        offset = round((lh_big - big) / 2 + big * 0.88 - small * 0.88 - (small * 0.25))
        ops.append(
            TextOp(x + fig_w + small * 0.3, y + offset, unit, small, round(small * 1.5), "accent")
        )
    y += lh_big + gap(ctx, 0.5)
    for label, value in (
        ("供应量", item.quantity),
        ("供应至", short_date(item.available_until) if item.available_until else ""),
    ):
        if value:
            y = _block(ops, ctx, x, y, width, f"{label}：{value}", size(0.05))
            chars += count_chars(label, value)
    if item.phone:
        y += gap(ctx, 0.5)
        y = _block(ops, ctx, x, y, width, f"电话 {item.phone}", size(0.065), bold=True)
    chars += count_chars(item.product, origin, figure, unit, item.phone)
    return ops, chars, Rect(x, y + gap(ctx), box.right, box.bottom)


def plan(item: ProduceItem, ctx: Ctx) -> list[PageSpec]:
    """The card, plus description pages when the description does not fit beside it."""
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    # Shrink the card's type scale (never below the floor) until the facts fit.
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        ops, chars, free = _card(item, ctx, frame.content, scale)
        if free.top - gap(ctx) <= frame.content.bottom:
            break
    paras = paragraphs(item.description)
    pages: list[tuple[dict, int]] = []
    more: Fit | None = None
    if paras:
        chain = ctx.fonts.regular
        here = fit_text(
            paras,
            chain,
            width=free.width,
            heights=[max(1, free.height)],
            max_size=px(ctx, BODY * 0.85),
            min_size=ctx.profile.min_text,
        )
        lh = here.line_height
        if len(here.pages) == 1 and block_height(here.lines, lh) <= free.height:
            for i, line in enumerate(here.lines):
                ops.append(TextOp(free.left, free.top + i * lh, line.text, here.size, lh))
            chars += count_chars(*(line.text for line in here.lines))
        else:
            cont = fit_title(ctx, item.product, frame.content.width, px(ctx, CONT_TITLE), 1)
            space = frame.content.height - len(cont.lines) * cont.line_height - gap(ctx)
            more = fit_body(
                ctx, [Para("产品介绍", "heading"), *paras], frame.content.width, [space]
            )
            hint_h = ctx.fonts.regular.line_height(ctx.profile.min_text)
            if free.height >= hint_h:
                ops.append(
                    TextOp(
                        free.left, free.top, "产品介绍见下页", ctx.profile.min_text, hint_h, "muted"
                    )
                )
    pages.append(({"ops": tuple(ops)}, chars))
    if more is not None:
        for lines in more.pages:
            doc = DocPage("", cont, False, None, "", lines, more.size, more.line_height)
            pages.append(({"doc": doc}, count_chars(*(ln.text for ln in lines))))
    return number_pages(NAME, pages)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw the card or a description page."""
    if "doc" in spec.data:
        return draw_document(spec, ctx)
    canvas, frame = new_page(ctx)
    run_ops(canvas, ctx, spec.data["ops"])
    draw_page_chrome(canvas, ctx, frame, spec.page_no, spec.page_count)
    return canvas
