"""Playout benchmark: build cost, update cost, air-time CPU, drift and memory, side by side.

    .venv/bin/python bench/playout_bench.py [--profile 1080p] [--naive-sample 6] [--full]

Every ratio compares two things measured in this run on this machine. The naive build
(each page encoded at its full 12.8 s) is slow, so by default it is measured on a sample
of pages and scaled to 50 (printed as such); ``--full`` encodes all 50.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playlists import ts  # noqa: E402
from playlists.feed import AudioBed, ContinuousFeed, FeedState, SystemClock, UnitCache  # noqa: E402
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan  # noqa: E402
from playlists.playout import run_channel  # noqa: E402
from playlists.timeline import Slot  # noqa: E402
from renderer import encode, ffmpeg  # noqa: E402
from renderer.timing import TICKS_PER_UNIT, UNIT_SECONDS, units_for  # noqa: E402

PAGES = 50
NAIVE_SECONDS = 12.8
READY = datetime(2026, 1, 1, tzinfo=UTC)


def make_pages(root: Path, enc: encode.EncodingProfile, tag: str = "") -> list[Path]:
    """Fifty slide-like pages: a title bar, many lines of text, a picture block."""
    size = (enc.width, enc.height) if enc.sar == (1, 1) else (1024, 576)
    pngs = []
    for n in range(PAGES):
        img = Image.new("RGB", size, (12 + 4 * n, 40, 90))
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, 0, size[0], size[1] // 8), fill=(180, 30, 30))
        draw.text((40, 20), f"Township notice {n}{tag}", fill=(255, 255, 255))
        for row in range(14):
            y = size[1] // 6 + row * size[1] // 20
            draw.text((60, y), f"{n}.{row} subsidy rules, office hours and phone {row * 7919}",
                      fill=(255, 240, 200))  # fmt: skip
        draw.ellipse((size[0] * 2 // 3, size[1] // 3, size[0] - 60, size[1] - 60),
                     fill=(40 + n * 3, 160, 60))  # fmt: skip
        path = root / f"page{n:02d}{tag}.png"
        img.save(path)
        pngs.append(path)
    return pngs


def timed(fn) -> tuple[float, float]:  # noqa: ANN001
    """(wall seconds, CPU seconds of this process and its finished children)."""

    def cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
            resource.RUSAGE_CHILDREN)  # fmt: skip
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    w, c = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - w, cpu() - c


def bench_build(root: Path, enc: encode.EncodingProfile, sample: int) -> dict[str, float]:
    pngs = make_pages(root, enc)
    cache = root / "cache"
    pages = [(p, f"page{n:02d}") for n, p in enumerate(pngs)]
    ours = timed(lambda: (encode.ensure_silence(cache), encode.ensure_units(pages, cache, enc)))
    changed = make_pages(root, enc, tag="-v2")[17]
    pages[17] = (changed, "page17-v2")
    update = timed(lambda: encode.ensure_units(pages, cache, enc))
    out = root / "naive.ts"
    naive = [timed(lambda p=p: ffmpeg.run(ffmpeg.full_page_cmd(p, out, NAIVE_SECONDS, enc)))
             for p in pngs[:sample]]  # fmt: skip
    per_page = [sum(x[i] for x in naive) / len(naive) for i in (0, 1)]
    return {"ours_wall": ours[0], "ours_cpu": ours[1], "update_wall": update[0],
            "update_cpu": update[1], "naive_page_wall": per_page[0],
            "naive_page_cpu": per_page[1], "sample": sample}  # fmt: skip


def round_robin(plan: ChannelPlan, when: datetime, state: object) -> tuple[Slot, object]:
    pages = [(i, p) for i in plan.items for p in i.pages]
    index = int((when - READY).total_seconds() / UNIT_SECONDS) % len(pages)
    item, page = pages[index]
    return Slot(item.id, item.version, item.category, page, when, page.duration_s, False), state


def write_plan(root: Path, enc: encode.EncodingProfile) -> Path:
    cache = root / "cache"
    pngs = sorted(root.glob("page??.png"))
    units = encode.ensure_units([(p, p.stem) for p in pngs], cache, enc)
    encode.ensure_slate_unit(cache, enc)  # one-off set-up, not air-time work
    items = tuple(
        PlannedItem(f"notice:{n}", 1, "notice", f"notice {n}",
                    (PlannedPage(p.stem, str(p), str(u), 5.12 + (n % 4) * 2.56),), READY)
        for n, (p, u) in enumerate(zip(pngs, units, strict=True))
    )  # fmt: skip
    plan = ChannelPlan("bench", "Bench TV", "Asia/Shanghai", enc.name, READY, items,
                       filler=items[0])  # fmt: skip
    save_plan(plan, root / "plan.json")
    return root / "plan.json"


def child_playout(root: Path, seconds: float, udp: str | None) -> None:
    """Runs in its own process so its CPU and memory are its own."""
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()
    run_channel(root / "plan.json", root / "hls", udp, root / "cache", round_robin,
                lambda e: None, stop, SystemClock(), status_dir=root / "status")  # fmt: skip
    use = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"cpu": use.ru_utime + use.ru_stime, "relay_cpu": kids.ru_utime +
                      kids.ru_stime, "max_rss_mb": use.ru_maxrss / 1024}))  # fmt: skip


def bench_cpu(root: Path, enc: encode.EncodingProfile, seconds: float) -> dict[str, float]:
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(0.5)
    done = threading.Event()

    def drain() -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                sink.recv(2048)

    threading.Thread(target=drain, daemon=True).start()
    udp = f"udp://127.0.0.1:{sink.getsockname()[1]}"
    ours = subprocess.Popen([sys.executable, __file__, "--child", str(root), str(seconds), udp],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    live = ffmpeg.spawn(ffmpeg.live_encode_cmd(sorted(root.glob("page??.png"))[0], "/dev/null",
                                               seconds, enc))  # fmt: skip
    _, _, usage = os.wait4(live.pid, 0)  # the encoder's own CPU, exactly
    live_cpu = usage.ru_utime + usage.ru_stime
    result = json.loads(ours.communicate()[0].strip().splitlines()[-1])
    done.set()
    return {**result, "live_cpu": live_cpu, "seconds": seconds}


def bench_drift(root: Path, enc: encode.EncodingProfile, hours: float) -> dict[str, float]:
    """A day of stream through the real feed at full speed, timestamps read back from the TS."""
    cache = UnitCache(ts.STREAM_TYPE_H264 if enc.codec == "h264" else ts.STREAM_TYPE_MPEG2)
    units = [cache.get(p) for p in sorted((root / "cache" / "units").rglob("page??." + enc.ext))]
    bed = AudioBed.from_file(encode.ensure_silence(root / "cache"))
    start_unit = (ts.TS_WRAP - 3600 * 90_000) // TICKS_PER_UNIT  # the 33-bit wrap comes at 1 h
    feed = ContinuousFeed(cache.stream_type, bed, FeedState(start_unit, {}))
    scheduled = 0  # ticks of programme the schedule asked for so far (snapped page lengths)
    worst_av = worst_start = wraps = pages = 0
    first = previous = None
    offset = 0  # added each time the 33-bit PTS wraps, to read a day-long timeline
    t0 = time.perf_counter()
    while scheduled < hours * 3600 * 90_000:
        repeats = units_for(5.12 + (pages % 7) * 1.6)  # wanted lengths, snapped like the plan
        for n, (_, data) in enumerate(feed.emit(units[pages % len(units)], repeats)):
            if n:
                continue
            stamps = ts.pes_timestamps(data)  # read back from the muxed bytes
            v = next(t for pid, t in stamps if pid == ts.VIDEO_PID)
            a = next(t for pid, t in stamps if pid == ts.AUDIO_PID)
            if previous is not None and v < previous:
                offset, wraps = offset + ts.TS_WRAP, wraps + 1
            previous, first = v, v if first is None else first
            worst_av = max(worst_av, abs(v - a))
            worst_start = max(worst_start, abs(v + offset - first - scheduled))
        scheduled += round(repeats * UNIT_SECONDS * 90_000)
        pages += 1
    elapsed = time.perf_counter() - t0
    end = previous + offset + repeats * TICKS_PER_UNIT  # where the last page ends in the TS
    return {"pages": pages, "units": feed.next_unit - start_unit, "gen_s": elapsed,
            "end_error_ms": abs(end - first - scheduled) / 90, "worst_start_ms": worst_start / 90,
            "worst_av_ticks": worst_av, "wraps": wraps, "pts_span_h": (end - first) / 90_000 / 3600,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="1080p", choices=sorted(encode.PROFILES))
    parser.add_argument("--naive-sample", type=int, default=6)
    parser.add_argument("--full", action="store_true", help="encode all 50 pages the naive way")
    parser.add_argument("--cpu-seconds", type=float, default=60)
    parser.add_argument("--drift-hours", type=float, default=24)
    args = parser.parse_args()
    enc = encode.PROFILES[args.profile]
    sample = PAGES if args.full else args.naive_sample
    with tempfile.TemporaryDirectory(prefix="playout-bench-") as tmp:
        root = Path(tmp)
        print(f"profile {enc.name}, {PAGES} pages, {os.cpu_count()} cores")
        b = bench_build(root, enc, sample)
        naive_wall, naive_cpu = b["naive_page_wall"] * PAGES, b["naive_page_cpu"] * PAGES
        scaled = "" if sample == PAGES else f" (measured on {sample} pages, x{PAGES / sample:.1f})"
        print(
            f"\nbuild 50-page channel: units {b['ours_wall']:.2f} s wall / "
            f"{b['ours_cpu']:.2f} s CPU; naive {naive_wall:.1f} s / {naive_cpu:.1f} s{scaled}"
        )
        print(
            f"  ratio {naive_wall / b['ours_wall']:.1f}x wall, "
            f"{naive_cpu / b['ours_cpu']:.1f}x CPU   (target >= 20x)"
        )
        print(
            f"one changed page: {b['update_wall']:.3f} s wall / {b['update_cpu']:.3f} s CPU; "
            f"naive full rebuild {naive_wall:.1f} s"
        )
        print(
            f"  ratio {naive_wall / b['update_wall']:.0f}x wall, "
            f"{naive_cpu / b['update_cpu']:.0f}x CPU   (target >= 100x)"
        )
        write_plan(root, enc)
        c = bench_cpu(root, enc, args.cpu_seconds)
        ours = c["cpu"] + c["relay_cpu"]
        print(
            f"\nplayout CPU over {c['seconds']:.0f} s: python {c['cpu']:.2f} s + UDP relay "
            f"{c['relay_cpu']:.2f} s = {ours:.2f} s ({100 * ours / c['seconds']:.1f}% of a core)"
            f"; live encode {c['live_cpu']:.1f} s ({100 * c['live_cpu'] / c['seconds']:.0f}%)"
        )
        print(
            f"  ratio 1/{c['live_cpu'] / ours:.0f} with the relay, "
            f"1/{c['live_cpu'] / c['cpu']:.0f} HLS only   (target <= 1/30)"
        )
        print(f"memory: playout process peak RSS {c['max_rss_mb']:.0f} MB   (target <= 150 MB)")
        d = bench_drift(root, enc, args.drift_hours)
        print(
            f"\ndrift: {d['pts_span_h']:.2f} h of stream ({d['pages']} pages, {d['units']} "
            f"units, {d['wraps']} PTS wrap) generated in {d['gen_s']:.1f} s"
        )
        print(
            f"  end vs schedule {d['end_error_ms']:.3f} ms (target <= 40 ms); worst page start "
            f"vs schedule {d['worst_start_ms']:.3f} ms; worst audio/video start offset "
            f"{d['worst_av_ticks']} ticks (target <= 1920 = one AAC frame)"
        )
        print(f"  bench process peak RSS {d['max_rss_mb']:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_playout(Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    else:
        main()
