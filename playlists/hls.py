"""Live HLS: whole-unit segments, a sliding-window playlist, and how to serve them.

Segment ``n`` holds units ``6n ... 6n+5`` (3.84 s), so its number and start time follow
from the wall clock like everything else in the stream, and stay unique across restarts:
a segment file never changes once written (safe to cache as immutable). The playlist is
rewritten atomically after each segment; segments that left the window are deleted after
a grace period so slow players can still finish them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from playlists.feed import unit_start
from playlists.plan import write_atomic
from renderer.timing import UNIT_SECONDS

SEGMENT_UNITS = 6  # 3.84 s: near Apple's 4 s guidance, and a whole number of units
SEGMENT_SECONDS = SEGMENT_UNITS * UNIT_SECONDS
TARGET_DURATION = 4  # EXTINF rounded up
WINDOW_SEGMENTS = 8  # ~31 s in the playlist: players start 3 segments back from the edge
GRACE_SEGMENTS = 6  # kept on disk after leaving the window, for players mid-download
PLAYLIST_NAME = "index.m3u8"
STATE_NAME = "hls-state.json"
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"


@dataclass(frozen=True)
class Segment:
    """One published segment as the playlist lists it."""

    number: int
    start: datetime
    discontinuity: bool = False  # set on the first segment after a gap in the stream

    @property
    def name(self) -> str:
        return segment_name(self.number)


def segment_name(number: int) -> str:
    return f"seg-{number}.ts"


def segment_of_unit(unit_index: int) -> int:
    """The segment a unit falls in."""
    return unit_index // SEGMENT_UNITS


def segment_start(number: int) -> datetime:
    """Wall-clock start of segment ``number`` (its PROGRAM-DATE-TIME)."""
    return unit_start(number * SEGMENT_UNITS)


def _pdt(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render_playlist(segments: Sequence[Segment], discontinuity_sequence: int = 0) -> str:
    """The live media playlist for ``segments`` (oldest first); pure."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{TARGET_DURATION}",
        f"#EXT-X-MEDIA-SEQUENCE:{segments[0].number if segments else 0}",
    ]
    if discontinuity_sequence:
        lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuity_sequence}")
    for seg in segments:
        if seg.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_pdt(seg.start)}")
        lines.append(f"#EXTINF:{SEGMENT_SECONDS:.3f},")
        lines.append(seg.name)
    return "\n".join(lines) + "\n"


def http_headers(filename: str) -> dict[str, str] | None:
    """Response headers for a file in a channel's HLS folder, or None if it is not served.

    The playlist changes every segment, so caches may hold it for a second at most;
    segment names are never reused, so a segment can be cached for as long as anyone likes.
    """
    if filename == PLAYLIST_NAME:
        return {"Content-Type": PLAYLIST_TYPE, "Cache-Control": "public, max-age=1, no-transform"}
    if filename.startswith("seg-") and filename.endswith(".ts") and filename[4:-3].isdigit():
        return {
            "Content-Type": SEGMENT_TYPE,
            "Cache-Control": "public, max-age=31536000, immutable",
        }
    return None


class HlsWriter:
    """Publishes segments into ``out_dir`` and keeps the sliding-window playlist."""

    def __init__(
        self, out_dir: Path, window: int = WINDOW_SEGMENTS, grace: int = GRACE_SEGMENTS
    ) -> None:
        self.out_dir = out_dir
        self.window = window
        self.grace = grace
        self.segments: list[Segment] = []
        self.discontinuity_sequence = 0
        self._restore()

    @property
    def last_number(self) -> int | None:
        """Number of the newest published segment, if any."""
        return self.segments[-1].number if self.segments else None

    def _restore(self) -> None:
        try:
            raw = json.loads((self.out_dir / STATE_NAME).read_text())
            self.segments = [
                Segment(int(s["n"]), datetime.fromisoformat(s["start"]), bool(s["disc"]))
                for s in raw["segments"]
            ]
            self.discontinuity_sequence = int(raw["discontinuity_sequence"])
        except (OSError, ValueError, KeyError, TypeError):
            self.segments, self.discontinuity_sequence = [], 0

    def _save(self) -> None:
        raw = {
            "discontinuity_sequence": self.discontinuity_sequence,
            "segments": [
                {"n": s.number, "start": s.start.isoformat(), "disc": s.discontinuity}
                for s in self.segments
            ],
        }
        write_atomic(self.out_dir / STATE_NAME, json.dumps(raw).encode())

    def publish(self, number: int, data: bytes) -> Segment:
        """Write segment ``number`` and the playlist that lists it; drop expired segments.

        A number that does not follow the previous one marks a gap in the stream (the
        process was down), which the playlist announces with EXT-X-DISCONTINUITY. The
        segments before the gap leave the playlist at once: a segment's media sequence
        number is the playlist's EXT-X-MEDIA-SEQUENCE plus its position and may never change
        (RFC 8216), so segment ``number`` can only be listed with ``number`` at its position;
        and a player joining the live edge must not start in content from before the outage.
        """
        last = self.last_number
        if last is not None and number <= last:
            raise ValueError(f"segment {number} already published (last is {last})")
        seg = Segment(number, segment_start(number), last is not None and number != last + 1)
        write_atomic(self.out_dir / seg.name, data)
        if seg.discontinuity:
            self.discontinuity_sequence += sum(1 for old in self.segments if old.discontinuity)
            self.segments = []
        self.segments.append(seg)
        for old in self.segments[: max(0, len(self.segments) - self.window)]:
            if old.discontinuity:
                self.discontinuity_sequence += 1
        self.segments = self.segments[-self.window :]
        write_atomic(
            self.out_dir / PLAYLIST_NAME,
            render_playlist(self.segments, self.discontinuity_sequence).encode(),
        )
        self._save()
        self._delete_expired()
        return seg

    def _delete_expired(self) -> None:
        keep_from = self.segments[0].number - self.grace
        for path in self.out_dir.glob("seg-*.ts"):
            number = path.name[4:-3]
            if number.isdigit() and int(number) < keep_from:
                path.unlink(missing_ok=True)
