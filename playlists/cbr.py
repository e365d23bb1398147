"""Constant-bitrate multiplexing for the cable head-end (pure: units in, packet slots out).

The UDP output is a row of 188-byte *slots* at the mux rate R, numbered from the stream
epoch: slot k leaves at stream time ``k x 1504 / R`` seconds, the same clock the PTS count
(unit u airs at ``u x 0.64`` s). So slot positions, like timestamps, are a pure function of
wall-clock time and carry on across any restart of the sender or of playout.

Each unit's packets are spread evenly over its own window of slots, which ends
``LEAD - 0.64 s`` before the unit's first picture is due, so a decoder always has a unit
whole before it shows it. Around them go PAT and PMT every 80 ms, the SDT every 0.5 s and
an adaptation-field-only PCR packet every ~30 ms, stamped with its own slot's time (so PCR
is exact to the 27 MHz tick at the mux rate, and each PCR opens its datagram); null
packets fill the rest. The PCRs the unit muxer wrote are removed.

A unit that cannot fit its window (more pictures than the rate carries) spills into the
next one, and the unit after it then airs without its pictures (sound only; the decoder
holds the last picture, for a still page the same one) so the delay never builds up.
After a start or a gap, the first packet of every PID sets the discontinuity indicator.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from playlists import ts
from renderer.timing import TICKS_PER_SECOND, TICKS_PER_UNIT, UNIT_SECONDS

SLOT_BITS = ts.PACKET_SIZE * 8
PACKETS_PER_DATAGRAM = 7  # 1316 bytes: fits a 1500-byte Ethernet MTU with IP/UDP headers
DATAGRAM_BYTES = PACKETS_PER_DATAGRAM * ts.PACKET_SIZE
PCR_INTERVAL_S = 0.030  # DVB asks for at most 40 ms between PCRs
PSI_INTERVAL_S = 0.080  # PAT and PMT: TR 101 290 allows 500 ms, head-ends like 100 ms
SDT_INTERVAL_S = 0.500  # TR 101 290 allows 2 s
LEAD_TICKS = 63_000  # a unit's window opens 0.7 s before its first picture is due
DEFAULT_MUXRATE_BPS = 2_000_000  # still slides: ~0.5 Mbit/s of pictures and sound
MAX_MUXRATE_BPS = 40_000_000
# A unit is at most the encoder's buffer (bufsize) and may take three windows (itself and
# two repeats that then go without pictures): the video a profile needs, at worst.
WORST_UNIT_WINDOWS = 3
PES_OVERHEAD = 1.06  # TS headers (188/184), PES headers and the short last packet of a PES


def slot_at_ticks(ticks: int, rate_bps: int) -> int:
    """The first slot that leaves at or after stream time ``ticks`` (90 kHz)."""
    return -((-ticks * rate_bps) // (TICKS_PER_SECOND * SLOT_BITS))


def unit_first_slot(unit: int, rate_bps: int) -> int:
    """Where unit ``unit``'s window of slots begins."""
    return slot_at_ticks(unit * TICKS_PER_UNIT - LEAD_TICKS, rate_bps)


def slot_pcr(slot: int, rate_bps: int) -> int:
    """The PCR (27 MHz ticks, wrapped) of a packet in ``slot``: its departure time."""
    return (slot * SLOT_BITS * 27_000_000 * 2 + rate_bps) // (2 * rate_bps) % ts.PCR_WRAP


def slot_seconds(slot: int, rate_bps: int) -> float:
    """Stream time (seconds since the stream epoch) at which ``slot`` leaves."""
    return slot * SLOT_BITS / rate_bps


def system_bps(rate_bps: int) -> float:
    """Bits per second the PCR, PAT, PMT and SDT packets take at ``rate_bps``."""
    per_s = 1 / _pcr_slots(rate_bps) * rate_bps / SLOT_BITS
    per_s += 2 / PSI_INTERVAL_S + 1 / SDT_INTERVAL_S
    return per_s * SLOT_BITS


def min_muxrate_bps(video_bufsize_kbit: int, audio_kbps: int) -> int:
    """The lowest mux rate that carries a profile's worst unit, its sound and the tables."""
    video = video_bufsize_kbit * 1000 / (WORST_UNIT_WINDOWS * UNIT_SECONDS)
    content = (video + audio_kbps * 1000) * PES_OVERHEAD
    rate = content + 60_000  # first guess for the tables, then the exact figure
    return math.ceil(content + system_bps(int(rate)))


def default_muxrate_bps(video_bufsize_kbit: int, audio_kbps: int) -> int:
    """2 Mbit/s, or the next 0.5 Mbit/s step above a larger profile's minimum."""
    need = min_muxrate_bps(video_bufsize_kbit, audio_kbps)
    return max(DEFAULT_MUXRATE_BPS, -(-need // 500_000) * 500_000)


def _pcr_slots(rate_bps: int) -> int:
    # A whole number of datagrams, so every PCR packet opens its datagram and leaves at the
    # very time it states.
    per = int(PCR_INTERVAL_S * rate_bps / SLOT_BITS) // PACKETS_PER_DATAGRAM
    return PACKETS_PER_DATAGRAM * max(1, per)


def split_units(data: bytes) -> list[bytes]:
    """Cut a run of muxed units at each unit's first picture (the random access point)."""
    cuts, tables_from = [], None  # where the tables just before this packet begin
    for off, pid, pkt in ts.packets(data):
        if pid == ts.VIDEO_PID and pkt[1] & 0x40 and pkt[3] & 0x20 and pkt[4] and pkt[5] & 0x40:
            cuts.append(off if tables_from is None else tables_from)
        if pid in (ts.PAT_PID, ts.PMT_PID):
            tables_from = off if tables_from is None else tables_from
        else:
            tables_from = None
    if not cuts:
        return [data] if data else []
    cuts[0] = 0  # anything before the first picture belongs to it
    return [data[a:b] for a, b in zip(cuts, [*cuts[1:], len(data)], strict=True)]


def _section_of(pkt: bytes) -> bytes:
    start = 5 + pkt[4] if pkt[3] & 0x20 else 4
    start += 1 + pkt[start]  # pointer field
    length = ((pkt[start + 1] & 0x0F) << 8 | pkt[start + 2]) + 3
    return pkt[start : start + length]


def _without_pcr(pkt: bytes) -> bytes:
    """The packet with its PCR turned into stuffing (the CBR mux stamps its own)."""
    if not (pkt[3] & 0x20 and pkt[4] >= 7 and pkt[5] & 0x10):
        return pkt
    out = bytearray(pkt)
    out[5] &= ~0x10
    out[6 : 5 + pkt[4]] = b"\xff" * (pkt[4] - 1)  # our muxer writes no other optional field
    return bytes(out)


def _flag_discontinuity(pkt: bytes) -> list[bytes]:
    """The packet with discontinuity_indicator set; two packets if it had no room for it."""
    if pkt[3] & 0x20 and pkt[4]:
        out = bytearray(pkt)
        out[5] |= 0x80
        return [bytes(out)]
    pid_hi, pid_lo, cc = pkt[1], pkt[2], pkt[3] & 0x0F
    payload = pkt[5 + pkt[4] :] if pkt[3] & 0x20 else pkt[4:]
    first = bytes((ts.SYNC_BYTE, pid_hi, pid_lo, 0x30 | cc, 1, 0x80)) + payload[:182]
    rest = payload[182:]
    stuffing = ts.PAYLOAD_SIZE - len(rest)
    af = bytes((stuffing - 1, 0x00)) + b"\xff" * (stuffing - 2)
    second = bytes((ts.SYNC_BYTE, pid_hi & 0x1F, pid_lo, 0x30 | ((cc + 1) & 0x0F))) + af + rest
    return [first, second]


@dataclass(frozen=True)
class MuxedRun:
    """Packets for consecutive slots from ``first_slot`` on."""

    first_slot: int
    packets: bytes

    @property
    def end_slot(self) -> int:
        return self.first_slot + len(self.packets) // ts.PACKET_SIZE


class CbrMux:
    """Places units into the slot row at ``rate_bps``, with the tables and PCRs around them.

    The mux owns every continuity counter of its output. A new mux (a restarted sender, a
    new rate) starts with the discontinuity indicator on each PID, as after any gap.
    """

    def __init__(self, rate_bps: int, service_name: str, provider_name: str) -> None:
        self.rate = rate_bps
        self.pcr_slots = _pcr_slots(rate_bps)
        self.psi_slots = max(3, int(PSI_INTERVAL_S * rate_bps / SLOT_BITS))
        self.sdt_slots = max(4, int(SDT_INTERVAL_S * rate_bps / SLOT_BITS))
        self._sdt = ts.sdt_section(service_name, provider_name)
        self._pat: bytes | None = None
        self._pmt: bytes | None = None
        self._cc: dict[int, int] = {}  # next continuity counter per PID
        self._fresh: set[int] = set()  # PIDs whose next packet flags a discontinuity
        self._fresh_pcr = False  # the next PCR starts a new time line
        self._pending: deque[tuple[int, bytes]] = deque()  # (due slot, content packet)
        self._tables: deque[tuple[int, bytes]] = deque()  # due, waiting for a free slot
        self._next_slot: int | None = None
        self._last_unit: int | None = None
        self.units_without_pictures = 0

    def mux_unit(self, unit: int, data: bytes, not_before: int | None = None) -> MuxedRun:
        """Slots for unit ``unit`` (its TS from :class:`playlists.muxer.TsMuxer`).

        ``not_before``: a (re)start part-way through the unit's window begins at this slot,
        with the unit's sound and the tables but not its pictures, which could no longer
        arrive in time; the next unit is whole again.
        """
        content = []
        for _, pid, pkt in ts.packets(data):
            if pid == ts.PAT_PID:
                self._pat = _section_of(pkt)
            elif pid == ts.PMT_PID:
                self._pmt = _section_of(pkt)
            elif pid != ts.NULL_PID:
                content.append(_without_pcr(pkt))
        start, end = unit_first_slot(unit, self.rate), unit_first_slot(unit + 1, self.rate)
        if unit == (self._last_unit if self._last_unit is not None else -2) + 1:
            start = max(start, self._next_slot or start)
        else:  # a start, or a gap: receivers must hear that time starts again
            self._pending.clear()
            self._tables.clear()
            self._fresh = {ts.PAT_PID, ts.PMT_PID, ts.SDT_PID, ts.VIDEO_PID, ts.AUDIO_PID}
            self._fresh_pcr = True
            if not_before is not None and start < not_before < end:
                start = not_before
                content = [p for p in content if (p[1] & 0x1F) << 8 | p[2] != ts.VIDEO_PID]
                self.units_without_pictures += 1
        self._last_unit = unit
        tables = self._table_slots(start, end)
        if self._pending and len(self._pending) + len(content) + tables > end - start:
            # Still sending the unit before: this one goes without its pictures.
            content = [p for p in content if (p[1] & 0x1F) << 8 | p[2] != ts.VIDEO_PID]
            self.units_without_pictures += 1
        # Spread evenly: packet i is not sent before its share of the window has passed.
        spacing = (end - start) / max(1, len(content) + len(self._pending) + tables)
        self._pending.extend((start + int(i * spacing), p) for i, p in enumerate(content))
        out = [self._slot(k) for k in range(start, end)]
        self._pending = deque((start, p) for _, p in self._pending)  # late now: due at once
        self._next_slot = end
        return MuxedRun(start, b"".join(out))

    def _table_slots(self, start: int, end: int) -> int:
        n = sum(1 for k in range(start, end) if k % self.pcr_slots == 0)
        n += 2 * sum(1 for k in range(start, end) if k % self.psi_slots == 1)
        return n + sum(1 for k in range(start, end) if k % self.sdt_slots == 3)

    def _next_cc(self, pid: int) -> int:
        cc = self._cc.get(pid, 0)
        self._cc[pid] = (cc + 1) & 0x0F
        return cc

    def _slot(self, k: int) -> bytes:
        """What slot ``k`` carries: a PCR, else a table that is due, else content, else null."""
        if k % self.psi_slots == 1 and self._pat is not None and self._pmt is not None:
            self._tables += [(ts.PAT_PID, self._pat), (ts.PMT_PID, self._pmt)]
        if k % self.sdt_slots == 3:
            self._tables.append((ts.SDT_PID, self._sdt))
        if k % self.pcr_slots == 0:
            return self._pcr(k)
        if self._tables:
            pid, section = self._tables.popleft()
            fresh = pid in self._fresh
            self._fresh.discard(pid)
            return ts.psi_packet(pid, self._next_cc(pid), section, fresh)
        if self._pending and self._pending[0][0] <= k:
            return self._content(self._pending.popleft()[1])
        return ts.NULL_PACKET

    def _pcr(self, k: int) -> bytes:
        # An adaptation-field-only packet repeats the PID's last continuity counter.
        fresh = self._fresh_pcr or ts.VIDEO_PID in self._fresh
        self._fresh.discard(ts.VIDEO_PID)
        self._fresh_pcr = False
        cc = (self._cc.get(ts.VIDEO_PID, 0) - 1) & 0x0F
        return ts.pcr_packet(ts.VIDEO_PID, cc, slot_pcr(k, self.rate), fresh)

    def _content(self, pkt: bytes) -> bytes:
        pid = (pkt[1] & 0x1F) << 8 | pkt[2]
        pieces = [pkt]
        if pid in self._fresh:
            self._fresh.discard(pid)
            pieces = _flag_discontinuity(pkt)
            if len(pieces) == 2:
                self._pending.appendleft((0, pieces[1]))
        first = bytearray(pieces[0])
        if first[3] & 0x10:
            first[3] = (first[3] & 0xF0) | self._next_cc(pid)
        return bytes(first)
