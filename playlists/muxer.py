"""A small MPEG transport stream muxer for our units (pure: bytes in, bytes out).

Every unit starts with PAT and PMT followed by the intra picture, so any unit boundary is a
valid place to start decoding or an HLS segment; PAT and PMT come again every
``PSI_EVERY_FRAMES`` frames so a receiver tuning in mid-unit finds them within 100 ms.
Continuity counters live in the muxer and run on across units for the life of a stream.
The stream's layout (PIDs, stream types) and its field encodings are in :mod:`playlists.ts`.
"""

from __future__ import annotations

from collections.abc import Sequence

from playlists.ts import (
    AUDIO_PID,
    AUDIO_STREAM_ID,
    PACKET_SIZE,
    PAT_PID,
    PAYLOAD_SIZE,
    PMT_PID,
    STREAM_TYPE_AAC_ADTS,
    SYNC_BYTE,
    VIDEO_PID,
    VIDEO_STREAM_ID,
    encode_pcr,
    pat_section,
    pes_header,
    pmt_section,
)
from renderer.timing import TICKS_PER_AAC_FRAME, TICKS_PER_FRAME

# PCR runs this far behind the DTS of the frame it rides on: room for a decoder to buffer
# a whole intra picture at a modest rate (ffmpeg uses the same 0.7 s by default).
PCR_LEAD_TICKS = 63_000
# PAT and PMT before every second video frame: 80 ms apart, inside the 100 ms that receivers
# and TR 101 290 (1.3, 1.5: at most 500 ms) expect, for 2 x 188 bytes every 80 ms (19 kbit/s).
PSI_EVERY_FRAMES = 2


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

    def _pes_packets(self, pid: int, pes: bytes, pcr: int | None, random_access: bool,
                     discontinuity: bool = False) -> bytes:  # fmt: skip
        out, pos, end = bytearray(), 0, len(pes)
        first = True
        while pos < end:
            af: bytes | None = None  # adaptation field after its length byte; None = absent
            if first and (pcr is not None or random_access or discontinuity):
                flags = (
                    (0x80 if discontinuity else 0)
                    | (0x40 if random_access else 0)
                    | (0x10 if pcr is not None else 0)
                )
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

    def mux_unit(self, video: Sequence[bytes], audio: Sequence[bytes], pts: int,
                 discontinuity: bool = False) -> bytes:  # fmt: skip
        """One unit: PAT, PMT, then video and audio PES interleaved in decoding order.

        Video frame n is stamped ``pts + n*3600`` and audio frame m ``pts + m*1920`` (mod
        2**33). Audio frames are grouped into one PES per video frame interval. Every video
        PES carries a PCR (at most 40 ms apart); the first is marked as a random access point.
        PAT and PMT precede every ``PSI_EVERY_FRAMES``-th video frame. ``discontinuity``
        says this unit does not follow the previous one in time (an outage, a clock step):
        the first video packet then sets the discontinuity indicator, announcing the new time
        base to receivers of the PCR.
        """
        parts = []
        m = 0
        for n, frame in enumerate(video):
            if n % PSI_EVERY_FRAMES == 0:
                parts += [self._psi(PAT_PID, self._pat), self._psi(PMT_PID, self._pmt)]
            t = pts + n * TICKS_PER_FRAME
            pes = pes_header(VIDEO_STREAM_ID, t, len(frame)) + frame
            parts.append(self._pes_packets(VIDEO_PID, pes, t - PCR_LEAD_TICKS, n == 0,
                                           discontinuity and n == 0))  # fmt: skip
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
