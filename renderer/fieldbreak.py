"""Short fields (table cells, key facts) broken at phrase edges.

A cell of a few words reads best cut where its phrases end (``石门村、/黄土坪村``), even
where filling would set more on the first line. Among the ways to set a field in the
fewest lines, the one that cuts fewest phrases wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from renderer.breaks import AFTER_DOT, EDGE, IN_NAME, ITEM, WORD, Unit, force_break, join_units
from renderer.fonts import Metrics

# What a break of each kind (see renderer.breaks) costs a short field.
_COST = {EDGE: 0, ITEM: 0, WORD: 1, AFTER_DOT: 2, IN_NAME: 3}
# A line after the first that is under this share of the width reads as an afterthought
# (``委会，``) and so does a last line of one lone character (``提``): either costs as
# much as two cut words. A short first line (``石门村、``) is a phrase kept whole, and a
# short last line of a few characters is just the end.
STUB_SHARE = 0.45
STUB_COST = 2


def break_field(
    pieces: Sequence[tuple[str, bool, str]], metrics: Metrics, size: int, width: float
) -> list[str]:
    """Fewest lines, then least cost (cut phrases, stubs), then the fullest first lines:
    a small dynamic programme from the end. Each line tried stops at the width, so the
    work grows with the text times the clusters a line holds."""
    units: list[Unit] = []
    for piece, space, kind in pieces:
        w = metrics.measure(piece, size)
        if w <= width + 0.01:
            units.append((piece, w, space, kind))
            continue
        for i, part in enumerate(force_break(piece, metrics, size, width)):
            units.append(
                (part, metrics.measure(part, size), space and not i, kind if not i else WORD)
            )
    space_w = metrics.measure(" ", size)
    n = len(units)
    # best[i]: (lines, cost, end of the first line) for setting units[i:].
    best: list[tuple[int, int, int]] = [(0, 0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        choice: tuple[int, int, int] | None = None
        line_w = 0.0
        for j in range(i + 1, n + 1):
            _, w, space, _ = units[j - 1]
            line_w += w + (space_w if space and j - 1 > i else 0.0)
            if line_w > width + 0.01 and j > i + 1:
                break
            lines, cost, _ = best[j]
            cost += _COST[units[j][3]] if j < n else 0
            if line_w < STUB_SHARE * width and i > 0 and (j < n or j == i + 1):
                cost += STUB_COST
            key = (lines + 1, cost, -j)
            if choice is None or key < choice:
                choice = key
        assert choice is not None
        best[i] = (choice[0], choice[1], -choice[2])
    out: list[str] = []
    i = 0
    while i < n:
        j = best[i][2]
        out.append(join_units(units[i:j]))
        i = j
    return out
