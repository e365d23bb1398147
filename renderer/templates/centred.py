"""Short items set large in the middle of the frame: a one-line notice fills the screen
instead of sitting small in its top-left corner.

:func:`plan_centred` tries sizes from :data:`BODY_MAX` down to :data:`BODY_MIN`; the first
at which the whole item (tag, title, text, signature) fits the content area on one page is
used, the block centred both ways. An item that does not fit even at :data:`BODY_MIN` is
not short: the caller sets it in the normal reading layout. The plan is a display list
(:mod:`renderer.templates.display`), so drawing makes no decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

from renderer.draw import Canvas
from renderer.frame import draw_page_chrome, frame_for, new_page
from renderer.layout import Line, Para
from renderer.page import Ctx, PageSpec, count_chars, number_pages
from renderer.profiles import Rect
from renderer.templates.common import gap, tag_height
from renderer.templates.display import Op, RectOp, TextOp, run_ops
from renderer.titles import balanced_lines

BODY_MAX = 0.11  # text up to 11% of the picture height (79 px at 720p)...
BODY_MIN = 0.075  # ...and at least 7.5% (body text elsewhere is 6.2%), or it is not short
TITLE_SCALE = 1.2  # the title one step above the text
TITLE_MAX = 0.13
SIGN_SCALE = 0.6  # issuer and date, muted, under the text
TEXT_SPACING = 1.45
TITLE_SPACING = 1.25


def _sizes(ctx: Ctx) -> list[int]:
    top, floor = ctx.profile.px(BODY_MAX), ctx.profile.px(BODY_MIN)
    sizes, size = [], top
    while size > floor:
        sizes.append(size)
        size -= max(1, round(size * 0.04))
    return [*sizes, floor]


def _block(ctx: Ctx, size: int, title: str, paras: Sequence[Para], sign: Sequence[str],
           width: int) -> tuple[list[tuple[Line, int, int, bool, str]], int] | None:
    """Lines with (line, size, line height, bold, colour role) and the block's height, or
    ``None`` when a line would not fit ``width`` (a word longer than the line)."""
    fonts = ctx.fonts
    title_size = min(ctx.profile.px(TITLE_MAX), round(size * TITLE_SCALE))
    sign_size = max(ctx.profile.min_text, round(size * SIGN_SCALE))
    out: list[tuple[Line, int, int, bool, str]] = []
    groups = [
        ([Para(title, "title")] if title else [], title_size, TITLE_SPACING, True, "text"),
        (list(paras), size, TEXT_SPACING, False, "text"),
        ([Para(s, "sign") for s in sign], sign_size, TEXT_SPACING, False, "muted"),
    ]
    height = 0
    for paras_, sz, spacing, bold, role in groups:
        if not paras_:
            continue
        if out:
            height += gap(ctx)
        face = fonts.bold if bold else fonts.regular
        lh = round(sz * spacing)
        for para in paras_:
            for line in balanced_lines([para], face, sz, width):
                if face.measure(line.text, sz) > width:
                    return None
                out.append((line, sz, lh, bold, role))
                height += lh
    return out, height


def plan_centred(
    ctx: Ctx,
    template: str,
    *,
    title: str,
    paras: Sequence[Para],
    tag: str = "",
    sign: Sequence[str] = (),
) -> list[PageSpec] | None:
    """One page with the item set large and centred, or ``None`` if it is too long for it."""
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    box = frame.content
    tag_h = tag_height(ctx) + gap(ctx) if tag else 0
    for size in _sizes(ctx):
        laid = _block(ctx, size, title, paras, sign, box.width)
        if laid is None:
            continue
        lines, height = laid
        if tag_h + height > box.height:
            continue
        ops: list[Op] = []
        centre = (box.left + box.right) / 2
        y = box.top + (box.height - tag_h - height) // 2
        if tag:
            small = ctx.profile.min_text
            pad = round(small * 0.45)
            w = round(ctx.fonts.bold.measure(tag, small)) + 2 * pad
            left = round(centre - w / 2)
            pill = Rect(left, y, left + w, y + tag_height(ctx))
            ops += [RectOp(pill, "tag_bg", tag_height(ctx) // 4),
                    TextOp(left + pad, y, tag, small, tag_height(ctx), "tag_text", "tag_bg",
                           bold=True)]
            y += tag_h
        previous = None
        for line, sz, lh, bold, role in lines:
            if previous is not None and (sz, bold, role) != previous:
                y += gap(ctx)  # between title, text and signature
            previous = (sz, bold, role)
            ops.append(TextOp(centre, y, line.text, sz, lh, role, bold=bold, align="center"))
            y += lh
        chars = count_chars(tag, title, *(p.text for p in paras), *sign)
        return number_pages(template, [({"centred": tuple(ops)}, chars)])
    return None


def draw_centred(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw a page planned by :func:`plan_centred`."""
    canvas, frame = new_page(ctx)
    run_ops(canvas, ctx, spec.data["centred"])
    draw_page_chrome(canvas, ctx, frame, spec.page_no, spec.page_count)
    return canvas
