"""The continuous feed: every frame on the wall-clock grid, across pages, wraps and restarts."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from playlists import feed, ts
from renderer import encode, ffmpeg
from renderer.timing import TICKS_PER_AAC_FRAME, TICKS_PER_FRAME, TICKS_PER_UNIT, units_for

WRAP_UNIT = ts.TS_WRAP // TICKS_PER_UNIT  # the unit in which the 33-bit clock wraps


def fake_unit(name: str, first_size: int, idr: bool = True) -> feed.LoadedUnit:
    slice_head = b"\0\0\1\x65" if idr else b"\0\0\1\x41"
    pictures = [b"\0\0\0\1\x09\x10\0\0\0\1\x67\x64" + slice_head + bytes([7]) * first_size]
    pictures += [b"\0\0\0\1\x09\x30\0\0\1\x41" + bytes([len(name)]) * 60] * 15
    return feed.LoadedUnit(Path(name), ts.STREAM_TYPE_H264, tuple(pictures), b"\0\0\1\x67\x64")


def bed(frames: int = 30) -> feed.AudioBed:
    head = bytes((0xFF, 0xF1, 0x4C, 0x80, 0x01, 0xBF, 0xFC))  # 13-byte ADTS frame
    return feed.AudioBed(tuple(head + bytes([i % 200]) * 6 for i in range(frames)))


def unwrap(values: list[int]) -> list[int]:
    out, offset = [], 0
    for prev, cur in zip([values[0], *values], values, strict=False):
        if cur < prev - ts.TS_WRAP // 2:
            offset += ts.TS_WRAP
        out.append(cur + offset)
    return out


def assert_on_grid(stream: bytes, first_unit: int) -> None:
    stamps = ts.pes_timestamps(stream)
    video = unwrap([t for pid, t in stamps if pid == ts.VIDEO_PID])
    audio = unwrap([t for pid, t in stamps if pid == ts.AUDIO_PID])
    base = feed.unit_pts(first_unit)
    assert video == [base + n * TICKS_PER_FRAME for n in range(len(video))]
    assert all((t - base) % TICKS_PER_AAC_FRAME == 0 for t in audio)
    assert audio[0] == base and audio == sorted(audio)


def test_stream_time_is_a_function_of_wall_clock() -> None:
    now = datetime(2026, 11, 22, 8, 30, 1, 234567, tzinfo=UTC)
    index = feed.unit_index_at(now)
    assert feed.unit_start(index) <= now < feed.unit_start(index + 1)
    assert feed.unit_start(index + 1) - feed.unit_start(index) == timedelta(milliseconds=640)
    assert feed.unit_pts(index) == (index * TICKS_PER_UNIT) % ts.TS_WRAP
    assert feed.FeedState.at(now).next_unit == index


def test_units_for_a_page() -> None:
    out = list(feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(), feed.FeedState(0, {})).emit(
        fake_unit("p", 500), units_for(12.8)
    ))  # fmt: skip
    assert [i for i, _ in out] == list(range(20))


def test_timestamps_continue_across_pages_and_the_33_bit_wrap() -> None:
    start = WRAP_UNIT - 5
    f = feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(60), feed.FeedState(start, {}))
    pages = [(fake_unit("a", 900), 3), (fake_unit("bb", 4000), 4), (fake_unit("a", 900), 2)]
    stream = b"".join(data for unit, n in pages for _, data in f.emit(unit, n))
    assert f.next_unit == start + 9
    assert_on_grid(stream, start)
    assert set(ts.continuity_errors(stream).values()) == {0}


def test_a_restored_feed_continues_byte_for_byte() -> None:
    """Stop after any unit, restore from the saved state: the stream is the same stream."""
    unit = fake_unit("x", 2500)
    whole = feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(60), feed.FeedState(1000, {}))
    expected = b"".join(d for _, d in whole.emit(unit, 7))
    first = feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(60), feed.FeedState(1000, {}))
    head = b"".join(d for _, d in first.emit(unit, 3))
    saved = json.loads(json.dumps(first.state.to_json()))
    again = feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(60), feed.FeedState.from_json(saved))
    assert head + b"".join(d for _, d in again.emit(unit, 4)) == expected


def test_audio_bed_follows_the_unit_index() -> None:
    music = bed(60)  # two units long
    assert music.for_unit(0) == music.frames[:30] == music.for_unit(2)
    assert music.for_unit(1) == music.frames[30:]
    with pytest.raises(ValueError, match="multiple of 30"):
        feed.AudioBed(music.frames[:31])


def test_a_unit_of_another_codec_is_refused() -> None:
    f = feed.ContinuousFeed(ts.STREAM_TYPE_MPEG2, bed(), feed.FeedState(0, {}))
    with pytest.raises(feed.UnitError, match="stream type"):
        list(f.emit(fake_unit("h", 100), 1))


def test_missing_and_corrupt_units_raise_unit_error(tmp_path: Path) -> None:
    cache = feed.UnitCache(ts.STREAM_TYPE_H264)
    with pytest.raises(feed.UnitError, match="missing"):
        cache.get(tmp_path / "nope.h264")
    broken = tmp_path / "broken.h264"
    broken.write_bytes(b"".join(fake_unit("b", 100).pictures[:9]))
    with pytest.raises(feed.UnitError, match="9 pictures"):
        cache.get(broken)
    no_idr = tmp_path / "noidr.h264"
    no_idr.write_bytes(b"".join(fake_unit("b", 100, idr=False).pictures))  # SPS, no IDR
    with pytest.raises(feed.UnitError, match="intra"):
        cache.get(no_idr)


def test_virtual_clock_only_moves_when_waited_on() -> None:
    import threading

    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = feed.VirtualClock(start)
    assert clock.sleep_until(start + timedelta(hours=5), threading.Event())
    assert clock.now() == start + timedelta(hours=5)
    assert clock.sleep_until(start, threading.Event()) and clock.now() > start


class FakeTime:
    """A wall clock and a monotonic clock that tests move by hand."""

    def __init__(self, wall: float) -> None:
        self.wall, self.mono = wall, 1000.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


def test_system_clock_runs_on_monotonic_time_until_it_checks_for_a_step() -> None:
    t = FakeTime(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    clock = feed.SystemClock(wall=lambda: t.wall, monotonic=lambda: t.mono)
    t.advance(10)
    assert clock.now() == datetime(2026, 3, 1, 0, 0, 10, tzinfo=UTC)
    t.wall -= 3600  # NTP steps the wall clock back an hour
    assert clock.now() == datetime(2026, 3, 1, 0, 0, 10, tzinfo=UTC)  # no stall, no jump yet
    assert clock.check_step() == timedelta(hours=-1)
    assert clock.now() == datetime(2026, 2, 28, 23, 0, 10, tzinfo=UTC)
    assert clock.check_step() == timedelta(0)  # followed once
    t.wall += 0.4  # a small step is within the tolerance: absorbed
    assert clock.check_step() == timedelta(0)
    t.wall += 7200
    assert clock.check_step() == timedelta(hours=2, seconds=0.4)
    assert clock.now() == datetime(2026, 3, 1, 1, 0, 10, 400000, tzinfo=UTC)


def test_system_clock_waits_on_monotonic_time_whatever_the_wall_clock_does() -> None:
    import threading

    wall = [datetime(2026, 3, 1, tzinfo=UTC).timestamp()]
    clock = feed.SystemClock(wall=lambda: wall[0])
    start = time.monotonic()
    target = clock.now() + timedelta(seconds=0.3)
    wall[0] += 3600  # a wait on the wall clock would end now, or an hour late the other way
    assert clock.sleep_until(target, threading.Event())
    assert time.monotonic() - start >= 0.3
    stop = threading.Event()
    stop.set()
    assert not clock.sleep_until(target + timedelta(hours=1), stop)


def test_a_jump_is_announced_by_the_first_unit_after_it() -> None:
    f = feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(), feed.FeedState(100, {}))
    unit = fake_unit("j", 300)
    before = b"".join(d for _, d in f.emit(unit, 2))
    f.jump_to(f.next_unit)  # not a jump: nothing to announce
    f.jump_to(5000)
    after = [d for _, d in f.emit(unit, 2)]
    assert f.next_unit == 5002
    flags = [discontinuity_flags(d) for d in (before, *after)]
    assert flags == [0, 1, 0]
    assert set(ts.continuity_errors(before + b"".join(after)).values()) == {0}
    resumed = feed.ContinuousFeed(ts.STREAM_TYPE_H264, bed(), f.state, discontinuity=True)
    assert discontinuity_flags(next(resumed.emit(unit, 1))[1]) == 1


def discontinuity_flags(data: bytes) -> int:
    """Packets with the adaptation field's discontinuity indicator set."""
    return sum(1 for _, _, p in ts.packets(data) if p[3] & 0x20 and p[4] and p[5] & 0x80)


# --- with real units ---------------------------------------------------------------------


def make_page(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    img = Image.new("RGB", size, colour)
    ImageDraw.Draw(img).text((50, 50), f"page {colour}", fill=(255, 255, 255))
    img.save(path)
    return path


@pytest.mark.ffmpeg
@pytest.mark.parametrize("profile", ["720p", "sd"])
def test_real_units_make_a_valid_continuous_stream(tmp_path: Path, profile: str) -> None:
    enc = encode.PROFILES[profile]
    size = (enc.width, enc.height) if enc.sar == (1, 1) else (1024, 576)
    stream_type = ts.STREAM_TYPE_H264 if enc.codec == "h264" else ts.STREAM_TYPE_MPEG2
    cache = feed.UnitCache(stream_type)
    units = [
        cache.get(encode.ensure_unit(make_page(tmp_path / f"{i}.png", size, c), f"k{i}",
                                     tmp_path, enc))
        for i, c in enumerate([(200, 40, 40), (40, 200, 40), (40, 40, 200)])
    ]  # fmt: skip
    assert len({u.header for u in units}) == 1
    silence = feed.AudioBed.from_file(encode.ensure_silence(tmp_path))
    start = WRAP_UNIT - 6  # cross the 33-bit wrap on the way
    f = feed.ContinuousFeed(stream_type, silence, feed.FeedState(start, {}))
    stream = b"".join(d for u, n in zip(units, (3, 5, 4), strict=True) for _, d in f.emit(u, n))
    assert_on_grid(stream, start)
    out = tmp_path / "feed.ts"
    out.write_bytes(stream)
    info = ffmpeg.probe(out, packets=True)
    video, audio = info["streams"]
    assert video["codec_name"] == ("h264" if enc.codec == "h264" else "mpeg2video")
    assert (video["pix_fmt"], video["r_frame_rate"], video["color_range"]) == (
        "yuv420p", "25/1", "tv",
    )  # fmt: skip
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    vpts = [p["pts"] for p in info["packets"] if p["stream_index"] == 0]
    apts = [p["pts"] for p in info["packets"] if p["stream_index"] == 1]
    assert len(vpts) == 12 * 16 and len(apts) == 12 * 30
    assert {b - a for a, b in zip(vpts, vpts[1:], strict=False)} == {
        TICKS_PER_FRAME
    }  # ffprobe unwraps
    assert {b - a for a, b in zip(apts, apts[1:], strict=False)} == {TICKS_PER_AAC_FRAME}
    assert vpts[0] == apts[0]  # audio and video start together
    decode = ffmpeg.run(["ffmpeg", "-v", "error", "-xerror", "-i", str(out), "-f", "null", "-"])
    assert decode.stderr == ""
