"""Table pages (duty roster, whereabouts board): title row, column heads, banded rows.

Cells are lists of paragraphs; the paragraph style picks the look: ``heading`` bold
(names), ``muted`` secondary (posts), ``status`` a coloured pill, ``body`` plain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from renderer.breaks import name_parts
from renderer.draw import Canvas
from renderer.frame import draw_page_chrome, frame_for, new_page
from renderer.layout import Fit, Para
from renderer.page import Ctx, PageSpec, count_chars, number_pages
from renderer.profiles import Rect
from renderer.table import Cell, RowLayout, fit_table
from renderer.templates.common import draw_title, fit_title, gap, px
from renderer.theme import RGB

TABLE_MAX = 0.055  # cell text up to 5.5% of picture height
NAME_PART_MAX = 8  # characters in one part of a dotted name (阿不都热合曼·), dot included

# A status pill's colours, looked up by the status text.
StatusColours = Callable[[str], tuple[RGB, RGB]]


@dataclass(frozen=True)
class Column:
    """A column: head text; ``weight`` > 0 makes it flexible (it grows into spare width
    and gives way first when space is short); ``cap`` limits its natural width as a share
    of the table; ``sample`` is a text it must always hold unbroken."""

    head: str
    weight: float = 0.0
    cap: float = 0.4
    sample: str = ""
    status: bool = False  # cells are drawn as status pills


@dataclass(frozen=True)
class TablePage:
    title: Fit
    stamp: str
    heads: tuple[str, ...]
    widths: tuple[int, ...]
    rows: tuple[RowLayout, ...]
    size: int
    line_height: int
    pad: int


def column_widths(
    ctx: Ctx, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int, size: int
) -> list[int]:
    """Natural widths (widest cell on one line, capped), then spare width goes to the
    flexible columns, or the flexible columns give way when the table is too wide."""
    pad = round(size * 0.25)
    pill = round(size * 0.9)

    def need(text: str, bold: bool, status: bool = False) -> int:
        return round(ctx.fonts.chain(bold).measure(text, size) + 2 * pad + (pill if status else 0))

    def name_part(i: int) -> int:
        """Widest part of a dotted name in column ``i`` (阿依古丽·): held on one line, a
        name breaks only after its dot. Longer dotted runs are not names."""
        parts = (
            (part, p.bold)
            for row in rows
            for p in row[i]
            for part in name_parts(p.text)
            if len(part) <= NAME_PART_MAX
        )
        return max((need(part, bold) for part, bold in parts), default=0)

    floors = [
        max(
            need(c.head, True),
            need(c.sample, c.status, c.status) if c.sample else 0,
            3 * size + 2 * pad,
            name_part(i),
        )
        for i, c in enumerate(columns)
    ]
    desired = []
    for i, col in enumerate(columns):
        widest = max(
            (need(p.text, p.bold, p.style == "status") for row in rows for p in row[i]), default=0
        )
        desired.append(max(floors[i], min(widest, round(width * col.cap))))
    flex = [i for i, c in enumerate(columns) if c.weight > 0] or [len(columns) - 1]
    spare = width - sum(desired)
    if spare >= 0:
        weights = sum(columns[i].weight for i in flex) or 1.0
        for i in flex:
            desired[i] += round(spare * (columns[i].weight or 1.0) / weights)
    else:
        # Flexible columns give way in proportion to their weight and their slack.
        natural = list(desired)
        slack = {
            i: (desired[i] - floors[i]) * (columns[i].weight or 1.0) for i in range(len(columns))
        }
        order = flex + [i for i in range(len(columns)) if i not in flex]
        short = -spare
        for group in (order[: len(flex)], order[len(flex) :]):
            total = sum(slack[i] for i in group)
            if total <= 0 or short <= 0:
                continue
            take = min(short, total)
            for i in group:
                desired[i] -= min(desired[i] - floors[i], round(take * slack[i] / total))
            short -= take
        # A short column (a post, a place) cut by less than a character and a half only
        # wraps its longest cell for nothing: give it back its natural width, taken from
        # the heaviest column (running text) while that keeps seven characters a line.
        heavy = max(flex, key=lambda i: columns[i].weight)
        keep = max(floors[heavy], 7 * size + 2 * pad)
        for i in sorted(flex, key=lambda i: natural[i] - desired[i]):
            cut = natural[i] - desired[i]
            if i == heavy or cut <= 0 or cut > 1.5 * size:
                continue
            if desired[heavy] - cut >= keep:
                desired[i] += cut
                desired[heavy] -= cut
    desired[flex[-1]] += width - sum(desired)
    return desired


def plan_table(
    ctx: Ctx,
    template: str,
    *,
    title: str,
    stamp: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
) -> list[PageSpec]:
    """Fit and paginate the rows; every page repeats title and column heads."""
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    box = frame.content
    if not rows:
        rows = [[[Para("暂无记录", "muted")], *([[]] * (len(columns) - 1))]]
    stamp_w = ctx.fonts.bold.measure(stamp, ctx.profile.min_text) * 1.2 if stamp else 0
    title_fit = fit_title(ctx, title, int(box.width - stamp_w), px(ctx, 0.07), max_lines=1)
    head_h = ctx.fonts.bold.line_height(ctx.profile.min_text)
    cap = box.height - len(title_fit.lines) * title_fit.line_height - gap(ctx) - head_h
    max_size = px(ctx, TABLE_MAX)
    fit = fit_table(
        rows,
        lambda size: column_widths(ctx, columns, rows, box.width, size),
        ctx.fonts.regular,
        ctx.fonts.bold,
        caps=[cap],
        max_size=max_size,
        min_size=ctx.profile.min_text,
        balance=True,
    )
    pages = []
    for page_rows in fit.pages or ((),):
        page = TablePage(
            title_fit,
            stamp,
            tuple(c.head for c in columns),
            fit.widths,
            tuple(page_rows),
            fit.size,
            fit.line_height,
            fit.pad,
        )
        texts = [ln.text for r in page_rows for c in r.cells for ln in c]
        pages.append(({"table": page}, count_chars(title, stamp, *texts)))
    return number_pages(template, pages)


def draw_table(spec: PageSpec, ctx: Ctx, status_colours: StatusColours | None = None) -> Canvas:
    """Draw one planned table page."""
    page: TablePage = spec.data["table"]
    pal = ctx.palette
    canvas, frame = new_page(ctx)
    box = frame.content
    y = draw_title(canvas, page.title, box.left, box.top, fill=pal.text, bg=pal.background)
    if page.stamp:
        canvas.text(
            box.right,
            box.top,
            page.stamp,
            ctx.profile.min_text,
            fill=pal.accent,
            bg=pal.background,
            bold=True,
            line_height=page.title.line_height,
            align="right",
        )
    y += gap(ctx)
    head_size = ctx.profile.min_text
    head_h = ctx.fonts.bold.line_height(head_size)
    x = box.left
    for head, w in zip(page.heads, page.widths, strict=True):
        canvas.text(
            x + page.pad,
            y,
            head,
            head_size,
            fill=pal.accent,
            bg=pal.background,
            bold=True,
            line_height=head_h,
        )
        x += w
    y += head_h
    rule = max(2, ctx.profile.px(0.004))
    canvas.rect(Rect(box.left, y - rule, box.right, y), pal.rule)
    for i, row in enumerate(page.rows):
        bg = pal.panel if i % 2 == 0 else pal.background
        if i % 2 == 0:
            canvas.rect(Rect(box.left, y, box.right, y + row.height), pal.panel)
        x = box.left
        for cell, w in zip(row.cells, page.widths, strict=True):
            _cell(canvas, ctx, cell, x + page.pad, y + page.pad, page, bg, status_colours)
            x += w
        y += row.height
    draw_page_chrome(canvas, ctx, frame, spec.page_no, spec.page_count)
    return canvas


def _cell(
    canvas: Canvas,
    ctx: Ctx,
    lines,
    x: int,
    top: int,
    page: TablePage,
    bg: RGB,
    status_colours: StatusColours | None,
) -> None:
    pal = ctx.palette
    y = top
    for line in lines:
        if line.first and y > top:
            y += round(page.line_height * 0.35)
        if line.style == "status" and status_colours is not None:
            fill, text = status_colours(line.text)
            inner = round(page.line_height * 0.86)
            canvas.pill(
                x,
                y + (page.line_height - inner) // 2,
                line.text,
                page.size,
                fill=fill,
                text_fill=text,
                height=inner,
            )
        else:
            bold = line.style == "heading"
            colour = pal.muted if line.style == "muted" else pal.text
            canvas.text(
                x,
                y,
                line.text,
                page.size,
                fill=colour,
                bg=bg,
                bold=bold,
                line_height=page.line_height,
            )
        y += page.line_height
