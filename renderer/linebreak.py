"""Chinese line breaking (避头尾) over unbreakable clusters.

Text is cut into *atoms* (one Han character, a Latin word, a number with its unit, a
whole date, a phone number, a run of spaces) and atoms are glued into *clusters*
wherever a break would leave closing punctuation at the start of a line or opening
punctuation at the end of one. Lines are then filled greedily, cluster by cluster.
A cluster wider than the line (a very long Latin word) is force-broken by characters.
Nothing is ever dropped except whitespace at the edges of lines.

The engine has no dictionary, so it knows phrases only by their edges: punctuation,
spaces, the list separator 、 and the dot of a name (阿依古丽·买买提). Running text
fills its lines and only pulls a list item or the tail of a name back whole when that
leaves the line nearly full; short fields (table cells) are broken at phrase edges
wherever that costs no extra line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache

from renderer.fonts import Metrics

# May not start a line (行首禁则): closing brackets and quotes, sentence punctuation, etc.
NO_START = frozenset(
    "，。、；：？！）》」』】〉〕〗｝］〙〛…‥’”〞・·ー～％‰℃°,.;:?!)]}>%'\u00bb\u203a\u2019"
)
# May not end a line (行尾禁则): opening brackets and quotes, currency signs before amounts.
NO_END = frozenset("（《「『【〈〔〖｛［〘〚‘“〝([{<\u00ab\u2039￥¥$#＃·・")
# Dots that join the parts of a name (阿依古丽·买买提, 约翰・史密斯). Between two letters
# a line may break after the dot, never before it.
NAME_DOTS = "·・‧•"

# Longer units first: the pattern takes the first that matches.
_UNITS = [
    "个工作日",
    "工作日",
    "个月",
    "平方米",
    "立方米",
    "平米",
    "厘米",
    "毫米",
    "公里",
    "千米",
    "公斤",
    "千克",
    "毫升",
    "小时",
    "分钟",
    "万元",
    "亿元",
    "元整",
    "年度",
    "人次",
    "户次",
    "元",
    "万",
    "亿",
    "千",
    "百",
    "角",
    "亩",
    "斤",
    "克",
    "吨",
    "米",
    "升",
    "㎡",
    "年",
    "月",
    "日",
    "号",
    "天",
    "周",
    "时",
    "点",
    "分",
    "秒",
    "岁",
    "人",
    "户",
    "次",
    "头",
    "只",
    "株",
    "棵",
    "台",
    "辆",
    "项",
    "份",
    "页",
    "件",
    "箱",
    "袋",
    "个",
    "位",
    "名",
    "张",
    "本",
    "条",
    "间",
    "套",
    "批",
    "倍",
    "成",
    "折",
    "级",
    "层",
    "楼",
    "室",
    "期",
    "组",
    "度",
]
_UNIT = "(?:" + "|".join(re.escape(u) for u in _UNITS) + ")"
_SYMBOL_UNIT = "(?:%|％|‰|℃)"
_DIGIT = "[0-9０-９]"
_ALNUM = "[A-Za-z0-9０-９]"
_LETTER = "A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A thousands group: an ASCII comma after a digit and before exactly three digits
# (186,420.5). A full-width ， between numbers separates list items and is left alone.
_THOUSANDS = rf"(?<={_DIGIT}),{_DIGIT}{{3}}(?!{_DIGIT})"
# A unit after a number, also across one space ("38,600 元" as typed by village clerks).
_NUMBER_UNIT = rf"(?<={_DIGIT})[ \u00a0]?(?:{_SYMBOL_UNIT}?{_UNIT}(?:/{_UNIT})?|{_SYMBOL_UNIT})"
_ATOM = re.compile(
    r"(?P<date>\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日)"
    rf"|(?P<word>第?{_ALNUM}+(?:{_THOUSANDS}|[.\-_/:@&+~～–—·]{_ALNUM}+)*(?:{_NUMBER_UNIT})?)"
    r"|(?P<space>\s+)"
    r"|(?P<run>—{2,}|…{2,}|-{2,}|\.{2,})"
    rf"|(?P<dot>(?<=[{_LETTER}])[{NAME_DOTS}](?=[{_LETTER}]))"
    r"|(?P<char>.)",
    re.S,
)
# A name joined by dots, or anything else written like one (乾元县监山乡·干部分工).
_NAME = re.compile(rf"[{_LETTER}]+(?:[{NAME_DOTS}][{_LETTER}]+)+")

# Where a break between two clusters falls, and what it costs a short field.
EDGE = "edge"  # at a space or punctuation, or before an opening bracket
ITEM = "item"  # after 、: between two items of a list
WORD = "word"  # between two letters: may cut a word (no dictionary says)
AFTER_DOT = "after_dot"  # right after the dot of a name: cuts the name, but cleanly
IN_NAME = "in_name"  # inside one part of a name
_COST = {EDGE: 0, ITEM: 0, WORD: 1, AFTER_DOT: 2, IN_NAME: 3}
_PHRASE_END = frozenset("，。；：？！）》」』】〉〕〗”’…—,.;:?!)]}")
_PHRASE_START = frozenset("（《「『【〈〔〖“‘([{")
# Running text pulls a list item or a name's last part back to the next line only when
# the line stays nearly full: at most this many ems and this share of the line move.
LOOKBACK_EM = 3
LOOKBACK_SHARE = 0.15
# In a short field a line after the first that is under this share of the width reads
# as an afterthought (``委会，``) and so does a last line of one lone character (``提``):
# either costs as much as two cut words. A short first line (``石门村、``) is a phrase
# kept whole, and a short last line of a few characters is just the end.
STUB_SHARE = 0.45
STUB_COST = 2
# Running text: a last line of at most this many letters (punctuation aside) is a runt, and
# the line before gives it one cluster if it has at least RUNT_DONOR_MIN to give from.
RUNT_LETTERS = 1
RUNT_DONOR_MIN = 4


def atoms(text: str) -> list[str]:
    """Cut ``text`` into atoms, the smallest pieces a line may break between."""
    return [m.group(0) for m in _ATOM.finditer(text)]


@lru_cache(maxsize=4096)
def clusters(text: str) -> tuple[tuple[str, bool], ...]:
    """Glue atoms into clusters no break may enter; returns ``(text, is_space)`` pairs.

    Cached: fitting tries one paragraph at several sizes, the clusters never change."""
    out: list[tuple[str, bool]] = []
    glue_next = False
    for match in _ATOM.finditer(text):
        atom = match.group(0)
        if atom.isspace():
            out.append((atom, True))
            glue_next = False
            continue
        name_dot = match.lastgroup == "dot"
        if out and (atom[0] in NO_START or glue_next or name_dot):
            # Closing punctuation joins the word before it (across a space, if any).
            if out[-1][1] and len(out) >= 2 and not glue_next:
                space, _ = out.pop()
                prev, _ = out.pop()
                out.append((prev + space + atom, False))
            elif not out[-1][1]:
                prev, _ = out.pop()
                out.append((prev + atom, False))
            else:
                out.append((atom, False))
        else:
            out.append((atom, False))
        # A name's dot stays with the part before it; the next part may start a line.
        glue_next = atom[-1] in NO_END and not name_dot
    return tuple(out)


def _gap(prev: str, piece: str, at: int, names: Sequence[tuple[int, int]]) -> str:
    """The kind of break between clusters ``prev`` and ``piece`` (which starts at ``at``)."""
    if any(start < at < end for start, end in names):
        return AFTER_DOT if prev[-1] in NAME_DOTS else IN_NAME
    if prev[-1] == "、":
        return ITEM
    if prev[-1] in _PHRASE_END or piece[0] in _PHRASE_START:
        return EDGE
    return WORD


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[tuple[str, bool, str], ...]:
    """The clusters a line may hold, as ``(text, space_before, break_before)``."""
    names = [m.span() for m in _NAME.finditer(text)]
    out: list[tuple[str, bool, str]] = []
    at = 0
    space = False
    for piece, is_space in clusters(text):
        if is_space:
            space = bool(out)
        else:
            kind = _gap(out[-1][0], piece, at, names) if out and not space else EDGE
            out.append((piece, space, kind))
            space = False
        at += len(piece)
    return tuple(out)


def name_parts(text: str) -> list[str]:
    """The parts of every dot-joined name in ``text``, each with its dot (``阿依古丽·``,
    ``买买提``): a column that holds the widest part never breaks a name inside a part."""
    return [p for m in _NAME.finditer(text) for p in re.split(rf"(?<=[{NAME_DOTS}])", m[0])]


def _force_break(cluster: str, metrics: Metrics, size: int, width: float) -> list[str]:
    """Split an over-long cluster by characters, still keeping 避头尾 where possible."""
    pieces: list[str] = []
    current = ""
    for ch in cluster:
        if current and metrics.measure(current + ch, size) > width:
            if ch in NO_START and len(current) > 1:
                pieces.append(current[:-1])
                current = current[-1]
            else:
                pieces.append(current)
                current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


# A cluster placed on a line: text, width, space before it, kind of break before it.
_Unit = tuple[str, float, bool, str]


def _join(units: Sequence[_Unit]) -> str:
    return "".join(
        (" " if space and i else "") + text for i, (text, _, space, _) in enumerate(units)
    )


def _width(units: Sequence[_Unit], space_w: float) -> float:
    return sum(w + (space_w if space and i else 0.0) for i, (_, w, space, _) in enumerate(units))


def _look_back(line: Sequence[_Unit], nxt: _Unit, space_w: float, size: int, width: float) -> int:
    """Where to end ``line`` now that ``nxt`` does not fit: normally after its last
    cluster, but if that break cuts a list item or a name part, after the 、 or the dot
    just before it, when the moved tail is short and still fits with ``nxt``."""
    if nxt[3] not in (WORD, IN_NAME):
        return len(line)
    budget = min(LOOKBACK_EM * size, LOOKBACK_SHARE * width)
    for cut in range(len(line) - 1, 0, -1):
        kind = line[cut][3]
        tail = _width(line[cut:], space_w)
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
    pieces = _pieces(text)
    if by_phrase:
        return _break_by_phrase(pieces, metrics, size, width)
    lines, moved = _fill(pieces, metrics, size, width, look_back=True)
    if moved:
        plain, _ = _fill(pieces, metrics, size, width, look_back=False)
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
    before = _pieces(lines[-2])
    if len(before) < RUNT_DONOR_MIN:
        return lines
    piece = before[-1][0]
    head = lines[-2][: len(lines[-2]) - len(piece)].rstrip()
    # A line broken at a space lost it; two Latin words meeting again need it back.
    space = " " if piece[-1].isascii() and piece[-1].isalnum() and lines[-1][0].isascii() \
        and lines[-1][0].isalnum() else ""
    tail = piece + space + lines[-1]
    if not head or metrics.measure(tail, size) > width + 0.01:
        return lines
    return [*lines[:-2], head, tail]


def _fill(
    pieces: Sequence[tuple[str, bool, str]],
    metrics: Metrics,
    size: int,
    width: float,
    *,
    look_back: bool,
) -> tuple[list[str], bool]:
    """Fill lines greedily; also says whether any break was moved back."""
    space_w = metrics.measure(" ", size)
    lines: list[str] = []
    line: list[_Unit] = []
    line_w = 0.0
    moved = False
    for piece, space, kind in pieces:
        unit = (piece, metrics.measure(piece, size), space, kind)
        gap = space_w if line and space else 0.0
        if line and line_w + gap + unit[1] <= width + 0.01:
            line.append(unit)
            line_w += gap + unit[1]
            continue
        if line:
            cut = _look_back(line, unit, space_w, size, width) if look_back else len(line)
            moved = moved or cut < len(line)
            lines.append(_join(line[:cut]))
            line = line[cut:]
        if unit[1] <= width + 0.01:
            line.append(unit)
            line_w = _width(line, space_w)
        else:
            *full, last = _force_break(piece, metrics, size, width)
            lines.extend(full)
            line = [(last, metrics.measure(last, size), False, WORD)]
            line_w = line[0][1]
    if line:
        lines.append(_join(line))
    return lines, moved


def _break_by_phrase(
    pieces: Sequence[tuple[str, bool, str]], metrics: Metrics, size: int, width: float
) -> list[str]:
    """Fewest lines, then least cost (cut phrases, stubs), then the fullest first lines:
    a small dynamic programme from the end. Each line tried stops at the width, so the
    work grows with the text times the clusters a line holds."""
    units: list[_Unit] = []
    for piece, space, kind in pieces:
        w = metrics.measure(piece, size)
        if w <= width + 0.01:
            units.append((piece, w, space, kind))
            continue
        for i, part in enumerate(_force_break(piece, metrics, size, width)):
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
        out.append(_join(units[i:j]))
        i = j
    return out


def iter_paragraphs(text: str) -> Iterator[str]:
    """Non-empty paragraphs of ``text`` (split on newlines, edges trimmed)."""
    for para in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        para = para.strip()
        if para:
            yield para
