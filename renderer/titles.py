"""Wrapped titles (and the ticker) set as even lines broken where their phrases end.

A title in two or three lines reads as one phrase a line (``一次性补贴 / 及耕地地力…``),
not as a full line and a stub. Built on :func:`renderer.layout.lay_out_lines`, which it
only re-breaks: the size and the line count come from fitting as for any text.
"""

from __future__ import annotations

from collections.abc import Sequence

from renderer.breaks import clusters
from renderer.fonts import Metrics
from renderer.layout import Line, Para, lay_out_lines
from renderer.lexicon import COMMON_WORDS

# Where a wrapped title reads well: after punctuation or a space, before an opening bracket
# or quote (the aside moves down whole), or before a conjunction starting a new phrase.
_GOOD_END = frozenset("，。、；：？！）》」』】〕”’…·・,.;:?!) ")
_GOOD_START = frozenset("（《「『【〔“‘(")
_CONJUNCTIONS = frozenset("及与暨并或和")


def _break_penalty(texts: Sequence[str], widths: Sequence[float]) -> int:
    """How badly the breaks of a wrapped title cut its phrases (0: all at phrase edges).

    Chinese has no spaces, so a break between two Han characters may split a word
    (``补|贴``, ``（财|务``); breaks at punctuation and before brackets never do."""
    penalty = 0
    for a, b in zip(texts, texts[1:], strict=False):
        if a[-1:] in _GOOD_END or b[:1] in _GOOD_START:
            continue
        penalty += 1 if b[:1] in _CONJUNCTIONS else 3
        if a[-1:] + b[:1] in COMMON_WORDS:
            penalty += 2
    # A stub line (much shorter than the longest) reads as an afterthought.
    if widths and min(widths) < 0.45 * max(widths):
        penalty += 2
    return penalty


def _phrase_breaks(
    para: Para, face: Metrics, size: int, width: int, count: int
) -> list[str] | None:
    """The best way to set one paragraph in exactly ``count`` lines (2 or 3) no wider than
    ``width``: fewest phrase-splitting breaks first, then the most even lines."""
    pieces = [text for text, _ in clusters(para.text)]
    n = len(pieces)

    def line(i: int, j: int) -> str:
        return " ".join("".join(pieces[i:j]).split())

    best: list[str] | None = None
    best_key: tuple[int, int, int] | None = None
    if count == 2:
        cuts = [(k,) for k in range(1, n)]
    else:
        cuts = [(k, m) for k in range(1, n - 1) for m in range(k + 1, n)]
    for cut in cuts:
        bounds = [0, *cut, n]
        texts = [line(bounds[i], bounds[i + 1]) for i in range(count)]
        if not all(texts):
            continue
        widths = [face.measure(t, size) for t in texts]
        if max(widths) > width + 0.01:
            continue
        # Ties go to the later break (fuller first line), as greedy filling would.
        key = (_break_penalty(texts, widths), round(max(widths) - min(widths)), -cut[0])
        if best_key is None or key < best_key:
            best, best_key = texts, key
    return best


def balanced_lines(
    paras: Sequence[Para], metrics: Metrics, size: int, width: int, bold: Metrics | None = None
) -> list[Line]:
    """Lines at ``size`` broken at the narrowest width that needs no more lines than
    ``width`` does: a two-line title reads as two even lines, not one and a stub.

    A single paragraph in two or three lines (a title) is broken where its phrases end
    (at punctuation, before a bracket) when it can be, even if the lines are less even:
    ``一次性补贴 / 及耕地地力…`` rather than ``一次性补 / 贴及耕地地力…``."""
    lines = lay_out_lines(paras, metrics, size, width, bold)
    if len(lines) <= 1:
        return lines
    if len(paras) == 1 and not paras[0].marker and len(lines) in (2, 3):
        para = paras[0]
        face = bold if (para.bold and bold is not None) else metrics
        texts = _phrase_breaks(para, face, size, width, len(lines))
        if texts is not None:
            last = len(texts) - 1
            return [
                Line(text=t, style=para.style, first=i == 0, last=i == last)
                for i, t in enumerate(texts)
            ]
    lo, hi = width // 2, width
    while hi - lo > 4:
        mid = (lo + hi) // 2
        if len(lay_out_lines(paras, metrics, size, mid, bold)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return lay_out_lines(paras, metrics, size, hi, bold)
