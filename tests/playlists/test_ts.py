"""The transport stream muxer's bit layouts, checked byte by byte (no binaries needed)."""

from __future__ import annotations

import pytest

from playlists import ts
from playlists.elementary import split_adts, split_h264, split_mpeg2
from playlists.muxer import PCR_LEAD_TICKS, PSI_EVERY_FRAMES, TsMuxer
from renderer.timing import TICKS_PER_AAC_FRAME, TICKS_PER_FRAME, UNIT_AAC_FRAMES, UNIT_FRAMES


def payload(pkt: bytes) -> bytes:
    return pkt[5 + pkt[4] :] if pkt[3] & 0x20 else pkt[4:]


def fake_unit(sizes: list[int]) -> list[bytes]:
    """Access units that look like H.264 (AUD first) of the given sizes."""
    return [b"\x00\x00\x00\x01\x09\x10" + bytes([n % 251]) * (n - 6) for n in sizes]


def adts(n: int, size: int = 13) -> list[bytes]:
    head = bytes(
        (0xFF, 0xF1, 0x4C, 0x80 | (size >> 11), (size >> 3) & 0xFF, (size & 7) << 5 | 0x1F, 0xFC)
    )
    return [head + bytes([i % 256]) * (size - 7) for i in range(n)]


def test_crc32_mpeg2_check_value() -> None:
    assert ts.crc32_mpeg(b"123456789") == 0x0376E6E7


def test_pat_matches_the_well_known_single_program_table() -> None:
    assert ts.pat_section().hex(" ") == "00 b0 0d 00 01 c1 00 00 00 01 f0 00 2a b1 04 b2"


def test_psi_sections_carry_a_valid_crc() -> None:
    pmt = ts.pmt_section(ts.VIDEO_PID, [(0x1B, 0x100), (0x0F, 0x101)])
    assert ts.crc32_mpeg(pmt) == 0  # a section with its CRC appended checks to zero
    assert pmt[0] == 0x02 and ((pmt[1] & 0x0F) << 8 | pmt[2]) == len(pmt) - 3
    assert pmt[12:17] == bytes((0x1B, 0xE1, 0x00, 0xF0, 0x00))
    assert pmt[17:22] == bytes((0x0F, 0xE1, 0x01, 0xF0, 0x00))


@pytest.mark.parametrize(
    ("ticks", "layout"),
    [(0, "21 00 01 00 01"), (ts.TS_WRAP - 1, "2f ff ff ff ff"), (0x123456789, "29 8d 15 cf 13")],
)
def test_pts_layout(ticks: int, layout: str) -> None:
    assert ts.encode_timestamp(0b0010, ticks).hex(" ") == layout
    assert ts.decode_timestamp(bytes.fromhex(layout)) == ticks


def test_pts_wraps_at_33_bits_and_keeps_marker_bits() -> None:
    for t in (1, 90_000, 2**32, ts.TS_WRAP - 3600, 7_777_777_777):
        b = ts.encode_timestamp(0b0010, t + ts.TS_WRAP)
        assert ts.decode_timestamp(b) == t
        assert b[0] & 1 and b[2] & 1 and b[4] & 1


def test_pcr_round_trip() -> None:
    for base in (0, 1, 63_000, ts.TS_WRAP - 1):
        field = ts.encode_pcr(base)
        assert len(field) == 6 and field[4] & 0x7E == 0x7E
        assert ts.decode_pcr(field) == base
    assert ts.decode_pcr(ts.encode_pcr(-1)) == ts.TS_WRAP - 1  # PCR behind a PTS near zero


@pytest.mark.parametrize("size", [1, 2, 150, 169, 170, 171, 176, 177, 183, 184, 185, 500, 70_000])
def test_packetised_pes_reassembles_exactly(size: int) -> None:
    mux = TsMuxer(ts.STREAM_TYPE_H264)
    data = mux.mux_unit(fake_unit([size + 6]), [], 900_000)
    pkts = [p for _, pid, p in ts.packets(data) if pid == ts.VIDEO_PID]
    assert len(data) % 188 == 0 and all(len(p) == 188 and p[0] == 0x47 for p in pkts)
    assert [bool(p[1] & 0x40) for p in pkts] == [True] + [False] * (len(pkts) - 1)
    pes = b"".join(payload(p) for p in pkts)
    assert pes[:4] == b"\x00\x00\x01\xe0"
    assert pes[14:] == fake_unit([size + 6])[0]
    declared = int.from_bytes(pes[4:6], "big")
    assert declared == (len(pes) - 6 if len(pes) - 6 <= 0xFFFF else 0)
    first = pkts[0]
    assert first[5] & 0x50 == 0x50  # random access + PCR flags
    assert ts.decode_pcr(first[6:12]) == 900_000 - PCR_LEAD_TICKS


def test_unit_layout_and_timestamps() -> None:
    mux = TsMuxer(ts.STREAM_TYPE_H264)
    data = mux.mux_unit(fake_unit([3000] + [80] * 15), adts(UNIT_AAC_FRAMES), 1_000)
    pids = [pid for _, pid, _ in ts.packets(data)]
    assert pids[:3] == [ts.PAT_PID, ts.PMT_PID, ts.VIDEO_PID]
    stamps = ts.pes_timestamps(data)
    video = [t for pid, t in stamps if pid == ts.VIDEO_PID]
    assert video == [1_000 + n * TICKS_PER_FRAME for n in range(UNIT_FRAMES)]
    audio_pes = [t for pid, t in stamps if pid == ts.AUDIO_PID]
    assert audio_pes[0] == 1_000 and len(audio_pes) == UNIT_FRAMES
    assert all((t - 1_000) % TICKS_PER_AAC_FRAME == 0 for t in audio_pes)
    # Decoding order: no audio PES starts after the next video frame is due.
    last_video = 0
    for pid, t in stamps:
        if pid == ts.VIDEO_PID:
            last_video = t
        else:
            assert last_video <= t < last_video + TICKS_PER_FRAME


def test_pat_and_pmt_come_before_every_second_video_frame() -> None:
    mux = TsMuxer(ts.STREAM_TYPE_H264)
    data = mux.mux_unit(fake_unit([3000] + [80] * 15), adts(UNIT_AAC_FRAMES), 0)
    frame = -1
    psi_before: list[int] = []  # the video frame each PAT precedes
    pids = [(pid, bool(pkt[1] & 0x40)) for _, pid, pkt in ts.packets(data)]
    for i, (pid, start) in enumerate(pids):
        if pid == ts.VIDEO_PID and start:
            frame += 1
        if pid == ts.PAT_PID:
            assert pids[i + 1] == (ts.PMT_PID, True)
            psi_before.append(frame + 1)
    assert psi_before == list(range(0, UNIT_FRAMES, PSI_EVERY_FRAMES))
    assert PSI_EVERY_FRAMES * TICKS_PER_FRAME <= 90 * 100  # at most 100 ms apart


def test_continuity_counters_run_on_across_units() -> None:
    mux = TsMuxer(ts.STREAM_TYPE_H264)
    stream = b"".join(
        mux.mux_unit(fake_unit([2000 + 37 * i] + [90] * 15), adts(30), i * 57_600)
        for i in range(40)
    )
    assert ts.continuity_errors(stream) == {0: 0, 0x1000: 0, 0x100: 0, 0x101: 0}
    resumed = TsMuxer(ts.STREAM_TYPE_H264, mux.continuity)
    more = stream + resumed.mux_unit(fake_unit([500] * 16), adts(30), 40 * 57_600)
    assert set(ts.continuity_errors(more).values()) == {0}
    assert ts.continuity_errors(stream + stream[: 188 * 3]) != {0: 0, 0x1000: 0, 0x100: 0}


def test_pcr_never_passes_the_dts_and_grows_monotonically() -> None:
    mux = TsMuxer(ts.STREAM_TYPE_H264)
    data = b"".join(
        mux.mux_unit(fake_unit([400] * 16), adts(30), 10**6 + i * 57_600) for i in range(3)
    )
    pcr = [p // 300 for _, p in ts.pcrs(data)]
    video = [t for pid, t in ts.pes_timestamps(data) if pid == ts.VIDEO_PID]
    assert pcr == sorted(pcr) and len(pcr) == len(video) == 48
    assert all(d - p == PCR_LEAD_TICKS for p, d in zip(pcr, video, strict=True))


def test_split_h264_at_access_unit_delimiters() -> None:
    aud, sps, idr, p = (
        b"\0\0\0\1\x09\x10",
        b"\0\0\0\1\x67\x64\x00",
        b"\0\0\1\x65\x88",
        b"\0\0\1\x41\x9a",
    )
    es = aud + sps + idr + aud + p + aud + p
    assert split_h264(es) == [aud + sps + idr, aud + p, aud + p]


def test_split_mpeg2_keeps_headers_with_the_first_picture_and_drops_sequence_end() -> None:
    seq, ext, gop = b"\0\0\1\xb3" + b"\x2d" * 8, b"\0\0\1\xb5\x14", b"\0\0\1\xb8\x00\x08"
    pic, sl = b"\0\0\1\x00\x00\x0f", b"\0\0\1\x01\xaa"
    es = seq + ext + gop + pic + sl + pic + sl + seq + gop + pic + sl + b"\0\0\1\xb7"
    assert split_mpeg2(es) == [seq + ext + gop + pic + sl, pic + sl, seq + gop + pic + sl]


def test_split_adts_by_frame_length() -> None:
    frames = adts(3, 13) + adts(2, 40)
    assert split_adts(b"".join(frames)) == frames
    with pytest.raises(ValueError, match="sync"):
        split_adts(b"".join(frames)[1:])
    with pytest.raises(ValueError, match="length"):
        split_adts(b"".join(frames)[:-1])
