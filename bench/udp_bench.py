"""UDP output benchmark: pacing, PCR and TR 101 290 figures of a real capture on 127.0.0.1.

    .venv/bin/python bench/udp_bench.py [--seconds 60] [--rate 2000000] [--kill]

Airs a channel of text slides through the real playout and paced sender, captures the
datagrams with kernel arrival timestamps and prints what a head-end engineer measures:
the rate in every 100 ms window (whole datagrams, and spread over their own transmission
time), PCR against arrival time, PCR repetition and accuracy, table intervals, the null
share, and the TR 101 290 priority 1 and PCR verdicts. ``--kill`` also kills the sender
with SIGKILL halfway and reports how long the head-end heard nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playlists import ts, udp_check  # noqa: E402
from playlists.feed import SystemClock  # noqa: E402
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan  # noqa: E402
from playlists.playout import run_channel  # noqa: E402
from playlists.timeline import Slot  # noqa: E402
from playlists.udp import UdpRelay, UdpSettings  # noqa: E402
from playlists.udp_capture import UdpCapture  # noqa: E402
from renderer import encode  # noqa: E402

PAGES = 8


def make_plan(root: Path, enc: encode.EncodingProfile) -> Path:
    """A channel of slide-like pages (title bar, lines of text, a picture block)."""
    pages = []
    for n in range(PAGES):
        img = Image.new("RGB", (enc.width, enc.height), (12 + 9 * n, 40, 90))
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, 0, enc.width, enc.height // 8), fill=(180, 30, 30))
        for row in range(14):
            draw.text((60, enc.height // 6 + row * enc.height // 20),
                      f"{n}.{row} subsidy rules, office hours and phone {row * 7919}",
                      fill=(255, 240, 200))  # fmt: skip
        draw.ellipse((enc.width * 2 // 3, enc.height // 3, enc.width - 60, enc.height - 60),
                     fill=(40 + n * 9, 160, 60))  # fmt: skip
        png = root / f"page{n}.png"
        img.save(png)
        unit = encode.ensure_unit(png, f"bench{n}", root / "cache", enc)
        pages.append(PlannedPage(f"bench{n}", str(png), str(unit), 3.84, n + 1, PAGES))
    ready = datetime(2026, 1, 1, tzinfo=UTC)
    item = PlannedItem("notice:1", 1, "notice", "通知", tuple(pages), ready)
    plan = ChannelPlan("bench", "幸福乡村频道", "Asia/Shanghai", enc.name, datetime.now(UTC),
                       (item,), filler=item)  # fmt: skip
    save_plan(plan, root / "plan.json")
    return root / "plan.json"


class Pages:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, plan, when, state):  # noqa: ANN001, ANN204
        item = plan.items[0]
        page = item.pages[self.n % len(item.pages)]
        self.n += 1
        return Slot(item.id, item.version, item.category, page, when, page.duration_s, False), state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=int, default=2_000_000)
    parser.add_argument("--profile", default="720p")
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    enc = encode.PROFILES[args.profile]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plan = make_plan(root, enc)
        cap = UdpCapture()
        relay = UdpRelay(UdpSettings(cap.url, args.rate, "幸福乡村频道", "监山乡")).start()
        stop = threading.Event()
        channel = threading.Thread(target=run_channel, args=(
            plan, root / "hls", relay, root / "cache", Pages(), lambda e: None, stop,
            SystemClock()), kwargs={"status_dir": root / "status"})  # fmt: skip
        channel.start()
        killed_at = back_after = None
        try:
            while not cap.datagrams:
                time.sleep(0.1)
            start = time.time() + 1.0
            if args.kill:
                time.sleep(1.0 + args.seconds / 2)
                killed_at = time.time()
                os.kill(relay.pid or 0, signal.SIGKILL)
                while not cap.since(killed_at + 0.05):
                    time.sleep(0.02)
                back_after = cap.since(killed_at + 0.05)[0][0] - killed_at
            time.sleep(max(0.0, start + args.seconds - time.time()))
            health = relay.health()
        finally:
            stop.set()
            channel.join()
            relay.stop()
            cap.close()
        capture = [d for d in cap.datagrams if start <= d[0] < start + args.seconds]
    report = udp_check.analyse(capture, args.rate)
    intervals = {name: report.interval_max_s.get(pid, float("nan")) * 1000 for name, pid in
                 (("PAT", ts.PAT_PID), ("PMT", ts.PMT_PID), ("SDT", ts.SDT_PID))}  # fmt: skip
    print(
        f"UDP capture: {report.seconds:.0f} s, {report.datagrams} datagrams of 7x188 bytes "
        f"at {args.rate / 1e6:.2f} Mbit/s ({args.profile}), sender reported "
        f"{health['sent_bps'] / 1e6:.3f} Mbit/s, scheduled {health['priority']}, "
        f"{health['late_datagrams']} datagrams dropped as late"
    )
    print(
        f"rate per 100 ms window / nominal: whole datagrams {report.window_min:.3f} .. "
        f"{report.window_max:.3f}; spread over their send time {report.fluid_window_min:.3f}"
        f" .. {report.fluid_window_max:.3f}  (one datagram is "
        f"{1316 * 8 / (args.rate * 0.1) * 100:.1f}% of a window)"
    )
    print(
        f"PCR vs arrival jitter: p50 {report.pcr_jitter_p50_ms:.3f} ms, p99 "
        f"{report.pcr_jitter_p99_ms:.3f} ms, max {report.pcr_jitter_max_ms:.3f} ms "
        f"over {report.pcr_count} PCRs"
    )
    print(
        f"PCR repetition max {report.pcr_interval_max_ms:.1f} ms (arrival); accuracy max "
        f"{report.pcr_accuracy_max_ns:.0f} ns; unflagged PCR jumps "
        f"{report.pcr_discontinuity_errors}; flagged {report.discontinuities}"
    )
    print("table interval max: " + ", ".join(f"{k} {v:.0f} ms" for k, v in intervals.items()))
    print(
        f"null packets: {report.null_share * 100:.1f}%; CC errors {report.cc_errors}; "
        f"sync errors {report.sync_errors}; wrong sizes {report.wrong_sizes}"
    )
    if killed_at is not None:
        print(f"sender killed (SIGKILL): datagrams again after {back_after:.2f} s")
    print(
        f"TR 101 290 priority 1: {'pass' if report.priority_1_ok() else 'FAIL'}; "
        f"PCR checks of priority 2: {'pass' if report.pcr_ok() else 'FAIL'}"
    )
    print(json.dumps({"service_names": [[p.hex(), s.hex()] for p, s in report.service_names]}))


if __name__ == "__main__":
    main()
