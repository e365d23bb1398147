"""Elementary streams cut into the pieces the muxer packs: pictures and AAC frames.

The feed reads encoded units (raw H.264 Annex B or MPEG-2 video) and the audio bed (ADTS)
from disk and cuts them here when it loads them, so airing a unit is only muxing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def split_adts(data: bytes) -> list[bytes]:
    """ADTS into frames by each header's 13-bit frame length."""
    frames, pos = [], 0
    while pos < len(data):
        if pos + 7 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xF6 != 0xF0:
            raise ValueError(f"ADTS sync lost at byte {pos}")
        length = ((data[pos + 3] & 0x03) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        if length < 7 or pos + length > len(data):
            raise ValueError(f"bad ADTS frame length {length} at byte {pos}")
        frames.append(data[pos : pos + length])
        pos += length
    return frames
