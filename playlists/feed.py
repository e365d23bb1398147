"""The continuous stream: cached units repeated with timestamps that never jump.

Stream time is a pure function of wall-clock time. Unit ``u`` is the 0.64 s that starts
at ``STREAM_EPOCH + u x 0.64 s``; its first video frame has PTS ``u x 57600`` (mod 2**33)
and its audio comes from bed frames ``30u ... 30u + 29`` (mod the bed's length). So video
frame n always sits at ``n x 3600`` and audio frame m at ``m x 1920``: pages, loop restarts,
plan changes and even a process restart keep the same grid and cannot drift.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from playlists import ts
from playlists.clock import REAL, Clock
from playlists.elementary import split_adts, split_h264, split_mpeg2
from playlists.muxer import TsMuxer
from renderer.timing import TICKS_PER_UNIT, UNIT_AAC_FRAMES, UNIT_FRAMES

STREAM_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)  # unit 0 of every channel's stream
UNIT_DURATION = timedelta(milliseconds=640)
UNIT_CACHE_BYTES = 48 * 1024 * 1024  # parsed units kept in memory: well inside 150 MB RSS


class UnitError(ValueError):
    """A unit file that is missing, unreadable or not a proper 16-picture closed GOP."""


def unit_index_at(now: datetime) -> int:
    """Index of the unit on air at ``now`` (timezone-aware)."""
    return (now - STREAM_EPOCH) // UNIT_DURATION


def unit_start(index: int) -> datetime:
    """Wall-clock instant at which unit ``index`` starts."""
    return STREAM_EPOCH + index * UNIT_DURATION


def unit_pts(index: int) -> int:
    """PTS of the first video frame (and first audio frame) of unit ``index``."""
    return (index * TICKS_PER_UNIT) % ts.TS_WRAP


@dataclass(frozen=True)
class LoadedUnit:
    """A unit file split into its 16 pictures, ready to mux any number of times."""

    path: Path
    stream_type: int
    pictures: tuple[bytes, ...]
    header: bytes  # SPS (H.264) or sequence header (MPEG-2): must match across the channel

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.pictures)


def _header(first: bytes, stream_type: int) -> bytes:
    """The bytes that fix the video format, taken from the first picture."""
    marker = b"\x00\x00\x01\x67" if stream_type == ts.STREAM_TYPE_H264 else b"\x00\x00\x01\xb3"
    start = first.find(marker)
    if start < 0:
        return b""
    end_marker = b"\x00\x00\x01\x68" if stream_type == ts.STREAM_TYPE_H264 else b"\x00\x00\x01\xb8"
    end = first.find(end_marker, start + 4)
    return first[start : end if end > 0 else start + 64].rstrip(b"\x00")


def load_unit(path: Path, stream_type: int) -> LoadedUnit:
    """Read and check a unit: 16 pictures, the first one intra with the format headers."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnitError(f"cannot read unit {path}: {exc}") from exc
    h264 = stream_type == ts.STREAM_TYPE_H264
    pictures = split_h264(data) if h264 else split_mpeg2(data)
    if len(pictures) != UNIT_FRAMES:
        raise UnitError(f"{path}: {len(pictures)} pictures, want {UNIT_FRAMES}")
    first = pictures[0]
    intra = b"\x00\x00\x01\x65" in first or b"\x00\x00\x01\x25" in first if h264 else True
    header = _header(first, stream_type)
    if not intra or not header:
        raise UnitError(f"{path}: does not open with an intra picture and its headers")
    return LoadedUnit(path, stream_type, tuple(pictures), header)


@dataclass
class UnitCache:
    """Parsed units by path, validated once, evicted least-recently-used past a byte budget."""

    stream_type: int
    budget: int = UNIT_CACHE_BYTES
    _units: OrderedDict[tuple[Path, int, int], LoadedUnit] = field(default_factory=OrderedDict)

    def get(self, path: Path) -> LoadedUnit:
        """The parsed unit at ``path`` (re-read if the file changed); raises UnitError."""
        try:
            st = path.stat()
        except OSError as exc:
            raise UnitError(f"unit missing: {path}") from exc
        key = (path, st.st_mtime_ns, st.st_size)
        if key in self._units:
            self._units.move_to_end(key)
            return self._units[key]
        unit = load_unit(path, self.stream_type)
        self._units[key] = unit
        while sum(u.size for u in self._units.values()) > self.budget and len(self._units) > 1:
            self._units.popitem(last=False)
        return unit


def _adts_loop(path: Path) -> tuple[bytes, ...]:
    frames = split_adts(path.read_bytes())
    if len(frames) % UNIT_AAC_FRAMES:
        frames = frames * UNIT_AAC_FRAMES  # a single steady frame, e.g. silence
    return tuple(frames)


@dataclass(frozen=True)
class AudioBed:
    """The audio under every page: ADTS frames looped, a whole number of units long.

    ``duck_down``/``duck_up`` (same length, same phase) crossfade the bed into the drone a
    narrated page's track is mixed over, and back; ``drone`` is one unit of that drone alone
    (see ``renderer.audio``). A bed without them (silence, a music file) ducks by cutting
    straight to the track.
    """

    frames: tuple[bytes, ...]
    duck_down: tuple[bytes, ...] = ()
    duck_up: tuple[bytes, ...] = ()
    drone: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if not self.frames or len(self.frames) % UNIT_AAC_FRAMES:
            raise ValueError(f"bed must be a non-empty multiple of {UNIT_AAC_FRAMES} frames")
        for loop in (self.duck_down, self.duck_up):
            if loop and len(loop) != len(self.frames):
                raise ValueError("duck loops must be as long as the bed")

    @classmethod
    def from_file(cls, path: Path, duck_down: Path | None = None,
                  duck_up: Path | None = None, drone: Path | None = None) -> AudioBed:  # fmt: skip
        """Load a bed written by ``renderer.encode`` or ``renderer.audio`` (one frame of
        silence, or a loop), with its duck loops and drone if it has them."""
        return cls(
            _adts_loop(path),
            _adts_loop(duck_down) if duck_down else (),
            _adts_loop(duck_up) if duck_up else (),
            _adts_loop(drone) if drone else (),
        )

    @staticmethod
    def _unit(loop: tuple[bytes, ...], index: int) -> tuple[bytes, ...]:
        start = (index * UNIT_AAC_FRAMES) % len(loop)
        return loop[start : start + UNIT_AAC_FRAMES]

    def for_unit(self, index: int) -> tuple[bytes, ...]:
        """The 30 frames that play under unit ``index``."""
        return self._unit(self.frames, index)

    def ducking(self, index: int) -> tuple[bytes, ...]:
        """Unit ``index`` of the bed going down into the drone."""
        return self._unit(self.duck_down or self.frames, index)

    def unducking(self, index: int) -> tuple[bytes, ...]:
        """Unit ``index`` of the drone coming back up into the bed."""
        return self._unit(self.duck_up or self.frames, index)

    def droning(self, index: int) -> tuple[bytes, ...]:
        """A unit of the drone alone: the bed stays ducked (a track cut short by a page)."""
        return self._unit(self.drone or self.frames, index)


@dataclass(frozen=True)
class PageTrack:
    """A narrated page's own audio (``renderer.audio``): K units of AAC frames that air on
    the page's units 1..K, between a unit of the bed ducking and one coming back up."""

    path: Path
    frames: tuple[bytes, ...]

    @property
    def units(self) -> int:
        return len(self.frames) // UNIT_AAC_FRAMES

    @classmethod
    def from_file(cls, path: Path) -> PageTrack:
        """Read a track; raises UnitError if it is unreadable or not whole units."""
        try:
            frames = split_adts(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise UnitError(f"page audio {path}: {exc}") from exc
        if not frames or len(frames) % UNIT_AAC_FRAMES:
            raise UnitError(f"page audio {path}: {len(frames)} frames, not whole units")
        return cls(path, tuple(frames))

    def audio_for(
        self, bed: AudioBed, page_unit: int, index: int, ducked: bool = False
    ) -> tuple[tuple[bytes, ...], bool]:
        """The frames under the page's unit ``page_unit`` (0-based), on air as ``index``,
        and whether the bed is ducked after them. ``ducked``: the page before was cut
        while the bed was down (an alert), so there is nothing to duck."""
        if page_unit == 0:
            return (bed.droning(index) if ducked else bed.ducking(index)), True
        if page_unit <= self.units:
            start = (page_unit - 1) * UNIT_AAC_FRAMES
            return self.frames[start : start + UNIT_AAC_FRAMES], True
        if page_unit == self.units + 1:
            return bed.unducking(index), False
        return bed.for_unit(index), False


@dataclass(frozen=True)
class FeedState:
    """What a restarted feed needs to carry on: the next unit and the continuity counters."""

    next_unit: int
    continuity: dict[int, int]

    def to_json(self) -> dict[str, object]:
        return {
            "next_unit": self.next_unit,
            "continuity": {str(k): v for k, v in self.continuity.items()},
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> FeedState:
        cc = raw.get("continuity") or {}
        assert isinstance(cc, dict)
        return cls(int(raw["next_unit"]), {int(k): int(v) & 0x0F for k, v in cc.items()})

    @classmethod
    def at(cls, now: datetime) -> FeedState:
        """A fresh stream whose next unit is the one on air at ``now``."""
        return cls(unit_index_at(now), {})


class ContinuousFeed:
    """Muxes units one after another on the wall-clock grid, from a given state."""

    def __init__(
        self, stream_type: int, bed: AudioBed, state: FeedState, discontinuity: bool = False
    ) -> None:
        """``discontinuity``: ``state`` does not follow the stream sent before (a restart
        after an outage), which the first unit announces."""
        self.stream_type = stream_type
        self.bed = bed
        self.next_unit = state.next_unit
        self._muxer = TsMuxer(stream_type, state.continuity)
        self._jumped = discontinuity
        self._ducked = False  # the last unit left the bed down under a narration

    @property
    def state(self) -> FeedState:
        return FeedState(self.next_unit, self._muxer.continuity)

    def jump_to(self, unit: int) -> None:
        """Carry on at ``unit`` instead of the next one (after an outage or a clock step).

        Continuity counters run on; the next unit carries the TS discontinuity indicator.
        """
        if unit != self.next_unit:
            self.next_unit, self._jumped = unit, True

    def emit(
        self, unit: LoadedUnit, repeats: int, track: PageTrack | None = None
    ) -> Iterator[tuple[int, bytes]]:
        """Yield ``(unit index, TS bytes)`` for ``repeats`` airings of ``unit``: one page.

        Its sound is the bed, or with a ``track`` the page's narration (ducking in and out).
        """
        if unit.stream_type != self.stream_type:
            raise UnitError(f"{unit.path}: stream type {unit.stream_type:#x} on this channel")
        for page_unit in range(repeats):
            index = self.next_unit
            if track:
                audio, ducked = track.audio_for(self.bed, page_unit, index, self._ducked)
            elif self._ducked and page_unit == 0:  # a narration was cut: bring the bed back
                audio, ducked = self.bed.unducking(index), False
            else:
                audio, ducked = self.bed.for_unit(index), False
            self._ducked = ducked
            data = self._muxer.mux_unit(unit.pictures, audio, unit_pts(index), self._jumped)
            self.next_unit, self._jumped = index + 1, False
            yield index, data

    def emit_clip(
        self, units: Iterable[LoadedUnit], sound: tuple[bytes, ...] = ()
    ) -> Iterator[tuple[int, bytes]]:
        """Yield ``(unit index, TS bytes)`` for a clip: each of ``units`` once, in order,
        over the clip's own ``sound`` (30 AAC frames a unit; the bed where it runs out)."""
        for clip_unit, unit in enumerate(units):
            if unit.stream_type != self.stream_type:
                raise UnitError(f"{unit.path}: stream type {unit.stream_type:#x} on this channel")
            index = self.next_unit
            audio = sound[clip_unit * UNIT_AAC_FRAMES : (clip_unit + 1) * UNIT_AAC_FRAMES]
            if len(audio) != UNIT_AAC_FRAMES:
                audio = self.bed.for_unit(index)
            self._ducked = False  # the clip's sound replaced the bed outright
            data = self._muxer.mux_unit(unit.pictures, audio, unit_pts(index), self._jumped)
            self.next_unit, self._jumped = index + 1, False
            yield index, data


def clip_sound(path: Path, units: int) -> tuple[bytes, ...]:
    """A clip's sound track, ``units`` x 30 AAC frames; raises UnitError if it is not."""
    try:
        frames = tuple(split_adts(path.read_bytes()))
    except (OSError, ValueError) as exc:
        raise UnitError(f"clip sound {path}: {exc}") from exc
    if len(frames) != units * UNIT_AAC_FRAMES:
        raise UnitError(f"clip sound {path}: {len(frames)} frames, want {units * UNIT_AAC_FRAMES}")
    return frames


# --- clocks ------------------------------------------------------------------------------

# Within this, the wall clock and the playout's clock are taken to agree. NTP slews small
# errors (both clocks then run at the same rate); a step larger than this is a real jump of
# the wall clock, which playout follows (see ``SystemClock.check_step``).
CLOCK_STEP_TOLERANCE_S = 1.0


class PlayoutClock(Protocol):
    """Where playout gets ``now`` and waits; injectable so tests can run faster than life.

    The real one (:class:`SystemClock`) reads the one clock of playlists.clock; the others
    here are test clocks that run faster than life.
    """

    def now(self) -> datetime: ...

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        """Wait until ``when``; False if ``stop`` was set first."""
        ...

    def check_step(self) -> timedelta:
        """How far the wall clock jumped since last asked (zero if it did not); the clock
        then follows it."""
        ...


class SystemClock:
    """UTC wall time that runs on the monotonic clock, so a wall-clock step cannot stall it.

    ``now()`` is the wall clock read at an anchor plus the monotonic time since, and waits
    are monotonic: however the wall clock is stepped (NTP, an operator, a bad RTC at boot),
    a wait ends when its time has really passed. The wall clock is consulted only by
    :meth:`check_step`, which playout calls once per segment: a step beyond the tolerance
    re-anchors the clock, in either direction, and playout turns it into a discontinuity.
    Following a step back too (instead of running ahead of the wall clock for good) keeps
    the stream's time the time that alerts' validity, dayparts and the as-run log are
    written in. Both readings come from ``clock`` (the one clock, playlists.clock); ``wall``
    and ``monotonic`` (seconds) replace them in tests.
    """

    def __init__(
        self,
        wall: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        tolerance_s: float = CLOCK_STEP_TOLERANCE_S,
        clock: Clock = REAL,
    ) -> None:
        self._wall = wall or (lambda: clock.now().timestamp())
        self._monotonic = monotonic or clock.monotonic
        self.tolerance_s = tolerance_s
        self._anchor_wall, self._anchor_mono = self._wall(), self._monotonic()

    def _seconds(self) -> float:
        return self._anchor_wall + self._monotonic() - self._anchor_mono

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._seconds(), UTC)

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        while not stop.is_set():
            left = when.timestamp() - self._seconds()
            if left <= 0:
                return True
            stop.wait(min(left, 1.0))  # Event.wait runs on the monotonic clock
        return False

    def check_step(self) -> timedelta:
        wall, mono = self._wall(), self._monotonic()
        step = wall - (self._anchor_wall + mono - self._anchor_mono)
        if abs(step) <= self.tolerance_s:
            return timedelta(0)
        self._anchor_wall, self._anchor_mono = wall, mono
        return timedelta(seconds=step)


class ScaledClock(SystemClock):
    """Wall time from ``start`` running ``speed`` times faster than real time (tests)."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start, self.speed, self._t0 = start, speed, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        while not stop.is_set():
            left = (when - self.now()).total_seconds()
            if left <= 0:
                return True
            stop.wait(min(left / self.speed, 1.0))
        return False

    def check_step(self) -> timedelta:
        return timedelta(0)


class VirtualClock:
    """Time that only moves when waited on: generates a day of stream as fast as it can."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        self.current = max(self.current, when)
        return not stop.is_set()

    def check_step(self) -> timedelta:
        return timedelta(0)
