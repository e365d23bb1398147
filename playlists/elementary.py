"""Elementary streams cut into the pieces the muxer packs: pictures and AAC frames.

The feed reads encoded units (raw H.264 Annex B or MPEG-2 video) and the audio bed (ADTS)
from disk and cuts them here when it loads them, so airing a unit is only muxing it. AAC
frames are cut by the renderer's reader (:func:`renderer.bitstream.adts_frames`), the one
the encoder checks its own output with.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from renderer.bitstream import adts_frames as split_adts

__all__ = ["split_adts", "split_h264", "split_mpeg2"]

_START_CODE = re.compile(b"\x00\x00\x01")


def _cut(
    es: bytes, starts_new: Callable[[int], tuple[bool, bool]], drop: frozenset[int] = frozenset()
) -> list[bytes]:
    """Cut ``es`` at start codes whose code byte makes ``starts_new`` true (after a picture)."""
    units: list[bytes] = []
    current, has_picture, pos = bytearray(), False, 0
    for m in _START_CODE.finditer(es):
        start = m.start() - 1 if m.start() > 0 and es[m.start() - 1] == 0 else m.start()
        if start < pos:
            continue
        current += es[pos:start]
        pos = start
        code = es[m.end()] if m.end() < len(es) else -1
        new, picture = starts_new(code)
        if new and has_picture:
            units.append(bytes(current))
            current, has_picture = bytearray(), False
        if code in drop:
            pos = m.end() + 1
            continue
        has_picture = has_picture or picture
    current += es[pos:]
    if current:
        units.append(bytes(current))
    return units


def split_h264(es: bytes) -> list[bytes]:
    """H.264 Annex B into access units, cut at each access unit delimiter (NAL type 9)."""

    def rule(code: int) -> tuple[bool, bool]:
        return code & 0x1F == 9, True  # a delimiter always opens a new access unit

    return _cut(es, rule)


def split_mpeg2(es: bytes) -> list[bytes]:
    """MPEG-2 video into pictures; sequence and GOP headers stay with the next picture.

    A sequence end code is dropped: units are concatenated into one endless sequence.
    """

    def rule(code: int) -> tuple[bool, bool]:
        return code in (0x00, 0xB3, 0xB8), code == 0x00

    return _cut(es, rule, drop=frozenset({0xB7}))
