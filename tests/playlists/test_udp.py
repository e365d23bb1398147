"""Constant-rate MPEG-TS over UDP, captured on 127.0.0.1, and the relay's supervision."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from playlists import ts
from playlists.feed import SystemClock
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import run_channel
from playlists.playstate import PlayState
from playlists.timeline import Slot
from playlists.udp import DATAGRAM_BYTES, relay_url
from renderer import encode, ffmpeg

ENC = encode.PROFILES["720p"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("udp://127.0.0.1:5000", "udp://127.0.0.1:5000?pkt_size=1316"),
        ("udp://239.1.2.3:1234?ttl=4", "udp://239.1.2.3:1234?ttl=4&pkt_size=1316"),
        ("udp://127.0.0.1:5000?pkt_size=188", "udp://127.0.0.1:5000?pkt_size=188"),
    ],
)
def test_relay_url(url: str, expected: str) -> None:
    assert relay_url(url) == expected


@pytest.mark.parametrize("url", ["rtp://127.0.0.1:5000", "udp://127.0.0.1", "udp://:5000"])
def test_relay_url_rejects_other_shapes(url: str) -> None:
    with pytest.raises(ValueError, match="udp://host:port"):
        relay_url(url)


class Capture:
    """Datagrams received on 127.0.0.1, with their arrival times."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"udp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.datagrams: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.datagrams.append((time.monotonic(), self.sock.recv(2048)))
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def capture() -> Iterator[Capture]:
    cap = Capture()
    yield cap
    cap.close()


def channel_plan(root: Path) -> Path:
    pages = []
    for n, duration in enumerate((1.92, 2.56, 1.28), 1):
        png = root / f"{n}.png"
        img = Image.new("RGB", (ENC.width, ENC.height), (30 * n, 90, 160))
        ImageDraw.Draw(img).text((60, 60), f"page {n}", fill="white")
        img.save(png)
        unit = encode.ensure_unit(png, f"udp{n}", root / "cache", ENC)
        pages.append(PlannedPage(f"udp{n}", str(png), str(unit), duration, n, 3))
    item = PlannedItem(
        "notice:1", 1, "notice", "通知", tuple(pages), datetime(2026, 1, 1, tzinfo=UTC)
    )
    plan = ChannelPlan("udp", "幸福乡村频道", "Asia/Shanghai", "720p", datetime.now(UTC), (item,),
                       filler=item)  # fmt: skip
    save_plan(plan, root / "plan.json")
    return root / "plan.json"


def every_page(plan: ChannelPlan, when: datetime, state: PlayState) -> tuple[Slot, PlayState]:
    item = plan.items[0]
    page = item.pages[int(when.timestamp() * 100) % len(item.pages)]
    return Slot(item.id, item.version, item.category, page, when, page.duration_s, False), state


def wait_for(predicate, timeout: float) -> float | None:  # noqa: ANN001
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_constant_rate_udp_and_a_relay_restart(tmp_path: Path, capture: Capture) -> None:
    plan = channel_plan(tmp_path)
    status_file = tmp_path / "status" / "udp.json"

    def status() -> dict:
        try:
            return json.loads(status_file.read_text())
        except (OSError, ValueError):
            return {}

    stop = threading.Event()
    channel = threading.Thread(
        target=run_channel,
        args=(
            plan,
            tmp_path / "hls",
            capture.url,
            tmp_path / "cache",
            every_page,
            lambda e: None,
            stop,
            SystemClock(),
        ),  # fmt: skip
        kwargs={"status_dir": tmp_path / "status"},
    )
    channel.start()
    try:
        assert wait_for(lambda: len(capture.datagrams) > 0 and status().get("udp_pid"), 15)
        time.sleep(8)
        first_pid, before = status()["udp_pid"], status()["last_segment"]
        os.kill(first_pid, signal.SIGKILL)  # the relay this test's channel started
        killed_at, cut = time.monotonic(), len(capture.datagrams)
        assert wait_for(lambda: status().get("udp_pid") not in (None, first_pid), 5) is not None
        assert wait_for(lambda: any(t > killed_at + 0.5 for t, _ in capture.datagrams[cut:]), 5)
        time.sleep(max(0.0, killed_at + 8 - time.monotonic()))
        after = status()["last_segment"]
    finally:
        stop.set()
        channel.join()
    first = capture.datagrams[:cut]
    assert {len(d) for _, d in first} == {DATAGRAM_BYTES}
    stream = b"".join(d for _, d in first)
    assert set(ts.continuity_errors(stream)) >= {0, 0x11, 0x1000, 0x100, 0x101}
    assert set(ts.continuity_errors(stream).values()) == {0}
    pcrs = ts.pcrs(stream)
    rates = [(b[0] - a[0]) * 8 * 27e6 / (b[1] - a[1]) for a, b in zip(pcrs, pcrs[1:], strict=False)]
    assert len(rates) > 100
    assert min(rates) > ENC.muxrate_bps * 0.995 and max(rates) < ENC.muxrate_bps * 1.005
    nulls = sum(1 for _, pid, _ in ts.packets(stream) if pid == 0x1FFF)
    assert nulls > 0  # padded to the mux rate
    (tmp_path / "udp.ts").write_bytes(stream)
    probe = ["ffprobe", "-v", "error", "-of", "json", "-show_programs", str(tmp_path / "udp.ts")]
    (program,) = json.loads(ffmpeg.run(probe).stdout)["programs"]
    assert program["tags"] == {"service_name": "幸福乡村频道", "service_provider": "villagecast"}
    # HLS went on through the relay's death: a segment every 3.84 s, no gap.
    assert after - before >= 2
    playlist = (tmp_path / "hls" / "udp" / "index.m3u8").read_text()
    assert "DISCONTINUITY" not in playlist
