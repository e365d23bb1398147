"""The constant-rate slot row, the DVB tables and the capture checks (no binaries, no clock)."""

from __future__ import annotations

import pytest

from playlists import cbr, ts, udp_check
from playlists.feed import unit_pts
from playlists.muxer import TsMuxer
from renderer import encode
from renderer.timing import TICKS_PER_UNIT

RATE = 2_000_000
U0 = 3_000_000  # a unit index of 2026


def pictures(intra: int) -> list[bytes]:
    sizes = [intra] + [300] * 15
    return [b"\x00\x00\x00\x01\x09\x10" + bytes([n % 251]) * (n - 6) for n in sizes]


def adts(n: int = 30, size: int = 340) -> list[bytes]:
    head = bytes(
        (0xFF, 0xF1, 0x4C, 0x80 | (size >> 11), (size >> 3) & 0xFF, (size & 7) << 5 | 0x1F, 0xFC)
    )
    return [head + bytes([i % 256]) * (size - 7) for i in range(n)]


def muxed(units: range, intra: int = 30_000, muxer: TsMuxer | None = None) -> list[bytes]:
    muxer = muxer or TsMuxer(ts.STREAM_TYPE_H264)
    return [muxer.mux_unit(pictures(intra), adts(), unit_pts(u)) for u in units]


def run_of(mux: cbr.CbrMux, units: range, data: list[bytes]) -> tuple[int, bytes]:
    out, first, end = [], None, None
    for u, unit in zip(units, data, strict=True):
        run = mux.mux_unit(u, unit)
        assert end is None or run.first_slot == end  # one unbroken row of slots
        first = run.first_slot if first is None else first
        end = run.end_slot
        out.append(run.packets)
    return first, b"".join(out)


def as_capture(first_slot: int, stream: bytes, rate: int = RATE) -> list[tuple[float, bytes]]:
    """The row sent perfectly on time: datagram d arrives at its first slot's time."""
    assert first_slot % cbr.PACKETS_PER_DATAGRAM == 0
    size = cbr.DATAGRAM_BYTES
    return [(cbr.slot_seconds(first_slot + i // ts.PACKET_SIZE, rate), stream[i : i + size])
            for i in range(0, len(stream) - size + 1, size)]  # fmt: skip


def content(stream: bytes, pid: int) -> bytes:
    """The payload bytes of ``pid`` in order (what a demuxer reassembles)."""
    out = bytearray()
    for _, p, pkt in ts.packets(stream):
        if p == pid and pkt[3] & 0x10:
            out += pkt[5 + pkt[4] :] if pkt[3] & 0x20 else pkt[4:]
    return bytes(out)


# --- DVB text and tables ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("villagecast", b"villagecast"),
        ("监山乡", b"\x13" + "监山乡".encode("gb2312")),
        ("𠀀村", b"\x15" + "𠀀村".encode()),  # outside GB2312: UTF-8
        ("a\x00b", b"ab"),
    ],
)
def test_dvb_text_picks_the_character_table(name: str, raw: bytes) -> None:
    assert ts.dvb_text(name) == raw


def test_dvb_text_cuts_whole_characters() -> None:
    raw = ts.dvb_text("乡" * 100, limit=11)
    assert raw == b"\x13" + "乡".encode("gb2312") * 5


def test_sdt_names_the_service_and_provider() -> None:
    section = ts.sdt_section("幸福乡村频道", "监山乡")
    assert ts.crc32_mpeg(section) == 0 and section[0] == 0x42 and section[1] & 0xF0 == 0xF0
    pkt = ts.psi_packet(ts.SDT_PID, 0, section)
    assert udp_check._sdt_names(pkt) == (ts.dvb_text("监山乡"), ts.dvb_text("幸福乡村频道"))


def test_pcr_packet_carries_27_mhz_ticks_without_payload() -> None:
    pkt = ts.pcr_packet(ts.VIDEO_PID, 5, 123_456_789_012, discontinuity=True)
    assert len(pkt) == 188 and pkt[3] == 0x25 and pkt[5] == 0x90
    assert ts.pcrs(pkt) == [(0, 123_456_789_012)]


# --- the slot row ------------------------------------------------------------------------


def test_slots_follow_the_stream_clock() -> None:
    assert cbr.slot_pcr(0, RATE) == 0
    slot = cbr.unit_first_slot(U0, RATE)
    seconds = cbr.slot_seconds(slot, RATE)
    assert U0 * 0.64 - 0.7 <= seconds < U0 * 0.64 - 0.7 + 1504 / RATE
    # PCR and PTS count the same stream time (mod 2**33 ticks of 90 kHz)
    assert abs(cbr.slot_pcr(slot, RATE) / 300 - (unit_pts(U0) - cbr.LEAD_TICKS)) < 90 * 1


def test_units_fill_an_unbroken_row_with_tables_and_exact_pcrs() -> None:
    units = range(U0, U0 + 12)
    first, stream = run_of(cbr.CbrMux(RATE, "幸福乡村频道", "监山乡"), units, muxed(units))
    assert first == cbr.unit_first_slot(U0, RATE)
    assert len(stream) // 188 == cbr.unit_first_slot(U0 + 12, RATE) - first
    assert set(ts.continuity_errors(stream).values()) == {0}
    pcrs = ts.pcrs(stream)
    pcr_slots = cbr._pcr_slots(RATE)
    assert pcr_slots % cbr.PACKETS_PER_DATAGRAM == 0 and pcr_slots * 1504 / RATE <= 0.035
    for off, pcr in pcrs:  # every PCR is its own slot's time, in AF-only packets
        slot = first + off // 188
        assert slot % pcr_slots == 0 and pcr == cbr.slot_pcr(slot, RATE)
    # The unit muxer's 16 PCRs per unit are gone; only ours remain.
    assert len(pcrs) == sum(1 for k in range(first, first + len(stream) // 188)
                            if k % pcr_slots == 0)  # fmt: skip


def test_every_unit_arrives_before_its_first_picture_is_due() -> None:
    units = range(U0, U0 + 6)
    first, stream = run_of(cbr.CbrMux(RATE, "s", "p"), units, muxed(units, intra=40_000))
    for off, pid, pkt in ts.packets(stream):
        if pid == ts.VIDEO_PID and pkt[1] & 0x40:
            start = 5 + pkt[4] if pkt[3] & 0x20 else 4
            pts = ts.decode_timestamp(pkt[start + 9 : start + 14])
            unit = U0 + (pts - unit_pts(U0)) // TICKS_PER_UNIT
            slot = first + off // 188
            assert slot < cbr.unit_first_slot(unit + 1, RATE)
            assert cbr.slot_seconds(slot, RATE) < unit * 0.64


def test_pictures_and_sound_pass_through_unchanged() -> None:
    units = range(U0, U0 + 4)
    data = muxed(units)
    _, stream = run_of(cbr.CbrMux(RATE, "s", "p"), units, data)
    original = b"".join(data)
    assert content(stream, ts.AUDIO_PID) == content(original, ts.AUDIO_PID)
    assert content(stream, ts.VIDEO_PID) == content(original, ts.VIDEO_PID)


def test_a_perfectly_sent_row_passes_tr_101_290() -> None:
    units = range(U0, U0 + 20)
    mux = cbr.CbrMux(RATE, "幸福乡村频道", "监山乡")
    first, stream = run_of(mux, units, muxed(units))
    skip = -first % cbr.PACKETS_PER_DATAGRAM
    report = udp_check.analyse(as_capture(first + skip, stream[skip * 188 :]), RATE)
    assert report.priority_1_ok() and report.pcr_ok()
    assert report.interval_max_s[ts.PAT_PID] <= 0.1 and report.interval_max_s[ts.PMT_PID] <= 0.1
    assert report.interval_max_s[ts.SDT_PID] <= 2
    assert report.pcr_interval_max_ms <= 40 and report.pcr_accuracy_max_ns < 40
    assert 0.99 < report.fluid_window_min <= report.fluid_window_max < 1.01
    assert report.pcr_jitter_p99_ms < 0.01
    assert report.service_names == {(ts.dvb_text("监山乡"), ts.dvb_text("幸福乡村频道"))}
    assert 0.5 < report.null_share < 0.8  # ~0.5 Mbit/s of content in 2 Mbit/s


def test_a_gap_restarts_with_the_discontinuity_indicator_on_every_pid() -> None:
    muxer = TsMuxer(ts.STREAM_TYPE_H264)
    mux = cbr.CbrMux(RATE, "s", "p")
    first, before = run_of(mux, range(U0, U0 + 3), muxed(range(U0, U0 + 3), muxer=muxer))
    later = range(U0 + 10, U0 + 13)
    resumed, after = run_of(mux, later, muxed(later, muxer=muxer))
    assert resumed == cbr.unit_first_slot(U0 + 10, RATE)  # on the wall-clock grid still
    flagged = {}
    for _, pid, pkt in ts.packets(after):
        if pid != ts.NULL_PID and pid not in flagged:
            flagged[pid] = bool(pkt[3] & 0x20 and pkt[4] and pkt[5] & 0x80)
    assert flagged == dict.fromkeys([ts.PAT_PID, ts.PMT_PID, ts.SDT_PID, ts.VIDEO_PID,
                                     ts.AUDIO_PID], True)  # fmt: skip
    first_pcr = next(pkt for _, pid, pkt in ts.packets(after) if ts.pcrs(pkt))
    assert first_pcr[5] & 0x80
    # With the flags honoured, the gap is no continuity error and no PCR error.
    skip_a = -first % 7
    skip_b = -resumed % 7
    capture = as_capture(first + skip_a, before[skip_a * 188 : len(before) // 1316 * 1316])
    capture += as_capture(resumed + skip_b, after[skip_b * 188 :])
    report = udp_check.analyse(capture, RATE)
    assert report.cc_errors == 0 and report.pcr_discontinuity_errors == 0
    assert report.discontinuities == 2


def test_a_unit_too_big_for_its_window_costs_the_next_its_pictures_not_the_timing() -> None:
    units = range(U0, U0 + 8)
    mux = cbr.CbrMux(RATE, "s", "p")
    big = muxed(units, intra=200_000)  # 2.5 Mbit/s of pictures into 2 Mbit/s
    first, stream = run_of(mux, units, big)
    assert 0 < mux.units_without_pictures < len(units)
    assert len(stream) // 188 == cbr.unit_first_slot(U0 + 8, RATE) - first  # still the grid
    assert set(ts.continuity_errors(stream).values()) == {0}


# --- the rate a channel may set ------------------------------------------------------------


def test_two_megabits_hold_every_profile_but_1080p() -> None:
    for name, enc in encode.PROFILES.items():
        need = cbr.min_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)
        default = cbr.default_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)
        assert default >= need
        assert (default == cbr.DEFAULT_MUXRATE_BPS) == (name != "1080p"), (name, need)


def test_split_units_cuts_at_each_first_picture() -> None:
    data = muxed(range(U0, U0 + 3))
    assert cbr.split_units(b"".join(data)) == data


def test_a_start_part_way_through_a_window_sends_sound_and_tables_at_once() -> None:
    mux = cbr.CbrMux(RATE, "s", "p")
    data = muxed(range(U0, U0 + 2))
    opens, closes = cbr.unit_first_slot(U0, RATE), cbr.unit_first_slot(U0 + 1, RATE)
    now = (opens + closes) // 2
    part = mux.mux_unit(U0, data[0], not_before=now)
    assert part.first_slot == now and part.end_slot == closes
    pids = {pid for _, pid, pkt in ts.packets(part.packets) if pkt[3] & 0x10}
    assert {ts.PAT_PID, ts.PMT_PID, ts.AUDIO_PID} <= pids and ts.VIDEO_PID not in pids
    assert ts.pcrs(part.packets) and mux.units_without_pictures == 1
    whole = mux.mux_unit(U0 + 1, data[1])
    assert whole.first_slot == closes and content(whole.packets, ts.VIDEO_PID)
