"""A small MPEG transport stream muxer for our units (pure: bytes in, bytes out).

One program, two elementary streams: video on PID 0x100 (H.264 or MPEG-2; carries the
PCR) and AAC ADTS audio on PID 0x101. Every unit starts with PAT and PMT followed by the
intra picture, so any unit boundary is a valid place to start decoding or an HLS segment.
Continuity counters live in the muxer and run on across units for the life of a stream.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from renderer.timing import TICKS_PER_AAC_FRAME, TICKS_PER_FRAME

PACKET_SIZE = 188
PAYLOAD_SIZE = 184
SYNC_BYTE = 0x47
PAT_PID = 0x0000
PMT_PID = 0x1000
VIDEO_PID = 0x0100
AUDIO_PID = 0x0101
PROGRAM_NUMBER = 1
TRANSPORT_STREAM_ID = 1
STREAM_TYPE_MPEG2 = 0x02
STREAM_TYPE_H264 = 0x1B
STREAM_TYPE_AAC_ADTS = 0x0F
VIDEO_STREAM_ID = 0xE0
AUDIO_STREAM_ID = 0xC0
TS_WRAP = 1 << 33  # PTS, DTS and PCR base count 90 kHz ticks modulo 2**33
# PCR runs this far behind the DTS of the frame it rides on: room for a decoder to buffer
# a whole intra picture at a modest rate (ffmpeg uses the same 0.7 s by default).
PCR_LEAD_TICKS = 63_000

_START_CODE = re.compile(b"\x00\x00\x01")


# --- bit layouts ------------------------------------------------------------------------


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC_TABLE = _crc_table()


def crc32_mpeg(data: bytes) -> int:
    """CRC-32/MPEG-2 as PSI sections use it (poly 0x04C11DB7, init all ones, no reflection)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def encode_timestamp(prefix: int, ticks: int) -> bytes:
    """A 33-bit PTS/DTS in the 5-byte PES layout (``prefix`` 0b0010 PTS-only, 0b0011/0b0001)."""
    t = ticks % TS_WRAP
    return bytes(
        (
            (prefix << 4) | ((t >> 29) & 0x0E) | 1,
            (t >> 22) & 0xFF,
            ((t >> 14) & 0xFE) | 1,
            (t >> 7) & 0xFF,
            ((t << 1) & 0xFE) | 1,
        )
    )


def decode_timestamp(b: bytes) -> int:
    """Inverse of :func:`encode_timestamp`."""
    return ((b[0] & 0x0E) << 29) | (b[1] << 22) | ((b[2] >> 1) << 15) | (b[3] << 7) | (b[4] >> 1)


def encode_pcr(base: int) -> bytes:
    """A PCR with a 90 kHz base and zero 27 MHz extension (6 bytes)."""
    b = base % TS_WRAP
    return bytes(
        (
            (b >> 25) & 0xFF,
            (b >> 17) & 0xFF,
            (b >> 9) & 0xFF,
            (b >> 1) & 0xFF,
            ((b & 1) << 7) | 0x7E,
            0x00,
        )
    )


def decode_pcr(b: bytes) -> int:
    """The 90 kHz base of a 6-byte PCR field."""
    return (b[0] << 25) | (b[1] << 17) | (b[2] << 9) | (b[3] << 1) | (b[4] >> 7)


def _section(table_id: int, id_field: int, body: bytes) -> bytes:
    # syntax indicator, '0', reserved '11', 12-bit length (rest of section incl. CRC).
    length = 5 + len(body) + 4
    head = bytes(
        (
            table_id,
            0xB0 | (length >> 8),
            length & 0xFF,
            id_field >> 8,
            id_field & 0xFF,
            0xC1,
            0x00,
            0x00,
        )
    )  # version 0, current, section 0 of 0
    data = head + body
    return data + crc32_mpeg(data).to_bytes(4, "big")


def pat_section(pmt_pid: int = PMT_PID) -> bytes:
    """Program association table naming our single program."""
    body = bytes(
        (PROGRAM_NUMBER >> 8, PROGRAM_NUMBER & 0xFF, 0xE0 | (pmt_pid >> 8), pmt_pid & 0xFF)
    )
    return _section(0x00, TRANSPORT_STREAM_ID, body)


def pmt_section(pcr_pid: int, streams: Sequence[tuple[int, int]]) -> bytes:
    """Program map table for ``streams`` given as (stream_type, pid), no descriptors."""
    body = bytearray((0xE0 | (pcr_pid >> 8), pcr_pid & 0xFF, 0xF0, 0x00))
    for stream_type, pid in streams:
        body += bytes((stream_type, 0xE0 | (pid >> 8), pid & 0xFF, 0xF0, 0x00))
    return _section(0x02, PROGRAM_NUMBER, bytes(body))


def pes_header(stream_id: int, pts: int, payload_len: int) -> bytes:
    """PES header with a PTS only: with no B frames DTS equals PTS and is then omitted."""
    length = 3 + 5 + payload_len
    if length > 0xFFFF:
        length = 0  # allowed for video: unbounded
    return bytes((0, 0, 1, stream_id, length >> 8, length & 0xFF, 0x84, 0x80, 5)) + (
        encode_timestamp(0b0010, pts)
    )


# --- elementary stream splitting -----------------------------------------------------------


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


# --- the muxer ---------------------------------------------------------------------------


class TsMuxer:
    """Turns units into transport stream bytes, keeping continuity counters across units."""

    def __init__(self, video_stream_type: int, continuity: dict[int, int] | None = None) -> None:
        self.video_stream_type = video_stream_type
        self._cc = {PAT_PID: 0, PMT_PID: 0, VIDEO_PID: 0, AUDIO_PID: 0}
        self._cc.update(continuity or {})
        self._pat = pat_section()
        self._pmt = pmt_section(
            VIDEO_PID, [(video_stream_type, VIDEO_PID), (STREAM_TYPE_AAC_ADTS, AUDIO_PID)]
        )

    @property
    def continuity(self) -> dict[int, int]:
        """Next continuity counter per PID (save it to resume a stream seamlessly)."""
        return dict(self._cc)

    def _next_cc(self, pid: int) -> int:
        cc = self._cc[pid]
        self._cc[pid] = (cc + 1) & 0x0F
        return cc

    def _psi(self, pid: int, section: bytes) -> bytes:
        head = bytes((SYNC_BYTE, 0x40 | (pid >> 8), pid & 0xFF, 0x10 | self._next_cc(pid), 0))
        return (head + section).ljust(PACKET_SIZE, b"\xff")

    def _pes_packets(self, pid: int, pes: bytes, pcr: int | None, random_access: bool) -> bytes:
        out, pos, end = bytearray(), 0, len(pes)
        first = True
        while pos < end:
            af: bytes | None = None  # adaptation field after its length byte; None = absent
            if first and (pcr is not None or random_access):
                flags = (0x40 if random_access else 0) | (0x10 if pcr is not None else 0)
                af = bytes((flags,)) + (encode_pcr(pcr) if pcr is not None else b"")
            room = PAYLOAD_SIZE - (0 if af is None else 1 + len(af))
            take = min(room, end - pos)
            stuffing = room - take  # only the last packet of a PES is short
            if stuffing and af is not None:
                af += b"\xff" * stuffing
            elif stuffing:
                af = b"\x00" + b"\xff" * (stuffing - 2) if stuffing > 1 else b""
            cc = self._next_cc(pid)
            if af is None:
                out += bytes(
                    (SYNC_BYTE, (0x40 if first else 0) | (pid >> 8), pid & 0xFF, 0x10 | cc)
                )
            else:
                out += bytes(
                    (SYNC_BYTE, (0x40 if first else 0) | (pid >> 8), pid & 0xFF, 0x30 | cc, len(af))
                )
                out += af
            out += pes[pos : pos + take]
            pos += take
            first = False
        return bytes(out)

    def mux_unit(self, video: Sequence[bytes], audio: Sequence[bytes], pts: int) -> bytes:
        """One unit: PAT, PMT, then video and audio PES interleaved in decoding order.

        Video frame n is stamped ``pts + n*3600`` and audio frame m ``pts + m*1920`` (mod
        2**33). Audio frames are grouped into one PES per video frame interval. Every video
        PES carries a PCR (at most 40 ms apart); the first is marked as a random access point.
        """
        parts = [self._psi(PAT_PID, self._pat), self._psi(PMT_PID, self._pmt)]
        m = 0
        for n, frame in enumerate(video):
            t = pts + n * TICKS_PER_FRAME
            pes = pes_header(VIDEO_STREAM_ID, t, len(frame)) + frame
            parts.append(self._pes_packets(VIDEO_PID, pes, t - PCR_LEAD_TICKS, n == 0))
            limit = (n + 1) * TICKS_PER_FRAME if n + 1 < len(video) else None
            group_start = m
            while m < len(audio) and (limit is None or m * TICKS_PER_AAC_FRAME < limit):
                m += 1
            if m > group_start:
                payload = b"".join(audio[group_start:m])
                a_pts = pts + group_start * TICKS_PER_AAC_FRAME
                pes = pes_header(AUDIO_STREAM_ID, a_pts, len(payload)) + payload
                parts.append(self._pes_packets(AUDIO_PID, pes, None, False))
        return b"".join(parts)


# --- inspection (tests, benchmarks, health checks) ---------------------------------------


def packets(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """Yield ``(byte offset, pid, packet)`` for each 188-byte packet; raise on lost sync."""
    for off in range(0, len(data) - PACKET_SIZE + 1, PACKET_SIZE):
        if data[off] != SYNC_BYTE:
            raise ValueError(f"sync byte missing at offset {off}")
        yield off, ((data[off + 1] & 0x1F) << 8) | data[off + 2], data[off : off + PACKET_SIZE]


def _payload_start(pkt: bytes) -> int:
    return 5 + pkt[4] if pkt[3] & 0x20 else 4


def continuity_errors(data: bytes) -> dict[int, int]:
    """Continuity counter jumps per PID (packets without payload and null packets skipped)."""
    last: dict[int, int] = {}
    errors: dict[int, int] = {}
    for _, pid, pkt in packets(data):
        if pid == 0x1FFF or not pkt[3] & 0x10:
            continue
        cc = pkt[3] & 0x0F
        if pid in last and cc != (last[pid] + 1) & 0x0F:
            errors[pid] = errors.get(pid, 0) + 1
        last[pid] = cc
    return {pid: errors.get(pid, 0) for pid in last}


def pcrs(data: bytes) -> list[tuple[int, int]]:
    """``(byte offset, PCR in 27 MHz ticks)`` for every packet carrying a PCR."""
    found = []
    for off, _, pkt in packets(data):
        if pkt[3] & 0x20 and pkt[4] >= 7 and pkt[5] & 0x10:
            ext = ((pkt[10] & 0x01) << 8) | pkt[11]
            found.append((off, decode_pcr(pkt[6:12]) * 300 + ext))
    return found


def pes_timestamps(data: bytes) -> list[tuple[int, int]]:
    """``(pid, PTS)`` of every PES that starts in ``data``, in stream order."""
    found = []
    for _, pid, pkt in packets(data):
        start = _payload_start(pkt)
        pes_start = pkt[1] & 0x40 and pkt[start : start + 3] == b"\0\0\1"
        if pes_start and pid not in (PAT_PID, PMT_PID) and pkt[start + 7] & 0x80:
            found.append((pid, decode_timestamp(pkt[start + 9 : start + 14])))
    return found
