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
) -> RowLayout:
    """Wrap each cell in its column (less the padding on both sides), at phrase edges
    where that costs no extra line: a cell is a short field, not running text."""
    laid = tuple(
        tuple(lay_out_lines(cell, metrics, size, w - 2 * pad, bold, by_phrase=True)) if cell else ()
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
        parts.append(RowLayout(cells, height, continued=start > 0))
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
    go 3+3+3, not 4+4 and one lone row on the last page.

    The page heights are lowered together as far as the page count allows (filling is
    monotonic in the height, so a binary search finds it). Rows taller than a page are
    split by filling and keep the plain fill.
    """
    pages = paginate_rows(rows, caps, lh, pad)
    tallest = max((r.height for r in rows), default=0)
    if len(pages) < 2 or tallest > min(caps):
        return pages
    lo, hi = 0, min(caps) - tallest  # how much every page height may shrink
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(paginate_rows(rows, [c - mid for c in caps], lh, pad)) == len(pages):
            lo = mid
        else:
            hi = mid - 1
    return paginate_rows(rows, [c - lo for c in caps], lh, pad)


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
