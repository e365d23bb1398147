"""The pure layout engine: paragraphs in, sized and paginated lines out.

No Pillow drawing, no I/O: fonts are seen only through :class:`renderer.fonts.Metrics`.
:func:`fit_text` picks the largest size (from ``max_size`` down to the legibility floor
``min_size``) at which the text fits its box; if it does not fit even at the floor, the
text is paginated at the floor instead of shrinking further. Text is never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from renderer.fonts import Metrics
from renderer.linebreak import break_lines, iter_paragraphs

# Extra space after a paragraph, as a fraction of the line height.
PARAGRAPH_GAP = 0.35


@dataclass(frozen=True)
class Para:
    """A paragraph to lay out. ``style``: body, heading (bold, keeps with next) or sign."""

    text: str
    style: str = "body"
    marker: str = ""  # drawn in a hanging indent before the first line (e.g. "1", "●")

    @property
    def bold(self) -> bool:
        """Headings are set in the bold face."""
        return self.style == "heading"


@dataclass(frozen=True)
class Line:
    """One laid-out line."""

    text: str
    style: str = "body"
    marker: str = ""  # only on the first line of a marked paragraph
    indent: int = 0  # hanging indent in px (all lines of a marked paragraph)
    first: bool = True  # first line of its paragraph
    last: bool = True  # last line of its paragraph


@dataclass(frozen=True)
class Fit:
    """Result of fitting: the chosen size, the line height and the pages of lines."""

    size: int
    line_height: int
    pages: tuple[tuple[Line, ...], ...]

    @property
    def lines(self) -> tuple[Line, ...]:
        """All lines of all pages, in order."""
        return tuple(line for page in self.pages for line in page)


def paragraphs(text: str, style: str = "body") -> list[Para]:
    """Split free text into paragraphs (one per non-empty line)."""
    return [Para(p, style) for p in iter_paragraphs(text or "")]


def marker_indent(metrics: Metrics, size: int, markers: Sequence[str]) -> int:
    """Hanging indent for the widest marker (drawn in a disc of at least 1.25 em) plus a
    half-em gap; 0 when no paragraph has a marker."""
    if not any(markers):
        return 0
    widest = max(metrics.measure(m, size) for m in markers if m)
    return round(max(widest, size * 1.25) + size * 0.5)


def lay_out_lines(
    paras: Sequence[Para],
    metrics: Metrics,
    size: int,
    width: int,
    bold: Metrics | None = None,
    *,
    by_phrase: bool = False,
) -> list[Line]:
    """Break every paragraph into lines at ``size``; markers share one hanging indent.

    ``by_phrase``: the paragraphs are short fields (table cells), broken at phrase edges
    wherever that costs no extra line (see :func:`renderer.linebreak.break_lines`)."""
    indent = marker_indent(bold or metrics, size, [p.marker for p in paras])
    out: list[Line] = []
    for para in paras:
        face = bold if (para.bold and bold is not None) else metrics
        ind = indent if para.marker else 0
        texts = break_lines(para.text, face, size, width - ind, by_phrase=by_phrase) or [""]
        for i, text in enumerate(texts):
            out.append(
                Line(
                    text=text,
                    style=para.style,
                    marker=para.marker if i == 0 else "",
                    indent=ind,
                    first=i == 0,
                    last=i == len(texts) - 1,
                )
            )
    return out


def gap_above(lines: Sequence[Line], i: int) -> bool:
    """Does a paragraph gap separate line ``i`` from the line above it? Yes where a
    paragraph starts, and below a heading repeated above its section's running text."""
    if i == 0:
        return False
    line = lines[i]
    return line.first or (lines[i - 1].style == "heading" and line.style != "heading")


def block_height(lines: Sequence[Line], line_height: int) -> int:
    """Height of lines stacked on one page, paragraph gaps included."""
    gaps = sum(1 for i in range(len(lines)) if gap_above(lines, i))
    return len(lines) * line_height + round(gaps * line_height * PARAGRAPH_GAP)


def _backs_off(page: Sequence[Line]) -> bool:
    """Should the page give its last line to the next page (keep rules)?"""
    last = page[-1]
    if len(page) < 2:
        return False
    if last.style == "heading":  # a heading never ends a page
        return True
    # orphan: a paragraph's first line alone at the bottom
    return last.first and not last.last


def line_chars(lines: Sequence[Line]) -> int:
    """Characters a viewer reads in ``lines`` (whitespace does not count)."""
    return sum(1 for line in lines for c in line.text if not c.isspace())


def paginate(
    lines: Sequence[Line],
    line_height: int,
    heights: Sequence[int],
    resume: Sequence[Sequence[Line]] = (),
    max_chars: Sequence[int] = (),
) -> list[list[Line]]:
    """Distribute lines over pages whose usable heights are ``heights`` (last one repeats).

    Keeps headings with what follows, avoids orphans and widows by moving a line over,
    and always puts at least one line on a page so even a tiny box makes progress.
    ``resume[i]``, when given, is drawn above line ``i`` if a page opens there (the
    heading of a section continued from the page before) and counts in its height.
    ``max_chars`` (last one repeats), when given, also ends a page before it holds more
    characters than that: text beyond a page's reading time goes on the next page.
    """

    def head(start: int) -> list[Line]:
        return list(resume[start]) if resume and start > 0 else []

    def fits(start: int, end: int, page: int) -> bool:
        cap = heights[min(page, len(heights) - 1)]
        block = [*head(start), *lines[start:end]]
        if max_chars and line_chars(block) > max_chars[min(page, len(max_chars) - 1)]:
            return False
        return block_height(block, line_height) <= cap

    def keep(start: int, full: int) -> int:
        """Where a page filled up to ``full`` ends once the keep rules have their say."""
        if full >= len(lines):
            return full
        for widows in (True, False):
            end = full
            # Widow: the next page would open with a paragraph's lone last line.
            nxt = lines[end]
            if widows and nxt.last and not nxt.first and end - start >= 2:
                end -= 1
            while _backs_off(lines[start:end]):
                end -= 1
            # A page of nothing but a heading is worse than a widow or an orphan.
            if any(line.style != "heading" for line in lines[start:end]):
                return end
        return full

    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(lines):
        full = start + 1
        while full < len(lines) and fits(start, full + 1, len(bounds)):
            full += 1
        end = keep(start, full)
        bounds.append((start, end))
        start = end
    # Whole-text widow: a single line alone on the final page takes a companion along.
    if len(bounds) >= 2:
        (a, b), (c, d) = bounds[-2], bounds[-1]
        if d - c == 1 and b - a >= 3 and fits(c - 1, d, len(bounds) - 1):
            bounds[-2:] = [(a, b - 1), (c - 1, d)]
    return [[*head(a), *lines[a:b]] for a, b in bounds]


def continued_headings(
    paras: Sequence[Para],
    lines: Sequence[Line],
    metrics: Metrics,
    size: int,
    width: int,
    bold: Metrics | None,
    mark: str,
) -> list[tuple[Line, ...]]:
    """For each line of ``lines`` (laid out from ``paras``), the heading to repeat above it
    when a page opens there: its section's heading with ``mark`` (``政策内容（续）``).
    Headings themselves and text before the first heading need none."""
    repeat: dict[str, tuple[Line, ...]] = {}
    out: list[tuple[Line, ...]] = []
    current: tuple[Line, ...] = ()
    index = -1
    for line in lines:
        if line.first:
            index += 1
            para = paras[index]
            if para.style == "heading":
                if para.text not in repeat:
                    cont = Para(para.text + mark, "heading")
                    repeat[para.text] = tuple(lay_out_lines([cont], metrics, size, width, bold))
                current = repeat[para.text]
        out.append(() if line.style == "heading" else current)
    return out


def _sizes(max_size: int, min_size: int) -> list[int]:
    sizes = []
    size = max_size
    while size > min_size:
        sizes.append(size)
        size -= max(1, round(size * 0.04))
    sizes.append(min_size)
    return sizes


def _surely_too_tall(
    paras: Sequence[Para], metrics: Metrics, size: int, width: int, lh: int, height: int
) -> bool:
    """Cheap lower bound: even perfectly filled lines would overflow ``height``."""
    lines = sum(max(1, -(-int(metrics.measure(p.text, size)) // max(1, width))) for p in paras)
    return lines * lh > height


def fit_text(
    paras: Sequence[Para],
    metrics: Metrics,
    *,
    width: int,
    heights: Sequence[int],
    max_size: int,
    min_size: int,
    bold: Metrics | None = None,
    continued: str = "",
    max_chars: Sequence[int] = (),
) -> Fit:
    """Fit paragraphs into a box of ``width`` and page heights ``heights``.

    Tries sizes from ``max_size`` down to ``min_size`` and returns the first at which
    everything fits on the first page. Otherwise the text is paginated, never set below
    ``min_size``: at the largest size that needs no more pages than ``min_size`` would.
    With a ``continued`` mark, a section running on to a new page repeats its heading
    there, marked (``政策内容（续）``), so a viewer tuning in knows what the text is.
    ``max_chars`` limits the characters per page as well (see :func:`paginate`): long text
    takes more pages, each read at the channel's pace, and is set larger on them.
    """
    if min_size > max_size:
        raise ValueError("min_size must not exceed max_size")
    if not paras:
        return Fit(max_size, metrics.line_height(max_size), ((),))

    def pages_at(size: int, lines: Sequence[Line]) -> list[list[Line]]:
        resume: Sequence[Sequence[Line]] = ()
        if continued:
            resume = continued_headings(paras, lines, metrics, size, width, bold, continued)
        return paginate(lines, metrics.line_height(size), heights, resume, max_chars)

    first = heights[0]
    lines: list[Line] = []
    for size in _sizes(max_size, min_size):
        lh = metrics.line_height(size)
        if size != min_size and _surely_too_tall(paras, metrics, size, width, lh, first):
            continue
        lines = lay_out_lines(paras, metrics, size, width, bold)
        if block_height(lines, lh) <= first and (not max_chars or line_chars(lines)
                                                  <= max_chars[0]):
            return Fit(size, lh, (tuple(lines),))
    # It must paginate. The floor sets the page count; then take the largest size that
    # needs no more pages than that, so paginated text is as big as the pages allow.
    lh = metrics.line_height(min_size)
    if not lines:
        lines = lay_out_lines(paras, metrics, min_size, width, bold)
    pages = pages_at(min_size, lines)
    # Where the character budget sets the page count, a page of larger type holds a line
    # fewer of it now and then: a few more pages cost no air time (each is up for its own
    # characters), so larger type may take up to a quarter more pages.
    allowed = len(pages) + (len(pages) // 4 if max_chars else 0)
    for size in _sizes(max_size, min_size)[:-1]:
        size_lh = metrics.line_height(size)
        bigger = pages_at(size, lay_out_lines(paras, metrics, size, width, bold))
        if len(bigger) <= allowed:
            return Fit(size, size_lh, tuple(tuple(p) for p in bigger))
    return Fit(min_size, lh, tuple(tuple(p) for p in pages))


def page_text(page: Sequence[Line]) -> str:
    """The text of a page's lines, markers included, one line per row."""
    return "\n".join(f"{line.marker} {line.text}".strip() for line in page)
