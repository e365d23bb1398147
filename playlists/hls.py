"""Live HLS: whole-unit segments, a sliding-window playlist, and how to serve them.

Segment ``n`` of the stream holds units ``6n ... 6n+5`` (3.84 s), so where a segment sits
in time follows from the wall clock like everything else in the stream. What a player sees
does not: media sequence numbers and file names come from counters kept in
``hls-state.json``, so they never repeat and never change for a segment, whatever happens
to the process or the wall clock (a restart, an outage, a clock stepped back). The playlist
always lists the full window; where the stream's time jumps (an outage, a clock step) it
says EXT-X-DISCONTINUITY and keeps EXT-X-DISCONTINUITY-SEQUENCE right. A segment file never
changes once written (safe to cache as immutable) and stays on disk for longer than the
playlist's duration plus one segment after it leaves the window (RFC 8216 section 6.2.2).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from playlists.feed import unit_start
from renderer import atomic
from renderer.timing import UNIT_SECONDS

SEGMENT_UNITS = 6  # 3.84 s: near Apple's 4 s guidance, and a whole number of units
SEGMENT_SECONDS = SEGMENT_UNITS * UNIT_SECONDS
TARGET_DURATION = 4  # EXTINF rounded up
WINDOW_SEGMENTS = 8  # ~31 s in the playlist (RFC 8216 wants 3 target durations at least)
# Kept on disk after leaving the window, counted in segments published since (which the
# monotonic clock paces, so a wall-clock step cannot shorten it): the playlist's duration
# plus one segment (RFC 8216 section 6.2.2: 9 x 3.84 s = 34.6 s), plus one more because the
# first segment after a restart is published at once, up to one segment early.
GRACE_SEGMENTS = WINDOW_SEGMENTS + 2
PLAYLIST_NAME = "index.m3u8"
STATE_NAME = "hls-state.json"
STATE_FORMAT = 2
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"


@dataclass(frozen=True)
class Segment:
    """One published segment as the playlist lists it."""

    sequence: int  # media sequence number: the previous segment's plus one, forever
    number: int  # the stream's segment number: where it sits on the wall-clock grid
    start: datetime
    discontinuity: bool = False  # the stream's time jumped before this segment
    name: str = ""  # file name, unique forever (default: from the sequence number)

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", segment_name(self.sequence))


def segment_name(serial: int) -> str:
    return f"seg-{serial}.ts"


def _serial(name: str) -> int | None:
    """The counter in a segment file name, or None for any other file."""
    digits = name[4:-3]
    if name.startswith("seg-") and name.endswith(".ts") and digits.isdigit():
        return int(digits)
    return None


def write_unflushed(path: Path, data: bytes) -> None:
    """Put a segment or playlist in place atomically, without waiting for the disk."""
    atomic.write_atomic(path, data, durable=False)


def _whole_segment(path: Path) -> bool:
    """A segment file that is there and not empty (what an unflushed file looks like after
    a power cut, its blocks never allocated)."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


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
        f"#EXT-X-MEDIA-SEQUENCE:{segments[0].sequence if segments else 0}",
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
    if _serial(filename) is not None:
        return {
            "Content-Type": SEGMENT_TYPE,
            "Cache-Control": "public, max-age=31536000, immutable",
        }
    return None


class HlsWriter:
    """Publishes segments into ``out_dir`` and keeps the sliding-window playlist.

    ``first_serial`` numbers the first segment of a channel with no state on disk; playout
    passes the wall-clock segment number, so that even a channel whose folder was wiped
    names its segments after any that a cache may still hold from an earlier life.
    """

    def __init__(
        self,
        out_dir: Path,
        window: int = WINDOW_SEGMENTS,
        grace: int = GRACE_SEGMENTS,
        first_serial: int = 0,
    ) -> None:
        self.out_dir = out_dir
        self.window = window
        self.grace = grace
        # The window and, before it, the segments kept for the grace period (oldest first).
        self.history: list[Segment] = []
        self.dropped_discontinuities = 0  # discontinuities older than the history
        self.next_serial = first_serial  # the next file name's counter: never reused
        self._restore()

    @property
    def segments(self) -> list[Segment]:
        """What the playlist lists, oldest first."""
        return self.history[-self.window :]

    @property
    def discontinuity_sequence(self) -> int:
        """EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that have left the playlist."""
        gone = self.history[: -self.window] if len(self.history) > self.window else []
        return self.dropped_discontinuities + sum(s.discontinuity for s in gone)

    @property
    def last_number(self) -> int | None:
        """Stream segment number of the newest published segment, if any."""
        return self.history[-1].number if self.history else None

    def _restore(self) -> None:
        try:
            raw = json.loads((self.out_dir / STATE_NAME).read_text())
            history = [
                Segment(
                    int(s.get("seq", s["n"])),  # format 1 numbered segments by the wall clock
                    int(s["n"]),
                    datetime.fromisoformat(s["start"]),
                    bool(s["disc"]),
                    str(s.get("name") or segment_name(int(s["n"]))),
                )
                for s in raw["segments"]
            ]
            dropped = int(raw.get("dropped_discontinuities", raw.get("discontinuity_sequence", 0)))
            next_serial = int(raw.get("next_serial", 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            history, dropped, next_serial = [], 0, self.next_serial
        # The state names a segment before its file is written (so a crash cannot reuse the
        # name); one whose file never arrived, or arrived cut short by a power cut (segments
        # are not flushed, see publish), is not listed again.
        while history and not _whole_segment(self.out_dir / history[-1].name):
            history.pop()
        self.history, self.dropped_discontinuities = history, dropped
        used = [_serial(p.name) for p in self.out_dir.glob("seg-*.ts")]
        used += [_serial(s.name) for s in history]
        self.next_serial = max([next_serial, *(n + 1 for n in used if n is not None)])

    def _save(self) -> None:
        raw = {
            "format": STATE_FORMAT,
            "next_serial": self.next_serial,
            "dropped_discontinuities": self.dropped_discontinuities,
            "segments": [
                {
                    "seq": s.sequence,
                    "n": s.number,
                    "start": s.start.isoformat(),
                    "disc": s.discontinuity,
                    "name": s.name,
                }
                for s in self.history
            ],
        }
        atomic.write_atomic(self.out_dir / STATE_NAME, json.dumps(raw).encode())

    def publish(self, number: int, data: bytes) -> Segment:
        """Write stream segment ``number`` and the playlist that lists it; drop expired files.

        A number that does not follow the previous one means the stream's time jumped (the
        process was down, or the wall clock was stepped, either way): the segment is marked
        EXT-X-DISCONTINUITY and still gets the next media sequence number, and the segments
        before it stay in the playlist, so the window keeps its length and every segment
        keeps the media sequence number it was first listed with.
        """
        last = self.history[-1] if self.history else None
        seg = Segment(
            last.sequence + 1 if last else self.next_serial,
            number,
            segment_start(number),
            last is not None and number != last.number + 1,
            segment_name(self.next_serial),
        )
        self.next_serial += 1
        self.history.append(seg)
        while len(self.history) > self.window + self.grace:
            self.dropped_discontinuities += self.history.pop(0).discontinuity
        self._save()  # first, so that the name is spent even if the process dies right here
        # The segment and the playlist are put in place atomically but not flushed to disk:
        # a county's channels all publish at the same instant, and ten fsyncs per channel
        # queued behind each other made the last channels seconds late (bench/channels_bench).
        # What must survive a power cut is the state just saved (names are never reused);
        # a segment lost in one is dropped at the restart (_restore), and the playlist is
        # written again with the next segment.
        write_unflushed(self.out_dir / seg.name, data)
        write_unflushed(
            self.out_dir / PLAYLIST_NAME,
            render_playlist(self.segments, self.discontinuity_sequence).encode(),
        )
        self._delete_expired()
        return seg

    def _delete_expired(self) -> None:
        """Remove segment files older than every segment still kept (and crash orphans)."""
        kept = [n for s in self.history if (n := _serial(s.name)) is not None]
        if not kept:
            return
        for path in self.out_dir.glob("seg-*.ts"):
            serial = _serial(path.name)
            if serial is not None and serial < min(kept):
                path.unlink(missing_ok=True)
