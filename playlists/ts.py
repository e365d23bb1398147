"""The MPEG transport stream as our channel lays it out (pure: bytes in, bytes out).

One program, two elementary streams: video on PID 0x100 (H.264 or MPEG-2; carries the
PCR) and AAC ADTS audio on PID 0x101. This module holds that layout's constants and the
bit layouts of its fields (timestamps, PCR, PSI sections, PES headers), both ways: the
muxer (:mod:`playlists.muxer`) writes them, and the inspection functions below read a
stream back for tests, benchmarks and health checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

PACKET_SIZE = 188
PAYLOAD_SIZE = 184
SYNC_BYTE = 0x47
PAT_PID = 0x0000
SDT_PID = 0x0011
PMT_PID = 0x1000
NULL_PID = 0x1FFF
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
PCR_WRAP = TS_WRAP * 300  # the full PCR counts 27 MHz ticks
# DVB service description: a network id from the range for temporary private use, and a
# service type of "digital television service" (EN 300 468 table 87).
ORIGINAL_NETWORK_ID = 0xFF01
SERVICE_TYPE_TV = 0x01
DVB_NAME_BYTES = 120  # each of service and provider name: both fit one 255-byte descriptor


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


def encode_pcr27(ticks: int) -> bytes:
    """A full PCR in 27 MHz ticks: 33-bit base (90 kHz) and 9-bit extension (6 bytes)."""
    t = ticks % PCR_WRAP
    base, ext = divmod(t, 300)
    return encode_pcr(base)[:4] + bytes((((base & 1) << 7) | 0x7E | (ext >> 8), ext & 0xFF))


def decode_pcr(b: bytes) -> int:
    """The 90 kHz base of a 6-byte PCR field."""
    return (b[0] << 25) | (b[1] << 17) | (b[2] << 9) | (b[3] << 1) | (b[4] >> 7)


def _section(table_id: int, id_field: int, body: bytes, flags: int = 0xB0) -> bytes:
    # syntax indicator, '0' (DVB tables: reserved_future_use '1'), reserved '11', 12-bit
    # length (rest of section incl. CRC).
    length = 5 + len(body) + 4
    head = bytes(
        (
            table_id,
            flags | (length >> 8),
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


def dvb_text(text: str, limit: int = DVB_NAME_BYTES) -> bytes:
    """A name in a DVB text field (EN 300 468 annex A), whole characters within ``limit``.

    Plain ASCII needs no marker; Chinese goes as GB2312 (marker 0x13), which every
    Chinese receiver reads, and anything GB2312 cannot hold as UTF-8 (marker 0x15).
    """
    text = "".join(c for c in text if c.isprintable())
    for end in range(len(text), -1, -1):
        part = text[:end]
        if part.isascii():
            raw = part.encode("ascii")
        else:
            try:
                raw = b"\x13" + part.encode("gb2312")
            except UnicodeEncodeError:
                raw = b"\x15" + part.encode("utf-8")
        if len(raw) <= limit:
            return raw
    return b""


def sdt_section(service_name: str, provider_name: str, service_id: int = PROGRAM_NUMBER) -> bytes:
    """Service description table (actual TS) naming our one service and its provider."""
    name, provider = dvb_text(service_name), dvb_text(provider_name)
    descriptor = bytes((SERVICE_TYPE_TV, len(provider))) + provider + bytes((len(name),)) + name
    descriptor = bytes((0x48, len(descriptor))) + descriptor
    # service_id; EIT flags off; running_status 4 (running), not scrambled, loop length.
    service = bytes(
        (service_id >> 8, service_id & 0xFF, 0xFC, 0x80 | (len(descriptor) >> 8), len(descriptor))
    )
    body = ORIGINAL_NETWORK_ID.to_bytes(2, "big") + b"\xff" + service + descriptor
    return _section(0x42, TRANSPORT_STREAM_ID, body, flags=0xF0)


def psi_packet(pid: int, cc: int, section: bytes, discontinuity: bool = False) -> bytes:
    """One packet carrying a whole short section; optionally flagging a discontinuity."""
    af = b"\x01\x80" if discontinuity else b""
    head = bytes((SYNC_BYTE, 0x40 | (pid >> 8), pid & 0xFF, (0x30 if af else 0x10) | cc))
    return (head + af + b"\x00" + section).ljust(PACKET_SIZE, b"\xff")


def pcr_packet(pid: int, cc: int, pcr27: int, discontinuity: bool = False) -> bytes:
    """An adaptation-field-only packet carrying a PCR (its continuity counter does not count)."""
    flags = 0x10 | (0x80 if discontinuity else 0)
    af = bytes((flags,)) + encode_pcr27(pcr27)
    af = af.ljust(PAYLOAD_SIZE - 1, b"\xff")
    return bytes((SYNC_BYTE, pid >> 8, pid & 0xFF, 0x20 | cc, len(af))) + af


NULL_PACKET = bytes((SYNC_BYTE, NULL_PID >> 8, NULL_PID & 0xFF, 0x10)) + b"\xff" * PAYLOAD_SIZE


def pes_header(stream_id: int, pts: int, payload_len: int) -> bytes:
    """PES header with a PTS only: with no B frames DTS equals PTS and is then omitted."""
    length = 3 + 5 + payload_len
    if length > 0xFFFF:
        length = 0  # allowed for video: unbounded
    return bytes((0, 0, 1, stream_id, length >> 8, length & 0xFF, 0x84, 0x80, 5)) + (
        encode_timestamp(0b0010, pts)
    )


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
