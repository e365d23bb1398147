"""Where a line of Chinese may break (避头尾), and what kind of break each one is.

Text is cut into *atoms* (one Han character, a Latin word, a number with its unit, a
whole date, a phone number, a run of spaces) and atoms are glued into *clusters*
wherever a break would leave closing punctuation at the start of a line or opening
punctuation at the end of one. A cluster wider than the line (a very long Latin word)
is force-broken by characters.

A URL is one word broken only at its own break points (after ``/``, ``.``, ``?``, ``&``,
``=``, ``-`` …, never between two digits); a Latin word may break after a hyphen between
letters. A number never splits, and a unit (亩, 千瓦时, kWh, m², % …) stays with it.

The engine has no dictionary, so it knows phrases only by their edges: punctuation,
spaces, the list separator 、 and the dot of a name (阿依古丽·买买提). Each break
between clusters is named by the edge it falls on, for the line fillers to weigh
(:mod:`renderer.linebreak` for running text, :mod:`renderer.fieldbreak` for short fields).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from renderer.fonts import Metrics
from renderer.lexicon import LATIN_UNITS, MEASURE_UNITS

# May not start a line (行首禁则): closing brackets and quotes, sentence punctuation, etc.
NO_START = frozenset(
    "，。、；：？！）》」』】〉〕〗｝］〙〛…‥’”〞・·ー～％‰℃°²³,.;:?!)]}>%'\u00bb\u203a\u2019"
)
# May not end a line (行尾禁则): opening brackets and quotes, currency signs before amounts.
NO_END = frozenset("（《「『【〈〔〖｛［〘〚‘“〝([{<\u00ab\u2039￥¥$#＃·・")
# Dots that join the parts of a name (阿依古丽·买买提, 约翰・史密斯). Between two letters
# a line may break after the dot, never before it.
NAME_DOTS = "·・‧•"

# Longest first: the pattern takes the first unit that matches (千瓦时 before 千瓦 and 千).
_UNIT = "(?:" + "|".join(re.escape(u) for u in sorted(MEASURE_UNITS, key=len, reverse=True)) + ")"
# A Latin unit after a number and a space ("12.5 kWh"), not the start of a word ("3 Lakes").
_LATIN_UNIT = (
    "(?:" + "|".join(re.escape(u) for u in sorted(LATIN_UNITS, key=len, reverse=True)) + ")"
    "(?![A-Za-z])"
)
_SYMBOL_UNIT = "(?:%|％|‰|℃|°C)"
_DIGIT = "[0-9０-９]"
_ALNUM = "[A-Za-z0-9０-９]"
_LETTER = "A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A thousands group: an ASCII comma after a digit and before exactly three digits
# (186,420.5). A full-width ， between numbers separates list items and is left alone.
_THOUSANDS = rf"(?<={_DIGIT}),{_DIGIT}{{3}}(?!{_DIGIT})"
# A unit after a number, also across one space ("38,600 元" as typed by village clerks).
# 万 and 亿 multiply the unit after them (3万亩, 1.2亿千瓦时): one unit.
_NUMBER_UNIT = (
    rf"(?<={_DIGIT})[ \u00a0]?"
    rf"(?:{_SYMBOL_UNIT}?[万亿]?{_UNIT}(?:/{_UNIT})?|{_LATIN_UNIT}(?:/{_LATIN_UNIT})?|{_SYMBOL_UNIT})"
)
# A web address: a scheme or www. and then the characters a URL may hold; a mark that
# ends the sentence (``www.gov.cn.``) is not part of it.
_URL = r"(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&*+;=%]*[A-Za-z0-9\-_~/#=&%]"
# Where a URL may break: after a run of these (``https://`` stays whole).
_URL_BREAK = re.compile(r"[^/.?&=#\-_~]+[/.?&=#\-_~]*|[/.?&=#\-_~]+")
_ATOM = re.compile(
    r"(?P<date>\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日)"
    rf"|(?P<url>{_URL})"
    rf"|(?P<word>第?(?:[-−－](?={_DIGIT}))?{_ALNUM}+(?:{_THOUSANDS}|[.\-_/:@&+~～–—·]{_ALNUM}+)*(?:{_NUMBER_UNIT})?)"
    r"|(?P<space>\s+)"
    r"|(?P<run>—{2,}|…{2,}|-{2,}|\.{2,})"
    rf"|(?P<dot>(?<=[{_LETTER}])[{NAME_DOTS}](?=[{_LETTER}]))"
    r"|(?P<char>.)",
    re.S,
)
# A name joined by dots, or anything else written like one (乾元县监山乡·干部分工).
_NAME = re.compile(rf"[{_LETTER}]+(?:[{NAME_DOTS}][{_LETTER}]+)+")

# Where a break between two clusters falls.
EDGE = "edge"  # at a space or punctuation, or before an opening bracket
ITEM = "item"  # after 、: between two items of a list
WORD = "word"  # between two letters: may cut a word (no dictionary says)
AFTER_DOT = "after_dot"  # right after the dot of a name: cuts the name, but cleanly
IN_NAME = "in_name"  # inside one part of a name
_PHRASE_END = frozenset("，。；：？！）》」』】〉〕〗”’…—,.;:?!)]}")
_PHRASE_START = frozenset("（《「『【〈〔〖“‘([{")


# A hyphen between two letters: a Latin word may break after it (well-/known).
_WORD_HYPHEN = re.compile(r"(?<=[A-Za-z]-)(?=[A-Za-z])")


def url_parts(url: str) -> list[str]:
    """A URL cut at its break points: after each run of ``/ . ? & = # - _ ~``, except
    between two digits (a version or a date in the path stays whole)."""
    parts: list[str] = []
    for part in _URL_BREAK.findall(url):
        if parts and parts[-1][-1] in ".-_~" and parts[-1][-2:-1].isdigit() and part[0].isdigit():
            parts[-1] += part
        else:
            parts.append(part)
    return parts


def _split(match: re.Match[str]) -> list[str]:
    """The atoms of one match: a URL or a hyphenated word gives several."""
    text = match.group(0)
    if match.lastgroup == "url":
        return url_parts(text)
    if match.lastgroup == "word" and "-" in text:
        return [p for p in _WORD_HYPHEN.split(text) if p]
    return [text]


def _atoms(text: str) -> list[tuple[str, bool]]:
    """Atoms with whether each is the dot of a name."""
    return [(a, m.lastgroup == "dot") for m in _ATOM.finditer(text) for a in _split(m)]


def atoms(text: str) -> list[str]:
    """Cut ``text`` into atoms, the smallest pieces a line may break between."""
    return [a for a, _ in _atoms(text)]


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where the URLs of ``text`` are."""
    return [m.span() for m in _ATOM.finditer(text) if m.lastgroup == "url"]


@lru_cache(maxsize=4096)
def clusters(text: str) -> tuple[tuple[str, bool], ...]:
    """Glue atoms into clusters no break may enter; returns ``(text, is_space)`` pairs.

    Cached: fitting tries one paragraph at several sizes, the clusters never change."""
    out: list[tuple[str, bool]] = []
    glue_next = False
    for atom, name_dot in _atoms(text):
        if atom.isspace():
            out.append((atom, True))
            glue_next = False
            continue
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


def _gap(
    prev: str,
    piece: str,
    at: int,
    names: Sequence[tuple[int, int]],
    words: Sequence[tuple[int, int]] = (),
) -> str:
    """The kind of break between clusters ``prev`` and ``piece`` (which starts at ``at``);
    ``words`` are the spans of URLs, whose break points cut a word."""
    if any(start < at < end for start, end in words):
        return WORD
    if any(start < at < end for start, end in names):
        return AFTER_DOT if prev[-1] in NAME_DOTS else IN_NAME
    if prev[-1] == "、":
        return ITEM
    if prev[-1] in _PHRASE_END or piece[0] in _PHRASE_START:
        return EDGE
    return WORD


@lru_cache(maxsize=4096)
def pieces(text: str) -> tuple[tuple[str, bool, str], ...]:
    """The clusters a line may hold, as ``(text, space_before, break_before)``."""
    names = [m.span() for m in _NAME.finditer(text)]
    urls = url_spans(text)
    out: list[tuple[str, bool, str]] = []
    at = 0
    space = False
    for piece, is_space in clusters(text):
        if is_space:
            space = bool(out)
        else:
            kind = _gap(out[-1][0], piece, at, names, urls) if out and not space else EDGE
            out.append((piece, space, kind))
            space = False
        at += len(piece)
    return tuple(out)


def name_parts(text: str) -> list[str]:
    """The parts of every dot-joined name in ``text``, each with its dot (``阿依古丽·``,
    ``买买提``): a column that holds the widest part never breaks a name inside a part."""
    return [p for m in _NAME.finditer(text) for p in re.split(rf"(?<=[{NAME_DOTS}])", m[0])]


def force_break(cluster: str, metrics: Metrics, size: int, width: float) -> list[str]:
    """Split an over-long cluster by characters, still keeping 避头尾 where possible."""
    parts: list[str] = []
    current = ""
    for ch in cluster:
        if current and metrics.measure(current + ch, size) > width:
            if ch in NO_START and len(current) > 1:
                parts.append(current[:-1])
                current = current[-1]
            else:
                parts.append(current)
                current = ""
        current += ch
    if current:
        parts.append(current)
    return parts


# A cluster placed on a line: text, width, space before it, kind of break before it.
Unit = tuple[str, float, bool, str]


def join_units(units: Sequence[Unit]) -> str:
    """The text of a line of units, a space where a unit had one before it."""
    return "".join(
        (" " if space and i else "") + text for i, (text, _, space, _) in enumerate(units)
    )


def units_width(units: Sequence[Unit], space_w: float) -> float:
    """The width of a line of units, spaces between them included."""
    return sum(w + (space_w if space and i else 0.0) for i, (_, w, space, _) in enumerate(units))
