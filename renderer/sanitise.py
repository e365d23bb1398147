"""Text cleaned before it reaches a page: what cannot be drawn is removed, not drawn.

Every value an item carries goes through :func:`clean_text` once, where it enters the
renderer (the field declarations of :mod:`renderer.fields` and the item parser), so what
airs is what the reviewer saw. The font chain asks :func:`invisible` of every character
it measures and draws, so text that bypassed the door (a channel name, a ticker) loses
the same characters, at zero width, and is still drawn as wide as it was measured.
"""

from __future__ import annotations

import unicodedata

# Characters that draw nothing or change what is drawn: C0/C1 controls (a NUL airs as 〓),
# format characters (U+202E reverses "通知公告" on air but not in a browser's form field,
# zero-width ones hide text from a reviewer) and lone surrogates (cannot be stored as UTF-8).
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Characters that stand for something lost: the replacement character a broken decoding
# leaves (a black diamond on air tells a viewer nothing) and the object replacement
# character a pasted picture leaves.
_LOST = frozenset("\ufffd\ufffc")
# Line breaks other than "\n": CR, CRLF, NEL, vertical tab, form feed, U+2028, U+2029.
_BREAKS = {"\r\n": "\n", "\r": "\n", "\x85": "\n", "\v": "\n", "\f": "\n"}
_BREAKS.update({"\u2028": "\n", "\u2029": "\n"})


def _variation_selector(code: int) -> bool:
    # Glyph variants need shaping the renderer does not do; alone they draw a blank em.
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def invisible(ch: str) -> bool:
    """Whether ``ch`` is removed rather than drawn (newline and tab aside, see
    :func:`clean_text`, which turns them into line breaks and spaces first)."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in _DROP_CATEGORIES
        or ch in _LOST
        or _variation_selector(code)
        or _noncharacter(code)
    )


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without invisible or direction-changing characters, trimmed.

    Every line break (CR, CRLF, NEL, U+2028 …) becomes "\\n" in multi-line text and a
    space elsewhere; a tab becomes a space."""
    for old, new in _BREAKS.items():
        value = value.replace(old, new)
    value = value.replace("\t", " ")
    if not multiline:
        value = value.replace("\n", " ")
    return "".join(c for c in value if c == "\n" or not invisible(c)).strip()
