"""Chinese line breaking: paragraphs filled into lines over unbreakable clusters.

Where a line may break, and what kind of break each one is, comes from
:mod:`renderer.breaks`. Running text fills its lines greedily, cluster by cluster, and
only pulls a list item or the tail of a name back whole when that leaves the line nearly
full; short fields (table cells) are broken at phrase edges wherever that costs no extra
line (:mod:`renderer.fieldbreak`). Nothing is ever dropped except whitespace at the
edges of lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from renderer.breaks import (
    AFTER_DOT,
    EDGE,
    IN_NAME,
    ITEM,
    WORD,
    Unit,
    force_break,
    join_units,
    pieces,
    units_width,
)
from renderer.fieldbreak import break_field
from renderer.fonts import Metrics
from renderer.spacing import PUNCT

# Running text pulls a list item or a name's last part back to the next line only when
# the line stays nearly full: at most this many ems and this share of the line move.
LOOKBACK_EM = 3
LOOKBACK_SHARE = 0.15
# Running text: a last line of at most this many letters (punctuation aside) is a runt, and
# the line before gives it one cluster if it has at least RUNT_DONOR_MIN to give from.
RUNT_LETTERS = 1
RUNT_DONOR_MIN = 4


def _look_back(line: Sequence[Unit], nxt: Unit, space_w: float, size: int, width: float) -> int:
    """Where to end ``line`` now that ``nxt`` does not fit: normally after its last
    cluster, but if that break cuts a list item or a name part, after the 、 or the dot
    just before it, when the moved tail is short and still fits with ``nxt``."""
    if nxt[3] not in (WORD, IN_NAME):
        return len(line)
    budget = min(LOOKBACK_EM * size, LOOKBACK_SHARE * width)
    for cut in range(len(line) - 1, 0, -1):
        kind = line[cut][3]
        tail = units_width(line[cut:], space_w)
        if kind == EDGE or tail > budget:
            break
        if kind in (ITEM, AFTER_DOT):
            gap = space_w if nxt[2] else 0.0
            return cut if tail + gap + nxt[1] <= width + 0.01 else len(line)
    return len(line)


def break_lines(
    text: str, metrics: Metrics, size: int, width: float, *, by_phrase: bool = False
) -> list[str]:
    """Break one paragraph into lines no wider than ``width`` at ``size`` px.

    Running text fills each line, pulling a cut list item or name part down whole only
    where that costs the paragraph no extra line. ``by_phrase`` is for short fields
    (table cells, key facts): among the ways to set the text in the fewest lines, take
    the one that cuts fewest phrases, keeping a name whole when it fits a line; ties go
    to the fullest first lines, as filling gives."""
    text_pieces = pieces(text)
    if by_phrase:
        return break_field(text_pieces, metrics, size, width)
    lines, moved = _fill(text_pieces, metrics, size, width, look_back=True)
    if moved:
        plain, _ = _fill(text_pieces, metrics, size, width, look_back=False)
        if len(plain) < len(lines):
            lines = plain
    return _mend_runt(lines, metrics, size, width)


def _letters(line: str) -> int:
    return sum(1 for ch in line if unicodedata.category(ch)[0] in "LN")


def _mend_runt(lines: list[str], metrics: Metrics, size: int, width: float) -> list[str]:
    """A paragraph whose last line is one lone character (``品。``) takes one more cluster
    down from the line before, as a typesetter would; the line count never changes."""
    if len(lines) < 2 or _letters(lines[-1]) > RUNT_LETTERS:
        return lines
    before = pieces(lines[-2])
    if len(before) < RUNT_DONOR_MIN:
        return lines
    piece = before[-1][0]
    head = lines[-2][: len(lines[-2]) - len(piece)].rstrip()
    # A line broken at a space lost it; two Latin words meeting again need it back.
    space = (
        " "
        if piece[-1].isascii()
        and piece[-1].isalnum()
        and lines[-1][0].isascii()
        and lines[-1][0].isalnum()
        else ""
    )
    tail = piece + space + lines[-1]
    if not head or metrics.measure(tail, size) > width + 0.01:
        return lines
    return [*lines[:-2], head, tail]


def _fill(
    text_pieces: Sequence[tuple[str, bool, str]],
    metrics: Metrics,
    size: int,
    width: float,
    *,
    look_back: bool,
) -> tuple[list[str], bool]:
    """Fill lines greedily; also says whether any break was moved back."""
    space_w = metrics.measure(" ", size)
    lines: list[str] = []
    line: list[Unit] = []
    line_w = 0.0
    moved = False
    for piece, space, kind in text_pieces:
        unit = (piece, metrics.measure(piece, size), space, kind)
        gap = space_w if line and space else 0.0
        if line and not space and line[-1][0][-1] in PUNCT and piece[0] in PUNCT:
            # Two marks meeting across clusters (``，“``) are set closer: measure the pair.
            gap += _pair_kern(metrics, line[-1][0][-1], piece[0], size)
        if line and line_w + gap + unit[1] <= width + 0.01:
            line.append(unit)
            line_w += gap + unit[1]
            continue
        if line:
            cut = _look_back(line, unit, space_w, size, width) if look_back else len(line)
            moved = moved or cut < len(line)
            lines.append(join_units(line[:cut]))
            line = line[cut:]
        if unit[1] <= width + 0.01:
            line.append(unit)
            line_w = units_width(line, space_w)
        else:
            *full, last = force_break(piece, metrics, size, width)
            lines.extend(full)
            line = [(last, metrics.measure(last, size), False, WORD)]
            line_w = line[0][1]
    if line:
        lines.append(join_units(line))
    return lines, moved


def _pair_kern(metrics: Metrics, a: str, b: str, size: int) -> float:
    """How much closer ``a`` and ``b`` sit side by side than apart (0 or less)."""
    return metrics.measure(a + b, size) - metrics.measure(a, size) - metrics.measure(b, size)


def iter_paragraphs(text: str) -> Iterator[str]:
    """Non-empty paragraphs of ``text`` (split on newlines, edges trimmed)."""
    for para in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        para = para.strip()
        if para:
            yield para
