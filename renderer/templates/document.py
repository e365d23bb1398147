"""The shared shape of text-heavy pages: tag, title, optional key facts, flowing body.

Policy, service, notice and alert pages are all "documents": the first page carries
the category tag and the big title (and the key-facts panel when there is one); later
pages repeat the title smaller so a viewer tuning in mid-loop knows what they read,
and the body flows on at the legibility floor with 第n/m页 marks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from renderer.draw import Canvas
from renderer.frame import Frame, draw_page_chrome, frame_for, new_page
from renderer.layout import Fit, Para
from renderer.page import Ctx, PageSpec, count_chars, number_pages
from renderer.profiles import Rect
from renderer.table import TableFit
from renderer.templates.common import (
    CONT_TITLE,
    TITLE,
    Facts,
    draw_body,
    draw_facts,
    draw_title,
    facts_height,
    fit_body,
    fit_facts,
    fit_title,
    gap,
    px,
    tag_height,
    title_height,
)

# Hook for the alert template: draws its banner and returns the y below it.
Banner = Callable[[Canvas, Ctx, Rect, int], int]


@dataclass(frozen=True)
class DocPage:
    """Everything one document page shows."""

    tag: str
    title: Fit
    big: bool  # first page: big title (and tag)
    facts: Facts | None
    accent_label: str
    body: tuple[Any, ...]  # laid-out lines
    body_size: int
    body_lh: int
    banner: str = ""  # alert heading, drawn by the alert template


def _facts_slice(facts: Facts, page: int) -> Facts:
    fit = facts.fit
    return Facts(
        (facts.page_labels[page],),
        facts.widths,
        facts.label_size,
        TableFit(fit.size, fit.line_height, fit.pad, (fit.pages[page],)),
    )


def plan_document(
    ctx: Ctx,
    template: str,
    *,
    title: str,
    tag: str = "",
    facts: Sequence[tuple[str, str]] | None = None,
    accent_label: str = "",
    paras: Sequence[Para] = (),
    banner: str = "",
    banner_height: int = 0,
) -> list[PageSpec]:
    """Lay out a document into page specs (no drawing)."""
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    box = frame.content
    top_rest = banner_height
    big = fit_title(ctx, title, box.width, px(ctx, TITLE), max_lines=3)
    cont = fit_title(ctx, title, box.width, px(ctx, CONT_TITLE), max_lines=1)
    head_big = banner_height + (tag_height(ctx) + gap(ctx) if tag else 0) + title_height(big)
    head_cont = top_rest + title_height(cont)
    space_big = box.height - head_big - gap(ctx)
    space_cont = box.height - head_cont - gap(ctx)

    pages: list[tuple[dict[str, Any], int]] = []

    def add(page: DocPage) -> None:
        chars = count_chars(
            *(line.text for line in page.title.lines), *(line.text for line in page.body)
        )
        if page.facts is not None:
            labels = page.facts.page_labels[0]
            values = (ln.text for r in page.facts.fit.pages[0] for c in r.cells for ln in c)
            chars += count_chars(*labels, *values)
        if page.big:
            chars += count_chars(page.tag, page.banner)
        pages.append(({"doc": page}, chars))

    fitted = fit_facts(ctx, facts or [], box.width, [space_big, space_cont]) if facts else None
    if fitted is not None and len(fitted.fit.pages) > 1:
        # Facts spill over: give the cover a smaller title before adding a page.
        big = fit_title(ctx, title, box.width, px(ctx, CONT_TITLE), max_lines=3)
        head_big = banner_height + (tag_height(ctx) + gap(ctx) if tag else 0) + title_height(big)
        space_big = box.height - head_big - gap(ctx)
        fitted = fit_facts(ctx, facts or [], box.width, [space_big, space_cont])
    body_first = fitted is None
    # A short remainder of facts (say the phone number alone) does not get a page of its
    # own: it is drawn at the top of the first body page, above the text.
    carry: Facts | None = None
    if fitted is not None and paras and len(fitted.fit.pages) == 2:
        tail = _facts_slice(fitted, 1)
        if facts_height(tail, 0, ctx) + gap(ctx) <= 0.35 * space_cont:
            carry = tail
    if fitted is not None:
        for i in range(len(fitted.fit.pages) - (1 if carry is not None else 0)):
            add(
                DocPage(
                    tag if i == 0 else "",
                    big if i == 0 else cont,
                    i == 0,
                    _facts_slice(fitted, i),
                    accent_label,
                    (),
                    0,
                    0,
                    banner,
                )
            )
    if paras or body_first:
        heights = [space_big, space_cont] if body_first else [space_cont]
        if carry is not None:
            heights = [space_cont - facts_height(carry, 0, ctx) - gap(ctx), space_cont]
        # The page's reading time covers its title (and facts) too: the body gets the rest
        # of it, but never less than a third (a long title must not leave a line a page).
        def budget(*texts: str) -> int:
            return max(ctx.pace.page_chars // 3, ctx.pace.page_chars - count_chars(*texts))

        cont_chars = budget(*(ln.text for ln in cont.lines))
        first_chars = cont_chars
        if body_first:
            first_chars = budget(tag, banner, *(ln.text for ln in big.lines))
        elif carry is not None:
            first_chars = budget(*(ln.text for ln in cont.lines), *carry.page_labels[0],
                                 *(ln.text for r in carry.fit.pages[0] for c in r.cells
                                   for ln in c))
        body = fit_body(ctx, paras, box.width, heights, [first_chars, cont_chars])
        for i, lines in enumerate(body.pages):
            first = body_first and i == 0
            add(
                DocPage(
                    tag if first else "",
                    big if first else cont,
                    first,
                    carry if i == 0 else None,
                    accent_label,
                    lines,
                    body.size,
                    body.line_height,
                    banner,
                )
            )
    return number_pages(template, pages)


def draw_document(
    spec: PageSpec,
    ctx: Ctx,
    *,
    alert: bool = False,
    draw_banner: Banner | None = None,
    body_bg: Any = None,
) -> Canvas:
    """Draw a document page planned by :func:`plan_document`."""
    page: DocPage = spec.data["doc"]
    canvas, frame = new_page(ctx, alert=alert)
    pal = ctx.palette
    bg = body_bg or pal.background
    box = frame.content
    y = box.top
    if draw_banner is not None:
        y = draw_banner(canvas, ctx, box, y)
    if page.big and page.tag:
        canvas.pill(
            box.left,
            y,
            page.tag,
            ctx.profile.min_text,
            fill=pal.tag_bg,
            text_fill=pal.tag_text,
            height=tag_height(ctx),
        )
        y += tag_height(ctx) + gap(ctx)
    y = draw_title(canvas, page.title, box.left, y, fill=pal.text, bg=bg) + gap(ctx)
    if page.facts is not None:
        y = draw_facts(canvas, ctx, page.facts, 0, box, y, page.accent_label) + gap(ctx)
    if page.body:
        heading = pal.text if alert else None
        draw_body(
            canvas, ctx, page.body, page.body_size, page.body_lh, box, y, bg=bg, heading=heading
        )
    _chrome(canvas, ctx, frame, spec, alert)
    return canvas


def _chrome(canvas: Canvas, ctx: Ctx, frame: Frame, spec: PageSpec, alert: bool) -> None:
    draw_page_chrome(canvas, ctx, frame, spec.page_no, spec.page_count, alert=alert)
