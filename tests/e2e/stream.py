"""Proving from the stream itself what aired: fetch live HLS like a player, decode frames."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

_PDT = re.compile(r"#EXT-X-PROGRAM-DATE-TIME:(\S+)\s+#EXTINF:([\d.]+),\s+(\S+)")


def playlist_segments(base_url: str, slug: str) -> list[tuple[datetime, float, str]]:
    """(start, duration, name) of each segment in the live playlist."""
    with urllib.request.urlopen(f"{base_url}/live/{slug}/index.m3u8", timeout=10) as response:
        text = response.read().decode()
    return [(datetime.fromisoformat(m[0].replace("Z", "+00:00")), float(m[1]), m[2])
            for m in _PDT.findall(text)]


def frame_at(base_url: str, slug: str, moment: datetime, out: Path) -> Path:
    """Decode the frame shown at ``moment`` from the live HLS segments into a PNG."""
    for start, duration, name in playlist_segments(base_url, slug):
        if start <= moment < start + timedelta(seconds=duration):
            segment = out.with_suffix(".ts")
            with urllib.request.urlopen(f"{base_url}/live/{slug}/{name}", timeout=10) as resp:
                segment.write_bytes(resp.read())
            offset = (moment - start).total_seconds()
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(segment), "-ss",
                            f"{offset:.3f}", "-frames:v", "1", str(out)], check=True,
                           timeout=60)
            return out
    raise LookupError(f"no segment in the live window covers {moment.isoformat()}")


def wait_for(condition, timeout_s: float, what: str, poll_s: float = 0.3):  # noqa: ANN001, ANN201
    """Poll ``condition`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def wait_for_plan(app, slug: str = "jianshan", timeout_s: float = 60) -> None:  # noqa: ANN001
    """Wait until the clock has written the channel's first plan."""
    plan = Path(app.config["PLAN_DIR"]) / f"{slug}.json"
    wait_for(plan.exists, timeout_s, "the first channel plan")


def difference(a: Path, b: Path) -> float:
    """Mean absolute pixel difference (0–255) after scaling ``b`` to ``a``'s size."""
    first = Image.open(a).convert("RGB")
    second = Image.open(b).convert("RGB").resize(first.size, Image.Resampling.BILINEAR)
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


@contextmanager
def running_clock(app, interval_s: float = 0.5) -> Iterator[None]:  # noqa: ANN001
    """The clock's content work in its two lanes, each ticking in a thread as in the clock
    process: alerts and plans (air), previews and approved content (content)."""
    from publisher.jobs.clock import ContentClock

    stop = threading.Event()
    clock = ContentClock(app)

    def loop(tick) -> None:  # noqa: ANN001
        while not stop.is_set():
            tick()
            stop.wait(interval_s)

    threads = [threading.Thread(target=loop, args=(tick,), daemon=True)
               for tick in (clock.air_tick, clock.work_tick)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


@contextmanager
def running_playout(app, channel_slug: str) -> Iterator[None]:  # noqa: ANN001
    """The channel feed for one channel, in a thread (as the playout process runs it)."""
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.jobs.playout import supervise
    from publisher.models import Channel

    with app.app_context():
        channel_id = db.session.scalar(select(Channel.id).where(Channel.slug == channel_slug))
    stop = threading.Event()
    thread = threading.Thread(target=supervise, args=(app, channel_id, channel_slug, None, stop),
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


@contextmanager
def serve_app(app, backlog: int | None = None) -> Iterator[str]:  # noqa: ANN001
    """Serve ``app`` on 127.0.0.1 in a thread (threaded werkzeug); yields the base URL.

    ``backlog`` widens the listen queue for tests where many clients connect at once.
    """
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    if backlog:
        server.socket.listen(backlog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
