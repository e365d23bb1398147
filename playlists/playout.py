"""The per-channel playout process: pick pages, air their units, publish HLS and UDP.

One loop per channel. Every 3.84 s it builds the next segment from cached units (no
encoding) two seconds before it airs, hands it to the UDP relay, waits for the segment's start,
publishes it to HLS and writes a heartbeat. Waits run on the monotonic clock; a step of the
wall clock either way is followed at the next segment, as a discontinuity if it is large
(see ``Playout.follow_clock``), so it can neither silence the channel nor leave it off time.
Pages are chosen by an injected ``next_page`` (the timeline) at page boundaries, with the plan
re-read whenever its file changes; a public alert in a new plan cuts the current page at the
next unit.
Nothing here may stall the channel: a broken unit airs the filler, a broken filler airs a
black slate, a broken plan keeps the last good one, a dead UDP relay is restarted.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from playlists.coming import HOLD_UNITS, awaited, coming_path, load_coming
from playlists.feed import (
    AudioBed,
    ContinuousFeed,
    FeedState,
    LoadedUnit,
    PageTrack,
    PlayoutClock,
    SystemClock,
    UnitCache,
    UnitError,
    clip_sound,
    load_unit,
    unit_index_at,
    unit_start,
)
from playlists.hls import SEGMENT_SECONDS, SEGMENT_UNITS, HlsWriter, segment_of_unit, segment_start
from playlists.lineup import lineup_path
from playlists.lineup_keeper import LineupKeeper
from playlists.plan import ChannelPlan, PlanError, PlannedPage, load_plan
from playlists.playstate import PlayState, PlayStateError
from playlists.timeline import Slot, fresh_ids, is_valid
from playlists.ts import STREAM_TYPE_H264, STREAM_TYPE_MPEG2
from playlists.udp import UdpRelay, UdpSettings
from renderer import atomic, audio, encode
from renderer.timing import UNIT_SECONDS, units_for

log = logging.getLogger(__name__)

STALL_SEGMENTS = 3  # the admin alarms when no segment was published for this long
PROVIDER_NAME = "villagecast"
# A segment is built this long before it airs: the UDP relay's buffer, and the most a plan
# change waits beyond the segment already built (so an alert airs within ~6 s).
BUILD_LEAD = timedelta(seconds=2)
MAX_TRACKS = 256  # page tracks kept parsed (~300 kB each): a plan's worth, well inside RSS
# A page is chosen when the segment it starts in is built, up to BUILD_LEAD + a segment before
# it airs. An item that reaches the plan in that gap (approved in the last seconds of the page
# then on screen) would wait a whole page more; instead the page just chosen steps aside for
# it, if that page has not aired longer than this and the item was ready before it began
# (+ STEP_ASIDE_LATE for the plan to reach playout). The page that was on screen at the
# approval is never cut; the one that stepped aside airs again whole, right after.
STEP_ASIDE_S = 6.4
STEP_ASIDE_LATE = timedelta(seconds=1)


@dataclass(frozen=True)
class AiredPage:
    """One page as it actually aired (reported once its last unit is published); the
    publisher keeps it as an as-run row (publisher.models.AsRunEntry)."""

    channel: str
    started_at: datetime  # UTC, on the 0.64 s grid
    duration_s: float  # what aired: shorter than planned when an alert cut in
    item_id: str
    version: int
    category: str
    title: str
    page_key: str
    page_no: int
    page_count: int
    interrupt: bool
    note: str = ""  # why it differs from the timeline's choice (filler for a bad unit, cut …)


# The timeline: ``playlists.timeline.next_slot`` (plan, page start, state) -> (slot, state).
NextPage = Callable[[ChannelPlan, datetime, PlayState], tuple[Slot, PlayState]]


class Playout:
    """One channel's playout state; :func:`run_channel` drives it."""

    def __init__(
        self,
        plan_path: Path,
        hls_dir: Path,
        status_dir: Path,
        cache_dir: Path,
        next_page: NextPage,
        on_air: Callable[[AiredPage], None],
        clock: PlayoutClock,
        enc: encode.EncodingProfile | None = None,
        music: Path | None = None,
        bed: AudioBed | None = None,
    ) -> None:
        self.plan_path = plan_path
        self.next_page = next_page
        self.on_air = on_air
        self.clock = clock
        self.plan, self._plan_mtime = load_plan(plan_path), plan_path.stat().st_mtime_ns
        self.enc = enc or encode.encoding_for_plan(self.plan.profile)
        h264 = self.enc.codec == "h264"
        self.cache = UnitCache(STREAM_TYPE_H264 if h264 else STREAM_TYPE_MPEG2)
        self.slate = self.cache.get(encode.ensure_slate_unit(cache_dir, self.enc))
        bed = bed or self._bed(cache_dir, music)
        self._tracks: dict[str, PageTrack | None] = {}  # page audio by path, for this plan
        # A channel's first segment is named after the wall-clock segment number: above any
        # name an earlier life of the channel used, even if its HLS folder was wiped.
        first_serial = segment_of_unit(unit_index_at(clock.now()))
        self.hls = HlsWriter(hls_dir / self.plan.slug, first_serial=first_serial)
        self.status_path = status_dir / f"{self.plan.slug}.json"
        self.state_path = status_dir / f"{self.plan.slug}.state.json"
        self.state = self._load_play_state()
        self._state_written = b""  # the play state as last written to state_path
        # The materialised lineup (guide and expected air times read it): rebuilt from the
        # page on air whenever what airs departs from it (see playlists.lineup).
        self.lineup = LineupKeeper(lineup_path(status_dir, self.plan.slug))
        self.coming_path = coming_path(plan_path)  # approvals still rendering (clock)
        # (units made up to the page's last unit, entry): sent once those units are published
        self._pending: list[tuple[int, AiredPage]] = []
        self._made = self._published = 0  # units muxed, units published, by this process
        self._jump_to: int | None = None  # the unit to carry on at after a clock step
        self._fillers = 0
        # The page on air was chosen at this wall time, from this play state and plan file.
        self._chosen: tuple[datetime, PlayState, int] | None = None
        self.published_count = 0  # segments published by this process (for the heartbeat)
        self.clock_steps = 0  # wall-clock steps followed by this process
        feed_state, jumped = self._resume()
        self.feed = ContinuousFeed(self.cache.stream_type, bed, feed_state, discontinuity=jumped)
        self.next_segment = segment_of_unit(feed_state.next_unit)

    def _bed(self, cache_dir: Path, music: Path | None) -> AudioBed:
        """A music file's loop, else the generated bed; digital silence if neither can be
        made (the channel must go on air regardless)."""
        kbps = self.enc.audio_kbps
        try:
            if music:
                return AudioBed.from_file(encode.ensure_music_bed(music, cache_dir, kbps))
            made = audio.ensure_bed(cache_dir, kbps)
            return AudioBed.from_file(made.bed, made.duck_down, made.duck_up, made.drone)
        except Exception:  # noqa: BLE001 - silence rather than no channel
            log.exception("%s: no music bed; airing silence", self.plan.slug)
            return AudioBed.from_file(encode.ensure_silence(cache_dir, kbps))

    def _track(self, page: PlannedPage) -> PageTrack | None:
        """The page's narration track, or None (the bed) when it has none or it is broken."""
        if not page.audio:
            return None
        if page.audio not in self._tracks:
            if len(self._tracks) > MAX_TRACKS:
                self._tracks.clear()
            try:
                self._tracks[page.audio] = PageTrack.from_file(Path(page.audio))
            except UnitError as exc:
                log.warning("%s: airing the bed: %s", self.plan.slug, exc)
                self._tracks[page.audio] = None
        return self._tracks[page.audio]

    def _clip_units(self, page: PlannedPage, first: LoadedUnit, count: int
                    ) -> Iterator[LoadedUnit]:  # fmt: skip
        """A clip's units in order (``first`` already read). Each is read as it airs and not
        kept (a clip airs once, and would push pages out of the cache); one that cannot be
        read airs as the black slate, and the clip goes on."""
        yield first
        for n in range(1, count):
            path = Path(page.clip) / f"{n:05d}.{self.enc.ext}"
            try:
                unit = load_unit(path, self.cache.stream_type)
                if unit.header != self.slate.header:
                    raise UnitError(f"{path}: video format differs from the channel's")
            except UnitError as exc:
                log.warning("%s: slate in a clip: %s", self.plan.slug, exc)
                unit = self.slate
            yield unit

    def _clip_sound(self, page: PlannedPage, count: int) -> tuple[bytes, ...]:
        """The clip's own sound, or nothing (the bed plays) if it cannot be read."""
        try:
            return clip_sound(Path(page.audio), count)
        except UnitError as exc:
            log.warning("%s: airing the bed under a clip: %s", self.plan.slug, exc)
            return ()

    def _load_play_state(self) -> PlayState:
        try:
            return PlayState.from_dict(json.loads(self.state_path.read_text("utf-8")))
        except (OSError, ValueError, PlayStateError):
            return PlayState()

    def _resume(self) -> tuple[FeedState, bool]:
        """Carry on seamlessly after a short restart, or join the wall clock after a long one
        or after the wall clock was stepped back; True with a state that jumps in time."""
        now_seg = segment_of_unit(unit_index_at(self.clock.now()))
        try:
            saved = FeedState.from_json(json.loads(self.status_path.read_text())["feed"])
        except (OSError, ValueError, KeyError, TypeError):
            saved = None
        last = self.hls.last_number
        following = last is not None and saved and saved.next_unit == (last + 1) * SEGMENT_UNITS
        # Seamless only if the next segment is the one on air now or the next one: waiting
        # for a later one would silence the channel (the wall clock went back meanwhile).
        if following and now_seg <= last + 1 <= now_seg + 1:
            return saved, False  # same timestamps and continuity counters: no discontinuity
        if last is not None and last > now_seg:
            log.warning("%s: the wall clock is %.0f s behind the last segment published; "
                        "carrying on at the wall clock", self.plan.slug,
                        (segment_start(last) - self.clock.now()).total_seconds())  # fmt: skip
        return FeedState(now_seg * SEGMENT_UNITS, saved.continuity if saved else {}), (
            last is not None
        )

    def _reload_plan(self) -> None:
        try:
            mtime = self.plan_path.stat().st_mtime_ns
        except OSError:
            return
        if mtime == self._plan_mtime:
            return
        self._plan_mtime = mtime
        try:
            self.plan = load_plan(self.plan_path)
        except PlanError as exc:
            log.error("%s: keeping the last good plan: %s", self.plan.slug, exc)

    def _load(self, page: PlannedPage) -> LoadedUnit:
        if not page.unit:
            raise UnitError(f"page {page.key} has no encoded unit")
        unit = self.cache.get(Path(page.unit))
        if unit.header != self.slate.header:
            raise UnitError(f"{page.unit}: video format differs from the channel's")
        return unit

    def _choose(self, when: datetime) -> tuple[Slot, LoadedUnit, str]:
        """The timeline's next page, or the filler, or the slate: never an exception."""
        slot: Slot | None = None
        try:
            slot, self.state = self.next_page(self.plan, when, self.state)
            return slot, self._load(slot.page), ""
        except Exception as exc:  # the timeline or a unit failed: the channel must go on
            note = f"replaced: {exc}"
            log.warning("%s: %s", self.plan.slug, note)
        seconds = slot.duration_s if slot else SEGMENT_SECONDS
        filler = self.plan.filler
        if filler and filler.pages:
            page = filler.pages[self._fillers % len(filler.pages)]
            self._fillers += 1
            try:
                unit = self._load(page)
                return (
                    Slot(filler.id, filler.version, filler.category, page, when, seconds, False),
                    unit,
                    note,
                )
            except UnitError as exc:
                note += f"; filler: {exc}"
        page = PlannedPage("slate-black", "", str(self.slate.path), seconds)
        return Slot("slate", 0, "ident", page, when, seconds, False), self.slate, note

    def _cut_short(self, slot: Slot) -> bool:
        """A public alert began, or the alert on air ended: stop the page at this unit."""
        self._reload_plan()
        when = unit_start(self.feed.next_unit)
        alerts = {i.id for i in self.plan.items if i.interrupt and i.pages and is_valid(i, when)}
        return slot.item_id not in alerts if slot.interrupt else bool(alerts)

    def _step_aside(self, slot: Slot, aired: int) -> bool:
        """Whether the page that just began gives way to an item that reached the plan after
        the page was chosen but before it began (see STEP_ASIDE_S). If so, the play state goes
        back to before the choice: the page is not counted as aired and airs again later."""
        if self._chosen is None or aired * UNIT_SECONDS > STEP_ASIDE_S or slot.interrupt:
            return False
        chosen_at, before, mtime = self._chosen
        if self._plan_mtime == mtime:  # _cut_short reloaded it just now
            return False
        when = unit_start(self.feed.next_unit)
        try:
            again, state = self.next_page(self.plan, when, before)
        except Exception:  # noqa: BLE001 - the page on air simply goes on
            return False
        if (again.item_id, again.version) == (slot.item_id, slot.version):
            return False
        item = next((i for i in self.plan.items if i.id == again.item_id), None)
        if item is None or not chosen_at < item.ready_at <= slot.start + STEP_ASIDE_LATE:
            return False
        if item.id not in fresh_ids(self.plan, before):  # news only, not a redrawn board
            return False
        self.state = before
        return True

    def _hold(self, slot: Slot, held: int) -> bool:
        """Keep the page that just ended on screen one unit more: an item approved a moment
        ago is still rendering and would otherwise wait a whole page (see playlists.coming)."""
        if held >= HOLD_UNITS or slot.interrupt or slot.page.clip or self._jump_to is not None:
            return False
        if self._cut_short(slot):  # reloads the plan; an alert does not wait
            return False
        when = unit_start(self.feed.next_unit)
        return bool(awaited(load_coming(self.coming_path), self.plan, when))

    def units(self) -> Iterator[bytes]:
        """The endless stream of muxed units, page after page."""
        while True:
            self._reload_plan()
            if self._jump_to is not None:
                self.feed.jump_to(self._jump_to)
                self._jump_to = None
            first = self.feed.next_unit
            self._chosen = (self.clock.now(), self.state, self._plan_mtime)
            slot, unit, note = self._choose(unit_start(first))
            self.lineup.chosen(slot, self.plan, self.state)
            planned, aired = units_for(slot.duration_s), 0
            if slot.page.clip and unit is not self.slate:  # a video: its units in order
                muxed = self.feed.emit_clip(self._clip_units(slot.page, unit, planned),
                                            self._clip_sound(slot.page, planned))  # fmt: skip
            else:  # a page: its unit again and again
                track = self._track(slot.page) if unit is not self.slate else None
                muxed = self.feed.emit(unit, planned, track)
            for _, data in muxed:
                aired += 1
                self._made += 1
                yield data
                if aired < planned and self._jump_to is not None:
                    note = (note + "; " if note else "") + "cut short by a clock step"
                    break
                if aired < planned and self._cut_short(slot):
                    note = (note + "; " if note else "") + "cut short by an alert"
                    break
                if aired < planned and self._step_aside(slot, aired):
                    note = (note + "; " if note else "") + "stepped aside for a new item"
                    break
            held = 0
            while aired == planned + held and self._hold(slot, held):
                for _, data in self.feed.emit(unit, 1):  # the page stays; the bed plays on
                    aired += 1
                    self._made += 1
                    yield data
                held += 1
            if held:
                note = (note + "; " if note else "") + f"held {held * UNIT_SECONDS:.2f} s"
            item = next((i for i in self.plan.items if i.id == slot.item_id), None)
            entry = AiredPage(
                self.plan.slug,
                unit_start(first),
                round(aired * UNIT_SECONDS, 2),
                slot.item_id,
                slot.version,
                slot.category,
                item.title if item else "",
                slot.page.key,
                slot.page.page_no,
                slot.page.page_count,
                slot.interrupt,
                note,
            )
            self._pending.append((self._made, entry))

    def follow_clock(self, step: timedelta) -> None:
        """The wall clock was stepped by ``step``: rejoin it unless the stream can absorb it.

        A step of less than a segment either way is absorbed: the next segment goes out a
        little early or late, with no jump in the stream. A larger one moves the stream to
        the segment on air now, at once, which the playlist marks as a discontinuity. Either
        way no wait grows: the clock paces on monotonic time.
        """
        if not step:
            return
        self.clock_steps += 1
        now = self.clock.now()
        ahead = segment_start(self.next_segment) - now  # normally BUILD_LEAD
        absorb = timedelta(seconds=SEGMENT_SECONDS)
        jump = not -absorb <= ahead <= BUILD_LEAD + absorb
        log.warning("%s: wall clock stepped %+.1f s%s", self.plan.slug, step.total_seconds(),
                    "; the stream rejoins it" if jump else "")  # fmt: skip
        if jump:
            self.next_segment = segment_of_unit(unit_index_at(now))
            self._jump_to = self.next_segment * SEGMENT_UNITS

    def report_aired(self) -> None:
        """Count a published segment; send as-run entries for pages now wholly published."""
        self._published += SEGMENT_UNITS
        self.published_count += 1
        done = [e for u, e in self._pending if u <= self._published]
        self._pending = [(u, e) for u, e in self._pending if u > self._published]
        for entry in done:
            try:
                self.on_air(entry)
            except Exception:
                log.exception("%s: as-run callback failed", self.plan.slug)

    def write_status(self, segment: int, relay: UdpRelay | None) -> None:
        """The heartbeat (what the admin's alarm reads) and the timeline's play state."""
        status = {
            "channel": self.plan.slug,
            "last_segment_at": self.clock.now().isoformat(),
            "segment_s": SEGMENT_SECONDS,
            "stall_after_s": STALL_SEGMENTS * SEGMENT_SECONDS,
            "last_segment": segment,
            "last_segment_start": segment_start(segment).isoformat(),
            "udp": _udp_health(relay),
            "feed": self.feed.state.to_json(),
            # Independent of any clock: a player's view of progress. The media sequence
            # number never repeats; published_count counts this process's segments.
            "media_sequence": self.hls.segments[-1].sequence if self.hls.segments else None,
            "discontinuity_sequence": self.hls.discontinuity_sequence,
            "published_count": self.published_count,
            "clock_steps": self.clock_steps,
        }
        # Rewritten every segment and read for a quick resume: not flushed (like a heartbeat;
        # a county's channels all write it at one instant, and fsyncs queue behind each other).
        atomic.write_atomic(self.status_path, json.dumps(status).encode(), durable=False)
        state = json.dumps(self.state.to_dict()).encode()
        if state != self._state_written:  # it changes once a page, not once a segment
            atomic.write_atomic(self.state_path, state)
            self._state_written = state
        self.lineup.write()

def _udp_health(relay: UdpRelay | None) -> dict[str, object]:
    return relay.health() if relay else {"state": "off"}


def run_channel(
    plan_path: Path,
    hls_dir: Path,
    udp: str | UdpRelay | None,
    cache_dir: Path,
    next_page: NextPage,
    on_air: Callable[[AiredPage], None],
    stop: threading.Event,
    clock: PlayoutClock | None = None,
    *,
    enc: encode.EncodingProfile | None = None,
    status_dir: Path | None = None,
    music: Path | None = None,
    bed: AudioBed | None = None,
    provider_name: str = PROVIDER_NAME,
    fence: Callable[[], bool] | None = None,
) -> None:
    """Air one channel until ``stop`` is set. Blocks; run one per channel.

    HLS goes to ``hls_dir/<slug>/``; the heartbeat ``<slug>.json`` and the timeline's
    ``<slug>.state.json`` to ``status_dir`` (default: the channel's HLS folder). ``enc``
    defaults to the plan's profile (see ``renderer.encode.encoding_for_plan``). ``fence``,
    asked before each segment goes out by UDP and again before it is published, returns
    whether this process may still write the channel's output; once it says no, the feed
    stops at once, writing nothing more (another node holds the channel, publisher.leases).
    """
    clock = clock or SystemClock()
    plan = load_plan(plan_path)
    status_dir = status_dir or hls_dir / plan.slug
    playout = Playout(
        plan_path, hls_dir, status_dir, cache_dir, next_page, on_air, clock, enc, music, bed
    )
    # A relay passed in belongs to the caller (it outlives this feed and takes new
    # settings live); a URL gets a relay of our own at the profile's default rate.
    relay = udp if isinstance(udp, UdpRelay) else None
    if isinstance(udp, str) and udp:
        settings = UdpSettings.for_profile(udp, playout.enc, plan.name, provider_name)
        relay = UdpRelay(settings).start()
    units = playout.units()
    try:
        while not stop.is_set():
            if not clock.sleep_until(segment_start(playout.next_segment) - BUILD_LEAD, stop):
                break
            playout.follow_clock(clock.check_step())  # may move the stream to the wall clock
            n = playout.next_segment
            data = b"".join(next(units) for _ in range(SEGMENT_UNITS))
            if fence and not fence():
                break
            if relay:
                relay.send(n * SEGMENT_UNITS, data)  # ahead: the relay paces its sender
            if not clock.sleep_until(segment_start(n), stop):
                break
            if fence and not fence():
                break
            playout.hls.publish(n, data)
            playout.report_aired()
            playout.write_status(n, relay)
            playout.next_segment = n + 1
    finally:
        if relay and relay is not udp:
            relay.stop()
