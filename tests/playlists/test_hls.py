"""Live HLS playlist text, serving rules and the sliding window on disk."""

from __future__ import annotations

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
    segs = [hls.Segment(41, t0), hls.Segment(42, datetime(2026, 11, 22, 0, 0, 4, 800000, UTC))]
    assert hls.render_playlist(segs) == (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:41\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:00:00.960Z\n#EXTINF:3.840,\nseg-41.ts\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:00:04.800Z\n#EXTINF:3.840,\nseg-42.ts\n"
    )


def test_playlist_marks_a_gap_as_discontinuity() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    text = hls.render_playlist([hls.Segment(7, t0), hls.Segment(9, t0, True)], 2)
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:2\n" in text
    assert text.index("#EXT-X-DISCONTINUITY\n") < text.index("seg-9.ts")
    assert text.index("seg-7.ts") < text.index("#EXT-X-DISCONTINUITY\n")


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


def test_window_slides_and_old_segments_go_after_the_grace(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=3, grace=2)
    for n in range(100, 110):
        writer.publish(n, f"segment {n}".encode())
    text = (tmp_path / "index.m3u8").read_text()
    assert "#EXT-X-MEDIA-SEQUENCE:107\n" in text
    assert [line for line in text.splitlines() if line.endswith(".ts")] == [
        "seg-107.ts", "seg-108.ts", "seg-109.ts",
    ]  # fmt: skip
    assert "DISCONTINUITY" not in text
    assert published(tmp_path) == list(range(105, 110))
    assert (tmp_path / "seg-109.ts").read_bytes() == b"segment 109"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_writer_resumes_after_restart_and_flags_a_gap(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=4, grace=1)
    for n in (10, 11, 12):
        writer.publish(n, b"x")
    again = hls.HlsWriter(tmp_path, window=4, grace=1)
    assert again.last_number == 12
    with pytest.raises(ValueError, match="already published"):
        again.publish(12, b"y")
    again.publish(13, b"y")  # a quick restart: seamless
    again.publish(20, b"z")  # the process was down: a discontinuity
    text = (tmp_path / "index.m3u8").read_text()
    # Segment 20 is listed as media sequence 20, never as 14 behind the old ones; what aired
    # before the outage is no longer offered to a player joining now.
    assert "#EXT-X-MEDIA-SEQUENCE:20\n" in text and "seg-13.ts" not in text
    assert text.count("#EXT-X-DISCONTINUITY\n") == 1
    for n in (21, 22, 23, 24):
        again.publish(n, b"w")  # the gap leaves the window: counted in the sequence
    text = (tmp_path / "index.m3u8").read_text()
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:1\n" in text and "#EXT-X-DISCONTINUITY\n" not in text


def test_every_segment_keeps_its_media_sequence_number(tmp_path: Path) -> None:
    writer = hls.HlsWriter(tmp_path, window=3, grace=1)
    seen: dict[str, int] = {}
    for n in (5, 6, 7, 8, 30, 31, 32, 33, 34):
        writer.publish(n, b"x")
        lines = (tmp_path / "index.m3u8").read_text().splitlines()
        first = int(next(ln for ln in lines if ln.startswith("#EXT-X-MEDIA-SEQUENCE:"))
                    .split(":")[1])
        names = [ln for ln in lines if ln.endswith(".ts")]
        for position, name in enumerate(names):
            assert seen.setdefault(name, first + position) == first + position, name
