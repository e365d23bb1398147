"""群众诉求办理情况: the month's residents' requests on air, as counts only.

Three key figures (本月受理, 本月办结, 按时办结率) in large type beside the category table
(16:9) or above it (4:3); the table gives each category's received and resolved counts.
The aired item (:class:`renderer.kinds.requests.RequestStats`) carries nothing but the
month and counts, so no resident's name, number or words can reach the screen however
this page is laid out. Categories that do not fit one page go on to the next, the figures
repeated above them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from renderer.draw import Canvas
from renderer.frame import draw_page_chrome, frame_for, new_page
from renderer.kinds.requests import CategoryCount, RequestStats
from renderer.page import Ctx, PageSpec, count_chars, number_pages
from renderer.profiles import Rect
from renderer.templates.common import fit_title, gap, px, title_height
from renderer.templates.display import Op, RectOp, TextOp, run_ops

NAME = "requests"
TITLE_MAX = 0.07  # the title shares its row with the stamp and the page mark
FIGURE_MAX = 0.11  # key figures: read across the room
ROW_MAX = 0.062  # category rows at body-text size when they fit
FIGURE_SHARE = 0.4  # of the content width: the figures' column on 16:9
LINE_SPACING = 1.3
ROW_PAD_EM = 0.2  # above and below a row's text
TIGHT_PAD_EM = 0.05  # at the floor size, when that keeps every category on one page
STRETCH_EM = 0.6  # a page of few rows spreads them, by at most this much each
PAGE_MARK_SAMPLE = "第9/9页"
COUNT_SAMPLE = "9999件"  # the widest count a column must hold unbroken
NO_RATE = "暂无"  # nothing resolved yet: there is no rate to give
EMPTY = "本月暂无诉求"
OTHER = "其他"  # the catch-all category
HEADS = ("类别", "受理", "办结")


def title_text(item: RequestStats) -> str:
    return f"{item.month.month}月群众诉求办理情况"


def stamp_text(item: RequestStats) -> str:
    """截至12月6日: the day the counts were taken (the month is still running)."""
    day = item.as_of
    return f"截至{day.month}月{day.day}日" if day is not None else ""


def rate_text(rate: float | None) -> str:
    """89% — rounded down, so a month with one late request never shows 100%."""
    if rate is None:
        return NO_RATE
    return f"{math.floor(rate * 100 + 1e-9)}%"


def figures(item: RequestStats) -> tuple[tuple[str, str], ...]:
    """The key figures as (label, value)."""
    return (
        ("本月受理", f"{item.received}件"),
        ("本月办结", f"{item.resolved}件"),
        ("按时办结率", rate_text(item.on_time_rate)),
    )


def narration(item: RequestStats) -> str:
    """What the first page says aloud: the figures, then the categories most raised (two or
    more requests; 其他 is no topic to name)."""
    text = f"{item.month.month}月以来，共受理群众诉求{item.received}件，已办结{item.resolved}件"
    if item.on_time_rate is not None:
        text += f"，按时办结率{rate_text(item.on_time_rate)}"
    text += "。"
    most = sorted((r for r in item.rows if r.received >= 2 and r.category != OTHER),
                  key=lambda r: -r.received)[:3]
    if most:
        text += "反映较多的是" + "、".join(f"{r.category}{r.received}件" for r in most) + "。"
    return text


@dataclass(frozen=True)
class _Table:
    """The category table's geometry at the chosen size."""

    box: Rect
    size: int
    row_h: int
    head_size: int
    head_h: int
    widths: tuple[int, int, int]
    hpad: int
    per_page: int


def _measure(ctx: Ctx, text: str, size: int, bold: bool = False) -> float:
    return ctx.fonts.chain(bold).measure(text, size)


def _table(ctx: Ctx, box: Rect, rows: Sequence[CategoryCount]) -> _Table:
    """The largest row size from body text down to the floor at which every category fits
    the box (else the floor, on as many pages as it takes), every name unbroken."""
    floor = ctx.profile.min_text
    head_size = floor
    head_h = round(head_size * LINE_SPACING)
    names = [r.category for r in rows] or [EMPTY]
    tried = []
    sizes = [(size, ROW_PAD_EM) for size in range(max(px(ctx, ROW_MAX), floor), floor - 1, -1)]
    for size, pad_em in [*sizes, (floor, TIGHT_PAD_EM)]:
        hpad = round(size * 0.25)
        count_w = round(max(_measure(ctx, COUNT_SAMPLE, size),
                            _measure(ctx, HEADS[1], head_size, True)) + 2 * hpad)
        name_w = box.width - 2 * count_w
        if size > floor and max(_measure(ctx, n, size, True) for n in names) + 2 * hpad > name_w:
            continue
        row_h = round(size * LINE_SPACING) + 2 * round(size * pad_em)
        per_page = max(1, (box.height - head_h) // row_h)
        table = _Table(box, size, row_h, head_size, head_h, (name_w, count_w, count_w), hpad,
                       per_page)
        if per_page >= len(names):
            return table
        tried.append(table)
    # Pages it must be: the floor with its ordinary padding unless packing saves a page.
    pages = [math.ceil(len(names) / t.per_page) for t in tried[-2:]]
    return tried[-1] if pages[-1] < pages[0] else tried[-2]


def _chunks(rows: Sequence[CategoryCount], first: int, later: int) -> list[list[CategoryCount]]:
    """Rows on as few pages as hold them (``first`` fit the first page, ``later`` each of the
    others), spread evenly: nine at 6 a page go 5+4, not 6+3."""
    if len(rows) <= first:
        return [list(rows)]
    pages = 1 + math.ceil((len(rows) - first) / later)
    head = min(first, math.ceil(len(rows) / pages))
    rest = rows[head:]
    size, extra = divmod(len(rest), pages - 1)
    out, start = [list(rows[:head])], 0
    for i in range(pages - 1):
        end = start + size + (1 if i < extra else 0)
        out.append(list(rest[start:end]))
        start = end
    return out


def _figure_ops(ctx: Ctx, item: RequestStats, cards: Sequence[Rect], stacked: bool) -> list[Op]:
    """Each figure in its card, the label small and the value large: the label above the
    value (``stacked``, narrow cards) or on its left (wide, short cards). One value size
    for all three: the largest that fits every card."""
    label_size = ctx.profile.min_text
    label_h = round(label_size * LINE_SPACING)
    inset = ctx.profile.px(0.02)
    pairs = figures(item)

    def fits(size: int, label: str, value: str, card: Rect) -> bool:
        width, height = card.width - 2 * inset, card.height - 2 * inset
        value_w = _measure(ctx, value, size, True)
        value_h = round(size * 1.15)
        if stacked:
            return value_w <= width and label_h + value_h <= height
        label_w = _measure(ctx, label, label_size) + label_size
        return label_w + value_w <= width and value_h <= height

    size = px(ctx, FIGURE_MAX)
    while size > label_size and not all(
        fits(size, label, value, card) for (label, value), card in zip(pairs, cards, strict=True)
    ):
        size -= 1
    value_h = round(size * 1.15)
    ops: list[Op] = []
    for (label, value), card in zip(pairs, cards, strict=True):
        ops.append(RectOp(card, "panel", radius=ctx.profile.px(0.015)))
        if stacked:
            top = card.top + (card.height - label_h - value_h) // 2
            ops.append(TextOp(card.left + inset, top, label, label_size, label_h, "muted", "panel"))
            ops.append(TextOp(card.left + inset, top + label_h, value, size, value_h, "accent",
                              "panel", bold=True))
        else:
            middle = card.top + card.height // 2
            ops.append(TextOp(card.left + inset, middle - label_h // 2, label, label_size, label_h,
                              "muted", "panel"))
            ops.append(TextOp(card.right - inset, middle - value_h // 2, value, size, value_h,
                              "accent", "panel", bold=True, align="right"))
    return ops


def _table_ops(ctx: Ctx, t: _Table, rows: Sequence[CategoryCount]) -> tuple[list[Op], list[str]]:
    """The heads, a rule and the rows (banded); returns the ops and the texts shown."""
    ops: list[Op] = []
    texts: list[str] = []
    x = t.box.left
    rights = (t.box.left + t.widths[0], t.box.left + t.widths[0] + t.widths[1], t.box.right)
    y = t.box.top
    ops.append(TextOp(x + t.hpad, y, HEADS[0], t.head_size, t.head_h, "accent", bold=True))
    for head, right in zip(HEADS[1:], rights[1:], strict=True):
        ops.append(TextOp(right - t.hpad, y, head, t.head_size, t.head_h, "accent", bold=True,
                          align="right"))
    y += t.head_h
    rule = max(2, ctx.profile.px(0.004))
    ops.append(RectOp(Rect(t.box.left, y - rule, t.box.right, y), "rule"))
    free = t.box.bottom - y - t.row_h * max(1, len(rows))
    row_h = t.row_h + max(0, min(round(t.size * STRETCH_EM), free // max(1, len(rows))))
    lh = round(t.size * LINE_SPACING)
    if not rows:
        ops.append(TextOp(x + t.hpad, y + (row_h - lh) // 2, EMPTY, t.size, lh, "muted"))
        return ops, [EMPTY]
    for i, row in enumerate(rows):
        bg = "panel" if i % 2 == 0 else "background"
        if bg == "panel":
            ops.append(RectOp(Rect(t.box.left, y, t.box.right, y + row_h), "panel"))
        top = y + (row_h - lh) // 2
        cells = (f"{row.received}件", f"{row.resolved}件")
        ops.append(TextOp(x + t.hpad, top, row.category, t.size, lh, "text", bg, bold=True))
        for text, right in zip(cells, rights[1:], strict=True):
            ops.append(TextOp(right - t.hpad, top, text, t.size, lh, "text", bg, align="right"))
        texts += [row.category, *cells]
        y += row_h
    return ops, texts


def plan(item: RequestStats, ctx: Ctx) -> list[PageSpec]:
    """Title and stamp, the figures, the category table; the page mark in the title row."""
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    box = frame.content
    small = ctx.profile.min_text
    title, stamp = title_text(item), stamp_text(item)
    right_w = _measure(ctx, PAGE_MARK_SAMPLE, small) + small
    if stamp:
        right_w += _measure(ctx, stamp, small, True) + small
    title_fit = fit_title(ctx, title, int(box.width - right_w), px(ctx, TITLE_MAX), max_lines=1)
    top = box.top + title_height(title_fit) + gap(ctx, 0.5)
    bottom = frame.footer.bottom  # the page mark sits in the title row: rows get the footer
    spacing = gap(ctx)
    if ctx.profile.wide:
        split = box.left + round(box.width * FIGURE_SHARE)
        card_h = (bottom - top - 2 * spacing) // 3
        cards = [Rect(box.left, top + i * (card_h + spacing), split, top + i * (card_h + spacing)
                      + card_h) for i in range(3)]
        table_box = Rect(split + ctx.profile.px(0.04), top, box.right, bottom)
    else:
        label_h = round(small * LINE_SPACING)
        card_h = label_h + round(px(ctx, 0.09) * 1.15) + 2 * ctx.profile.px(0.02)
        card_w = (box.width - 2 * spacing) // 3
        cards = [Rect(box.left + i * (card_w + spacing), top,
                      box.left + i * (card_w + spacing) + card_w, top + card_h) for i in range(3)]
        table_box = Rect(box.left, top + card_h + spacing, box.right, bottom)
    figure_ops = _figure_ops(ctx, item, cards, stacked=not ctx.profile.wide)
    table = _table(ctx, table_box, item.rows)
    later = table
    if not ctx.profile.wide:
        # 4:3 pages are short: the figures stay on the first page, the rest go to the table.
        full = Rect(box.left, top, box.right, bottom)
        later = replace(table, box=full, per_page=max(1, (full.height - table.head_h)
                                                       // table.row_h))
    chunks = _chunks(item.rows, table.per_page, later.per_page)
    facts = [text for pair in figures(item) for text in pair]
    pages = []
    for no, chunk in enumerate(chunks, start=1):
        ops: list[Op] = [TextOp(box.left, box.top, line.text, title_fit.size,
                                title_fit.line_height, "text", bold=True)
                         for line in title_fit.lines]
        right = box.right
        if len(chunks) > 1:
            mark = f"第{no}/{len(chunks)}页"
            ops.append(TextOp(right, box.top, mark, small, title_fit.line_height, "muted",
                              align="right"))
            right -= round(_measure(ctx, mark, small)) + small
        if stamp:
            ops.append(TextOp(right, box.top, stamp, small, title_fit.line_height, "accent",
                              bold=True, align="right"))
        if no == 1 or ctx.profile.wide:  # 4:3 gives later pages to the table alone
            ops += figure_ops
        table_ops, texts = _table_ops(ctx, table if no == 1 else later, chunk)
        ops += table_ops
        chars = count_chars(title, stamp, *HEADS, *texts, *(facts if no == 1 else ()))
        pages.append(({"ops": tuple(ops)}, chars))
    return number_pages(NAME, pages)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one statistics page."""
    canvas, frame = new_page(ctx)
    run_ops(canvas, ctx, spec.data["ops"])
    draw_page_chrome(canvas, ctx, frame, spec.page_no, 1)  # the mark is in the title row
    return canvas
