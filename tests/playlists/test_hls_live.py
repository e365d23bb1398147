"""The playout loop end to end: HLS on disk, as-run, failures, restarts, and a real player."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from playlists import ts
from playlists.feed import SystemClock, VirtualClock
from playlists.hls import (
    SEGMENT_SECONDS,
    SEGMENT_UNITS,
    WINDOW_SEGMENTS,
    http_headers,
    segment_start,
)
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import AiredPage, run_channel
from playlists.playstate import PlayState
from playlists.timeline import Slot, next_slot
from renderer import encode, ffmpeg

pytestmark = pytest.mark.ffmpeg
ENC = encode.PROFILES["720p"]
T0 = datetime(2026, 11, 22, 0, 0, 0, 320000, tzinfo=UTC)
READY = datetime(2026, 1, 1, tzinfo=UTC)


def make_item(root: Path, cache: Path, name: str, durations: tuple[float, ...],
              **extra: object) -> PlannedItem:  # fmt: skip
    pages = []
    for no, duration in enumerate(durations, 1):
        png = root / f"{name}-{no}.png"
        shade = (hash(name) % 200, 40 * no % 256, 120)
        img = Image.new("RGB", (ENC.width, ENC.height), shade)
        ImageDraw.Draw(img).text((60, 60), f"{name} {no}/{len(durations)}", fill="white")
        img.save(png)
        key = f"{name}-{no}".encode().hex()
        unit = encode.ensure_unit(png, key, cache, ENC)
        pages.append(PlannedPage(key, str(png), str(unit), duration, no, len(durations)))
    return PlannedItem(f"policy:{name}", 1, "policy", f"标题 {name}", tuple(pages), READY,
                       **extra)  # fmt: skip


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, PlannedItem]]:
    root = tmp_path_factory.mktemp("library")
    cache = root / "cache"
    items = {
        "a": make_item(root, cache, "a", (1.92, 2.56)),
        "b": make_item(root, cache, "b", (3.2,)),
        "c": make_item(root, cache, "c", (1.28, 1.92, 0.64)),
        "long": make_item(root, cache, "long", (12.8,)),
        "ident": make_item(root, cache, "ident", (2.56,)),
    }
    return cache, items


def write_plan(path: Path, items: list[PlannedItem], filler: PlannedItem) -> Path:
    plan = ChannelPlan("demo", "幸福乡村频道", "Asia/Shanghai", "720p", T0, tuple(items),
                       filler=filler)  # fmt: skip
    save_plan(plan, path)
    return path


class RoundRobin:
    """A stand-in timeline: every page of every item in plan order, forever."""

    def __init__(self) -> None:
        self.calls: list[tuple[ChannelPlan, datetime]] = []

    def __call__(
        self, plan: ChannelPlan, when: datetime, state: PlayState
    ) -> tuple[Slot, PlayState]:
        pages = [(i, p) for i in plan.items for p in i.pages]
        item, page = pages[len(self.calls) % len(pages)]
        self.calls.append((plan, when))
        slot = Slot(
            item.id, item.version, item.category, page, when, page.duration_s, item.interrupt
        )
        return slot, state


class UntilClock(VirtualClock):
    """Virtual time that stops the channel at ``end`` and can run actions at given times."""

    def __init__(self, start: datetime, end: datetime, stop: threading.Event,
                 actions: dict[datetime, object] | None = None, on_wait=None) -> None:  # fmt: skip
        super().__init__(start)
        self.end, self.stop, self.actions = end, stop, dict(actions or {})
        self.on_wait = on_wait

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        if self.on_wait:
            self.on_wait()
        for at in sorted(a for a in self.actions if a <= when):
            self.actions.pop(at)()
        if when >= self.end:
            self.stop.set()
        return super().sleep_until(when, stop)


def play(tmp: Path, cache: Path, plan: Path, start: datetime, seconds: float, next_page=None,
         actions=None, on_wait=None) -> list[AiredPage]:  # fmt: skip
    aired: list[AiredPage] = []
    stop = threading.Event()
    clock = UntilClock(start, start + timedelta(seconds=seconds), stop, actions, on_wait)
    run_channel(plan, tmp / "hls", None, cache, next_page or RoundRobin(), aired.append, stop,
                clock, status_dir=tmp / "status")  # fmt: skip
    return aired


def concatenated(hls_dir: Path) -> bytes:
    files = sorted(hls_dir.glob("seg-*.ts"), key=lambda p: int(p.name[4:-3]))
    return b"".join(p.read_bytes() for p in files)


@dataclass(frozen=True)
class Listed:
    """One look at a channel's HLS folder, as a player and a cache would see it."""

    media_sequence: int
    discontinuity_sequence: int
    entries: tuple[tuple[str, bool, datetime], ...]  # (name, discontinuity before, PDT)
    files: frozenset[str]


def look(out: Path) -> Listed | None:
    try:
        lines = (out / "index.m3u8").read_text().splitlines()
    except FileNotFoundError:
        return None
    tags = dict(line.partition(":")[::2] for line in lines if line.startswith("#EXT-X-"))
    entries, disc, pdt = [], False, None
    for line in lines:
        if line == "#EXT-X-DISCONTINUITY":
            disc = True
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pdt = datetime.fromisoformat(line.split(":", 1)[1].replace("Z", "+00:00"))
        elif line.endswith(".ts"):
            entries.append((line, disc, pdt))
            disc = False
    return Listed(int(tags["#EXT-X-MEDIA-SEQUENCE"]),
                  int(tags.get("#EXT-X-DISCONTINUITY-SEQUENCE", 0)), tuple(entries),
                  frozenset(p.name for p in out.glob("seg-*.ts")))  # fmt: skip


def check_history(looks: list[Listed], window: int = WINDOW_SEGMENTS) -> None:
    """RFC 8216 over every look a player could have taken, in order.

    A segment keeps its media sequence number and discontinuity sequence number for good, a
    number names one segment only, the window stays full once it was, everything listed
    can be downloaded, and a segment that left stays downloadable for the playlist's
    duration plus one segment (counted in segments published since, which real time paces).
    """
    msn_of: dict[str, int] = {}
    name_of: dict[int, str] = {}
    dsn_of: dict[str, int] = {}
    full = False
    for seen in looks:
        full = full or len(seen.entries) == window
        assert len(seen.entries) == (window if full else len(seen.entries)) <= window
        dsn = seen.discontinuity_sequence
        for position, (name, disc, _) in enumerate(seen.entries):
            msn, dsn = seen.media_sequence + position, dsn + disc
            assert msn_of.setdefault(name, msn) == msn, name
            assert name_of.setdefault(msn, name) == name, msn
            assert dsn_of.setdefault(name, dsn) == dsn, name
            assert name in seen.files, name
        newest = seen.media_sequence + len(seen.entries) - 1
        must_keep = {n for n, m in msn_of.items() if newest - m < 2 * window + 1}
        assert must_keep <= seen.files, sorted(must_keep - seen.files)
    assert sorted(name_of) == list(range(min(name_of), max(name_of) + 1))


def test_hls_is_one_continuous_stream_across_pages(tmp_path: Path, library) -> None:
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["a"], items["b"], items["c"]], items["ident"])
    aired = play(tmp_path, cache, plan, T0, 40)
    out = tmp_path / "hls" / "demo"
    playlist = (out / "index.m3u8").read_text()
    assert "#EXT-X-TARGETDURATION:4" in playlist and "DISCONTINUITY" not in playlist
    stream = concatenated(out)
    (out / "all.ts").write_bytes(stream)
    info = ffmpeg.probe(out / "all.ts", packets=True)
    video, audio = info["streams"]
    assert (video["codec_name"], video["pix_fmt"], video["r_frame_rate"]) == ("h264", "yuv420p",
                                                                               "25/1")  # fmt: skip
    assert (video["color_space"], video["color_primaries"], video["color_range"]) == (
        "bt709", "bt709", "tv",
    )  # fmt: skip
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    for index, step in ((0, 3600), (1, 1920)):
        pts = [p["pts"] for p in info["packets"] if p["stream_index"] == index]
        assert {b - a for a, b in zip(pts, pts[1:], strict=False)} == {step}
    assert set(ts.continuity_errors(stream).values()) == {0}
    # As-run: back to back on the grid, round robin through the six pages.
    keys = [p.key for i in ("a", "b", "c") for p in items[i].pages]
    assert [e.page_key for e in aired] == [keys[n % 6] for n in range(len(aired))]
    for prev, cur in zip(aired, aired[1:], strict=False):
        assert cur.started_at == prev.started_at + timedelta(seconds=prev.duration_s)
    assert aired[0].title == "标题 a" and aired[0].page_count == 2 and not aired[0].note
    status = json.loads((tmp_path / "status" / "demo.json").read_text())
    assert status["segment_s"] == 3.84 and status["udp"] in ("off", {"state": "off"})
    assert status["published_count"] == len(list(out.glob("seg-*.ts"))) > 0
    assert status["media_sequence"] == status["last_segment"] and status["clock_steps"] == 0
    assert PlayState.from_dict(json.loads((tmp_path / "status" / "demo.state.json").read_text()))


def test_broken_units_air_the_filler_and_a_broken_plan_keeps_the_last_good(
    tmp_path: Path, library
) -> None:
    cache, items = library
    missing = replace(items["b"], pages=(replace(items["b"].pages[0], unit=str(tmp_path / "x")),))
    corrupt_file = tmp_path / "corrupt.h264"
    corrupt_file.write_bytes(Path(items["a"].pages[0].unit).read_bytes()[:3000])
    corrupt = replace(items["c"], pages=(replace(items["c"].pages[0], unit=str(corrupt_file)),))
    plan = write_plan(tmp_path / "plan.json", [items["a"], missing, corrupt], items["ident"])
    plan.write_bytes(plan.read_bytes())
    rr = RoundRobin()
    broken_at = T0 + timedelta(seconds=12)
    fixed_at = T0 + timedelta(seconds=24)
    actions = {
        broken_at: lambda: plan.write_text("{not json"),
        fixed_at: lambda: write_plan(plan, [items["b"]], items["ident"]),
    }
    aired = play(tmp_path, cache, plan, T0, 40, rr, actions)
    fillers = [e for e in aired if e.item_id == "policy:ident"]
    assert fillers and all(e.note.startswith("replaced:") for e in fillers)
    assert {e.duration_s for e in fillers} >= {3.2}  # the missing page's slot, kept on time
    plans = [(when, p.items[0].id, len(p.items)) for p, when in rr.calls]
    assert all(n == 3 for when, _, n in plans if when < fixed_at)  # the broken file was ignored
    assert plans[-1][1:] == ("policy:b", 1)  # the fixed plan was picked up
    assert set(ts.continuity_errors(concatenated(tmp_path / "hls" / "demo")).values()) == {0}


def test_an_alert_cuts_in_and_the_schedule_resumes_when_it_expires(tmp_path: Path, library) -> None:
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["long"]], items["ident"])
    alert_from = T0 + timedelta(seconds=20)
    until = alert_from + timedelta(seconds=10)
    alert = replace(items["b"], id="alert:1", category="alert", interrupt=True,
                    valid_from=alert_from, valid_until=until)  # fmt: skip
    actions = {alert_from - timedelta(seconds=4):
               lambda: write_plan(plan, [items["long"], alert], items["ident"])}  # fmt: skip
    aired = play(tmp_path, cache, plan, T0, 60, next_slot, actions)
    ids = [e.item_id for e in aired]
    first_alert = ids.index("alert:1")
    cut = aired[first_alert - 1]
    assert cut.item_id == "policy:long" and cut.duration_s < 12.8 and "cut short" in cut.note
    assert aired[first_alert].started_at - alert_from < timedelta(seconds=1)
    assert aired[first_alert].interrupt
    after = [e for e in aired[first_alert:] if e.item_id != "alert:1"]
    assert after[0].item_id == "policy:long" and after[0].started_at >= alert_from + timedelta(
        seconds=10
    )


def test_a_restart_resumes_the_same_stream(tmp_path: Path, library) -> None:
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["a"], items["c"]], items["ident"])
    play(tmp_path, cache, plan, T0, 20)
    out = tmp_path / "hls" / "demo"
    last = json.loads((tmp_path / "status" / "demo.json").read_text())["last_segment"]
    # Back within the same segment: the next segment follows seamlessly.
    play(tmp_path, cache, plan, segment_start(last) + timedelta(seconds=1), 15)
    playlist = (out / "index.m3u8").read_text()
    assert "DISCONTINUITY" not in playlist
    stream = concatenated(out)
    assert set(ts.continuity_errors(stream).values()) == {0}
    video = [t for pid, t in ts.pes_timestamps(stream) if pid == ts.VIDEO_PID]
    assert {b - a for a, b in zip(video, video[1:], strict=False)} == {3600}
    # Down for a minute: the wall clock wins, and the playlist says so.
    resumed_at = segment_start(last) + timedelta(seconds=80)
    play(tmp_path, cache, plan, resumed_at, 8)
    seen = look(out)
    assert [disc for _, disc, _ in seen.entries].count(True) == 1
    first_new = next(pdt for _, disc, pdt in seen.entries if disc)
    assert resumed_at - timedelta(seconds=SEGMENT_SECONDS) < first_new <= resumed_at
    assert len(seen.entries) == WINDOW_SEGMENTS  # the window is still full


def test_restarts_outages_and_a_clock_set_back_keep_the_playlist_whole(
    tmp_path: Path, library
) -> None:
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["a"], items["b"]], items["ident"])
    out = tmp_path / "hls" / "demo"
    looks: list[Listed] = []

    def record() -> None:
        if seen := look(out):
            looks.append(seen)

    def last_start() -> datetime:
        return look(out).entries[-1][2]

    play(tmp_path, cache, plan, T0, 50, on_wait=record)
    play(tmp_path, cache, plan, last_start() + timedelta(seconds=1), 20, on_wait=record)
    assert not any(disc for _, disc, _ in look(out).entries)  # a quick restart is seamless
    play(tmp_path, cache, plan, last_start() + timedelta(seconds=90), 40, on_wait=record)
    behind = last_start() - timedelta(hours=1)  # restarted with the wall clock set back
    play(tmp_path, cache, plan, behind, 20, on_wait=record)
    play(tmp_path, cache, plan, last_start() + timedelta(seconds=3), 20, on_wait=record)
    check_history(looks)
    final = look(out)
    assert len(final.entries) == WINDOW_SEGMENTS
    breaks = {name: pdt for seen in looks for name, disc, pdt in seen.entries if disc}
    assert len(breaks) == 2 == final.discontinuity_sequence + sum(d for _, d, _ in final.entries)
    outage, back = sorted(breaks, key=lambda name: int(name[4:-3]))
    assert breaks[back] < breaks[outage] - timedelta(minutes=59)  # PROGRAM-DATE-TIME went back
    # Each break shows in the stream too: the discontinuity indicator on the PCR's PID.
    for name in final.files:
        assert discontinuity_indicators((out / name).read_bytes()) == (name in breaks), name
    # PAT and PMT come within 100 ms of each other all along, and open every segment.
    assert max(gap for stretch in runs(final, out) for gap in psi_gaps_ms(stretch)) <= 100
    # Every segment on disk is clean for ffprobe.
    for name in sorted(final.files):
        assert next(ts.packets((out / name).read_bytes()))[1] == ts.PAT_PID
        result = ffmpeg.run(ffmpeg.probe_cmd(str(out / name), packets=True), timeout=60)
        assert result.stderr == "", name
        packets = json.loads(result.stdout)["packets"]
        assert sum(p["stream_index"] == 0 for p in packets) == SEGMENT_UNITS * 16
    assert set(ts.continuity_errors(b"".join((out / n).read_bytes() for n, _, _ in
                                             final.entries)).values()) == {0}  # fmt: skip


class SteppedTime(SystemClock):
    """The real clock's logic on a fake wall clock and a fake monotonic clock: a wait moves
    both; ``steps`` move only the wall clock, at given monotonic seconds from the start."""

    def __init__(self, start: datetime, seconds: float, stop: threading.Event,
                 steps: dict[float, float], on_wait) -> None:  # fmt: skip
        self.wall, self.mono = start.timestamp(), 0.0
        super().__init__(wall=lambda: self.wall, monotonic=lambda: self.mono)
        self.seconds, self.stop, self.steps, self.on_wait = seconds, stop, dict(steps), on_wait

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        self.on_wait(self.mono)
        left = max(0.0, (when - self.now()).total_seconds())
        for at in sorted(a for a in self.steps if a <= self.mono + left):
            self.wall += self.steps.pop(at)
        self.wall, self.mono = self.wall + left, self.mono + left
        if self.mono >= self.seconds:
            self.stop.set()
        return not stop.is_set()


def test_wall_clock_steps_neither_silence_the_channel_nor_leave_it_off_time(
    tmp_path: Path, library
) -> None:
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["a"], items["b"]], items["ident"])
    out = tmp_path / "hls" / "demo"
    status = tmp_path / "status" / "demo.json"
    looks: list[Listed] = []
    published: list[tuple[float, int]] = []  # (monotonic s, segments published)

    def record(mono: float) -> None:
        if seen := look(out):
            looks.append(seen)
            published.append((mono, json.loads(status.read_text())["published_count"]))

    stop = threading.Event()
    steps = {40.0: -3600.0, 80.0: 7200.0, 120.0: 0.5}  # NTP back an hour, forward two, a nudge
    clock = SteppedTime(T0, 160, stop, steps, record)
    aired: list[AiredPage] = []
    run_channel(plan, tmp_path / "hls", None, cache, RoundRobin(), aired.append, stop, clock,
                status_dir=tmp_path / "status")  # fmt: skip
    check_history(looks)
    # Published every 3.84 s of monotonic time, right through the steps (at most one segment
    # is late by up to a segment while a step back is absorbed).
    rises = [mono for (mono, n), (_, before) in zip(published[1:], published, strict=False)
             if n > before]  # fmt: skip
    assert max(b - a for a, b in zip(rises, rises[1:], strict=False)) < 2 * SEGMENT_SECONDS
    assert published[-1][1] >= 160 / SEGMENT_SECONDS - 2
    # Two breaks, each where the stream rejoined the wall clock; the nudge was absorbed.
    entries = {name: (disc, pdt) for seen in looks for name, disc, pdt in seen.entries}
    ordered = sorted(entries.items(), key=lambda kv: int(kv[0][4:-3]))
    jumps = [(pdt - ordered[i - 1][1][1]).total_seconds() for i, (_, (disc, pdt))
             in enumerate(ordered) if disc]  # fmt: skip
    assert len(jumps) == 2
    assert -3600 - 2 * SEGMENT_SECONDS < jumps[0] < -3600 + 2 * SEGMENT_SECONDS
    assert 7200 - 2 * SEGMENT_SECONDS < jumps[1] < 7200 + 2 * SEGMENT_SECONDS
    assert abs((ordered[-1][1][1] - clock.now()).total_seconds()) < 2 * SEGMENT_SECONDS
    # The heartbeat stays meaningful: wall time of the last segment, and counters.
    beat = json.loads(status.read_text())
    assert beat["clock_steps"] == 2
    assert abs(datetime.fromisoformat(beat["last_segment_at"]).timestamp() - clock.wall) < 5
    assert beat["media_sequence"] == int(ordered[-1][0][4:-3])
    # The as-run log follows the wall clock too, and says where a step cut a page.
    assert any(e.note == "cut short by a clock step" for e in aired)
    starts = [e.started_at for e in aired]
    assert min(starts) < T0 + timedelta(seconds=40) - timedelta(minutes=59)


def discontinuity_indicators(data: bytes) -> int:
    return sum(1 for _, pid, p in ts.packets(data)
               if pid == ts.VIDEO_PID and p[3] & 0x20 and p[4] and p[5] & 0x80)  # fmt: skip


def psi_gaps_ms(data: bytes) -> list[float]:
    """Milliseconds between successive PATs of a continuous stream, each PAT placed in time
    by the PCRs around it (by packet count), as an analyser places it."""
    pcr_at = [(i, pcr / 27_000) for i, pcr in enumerate_pcrs(data)]
    pids = [pid for _, pid, _ in ts.packets(data)]
    pats = [i for i, pid in enumerate(pids) if pid == ts.PAT_PID]
    assert [i for i, pid in enumerate(pids) if pid == ts.PMT_PID] == [i + 1 for i in pats]

    def when(index: int) -> float:
        before = [p for p in pcr_at if p[0] <= index] or pcr_at[:1]
        after = [p for p in pcr_at if p[0] > index] or pcr_at[-1:]
        (i0, t0), (i1, t1) = before[-1], after[0]
        return t0 if i1 == i0 else t0 + (t1 - t0) * (index - i0) / (i1 - i0)

    times = [when(i) for i in pats]
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def runs(listed: Listed, out: Path) -> list[bytes]:
    """The listed segments joined into the continuous stretches between discontinuities."""
    stretches: list[list[bytes]] = []
    for name, disc, _ in listed.entries:
        if disc or not stretches:
            stretches.append([])
        stretches[-1].append((out / name).read_bytes())
    return [b"".join(parts) for parts in stretches]


def enumerate_pcrs(data: bytes) -> list[tuple[int, int]]:
    """(packet index, PCR in 27 MHz ticks) of every packet that carries a PCR."""
    found = []
    for i, (_, _, p) in enumerate(ts.packets(data)):
        if p[3] & 0x20 and p[4] and p[5] & 0x10:
            found.append((i, ts.decode_pcr(p[6:12]) * 300))
    return found


class HlsHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        for name, value in (http_headers(Path(self.path).name) or {}).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    handler = functools.partial(HlsHandler, directory=str(tmp_path / "hls"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


@pytest.mark.slow
def test_a_player_reads_the_live_stream_for_30_seconds(tmp_path: Path, library, server) -> None:
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["a"], items["b"], items["c"]], items["ident"])
    now = datetime.now(UTC)
    play(tmp_path, cache, plan, now - timedelta(seconds=40), 40)  # fill the window quickly
    stop = threading.Event()
    channel = threading.Thread(
        target=run_channel,
        args=(
            plan,
            tmp_path / "hls",
            None,
            cache,
            RoundRobin(),
            lambda e: None,
            stop,
            SystemClock(),
        ),  # fmt: skip
        kwargs={"status_dir": tmp_path / "status"},
    )
    channel.start()
    try:
        result = ffmpeg.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", f"{server}/demo/index.m3u8",
             "-t", "30", "-f", "null", "-",
             "-t", "30", "-map", "0", "-c", "copy", "-f", "mpegts", str(tmp_path / "seen.ts")],
            timeout=90,
        )  # fmt: skip
    finally:
        stop.set()
        channel.join()
    assert result.stderr == ""  # -v error: not one warning-level problem, let alone an error
    seen = ffmpeg.probe(tmp_path / "seen.ts")
    assert float(seen["format"]["duration"]) >= 29.5
    assert "DISCONTINUITY" not in (tmp_path / "hls" / "demo" / "index.m3u8").read_text()


def wait_until(condition, timeout_s: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.slow
def test_a_player_plays_on_through_a_restart_and_a_clock_set_back(
    tmp_path: Path, library, server
) -> None:
    """ffmpeg as the player, at the stream's own pace (-re), on the live URL: the channel is
    stopped, stays down for 10 s, comes back, and then NTP steps the wall clock back an hour."""
    cache, items = library
    plan = write_plan(tmp_path / "plan.json", [items["a"], items["b"], items["c"]], items["ident"])
    play(tmp_path, cache, plan, datetime.now(UTC) - timedelta(seconds=40), 40)  # fill the window
    status = tmp_path / "status" / "demo.json"
    offset = [0.0]  # what NTP did to the wall clock

    def start_channel() -> tuple[threading.Event, threading.Thread]:
        stop = threading.Event()
        clock = SystemClock(wall=lambda: time.time() + offset[0])
        thread = threading.Thread(target=run_channel, kwargs={"status_dir": tmp_path / "status"},
                                  args=(plan, tmp_path / "hls", None, cache, RoundRobin(),
                                        lambda e: None, stop, clock))  # fmt: skip
        thread.start()
        return stop, thread

    def newest() -> int:
        return json.loads(status.read_text())["media_sequence"]

    def published(n: int) -> bool:
        """``n`` more segments were published since the last call that returned True."""
        if newest() < mark[0] + n:
            return False
        mark[0] = newest()
        return True

    mark = [newest()]

    seen: dict[str, object] = {}

    def player() -> None:
        try:
            seen["result"] = ffmpeg.run(
                ["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-re",
                 "-i", f"{server}/demo/index.m3u8",
                 "-t", "40", "-map", "0", "-c", "copy", "-f", "mpegts", str(tmp_path / "seen.ts")],
                timeout=120,
            )  # fmt: skip
        except ffmpeg.FFmpegError as exc:
            seen["error"] = exc

    looks: list[Listed] = []
    done = threading.Event()

    def watch() -> None:  # what players polling the playlist see, twice a second
        while not done.wait(0.5):
            looks.append(look(tmp_path / "hls" / "demo"))

    stop, channel = start_channel()
    watcher = threading.Thread(target=player)
    threading.Thread(target=watch, daemon=True).start()
    try:
        wait_until(lambda: published(1), 30, "the first live segment")
        watcher.start()
        wait_until(lambda: published(3), 30, "three live segments")
        stop.set()
        channel.join()
        time.sleep(10)  # the outage: longer than the segment built ahead can cover
        stop, channel = start_channel()
        wait_until(lambda: published(2), 30, "two segments after the restart")
        offset[0] = -3600.0
        wait_until(lambda: published(5), 60, "segments after the clock stepped back")
        watcher.join(timeout=150)
    finally:
        stop.set()
        channel.join()
        done.set()
    assert "error" not in seen, seen.get("error")
    assert seen["result"].stderr == ""  # -v error: not one problem reported
    assert float(ffmpeg.probe(tmp_path / "seen.ts")["format"]["duration"]) >= 35
    check_history(looks)
    assert min(len(seen.entries) for seen in looks) == WINDOW_SEGMENTS
    breaks = {name: pdt for seen in looks for name, disc, pdt in seen.entries if disc}
    assert len(breaks) == 2
    outage, back = sorted(breaks, key=lambda name: int(name[4:-3]))
    assert breaks[back] < breaks[outage] - timedelta(minutes=59)
    assert json.loads(status.read_text())["clock_steps"] == 1
