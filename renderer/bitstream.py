"""Reading what our encoder wrote: pictures, format headers and AAC frames (pure).

The unit cache (:mod:`renderer.encode`) checks and splices ffmpeg's output at the level of
the bitstream: it cuts an elementary stream into pictures, compares their format headers
(SPS/PPS or MPEG-2 sequence header) and cuts ADTS audio into frames. These readers are
strict on purpose: output that is not shaped as expected raises :class:`EncodeError`
rather than producing a unit that would fail later on air.

:func:`adts_frames` is the one ADTS reader: the playout's feed cuts its audio beds with it
too (through :mod:`playlists.elementary`), so both sides agree on what a frame is.
"""

from __future__ import annotations

import re

AUD_H264 = b"\x00\x00\x01\x09"  # access unit delimiter NAL (x264 aud=1)
PICTURE_MPEG2 = b"\x00\x00\x01\x00"  # MPEG-2 picture start code
SEQUENCE_MPEG2 = b"\x00\x00\x01\xb3"  # MPEG-2 sequence header


class EncodeError(RuntimeError):
    """A unit or bed came out of ffmpeg without the expected shape."""


class AdtsError(EncodeError, ValueError):
    """ADTS audio that does not cut into whole frames (a ValueError too: the feed reads
    beds as values it may refuse)."""


def count_pictures(data: bytes, codec: str) -> int:
    """Pictures in a raw unit, counted by their start codes."""
    return data.count(AUD_H264 if codec == "h264" else PICTURE_MPEG2)


_PICTURE_OR_HEADER = re.compile(b"\x00\x00\x01[\x00\xb3\xb8]")


def pictures(data: bytes, codec: str) -> list[bytes]:
    """Cut an elementary stream into pictures, each with the headers that precede it.

    H.264: at every access unit delimiter (with its 4-byte start code). MPEG-2: at the
    sequence header, GOP header or picture start code that follows a picture.
    """
    if codec == "h264":
        cuts = [m.start() for m in re.finditer(b"\x00?\x00\x00\x01\x09", data)]
    else:
        cuts, seen_picture = [], True
        for m in _PICTURE_OR_HEADER.finditer(data):
            if seen_picture:
                cuts.append(m.start())
            seen_picture = data[m.end() - 1] == 0x00
    if not cuts or cuts[0] != 0:
        raise EncodeError("elementary stream does not open with a picture delimiter")
    return [data[a:b] for a, b in zip(cuts, [*cuts[1:], len(data)], strict=True)]


def format_header(picture: bytes, codec: str) -> bytes:
    """SPS+PPS (H.264) or sequence header + extensions (MPEG-2) of an intra picture."""
    first, end = (b"\x00\x00\x01\x67", b"\x00\x00\x01\x65") if codec == "h264" else (
        SEQUENCE_MPEG2, b"\x00\x00\x01\xb8")  # fmt: skip
    start, stop = picture.find(first), picture.find(end)
    if start < 0 or stop < start:
        raise EncodeError("intra picture without its format headers")
    return picture[start:stop].rstrip(b"\x00")


ADTS_HEADER = 7  # bytes of an ADTS header without CRC; the frame length counts it


def adts_frames(data: bytes) -> list[bytes]:
    """Cut an ADTS stream into frames by each header's 13-bit frame length.

    Every byte must belong to a whole frame: a lost sync word, a bad length or a cut-off
    last frame raises :class:`AdtsError`.
    """
    frames, pos = [], 0
    while pos < len(data):
        if (pos + ADTS_HEADER > len(data) or data[pos] != 0xFF
                or data[pos + 1] & 0xF6 != 0xF0):
            raise AdtsError(f"ADTS sync lost at byte {pos}")
        length = ((data[pos + 3] & 0x03) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        if length < ADTS_HEADER or pos + length > len(data):
            raise AdtsError(f"bad ADTS frame length {length} at byte {pos}")
        frames.append(data[pos : pos + length])
        pos += length
    return frames
