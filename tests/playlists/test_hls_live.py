"""The playout loop end to end: HLS on disk, as-run, failures, restarts, and a real player."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from playlists import ts
from playlists.feed import SystemClock, VirtualClock, unit_start
from playlists.hls import SEGMENT_UNITS, http_headers, segment_start
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import AsRunEntry, run_channel
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
                 actions: dict[datetime, object] | None = None) -> None:  # fmt: skip
        super().__init__(start)
        self.end, self.stop, self.actions = end, stop, dict(actions or {})

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        for at in sorted(a for a in self.actions if a <= when):
            self.actions.pop(at)()
        if when >= self.end:
            self.stop.set()
        return super().sleep_until(when, stop)


def play(tmp: Path, cache: Path, plan: Path, start: datetime, seconds: float, next_page=None,
         actions=None) -> list[AsRunEntry]:  # fmt: skip
    aired: list[AsRunEntry] = []
    stop = threading.Event()
    clock = UntilClock(start, start + timedelta(seconds=seconds), stop, actions)
    run_channel(plan, tmp / "hls", None, cache, next_page or RoundRobin(), aired.append, stop,
                clock, status_dir=tmp / "status")  # fmt: skip
    return aired


def concatenated(hls_dir: Path) -> bytes:
    files = sorted(hls_dir.glob("seg-*.ts"), key=lambda p: int(p.name[4:-3]))
    return b"".join(p.read_bytes() for p in files)


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
    assert status["segment_s"] == 3.84 and status["udp"] == "off"
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
    assert "#EXT-X-DISCONTINUITY\n" in (out / "index.m3u8").read_text()
    first_new = int((out / "index.m3u8").read_text().split("#EXT-X-DISCONTINUITY\n")[1]
                    .split(".ts")[0].rsplit("seg-", 1)[1])  # fmt: skip
    assert unit_start(first_new * SEGMENT_UNITS) <= resumed_at


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
