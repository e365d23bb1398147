"""Chinese line breaking (避头尾) over unbreakable clusters.

Text is cut into *atoms* (one Han character, a Latin word, a number with its unit, a
whole date, a phone number, a run of spaces) and atoms are glued into *clusters*
wherever a break would leave closing punctuation at the start of a line or opening
punctuation at the end of one. Lines are then filled greedily, cluster by cluster.
A cluster wider than the line (a very long Latin word) is force-broken by characters.
Nothing is ever dropped except whitespace at the edges of lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from renderer.fonts import Metrics

# May not start a line (行首禁则): closing brackets and quotes, sentence punctuation, etc.
NO_START = frozenset(
    "，。、；：？！）》」』】〉〕〗｝］〙〛…‥’”〞・·ー～％‰℃°,.;:?!)]}>%'\u00bb\u203a\u2019"
)
# May not end a line (行尾禁则): opening brackets and quotes, currency signs before amounts.
NO_END = frozenset("（《「『【〈〔〖｛［〘〚‘“〝([{<\u00ab\u2039￥¥$#＃·・")

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
_ATOM = re.compile(
    r"(?P<date>\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日)"
    r"|(?P<word>第?[A-Za-z0-9０-９]+(?:[.\-_/:@&+~～–—·][A-Za-z0-9０-９]+)*"
    rf"(?:(?<=[0-9０-９]){_SYMBOL_UNIT}?{_UNIT}(?:/{_UNIT})?|(?<=[0-9０-９]){_SYMBOL_UNIT})?)"
    r"|(?P<space>\s+)"
    r"|(?P<run>—{2,}|…{2,}|-{2,}|\.{2,})"
    r"|(?P<char>.)",
    re.S,
)


def atoms(text: str) -> list[str]:
    """Cut ``text`` into atoms, the smallest pieces a line may break between."""
    return [m.group(0) for m in _ATOM.finditer(text)]


@lru_cache(maxsize=4096)
def clusters(text: str) -> tuple[tuple[str, bool], ...]:
    """Glue atoms into clusters no break may enter; returns ``(text, is_space)`` pairs.

    Cached: fitting tries one paragraph at several sizes, the clusters never change."""
    out: list[tuple[str, bool]] = []
    glue_next = False
    for atom in atoms(text):
        if atom.isspace():
            out.append((atom, True))
            glue_next = False
            continue
        if out and (atom[0] in NO_START or glue_next):
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
        glue_next = atom[-1] in NO_END
    return tuple(out)


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


def break_lines(text: str, metrics: Metrics, size: int, width: float) -> list[str]:
    """Break one paragraph into lines no wider than ``width`` at ``size`` px."""
    lines: list[str] = []
    current = ""
    current_w = 0.0
    pending = ""  # space seen after the current line's last cluster
    for piece, is_space in clusters(text):
        if is_space:
            if current:
                pending = " "
            continue
        w = metrics.measure(piece, size)
        space_w = metrics.measure(pending, size) if pending else 0.0
        if current and current_w + space_w + w <= width + 0.01:
            current += pending + piece
            current_w += space_w + w
        else:
            if current:
                lines.append(current)
            if w <= width + 0.01:
                current, current_w = piece, w
            else:
                *full, current = _force_break(piece, metrics, size, width)
                lines.extend(full)
                current_w = metrics.measure(current, size)
        pending = ""
    if current:
        lines.append(current)
    return lines


def iter_paragraphs(text: str) -> Iterator[str]:
    """Non-empty paragraphs of ``text`` (split on newlines, edges trimmed)."""
    for para in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        para = para.strip()
        if para:
            yield para
