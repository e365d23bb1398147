"""Building blocks shared by the templates: type scale, titles, fact panels, text flow.

Type scale (fractions of picture height; nothing goes below the 4.5% floor):
title up to 8%, continuation title 5.5%, body up to 6.2%, key figures up to 7%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from renderer.draw import Canvas
from renderer.layout import Fit, Para, fit_text
from renderer.page import Ctx
from renderer.profiles import Rect
from renderer.table import TableFit, fit_table
from renderer.theme import RGB
from renderer.titles import balanced_lines

TITLE = 0.08
CONT_TITLE = 0.055
BODY = 0.062
FACT = 0.07
GAP = 0.025  # vertical gap between blocks
CONTINUED = "（续）"  # after a section heading repeated on the page its text runs on to


def px(ctx: Ctx, fraction: float) -> int:
    """A fraction of picture height in px, never below the legibility floor for text."""
    return max(ctx.profile.min_text, ctx.profile.px(fraction))


def gap(ctx: Ctx, times: float = 1.0) -> int:
    """Standard vertical gap between blocks."""
    return ctx.profile.px(GAP * times)


def fit_title(ctx: Ctx, text: str, width: int, max_size: int, max_lines: int = 2) -> Fit:
    """A bold title: largest size that fits ``max_lines`` lines; if it cannot, it wraps at
    the floor (never paginated: titles are length-limited by the item schema). Wrapped
    titles are balanced (no lone character on the last line)."""
    bold = ctx.fonts.bold
    paras = [Para(text, "title")]

    def fit_at(w: int) -> Fit:
        return fit_text(
            paras,
            bold,
            width=w,
            heights=[max_lines * bold.line_height(max_size)],
            max_size=max_size,
            min_size=ctx.profile.min_text,
        )

    fit = fit_at(width)
    lines = balanced_lines(paras, bold, fit.size, width)
    # Titles sit tighter than body text: 1.3 instead of 1.5 line spacing.
    return Fit(fit.size, round(fit.size * 1.3), (tuple(lines),))


def title_height(fit: Fit) -> int:
    """Height of a fitted title block."""
    return len(fit.lines) * fit.line_height


def draw_title(canvas: Canvas, fit: Fit, left: int, top: int, *, fill: RGB, bg: RGB) -> int:
    """Draw a title block; returns the y below it."""
    y = top
    for line in fit.lines:
        canvas.text(
            left, y, line.text, fit.size, fill=fill, bg=bg, bold=True, line_height=fit.line_height
        )
        y += fit.line_height
    return y


def tag_height(ctx: Ctx) -> int:
    """Height of a category tag pill."""
    return round(ctx.profile.min_text * 1.4)


def fit_body(
    ctx: Ctx,
    paras: Sequence[Para],
    width: int,
    heights: Sequence[int],
    max_chars: Sequence[int] | None = None,
) -> Fit:
    """Body text: up to 6.2% of picture height, paginated at the floor if it must; a
    section continued on a new page repeats its heading there, marked （续）. A page holds
    no more than the channel's pace reads in a page's time (``max_chars`` per page, else
    ``ctx.pace.page_chars``): longer text takes more pages."""
    if max_chars is None:
        max_chars = [ctx.pace.page_chars]
    return fit_text(
        paras,
        ctx.fonts.regular,
        width=width,
        heights=heights,
        max_size=px(ctx, BODY),
        min_size=ctx.profile.min_text,
        bold=ctx.fonts.bold,
        continued=CONTINUED,
        max_chars=max_chars,
    )


def paragraph_gap(fit_line_height: int) -> int:
    """The gap drawn between paragraphs (matches layout.PARAGRAPH_GAP)."""
    from renderer.layout import PARAGRAPH_GAP

    return round(fit_line_height * PARAGRAPH_GAP)


def draw_body(
    canvas: Canvas,
    ctx: Ctx,
    lines,
    size: int,
    lh: int,
    box: Rect,
    top: int,
    *,
    fill: RGB | None = None,
    bg: RGB | None = None,
    heading: RGB | None = None,
) -> int:
    """Draw body lines (markers, headings, signatures) in ``box`` from ``top``."""
    pal = ctx.palette
    return canvas.lines(
        lines,
        box.left,
        top,
        box.width,
        size,
        lh,
        fill=fill or pal.text,
        bg=bg or pal.background,
        heading_fill=heading or pal.accent,
        marker_fill=pal.tag_bg,
        marker_text=pal.tag_text,
        gap=paragraph_gap(lh),
    )


@dataclass(frozen=True)
class Facts:
    """Key facts (label, value) laid out as a two-column panel, paginated if needed."""

    page_labels: tuple[tuple[str, ...], ...]  # label per row per page ("" on continuations)
    widths: tuple[int, int]
    label_size: int
    fit: TableFit


def fit_facts(
    ctx: Ctx, facts: Sequence[tuple[str, str]], width: int, caps: Sequence[int]
) -> Facts | None:
    """Lay out a facts panel ``width`` wide; ``None`` when there are no facts."""
    facts = [(k, v) for k, v in facts if v]
    if not facts:
        return None
    label_size = ctx.profile.min_text
    inset = ctx.profile.px(0.02)
    label_w = round(max(ctx.fonts.regular.measure(k, label_size) for k, _ in facts) + 2 * inset)
    widths = (label_w, width - label_w - inset)
    rows = [[[Para(v, "heading")]] for _, v in facts]
    # The label column is drawn separately (fixed size); only values are fitted.
    fit = fit_table(
        [[r[0]] for r in rows],
        [widths[1]],
        ctx.fonts.bold,
        ctx.fonts.bold,
        caps=[c - 2 * inset for c in caps],
        max_size=px(ctx, FACT),
        min_size=ctx.profile.min_text,
        pad_em=0.2,
        line_spacing=1.4,
    )
    labels = iter(k for k, _ in facts)
    page_labels = tuple(
        tuple("" if row.continued else next(labels) for row in page) for page in fit.pages
    )
    return Facts(page_labels, widths, label_size, fit)


def facts_height(facts: Facts, page: int, ctx: Ctx) -> int:
    """Panel height for one page of facts."""
    return sum(r.height for r in facts.fit.pages[page]) + 2 * ctx.profile.px(0.02)


def draw_facts(
    canvas: Canvas, ctx: Ctx, facts: Facts, page: int, box: Rect, top: int, accent_label: str = ""
) -> int:
    """Draw one page of a facts panel; returns the y below it."""
    pal = ctx.palette
    inset = ctx.profile.px(0.02)
    rows = facts.fit.pages[page]
    height = facts_height(facts, page, ctx)
    canvas.rect(
        Rect(box.left, top, box.right, top + height), pal.panel, radius=ctx.profile.px(0.015)
    )
    y = top + inset
    value_x = box.left + facts.widths[0]
    rule_w = max(1, ctx.profile.px(0.002))
    current = ""
    for i, row in enumerate(rows):
        label = facts.page_labels[page][i]
        if i > 0 and not row.continued:
            canvas.rect(
                Rect(
                    box.left + inset, y - rule_w // 2, box.right - inset, y - rule_w // 2 + rule_w
                ),
                pal.panel_alt,
            )
        if label:
            canvas.text(
                box.left + inset,
                y + facts.fit.pad,
                label,
                facts.label_size,
                fill=pal.muted,
                bg=pal.panel,
                line_height=facts.fit.line_height,
            )
        if label:
            current = label
        fill = pal.accent if accent_label and current == accent_label else pal.text
        ly = y + facts.fit.pad
        for line in row.cells[0]:
            canvas.text(
                value_x,
                ly,
                line.text,
                facts.fit.size,
                fill=fill,
                bg=pal.panel,
                bold=True,
                line_height=facts.fit.line_height,
            )
            ly += facts.fit.line_height
        y += row.height
    return top + height
