"""The per-channel playout process: pick pages, air their units, publish HLS and UDP.

One loop per channel. Every 3.84 s it builds the next segment from cached units (no
encoding), hands it to the UDP relay a segment early, waits for the wall clock to reach
the segment's start, publishes it to HLS and writes a heartbeat. Pages are chosen by an
injected ``next_page`` (the timeline) at page boundaries, with the plan re-read whenever
its file changes; a public alert in a new plan cuts the current page at the next unit.
Nothing here may stall the channel: a broken unit airs the filler, a broken filler airs a
black slate, a broken plan keeps the last good one, a dead UDP relay is restarted.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from playlists.feed import (
    AudioBed,
    Clock,
    ContinuousFeed,
    FeedState,
    LoadedUnit,
    SystemClock,
    UnitCache,
    UnitError,
    unit_index_at,
    unit_start,
)
from playlists.hls import SEGMENT_SECONDS, SEGMENT_UNITS, HlsWriter, segment_of_unit, segment_start
from playlists.plan import ChannelPlan, PlanError, PlannedItem, PlannedPage, load_plan, write_atomic
from playlists.ts import STREAM_TYPE_H264, STREAM_TYPE_MPEG2
from playlists.udp import UdpRelay
from renderer import encode
from renderer.timing import UNIT_SECONDS, units_for

log = logging.getLogger(__name__)

STALL_SEGMENTS = 3  # the admin alarms when no segment was published for this long
PROVIDER_NAME = "villagecast"


@dataclass(frozen=True)
class AsRunEntry:
    """One page as it actually aired (reported once its last unit is published)."""

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
        cache_dir: Path,
        next_page: NextPage,
        on_air: Callable[[AsRunEntry], None],
        clock: Clock,
        music: Path | None = None,
    ) -> None:
        self.plan_path, self.next_page, self.on_air, self.clock = (
            plan_path,
            next_page,
            on_air,
            clock,
        )
        self.plan, self._plan_mtime = load_plan(plan_path), plan_path.stat().st_mtime_ns
        self.enc = encode.PROFILES[self.plan.profile]
        h264 = self.enc.codec == "h264"
        self.cache = UnitCache(STREAM_TYPE_H264 if h264 else STREAM_TYPE_MPEG2)
        self.slate = self.cache.get(encode.ensure_slate_unit(cache_dir, self.enc))
        bed = (
            encode.ensure_music_bed(music, cache_dir, self.enc.audio_kbps)
            if music
            else encode.ensure_silence(cache_dir, self.enc.audio_kbps)
        )
        self.out_dir = hls_dir / self.plan.slug
        self.hls = HlsWriter(self.out_dir)
        self.history: list[AsRunEntry] = []
        self._pending: list[tuple[int, AsRunEntry]] = []  # (last unit, entry) not yet aired
        self._fillers = 0
        state = self._resume()
        self.feed = ContinuousFeed(self.cache.stream_type, AudioBed.from_file(bed), state)
        self.next_segment = segment_of_unit(state.next_unit)

    def _resume(self) -> FeedState:
        """Carry on seamlessly after a short restart, or join the wall clock after a long one."""
        now_seg = segment_of_unit(unit_index_at(self.clock.now()))
        try:
            status = json.loads((self.out_dir / STATUS_NAME).read_text())
            self.history = [AsRunEntry.from_json(e) for e in status["history"]]
            saved = FeedState.from_json(status["feed"])
        except (OSError, ValueError, KeyError, TypeError):
            saved = None
        last = self.hls.last_number
        if saved and last is not None and saved.next_unit == (last + 1) * SEGMENT_UNITS:
            if last + 1 >= now_seg:
                return saved
        return FeedState(now_seg * SEGMENT_UNITS, saved.continuity if saved else {})

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

    def _load(self, slot: Slot) -> LoadedUnit:
        unit = self.cache.get(Path(slot.page.unit))
        if unit.header != self.slate.header:
            raise UnitError(f"{slot.page.unit}: video format differs from the channel's")
        return unit

    def _choose(self) -> tuple[Slot, LoadedUnit, str]:
        """The timeline's next page, or the filler, or the slate: never an exception."""
        state = PlayState(self.plan.slug, tuple(self.history), self.feed.next_unit)
        slot: Slot | None = None
        try:
            slot = self.next_page(self.plan, unit_start(self.feed.next_unit), state)
            return slot, self._load(slot), ""
        except Exception as exc:  # the timeline or a unit failed: the channel must go on
            note = f"replaced: {exc}"
            log.warning("%s: %s", self.plan.slug, note)
        units = max(1, slot.units) if slot else units_for(SEGMENT_SECONDS)
        filler = self.plan.filler
        if filler and filler.pages:
            page = filler.pages[self._fillers % len(filler.pages)]
            self._fillers += 1
            try:
                return Slot(filler, page, units), self._load(Slot(filler, page, units)), note
            except UnitError as exc:
                note += f"; filler: {exc}"
        page = PlannedPage("slate-black", "", str(self.slate.path), units * UNIT_SECONDS)
        item = PlannedItem("slate", 0, "ident", "slate", (page,), unit_start(0))
        return Slot(item, page, units), self.slate, note

    def _cut_short(self, slot: Slot) -> bool:
        """A public alert started, or the alert on air expired: end the page at this unit."""
        self._reload_plan()
        when = unit_start(self.feed.next_unit)
        alert = _alert_now(self.plan, when)
        if slot.item.interrupt:
            return alert is None or alert.id != slot.item.id
        return alert is not None

    def units(self) -> Iterator[bytes]:
        """The endless stream of muxed units, page after page."""
        while True:
            self._reload_plan()
            slot, unit, note = self._choose()
            first, aired = self.feed.next_unit, 0
            for _, data in self.feed.emit(unit, slot.units):
                aired += 1
                yield data
                if aired < slot.units and self._cut_short(slot):
                    note = (note + "; " if note else "") + "cut short by an alert"
                    break
            entry = AsRunEntry(
                self.plan.slug,
                unit_start(first),
                round(aired * UNIT_SECONDS, 2),
                slot.item.id,
                slot.item.version,
                slot.item.category,
                slot.page.key,
                slot.page.page_no,
                slot.page.page_count,
                note,
            )
            self.history = [*self.history[-HISTORY_LIMIT + 1 :], entry]
            self._pending.append((first + aired - 1, entry))

    def report_aired(self, segment: int) -> None:
        """Send as-run entries for pages whose last unit is now published."""
        last_unit = (segment + 1) * SEGMENT_UNITS - 1
        done = [e for u, e in self._pending if u <= last_unit]
        self._pending = [(u, e) for u, e in self._pending if u > last_unit]
        for entry in done:
            try:
                self.on_air(entry)
            except Exception:
                log.exception("%s: as-run callback failed", self.plan.slug)

    def write_status(self, segment: int, relay: UdpRelay | None) -> None:
        """The heartbeat: last segment, and what a restart needs to resume seamlessly."""
        status = {
            "channel": self.plan.slug,
            "published_at": self.clock.now().isoformat(),
            "last_segment": segment,
            "last_segment_start": segment_start(segment).isoformat(),
            "segment_seconds": SEGMENT_SECONDS,
            "stall_after_seconds": STALL_SEGMENTS * SEGMENT_SECONDS,
            "feed": self.feed.state.to_json(),
            "udp": {"pid": relay.pid, "starts": relay.starts, "dropped": relay.dropped}
            if relay
            else None,
            "history": [e.to_json() for e in self.history],
        }
        write_atomic(self.out_dir / STATUS_NAME, json.dumps(status, ensure_ascii=False).encode())


def run_channel(
    plan_path: Path,
    hls_dir: Path,
    udp_url: str | None,
    cache_dir: Path,
    next_page: NextPage,
    on_air: Callable[[AsRunEntry], None],
    stop: threading.Event,
    clock: Clock | None = None,
    *,
    music: Path | None = None,
    provider_name: str = PROVIDER_NAME,
) -> None:
    """Air one channel until ``stop`` is set. Blocks; run one per channel (process or thread)."""
    clock = clock or SystemClock()
    playout = Playout(plan_path, hls_dir, cache_dir, next_page, on_air, clock, music)
    relay = None
    if udp_url:
        relay = UdpRelay(udp_url, playout.enc.muxrate_bps, playout.plan.name, provider_name)
        relay.start()
    units = playout.units()
    try:
        while not stop.is_set():
            n = playout.next_segment
            data = b"".join(next(units) for _ in range(SEGMENT_UNITS))
            if relay:
                relay.send(data)  # a segment early: the relay paces itself with -re
            if not clock.sleep_until(segment_start(n), stop):
                break
            playout.hls.publish(n, data)
            playout.report_aired(n)
            playout.write_status(n, relay)
            playout.next_segment = n + 1
    finally:
        if relay:
            relay.stop()
