"""Video items: transcode cost against clip length, and air-time cost of a clip against a slide.

    .venv/bin/python bench/video_bench.py [--lengths 10 30 60] [--profile 720p] [--air-s 120]

1. Transcode: phone-like clips (1280x720 at 30 fps, moving test pattern and a tone) of each
   length are transcoded once to the channel's profile (renderer.video: loudness measurement,
   one encode pass, unit split, the reviewer's MP4), at the render lane's priority. Printed:
   wall seconds and CPU seconds (ffmpeg included) per second of video.
2. On air: the real feed (``Playout.units`` on a virtual clock, no waiting) airs the same
   length of stream from a plan holding one slide, then from one holding the 60 s clip.
   Printed: the feed's CPU seconds per second of stream for each, and their ratio (a clip is
   stream-copied, so it should cost about what a slide costs: reading files, muxing).

Both in one run, side by side. Timings vary with the machine; ratios are the point.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from playlists.feed import AudioBed, VirtualClock  # noqa: E402
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan  # noqa: E402
from playlists.playout import Playout  # noqa: E402
from renderer import encode  # noqa: E402
from renderer.timing import UNIT_SECONDS  # noqa: E402
from renderer.video import ClipRequest, transcode_clip  # noqa: E402

T0 = datetime(2026, 11, 22, 8, 0, 0, 320000, tzinfo=UTC)
RENDER_NICE = 10  # as publisher.jobs.render_lane


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_source(out: Path, seconds: int) -> Path:
    """A phone-like clip: 720p at 30 fps, a moving pattern (hard to compress) and a tone."""
    tone = "0.3*sin(2*PI*440*t)*(0.6+0.4*sin(2*PI*0.5*t))"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-t", str(seconds), "-i",
                    "testsrc2=s=1280x720:r=30", "-f", "lavfi", "-t", str(seconds), "-i",
                    f"aevalsrc={tone}|{tone}:s=44100", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out)],
                   check=True)  # fmt: skip
    return out


def bench_transcode(root: Path, lengths: list[int], enc: encode.EncodingProfile
                    ) -> dict[int, Path]:  # fmt: skip
    encode.ensure_slate_unit(root / "cache", enc)  # the per-profile template, made once
    print(f"transcode to {enc.name} ({enc.width}x{enc.height}, 25 fps, -24 LKFS)")
    print(f"{'clip s':>7} {'wall s':>8} {'cpu s':>8} {'wall/s':>8} {'cpu/s':>8}")
    folders = {}
    for seconds in lengths:
        src = make_source(root / f"clip{seconds}.mp4", seconds)
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        clip = transcode_clip(ClipRequest(src, src.name), root / "cache", enc)
        wall, cpu = time.perf_counter() - wall0, _children_cpu() - cpu0
        folders[seconds] = clip
        print(f"{seconds:>7} {wall:>8.2f} {cpu:>8.2f} {wall / seconds:>8.3f} "
              f"{cpu / seconds:>8.3f}")  # fmt: skip
    return folders


def _air_cpu(root: Path, page: PlannedPage, seconds: float, enc: encode.EncodingProfile,
             name: str) -> float:  # fmt: skip
    """CPU seconds the feed spends per second of stream airing ``page`` over and over."""
    ready = datetime(2026, 1, 1, tzinfo=UTC)
    plan_path = root / f"{name}.json"
    item = PlannedItem(f"{name}:1", 1, name, name, (page,), ready)
    save_plan(ChannelPlan(name, "频道", "Asia/Shanghai", enc.name, T0, (item,)), plan_path)
    bed = AudioBed.from_file(encode.ensure_silence(root / "cache"))

    def next_page(plan, when, state):  # noqa: ANN001, ANN202
        from playlists.timeline import Slot

        return Slot(item.id, 1, name, page, when, page.duration_s, False), state

    playout = Playout(plan_path, root / name / "hls", root / name / "status", root / "cache",
                      next_page, lambda entry: None, VirtualClock(T0), enc, bed=bed)  # fmt: skip
    units = playout.units()
    count = round(seconds / UNIT_SECONDS)
    next(units)  # first unit: opening files, parsing the plan
    cpu0 = time.process_time()
    size = sum(len(next(units)) for _ in range(count))
    cpu = time.process_time() - cpu0
    aired = count * UNIT_SECONDS
    print(f"{name:>6} {aired:>8.1f} {cpu:>8.3f} {cpu / aired:>10.5f}"
          f" {size * 8 / aired / 1e6:>9.2f}")  # fmt: skip
    return cpu / aired


def bench_air(root: Path, clip, seconds: float, enc: encode.EncodingProfile) -> None:  # noqa: ANN001
    png = root / "slide.png"
    Image.effect_mandelbrot((enc.width, enc.height), (-2, -1.2, 1, 1.2), 60).convert("RGB").save(
        png
    )
    unit = encode.ensure_unit(png, "bench-slide", root / "cache", enc)
    slide = PlannedPage("bench-slide", str(png), str(unit), 12.8)
    video = PlannedPage(clip.page_key, "", str(clip.unit(0, enc)), clip.duration_s,
                        audio=str(clip.audio), clip=str(clip.folder))  # fmt: skip
    print(f"\non air ({enc.name}, stream copy; CPU of the feed process)")
    print(f"{'item':>6} {'stream s':>8} {'cpu s':>8} {'cpu/s':>10} {'Mbit/s':>9}")
    a = _air_cpu(root, slide, seconds, enc, "slide")
    b = _air_cpu(root, video, seconds, enc, "video")
    print(f"\nclip / slide air-time CPU: {b / a:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--profile", default="720p")
    parser.add_argument("--air-s", type=float, default=120.0)
    args = parser.parse_args()
    enc = encode.PROFILES[args.profile]
    os.nice(RENDER_NICE)
    with tempfile.TemporaryDirectory(prefix="video-bench-") as tmp:
        root = Path(tmp)
        clips = bench_transcode(root, args.lengths, enc)
        bench_air(root, clips[max(clips)], args.air_s, enc)


if __name__ == "__main__":
    main()
