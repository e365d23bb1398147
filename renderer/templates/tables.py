"""Table pages (duty roster, whereabouts board): title row, column heads, banded rows.

Cells are lists of paragraphs; the paragraph style picks the look: ``heading`` bold
(names), ``muted`` secondary (posts), ``status`` a coloured pill, ``body`` plain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from renderer.breaks import name_parts
from renderer.draw import Canvas
from renderer.frame import draw_page_chrome, frame_for, new_page
from renderer.layout import Fit, Line, Para
from renderer.page import Ctx, PageSpec, count_chars, number_pages
from renderer.profiles import Rect
from renderer.table import (
    Cell,
    RowLayout,
    balanced_pages,
    lay_out_row,
    pack_names,
    paginate_rows,
    stretch_rows,
)
from renderer.templates.common import draw_title, fit_title, gap, px, title_height
from renderer.theme import RGB

TABLE_MAX = 0.062  # cell text up to 6.2% of picture height (body text's size): few rows
TABLE_FLOOR = 1 / 24  # and down to 1/24 of it (see table_floor) when many
TABLE_TITLE = 0.06  # the title shares its row with the stamp and the page mark
LINE_SPACING = 1.3  # cells sit tighter than running text
PAD_EM = 0.12  # above and below a row's text; rows then grow into the page's free space
TIGHT_PAD_EM = 0.02  # packed at the floor size when that saves a page
H_PAD_EM = 0.25  # left and right of a cell's text (as column_widths counts it)
STRETCH_EM = 0.6  # by at most this much each
PAGE_MARK_SAMPLE = "第99/99页"  # the room kept for the page mark in the title row
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
    hpad: int = 0  # left of a cell's text (and right of it, in the column's width)
    head_size: int = 0
    head_h: int = 0
    stretch: int = 0  # px each row grows by to fill the page
    tail_label: str = ""
    tail_indent: int = 0


def column_widths(
    ctx: Ctx, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int, size: int
) -> list[int]:
    """Natural widths (widest cell on one line, capped), then spare width goes to the
    flexible columns, or the flexible columns give way when the table is too wide."""
    pad = round(size * H_PAD_EM)
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


@dataclass(frozen=True)
class Tail:
    """People with no row of their own, named on one line under the rows (wrapped between
    names if long): ``未报告  张三、李四、王五`` instead of a red row each."""

    label: str  # drawn as a status pill before the names
    names: tuple[str, ...]


@dataclass(frozen=True)
class _Attempt:
    """The table laid out at one cell size."""

    size: int
    widths: tuple[int, ...]
    line_height: int
    pad: int
    hpad: int
    rows: tuple[RowLayout, ...]
    head_size: int
    head_h: int
    cap: int  # height left for rows under the title and the column heads
    tail_indent: int


def table_floor(ctx: Ctx) -> int:
    """The smallest cell text: 1/24 of the picture height (30 px at 720p, 45 px at 1080p),
    legible from 3 m, so a township's cadres fit eight or more to a 16:9 page."""
    return math.ceil(ctx.profile.height * TABLE_FLOOR)


def _sizes(max_size: int, min_size: int) -> list[int]:
    sizes, size = [], max_size
    while size > min_size:
        sizes.append(size)
        size -= max(1, round(size * 0.04))
    return [*sizes, min_size]


def plan_table(
    ctx: Ctx,
    template: str,
    *,
    title: str,
    stamp: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    tail: Tail | None = None,
) -> list[PageSpec]:
    """Fit and paginate the rows; every page repeats title and column heads.

    The cell size is the largest that fits everything on one page; failing that, the largest
    that needs no more pages than the floor size (:func:`table_floor`) would. Rows spread
    evenly over the pages (no lone row on the last), then each page's rows grow to fill it.
    The page mark sits in the title row, so the rows also get the footer's line.
    """
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    box = frame.content
    if not rows and tail is None:
        rows = [[[Para("暂无记录", "muted")], *([[]] * (len(columns) - 1))]]
    small = ctx.profile.min_text
    right_w = ctx.fonts.regular.measure(PAGE_MARK_SAMPLE, small) + small
    if stamp:
        right_w += ctx.fonts.bold.measure(stamp, small) + small
    title_fit = fit_title(ctx, title, int(box.width - right_w), px(ctx, TABLE_TITLE), max_lines=1)
    area = frame.footer.bottom - box.top - title_height(title_fit) - gap(ctx, 0.5)
    regular, bold = ctx.fonts.regular, ctx.fonts.bold
    tried: dict[tuple[int, float], _Attempt] = {}

    def attempt(size: int, pad_em: float = PAD_EM) -> _Attempt:
        if (size, pad_em) not in tried:
            widths = tuple(column_widths(ctx, columns, rows, box.width, size))
            lh, pad = round(size * LINE_SPACING), round(size * pad_em)
            hpad = round(size * H_PAD_EM)
            laid = [lay_out_row(r, widths, regular, bold, size, pad, lh, hpad) for r in rows]
            indent = 0
            if tail is not None:
                indent = round(bold.measure(tail.label, size) + 2 * round(size * 0.45) + size / 2)
                names = pack_names(tail.names, regular, size, box.width - 2 * hpad - indent)
                cell = tuple(Line(text, first=i == 0, last=i == len(names) - 1)
                             for i, text in enumerate(names))
                laid.append(RowLayout((cell,), len(cell) * lh + 2 * pad, span=True))
            head_size = min(size, small)
            head_h = round(head_size * LINE_SPACING)
            tried[size, pad_em] = _Attempt(size, widths, lh, pad, hpad, tuple(laid), head_size,
                                           head_h, area - head_h, indent)
        return tried[size, pad_em]

    def page_count(a: _Attempt) -> int:
        return len(paginate_rows(a.rows, [a.cap], a.line_height, a.pad))

    sizes = _sizes(max(px(ctx, TABLE_MAX), table_floor(ctx)), table_floor(ctx))
    # The last resort before another page: the floor size with the rows packed tight (the
    # rows then grow back into whatever space is left).
    candidates = [attempt(s) for s in sizes] + [attempt(sizes[-1], TIGHT_PAD_EM)]
    chosen = next((a for a in candidates if sum(r.height for r in a.rows) <= a.cap), None)
    if chosen is None:
        fewest = page_count(candidates[-1])
        chosen = next(a for a in candidates if page_count(a) <= fewest)
    fit_pages = balanced_pages(chosen.rows, [chosen.cap], chosen.line_height, chosen.pad)
    limit = round(chosen.size * STRETCH_EM)
    pages = []
    for page_rows in fit_pages or [[]]:
        page = TablePage(
            title_fit,
            stamp,
            tuple(c.head for c in columns),
            chosen.widths,
            tuple(page_rows),
            chosen.size,
            chosen.line_height,
            chosen.pad,
            hpad=chosen.hpad,
            head_size=chosen.head_size,
            head_h=chosen.head_h,
            stretch=stretch_rows(page_rows, chosen.cap, limit),
            tail_label=tail.label if tail is not None else "",
            tail_indent=chosen.tail_indent,
        )
        texts = [ln.text for r in page_rows for c in r.cells for ln in c]
        label = [page.tail_label] if any(r.span for r in page_rows) else []
        pages.append(({"table": page}, count_chars(title, stamp, *label, *texts)))
    return number_pages(template, pages)


def draw_table(spec: PageSpec, ctx: Ctx, status_colours: StatusColours | None = None) -> Canvas:
    """Draw one planned table page."""
    page: TablePage = spec.data["table"]
    pal = ctx.palette
    canvas, frame = new_page(ctx)
    box = frame.content
    y = draw_title(canvas, page.title, box.left, box.top, fill=pal.text, bg=pal.background)
    small = ctx.profile.min_text
    right = box.right
    if spec.page_count > 1:
        mark = f"第{spec.page_no}/{spec.page_count}页"
        right -= canvas.text(right, box.top, mark, small, fill=pal.muted, bg=pal.background,
                             line_height=page.title.line_height, align="right") + small
    if page.stamp:
        canvas.text(right, box.top, page.stamp, small, fill=pal.accent, bg=pal.background,
                    bold=True, line_height=page.title.line_height, align="right")
    y += gap(ctx, 0.5)
    x = box.left
    for head, w in zip(page.heads, page.widths, strict=True):
        canvas.text(x + page.hpad, y, head, page.head_size, fill=pal.accent, bg=pal.background,
                    bold=True, line_height=page.head_h)
        x += w
    y += page.head_h
    rule = max(2, ctx.profile.px(0.004))
    canvas.rect(Rect(box.left, y - rule, box.right, y), pal.rule)
    for i, row in enumerate(page.rows):
        height = row.height + page.stretch
        bg = pal.panel if i % 2 == 0 else pal.background
        if i % 2 == 0:
            canvas.rect(Rect(box.left, y, box.right, y + height), pal.panel)
        top = y + page.pad + page.stretch // 2  # the grown row keeps its text in the middle
        if row.span:
            _tail(canvas, ctx, row, box.left + page.hpad, top, page, bg, status_colours)
        else:
            x = box.left
            for cell, w in zip(row.cells, page.widths, strict=True):
                _cell(canvas, ctx, cell, x + page.hpad, top, page, bg, status_colours)
                x += w
        y += height
    # The page mark is drawn in the title row above (the footer's line holds rows).
    draw_page_chrome(canvas, ctx, frame, spec.page_no, 1)
    return canvas


def _tail(canvas: Canvas, ctx: Ctx, row: RowLayout, x: int, top: int, page: TablePage,
          bg: RGB, status_colours: StatusColours | None) -> None:
    """The condensed line: a status pill (on its first part only), then the names."""
    if not row.continued:
        fill, text = (status_colours(page.tail_label) if status_colours is not None
                      else (ctx.palette.tag_bg, ctx.palette.tag_text))
        inner = round(page.line_height * 0.86)
        canvas.pill(x, top + (page.line_height - inner) // 2, page.tail_label, page.size,
                    fill=fill, text_fill=text, height=inner)
    _cell(canvas, ctx, row.cells[0], x + page.tail_indent, top, page, bg, None)


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
