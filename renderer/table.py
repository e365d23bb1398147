"""Pure table layout: cells wrap inside their columns, rows paginate by height.

A row taller than a whole page (a cadre with a very long list of duties) is split
between pages line by line, the continuation flagged, so no text is ever dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from renderer.fonts import Metrics
from renderer.layout import Line, Para, block_height, lay_out_lines

Cell = Sequence[Para]


@dataclass(frozen=True)
class RowLayout:
    """A laid-out row: the lines of each cell and the row's height in px."""

    cells: tuple[tuple[Line, ...], ...]
    height: int
    continued: bool = False  # True for the second and later parts of a split row
    span: bool = False  # one cell across the whole table (the 未报告 line of a board)


@dataclass(frozen=True)
class TableFit:
    """The chosen size, line height, cell padding and the rows on each page."""

    size: int
    line_height: int
    pad: int
    pages: tuple[tuple[RowLayout, ...], ...]
    widths: tuple[int, ...] = ()


def lay_out_row(
    cells: Sequence[Cell],
    widths: Sequence[int],
    metrics: Metrics,
    bold: Metrics,
    size: int,
    pad: int,
    lh: int,
    hpad: int | None = None,
) -> RowLayout:
    """Wrap each cell in its column (less the padding on both sides: ``hpad``, else
    ``pad``), at phrase edges where that costs no extra line: a cell is a short field, not
    running text. ``pad`` is above and below the row's text."""
    side = pad if hpad is None else hpad
    laid = tuple(
        tuple(lay_out_lines(cell, metrics, size, w - 2 * side, bold, by_phrase=True))
        if cell else ()
        for cell, w in zip(cells, widths, strict=True)
    )
    height = max((block_height(c, lh) for c in laid), default=lh) + 2 * pad
    return RowLayout(laid, max(height, lh + 2 * pad))


def _split(row: RowLayout, cap: int, lh: int, pad: int) -> list[RowLayout]:
    """Cut a too-tall row into parts that fit ``cap``, by whole lines."""
    per_part = max(1, (cap - 2 * pad) // lh)
    tallest = max(len(c) for c in row.cells)
    parts = []
    for start in range(0, tallest, per_part):
        cells = tuple(c[start : start + per_part] for c in row.cells)
        height = max(block_height(c, lh) for c in cells) + 2 * pad
        parts.append(RowLayout(cells, height, continued=start > 0, span=row.span))
    return parts


def paginate_rows(
    rows: Sequence[RowLayout], caps: Sequence[int], lh: int, pad: int
) -> list[list[RowLayout]]:
    """Fill pages (usable heights ``caps``, the last repeating) with whole rows."""
    pages: list[list[RowLayout]] = [[]]
    used = 0
    queue = list(rows)
    while queue:
        cap = caps[min(len(pages) - 1, len(caps) - 1)]
        row = queue.pop(0)
        if row.height > cap:
            queue[0:0] = _split(row, cap, lh, pad)
            continue
        if pages[-1] and used + row.height > cap:
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += row.height
    return pages


def balanced_pages(
    rows: Sequence[RowLayout], caps: Sequence[int], lh: int, pad: int
) -> list[list[RowLayout]]:
    """Whole rows on as few pages as filling gives, spread evenly: nine cadres on three pages
    go 3+3+3, not 4+4 and one lone row on the last page; thirty at eight a page go 8+8+7+7.

    Each page break goes where the running height comes nearest to its even share of the
    total, as long as the page holds it and the rows left still fit the pages left. Rows
    taller than a page are split by filling and keep the plain fill.
    """
    pages = paginate_rows(rows, caps, lh, pad)
    count = len(pages)
    if count < 2 or max(r.height for r in rows) > min(caps):
        return pages

    def cap(page: int) -> int:
        return caps[min(page, len(caps) - 1)]

    def fits_in(start: int, first_page: int, pages_left: int) -> bool:
        return len(paginate_rows(rows[start:], [cap(first_page + i) for i in range(
            pages_left)] or [cap(first_page)], lh, pad)) <= pages_left

    total = sum(r.height for r in rows)
    out: list[list[RowLayout]] = []
    start = 0
    for page in range(count - 1):
        target = total * (page + 1) / count
        best, used, end = None, sum(r.height for r in rows[:start]), start
        height = 0
        while end < len(rows) and height + rows[end].height <= cap(page):
            height += rows[end].height
            end += 1
            if fits_in(end, page + 1, count - page - 1) and (
                best is None or abs(used + height - target) <= best[0]
            ):
                best = (abs(used + height - target), end)
        if best is None:  # cannot happen when filling found ``count`` pages; keep filling
            return pages
        out.append(list(rows[start : best[1]]))
        start = best[1]
    out.append(list(rows[start:]))
    return out


def pack_names(names: Sequence[str], metrics: Metrics, size: int, width: float,
               sep: str = "、") -> list[str]:
    """Names joined by ``sep`` into lines no wider than ``width``, broken only between
    names (a name wider than a whole line, which no real name is, breaks inside)."""
    lines: list[str] = []
    line = ""
    for i, name in enumerate(names):
        token = name + (sep if i < len(names) - 1 else "")
        if line and metrics.measure(line + token, size) > width:
            lines.append(line)
            line = ""
        if not line and metrics.measure(token, size) > width:
            *whole, line = lay_out_broken(token, metrics, size, width)
            lines.extend(whole)
            continue
        line += token
    if line:
        lines.append(line)
    return lines


def lay_out_broken(text: str, metrics: Metrics, size: int, width: float) -> list[str]:
    """``text`` broken into lines by the ordinary rules (the fallback for an overlong name)."""
    return [ln.text for ln in lay_out_lines([Para(text)], metrics, size, int(width))] or [""]


def stretch_rows(rows: Sequence[RowLayout], cap: int, limit: int) -> int:
    """Extra height for each row of a page so its rows fill ``cap`` (at most ``limit``):
    row height follows the space there is, instead of leaving the page's foot empty."""
    if not rows:
        return 0
    free = cap - sum(r.height for r in rows)
    return max(0, min(limit, free // len(rows)))


def fit_table(
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int] | Callable[[int], Sequence[int]],
    metrics: Metrics,
    bold: Metrics,
    *,
    caps: Sequence[int],
    max_size: int,
    min_size: int,
    pad_em: float = 0.25,
    line_spacing: float = 1.3,
    balance: bool = False,
) -> TableFit:
    """Largest size from ``max_size`` at which every row fits the first page; else the
    rows are paginated at the floor ``min_size``. ``widths`` may be a function of the
    size (columns sized to their content at that size). ``balance`` spreads the rows
    evenly over the pages: for tables that fill their pages alone (a key-facts panel that
    shares its first page with body text stays full)."""
    size = max_size
    while True:
        cols = widths(size) if callable(widths) else widths
        lh = round(size * line_spacing)  # cells sit tighter than running text
        pad = round(size * pad_em)
        laid = [lay_out_row(r, cols, metrics, bold, size, pad, lh) for r in rows]
        if sum(r.height for r in laid) <= caps[0] or size <= min_size:
            break
        size = max(min_size, size - max(1, round(size * 0.05)))
    pages = (balanced_pages if balance else paginate_rows)(laid, caps, lh, pad)
    return TableFit(size, lh, pad, tuple(tuple(p) for p in pages), tuple(cols))
