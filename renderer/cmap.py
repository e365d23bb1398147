"""Read which characters a font file covers, straight from its OpenType ``cmap`` table.

Pillow can draw with a font but cannot say whether the font *has* a glyph for a
character; asking it gives the ``.notdef`` box (tofu). Reading the character map
ourselves is small, exact and avoids another dependency. Supported: TrueType/OpenType
files and collections (``.ttc``), cmap subtable formats 4 (BMP) and 12 (full Unicode),
which every CJK font in Debian uses.
"""

from __future__ import annotations

import struct
from pathlib import Path

# (platform, encoding) pairs that map Unicode code points, best first.
_UNICODE_SUBTABLES = ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0))


class CmapError(ValueError):
    """A font file whose character map cannot be read."""


def _table_offset(data: bytes, font_offset: int, tag: bytes) -> int:
    num_tables = struct.unpack_from(">H", data, font_offset + 4)[0]
    for i in range(num_tables):
        rec = font_offset + 12 + 16 * i
        if data[rec : rec + 4] == tag:
            return struct.unpack_from(">I", data, rec + 8)[0]
    raise CmapError(f"font has no {tag.decode()} table")


def _font_offset(data: bytes, index: int) -> int:
    if data[:4] != b"ttcf":
        if index != 0:
            raise CmapError("index given for a font that is not a collection")
        return 0
    count = struct.unpack_from(">I", data, 8)[0]
    if not 0 <= index < count:
        raise CmapError(f"collection has {count} fonts, no index {index}")
    return struct.unpack_from(">I", data, 12 + 4 * index)[0]


def _format4(data: bytes, off: int) -> set[int]:
    seg_x2 = struct.unpack_from(">H", data, off + 6)[0]
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, off + 14)
    starts_at = off + 16 + seg_x2
    starts = struct.unpack_from(f">{segs}H", data, starts_at)
    deltas = struct.unpack_from(f">{segs}h", data, starts_at + seg_x2)
    ranges_at = starts_at + 2 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, ranges_at)
    covered: set[int] = set()
    for i in range(segs):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        for code in range(start, end + 1):
            if range_offsets[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                at = ranges_at + 2 * i + range_offsets[i] + 2 * (code - start)
                glyph = struct.unpack_from(">H", data, at)[0]
                if glyph:
                    glyph = (glyph + deltas[i]) & 0xFFFF
            if glyph:
                covered.add(code)
    return covered


def _format12(data: bytes, off: int) -> set[int]:
    groups = struct.unpack_from(">I", data, off + 12)[0]
    covered: set[int] = set()
    for g in range(groups):
        start, end, first_glyph = struct.unpack_from(">III", data, off + 16 + 12 * g)
        # Glyph 0 is .notdef: a group starting there maps its first code to tofu.
        lo = start + 1 if first_glyph == 0 else start
        covered.update(range(lo, end + 1))
    return covered


def read_coverage(path: str | Path, index: int = 0) -> frozenset[int]:
    """Return the Unicode code points that font ``index`` of ``path`` maps to a real glyph."""
    data = Path(path).read_bytes()
    try:
        font_offset = _font_offset(data, index)
        cmap = _table_offset(data, font_offset, b"cmap")
        count = struct.unpack_from(">H", data, cmap + 2)[0]
        subtables: dict[tuple[int, int], int] = {}
        for i in range(count):
            platform, encoding, sub = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            subtables.setdefault((platform, encoding), cmap + sub)
        covered: set[int] = set()
        for pair in _UNICODE_SUBTABLES:
            if pair not in subtables:
                continue
            off = subtables[pair]
            fmt = struct.unpack_from(">H", data, off)[0]
            if fmt == 12:
                covered |= _format12(data, off)
            elif fmt == 4:
                covered |= _format4(data, off)
        if not covered:
            raise CmapError("no Unicode character map of format 4 or 12")
    except struct.error as exc:
        raise CmapError(f"truncated font file {path}: {exc}") from exc
    return frozenset(covered)
