"""Live HLS playlist text, serving rules and the sliding window on disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from playlists import hls
from playlists.feed import unit_start


def test_segments_are_six_units_on_the_wall_clock_grid() -> None:
    assert round(hls.SEGMENT_SECONDS, 6) == 3.84
    assert hls.segment_of_unit(11) == 1 and hls.segment_of_unit(12) == 2
    assert hls.segment_start(2) == unit_start(12)


def test_playlist_text() -> None:
    t0 = datetime(2026, 11, 22, 0, 0, 0, 960000, tzinfo=UTC)
    t1 = datetime(2026, 11, 22, 0, 0, 4, 800000, UTC)
    segs = [hls.Segment(41, 7, t0), hls.Segment(42, 8, t1)]
    assert hls.render_playlist(segs) == (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:41\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:00:00.960Z\n#EXTINF:3.840,\nseg-41.ts\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:00:04.800Z\n#EXTINF:3.840,\nseg-42.ts\n"
    )


def test_playlist_marks_a_gap_as_discontinuity() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    text = hls.render_playlist([hls.Segment(7, 70, t0), hls.Segment(8, 90, t0, True)], 2)
    assert "#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n" in text
    assert text.index("#EXT-X-DISCONTINUITY\n") < text.index("seg-8.ts")
    assert text.index("seg-7.ts") < text.index("#EXT-X-DISCONTINUITY\n")
    assert hls.Segment(8, 90, t0, name="seg-12.ts").name == "seg-12.ts"


@pytest.mark.parametrize(
    ("name", "content_type", "cache"),
    [
        ("index.m3u8", "application/vnd.apple.mpegurl", "public, max-age=1, no-transform"),
        ("seg-123.ts", "video/mp2t", "public, max-age=31536000, immutable"),
    ],
)
def test_http_headers(name: str, content_type: str, cache: str) -> None:
    assert hls.http_headers(name) == {"Content-Type": content_type, "Cache-Control": cache}


@pytest.mark.parametrize("name", ["hls-state.json", "demo.json", "seg-x.ts", "../seg-1.ts", ""])
def test_other_files_are_not_served(name: str) -> None:
    assert hls.http_headers(name) is None


def published(out: Path) -> list[int]:
    return sorted(int(p.name[4:-3]) for p in out.glob("seg-*.ts"))


def listed(out: Path) -> tuple[int, list[str], int, list[int]]:
    """(media sequence, segment names, discontinuity sequence, positions of discontinuities)."""
    lines = (out / "index.m3u8").read_text().splitlines()
    tag = {k: int(v) for k, _, v in (ln.partition(":") for ln in lines) if k in (
        "#EXT-X-MEDIA-SEQUENCE", "#EXT-X-DISCONTINUITY-SEQUENCE")}  # fmt: skip
    names, breaks = [], []
    for line in lines:
        if line == "#EXT-X-DISCONTINUITY":
            breaks.append(len(names))
        elif line.endswith(".ts"):
            names.append(line)
    return (tag["#EXT-X-MEDIA-SEQUENCE"], names, tag.get("#EXT-X-DISCONTINUITY-SEQUENCE", 0),
            breaks)  # fmt: skip


def test_window_slides_and_old_segments_go_after_the_grace(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=3, grace=2, first_serial=100)
    for n in range(5000, 5010):
        writer.publish(n, f"segment {n}".encode())
    assert listed(tmp_path) == (107, ["seg-107.ts", "seg-108.ts", "seg-109.ts"], 0, [])
    assert published(tmp_path) == list(range(105, 110))
    assert (tmp_path / "seg-109.ts").read_bytes() == b"segment 5009"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_the_grace_outlasts_the_playlist_by_a_segment() -> None:
    # RFC 8216 6.2.2: available for the playlist's duration plus one segment after removal.
    assert hls.GRACE_SEGMENTS * hls.SEGMENT_SECONDS > (hls.WINDOW_SEGMENTS + 1) * (
        hls.SEGMENT_SECONDS
    )
    assert hls.WINDOW_SEGMENTS * hls.SEGMENT_SECONDS >= 3 * hls.TARGET_DURATION


def test_a_restart_and_a_gap_keep_the_whole_window(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=4, grace=1, first_serial=10)
    for n in (10, 11, 12):
        writer.publish(n, b"x")
    again = hls.HlsWriter(tmp_path, window=4, grace=1, first_serial=999)  # state wins
    assert again.last_number == 12
    again.publish(13, b"y")  # a quick restart: seamless
    again.publish(20, b"z")  # the process was down: a discontinuity, the window stays full
    assert listed(tmp_path) == (11, ["seg-11.ts", "seg-12.ts", "seg-13.ts", "seg-14.ts"], 0, [3])
    assert (tmp_path / "seg-14.ts").read_bytes() == b"z"
    for n in (21, 22, 23):
        again.publish(n, b"w")
    assert listed(tmp_path) == (14, ["seg-14.ts", "seg-15.ts", "seg-16.ts", "seg-17.ts"], 0, [0])
    again.publish(24, b"w")  # the discontinuity leaves the playlist: counted in the sequence
    assert listed(tmp_path)[2:] == (1, [])


def test_a_wall_clock_stepped_back_gets_new_names_and_numbers(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=3, grace=1, first_serial=50)
    for n in (50, 51, 52):
        writer.publish(n, f"first {n}".encode())
    for n in (40, 41):  # the same stream segments as an hour ago, or an earlier restart's
        writer.publish(n, f"again {n}".encode())
    assert listed(tmp_path) == (52, ["seg-52.ts", "seg-53.ts", "seg-54.ts"], 0, [1])
    assert (tmp_path / "seg-52.ts").read_bytes() == b"first 52"
    assert (tmp_path / "seg-53.ts").read_bytes() == b"again 40"
    assert writer.segments[1].start < writer.segments[0].start  # its PROGRAM-DATE-TIME


def test_every_segment_keeps_its_media_sequence_number(tmp_path: Path) -> None:
    seen: dict[str, int] = {}
    contents: dict[str, bytes] = {}
    numbers = [5, 6, 7, 8, 30, 31, 32, 2, 3, 33, 34, 35, 36, 37, 90]
    writer = hls.HlsWriter(tmp_path, window=3, grace=1)
    for i, n in enumerate(numbers):
        if i % 4 == 3:  # restarts now and then
            writer = hls.HlsWriter(tmp_path, window=3, grace=1)
        writer.publish(n, f"{i}".encode())
        first, names, _, _ = listed(tmp_path)
        assert len(names) == min(i + 1, 3)
        for position, name in enumerate(names):
            assert seen.setdefault(name, first + position) == first + position, name
            assert contents.setdefault(name, (tmp_path / name).read_bytes()) == (
                tmp_path / name
            ).read_bytes()  # fmt: skip
    assert sorted(seen.values()) == list(range(len(numbers)))  # never repeated


def test_a_crash_between_state_and_file_never_reuses_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = hls.HlsWriter(tmp_path, window=3, grace=1)
    for n in (1, 2):
        writer.publish(n, b"ok")
    real = hls.write_unflushed  # segments and the playlist (the state is flushed first)

    def power_cut(path: Path, data: bytes) -> None:
        if path.name.startswith("seg-"):
            raise OSError("power cut")
        real(path, data)

    monkeypatch.setattr(hls, "write_unflushed", power_cut)
    with pytest.raises(OSError):
        writer.publish(3, b"lost")
    monkeypatch.setattr(hls, "write_unflushed", real)
    again = hls.HlsWriter(tmp_path, window=3, grace=1)
    assert again.publish(3, b"new") == hls.Segment(2, 3, hls.segment_start(3), False, "seg-3.ts")
    assert listed(tmp_path) == (0, ["seg-0.ts", "seg-1.ts", "seg-3.ts"], 0, [])


def test_a_segment_a_power_cut_left_empty_is_not_listed_again(tmp_path: Path) -> None:
    """Segments are not flushed: after a power cut the newest may be there but empty. The
    restarted writer does not list it, and does not reuse its name."""
    writer = hls.HlsWriter(tmp_path, window=3, grace=1)
    for n in (1, 2, 3):
        writer.publish(n, b"ok")
    (tmp_path / "seg-2.ts").write_bytes(b"")  # its blocks never reached the disk
    again = hls.HlsWriter(tmp_path, window=3, grace=1)
    assert again.last_number == 2
    assert again.publish(9, b"new").name == "seg-3.ts"
    assert listed(tmp_path) == (0, ["seg-0.ts", "seg-1.ts", "seg-3.ts"], 0, [2])


def test_state_from_the_wall_clock_numbered_format_carries_on(tmp_path: Path) -> None:
    old = {"discontinuity_sequence": 4, "segments": [
        {"n": n, "start": hls.segment_start(n).isoformat(), "disc": n == 701} for n in (700, 701)
    ]}  # fmt: skip
    (tmp_path / hls.STATE_NAME).write_text(json.dumps(old))
    for n in (700, 701):
        (tmp_path / hls.segment_name(n)).write_bytes(b"old")
    writer = hls.HlsWriter(tmp_path, window=3, grace=1)
    writer.publish(702, b"new")
    assert listed(tmp_path) == (700, ["seg-700.ts", "seg-701.ts", "seg-702.ts"], 4, [1])


def test_lost_state_never_reuses_a_name_on_disk(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=3, grace=1)
    for n in range(5):
        writer.publish(n, b"x")
    (tmp_path / hls.STATE_NAME).unlink()
    seg = hls.HlsWriter(tmp_path, window=3, grace=1).publish(5, b"y")
    assert seg.name == "seg-5.ts" and seg.sequence == 5
