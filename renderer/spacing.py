"""Where each character of a line goes: punctuation compression and justification.

Both follow W3C clreq (Requirements for Chinese Text Layout):

- **Adjacent punctuation** (§3.1.6.2): two fullwidth marks side by side take 1.5 em, not
  2. A closing mark (，。」…) draws its ink in the left half of its em, so before another
  closing or an opening mark its blank right half goes (``。」``, ``，“``); an opening mark
  (「（“…) draws in the right half, so after another opening mark its blank left half
  goes (``（「``).
- **Justification** (两端对齐): a line other than a paragraph's last is set to the full
  measure by spreading the slack evenly over its justification opportunities: the gaps
  between characters where one side is a CJK character, and the spaces between Latin
  words. Letters inside a Latin word, a number or a URL never move apart, and a mark
  stays tight against the text it closes or opens.

Pure functions over :class:`renderer.fonts.Metrics`: the real font chain measures with
:func:`squeezes` (so the line breaker sees compressed widths) and the canvas draws at
:func:`place` (so a line is drawn exactly as wide as it was measured).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from renderer.sanitise import invisible

if TYPE_CHECKING:  # fonts measures through this module: no import cycle at run time
    from renderer.fonts import Metrics

# Fullwidth marks whose ink sits in the left half of the em, as GB style and Noto Sans
# CJK SC draw them: their right half is blank and may go.
CLOSING = frozenset("，。、；：！？）》」』】〉〕〗〙〛｝］”’")
# Fullwidth marks whose ink sits in the right half: their left half is blank.
OPENING = frozenset("（《「『【〈〔〖〘〚｛［“‘")
PUNCT = CLOSING | OPENING
# A mark narrower than this share of the em is not fullwidth (a proportional fallback
# face drew it) and has no blank half to give.
FULLWIDTH_SHARE = 0.9
# Justification spreads at most this much per opportunity (in em). A line that would
# need more (a short line before a long unbreakable word, a few Latin words) stays flush
# left: holes wider than a Latin space and a half read worse than a ragged edge.
MAX_STRETCH_EM = 0.5


def squeezes(text: str) -> tuple[tuple[int, bool], ...]:
    """The marks of ``text`` that lose half their em, as ``(index, leading)`` pairs:
    ``leading`` is True where the blank left half goes, False for the right half."""
    if len(text) < 2 or PUNCT.isdisjoint(text):
        return ()
    out: list[tuple[int, bool]] = []
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a in CLOSING and b in PUNCT:
            out.append((i, False))
        elif a in OPENING and b in OPENING:
            out.append((i + 1, True))
    return tuple(out)


def squeeze_width(text: str, char_width: Callable[[str, int], float], size: int) -> float:
    """How much narrower ``text`` is set than the sum of its characters' advances;
    ``char_width(ch, size)`` gives one character's advance."""
    total = 0.0
    for i, _ in squeezes(text):
        w = char_width(text[i], size)
        if w >= FULLWIDTH_SHARE * size:
            total += w / 2
    return total


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def opportunities(text: str) -> list[int]:
    """Indices ``i`` where justification may add space before ``text[i]``. Characters
    removed rather than drawn (:func:`renderer.sanitise.invisible`) are looked through."""
    seen = [i for i, ch in enumerate(text) if not invisible(ch) or ch == " "]
    out = []
    for h, i in zip(seen, seen[1:], strict=False):
        a, b = text[h], text[i]
        if a.isspace():
            if not b.isspace():
                out.append(i)
        elif b.isspace() or b in CLOSING or a in OPENING:
            continue
        elif _wide(a) or _wide(b):
            out.append(i)
    return out


@dataclass(frozen=True)
class Placed:
    """A line's characters placed: the x of each glyph's origin from the line's left,
    and the width of the line as set."""

    xs: tuple[float, ...]
    width: float
    justified: bool


def place(text: str, metrics: Metrics, size: int, justify: float | None = None) -> Placed:
    """Place each character of one line, marks compressed; with ``justify`` (a width),
    spread the slack so the line is exactly that wide, unless it has no opportunity, is
    already as wide, or would need more than :data:`MAX_STRETCH_EM` per opportunity."""
    squeezed = {i: lead for i, lead in squeezes(text)}
    advances = [metrics.measure(ch, size) for ch in text]
    shifts = [0.0] * len(text)
    for i, lead in squeezed.items():
        if advances[i] >= FULLWIDTH_SHARE * size:
            half = advances[i] / 2
            advances[i] -= half
            if lead:
                shifts[i] = -half
    natural = sum(advances)
    extra = [0.0] * len(text)
    justified = False
    if justify is not None and justify > natural:
        gaps = opportunities(text.rstrip())
        if gaps:
            each = (justify - natural) / len(gaps)
            if each <= MAX_STRETCH_EM * size:
                for i in gaps:
                    extra[i] = each
                justified = True
    xs = []
    pen = 0.0
    for i, adv in enumerate(advances):
        pen += extra[i]
        xs.append(pen + shifts[i])
        pen += adv
    width = justify if justified and justify is not None else natural
    return Placed(tuple(xs), width, justified)
