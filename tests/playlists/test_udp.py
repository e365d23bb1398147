"""The UDP output for the head-end: the paced sender, the relay, and a real capture on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from playlists import cbr, ts, udp_check
from playlists.feed import SystemClock
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import run_channel
from playlists.playstate import PlayState
from playlists.timeline import Slot
from playlists.udp import UdpRelay, UdpSettings, now_stream_ticks, parse_url
from playlists.udp_capture import UdpCapture
from playlists.udp_send import Sender
from renderer import encode, ffmpeg

ENC = encode.PROFILES["720p"]
RATE = 2_000_000


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("udp://127.0.0.1:5000", ("127.0.0.1", 5000, 16)),
        ("udp://239.1.2.3:1234?ttl=4", ("239.1.2.3", 1234, 4)),
        ("udp://239.1.2.3:1234?pkt_size=1316", ("239.1.2.3", 1234, 16)),
    ],
)
def test_parse_url(url: str, expected: tuple[str, int, int]) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize(
    "url", ["rtp://127.0.0.1:5000", "udp://127.0.0.1", "udp://:5000", "udp://h:1?pkt_size=188"]
)
def test_parse_url_rejects_other_shapes(url: str) -> None:
    with pytest.raises(ValueError, match="udp://host:port|1316"):
        parse_url(url)


# --- the sender's bookkeeping (no sockets, no waiting) -----------------------------------


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def sendto(self, data: bytes, address: tuple[str, int]) -> None:
        self.sent.append(data)


def pkt(n: int) -> bytes:
    return bytes((0x47, 0x01, 0x00, 0x10 | (n & 0x0F))) + bytes([n % 256]) * 184


def test_sender_fills_missing_slots_with_nulls_and_skips_empty_datagrams() -> None:
    sock = FakeSocket()
    sender = Sender(sock, ("127.0.0.1", 1), RATE)  # type: ignore[arg-type]
    sender.add(703, b"".join(pkt(i) for i in range(4)))  # slots 703..706 of datagram 100
    sender.add(721, pkt(9))  # datagram 103 (101 and 102 have nothing)
    due = sender.next_deadline()
    assert due == sender.departure(100)
    sender.send_due(due)
    assert sock.sent[0][: 3 * 188] == ts.NULL_PACKET * 3
    assert sock.sent[0][3 * 188 :] == b"".join(pkt(i) for i in range(4))
    sender.send_due(sender.next_deadline())  # 101: nothing given, nothing sent
    assert len(sock.sent) == 1
    assert sender.next_deadline() == sender.departure(103)  # the gap is skipped
    sender.send_due(sender.departure(103))
    assert len(sock.sent) == 2 and sock.sent[1][:188] == pkt(9)


def test_sender_drops_a_datagram_that_is_hopelessly_late() -> None:
    sock = FakeSocket()
    sender = Sender(sock, ("127.0.0.1", 1), RATE)  # type: ignore[arg-type]
    sender.add(0, pkt(1) * 7)
    sender.send_due(sender.departure(0) + 1.0)
    assert sock.sent == [] and sender.late == 1


def test_sender_follows_a_stepped_wall_clock() -> None:
    sender = Sender(FakeSocket(), ("127.0.0.1", 1), RATE)  # type: ignore[arg-type]
    now_slot = int(cbr.slot_at_ticks(now_stream_ticks(), RATE))
    sender._mono_epoch += 3600  # as if the wall clock had been an hour ahead at its start
    sender.add(now_slot + 7 * 100, pkt(1) * 7)  # playout follows the clock as it is now
    assert 0 < sender.departure((now_slot + 700) // 7) - time.monotonic() < 2


def test_a_relay_that_is_off_takes_nothing_and_says_so() -> None:
    relay = UdpRelay(UdpSettings()).start()
    try:
        assert relay.send(0, b"") and relay.health()["state"] == "off" and relay.pid is None
    finally:
        relay.stop()


# --- a real channel captured on 127.0.0.1 ---------------------------------------------------


@pytest.fixture
def captures() -> Iterator[tuple[UdpCapture, UdpCapture]]:
    a, b = UdpCapture(), UdpCapture()
    yield a, b
    a.close()
    b.close()


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


def pcr_offsets(capture: list[tuple[float, bytes]]) -> list[tuple[float, float]]:
    """(arrival, arrival - PCR seconds) per PCR: flat while PCR follows the wall clock."""
    out = []
    for arrival, datagram in capture:
        for _, pcr in ts.pcrs(datagram):
            out.append((arrival, arrival - pcr / 27e6))
    return out


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_paced_udp_through_a_sender_kill_and_live_settings(
    tmp_path: Path, captures: tuple[UdpCapture, UdpCapture]
) -> None:
    cap, other = captures
    plan = channel_plan(tmp_path)
    status_file = tmp_path / "status" / "udp.json"

    def status() -> dict:
        try:
            return json.loads(status_file.read_text())
        except (OSError, ValueError):
            return {}

    relay = UdpRelay(UdpSettings(cap.url, RATE, "幸福乡村频道", "监山乡")).start()
    stop = threading.Event()
    channel = threading.Thread(
        target=run_channel,
        args=(
            plan,
            tmp_path / "hls",
            relay,
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
        assert wait_for(lambda: status().get("udp", {}).get("state") == "sending", 90)
        clean_from = time.time() + 1
        time.sleep(20)
        sending = status()["udp"]
        before, before_at = status()["last_segment"], time.monotonic()
        first_pid = relay.pid
        assert first_pid
        os.kill(first_pid, signal.SIGKILL)  # the sender this test's channel started
        killed_at = time.time()
        assert wait_for(lambda: relay.pid not in (None, first_pid), 5) is not None
        assert wait_for(lambda: cap.since(killed_at + 0.2), 5) is not None
        back_after = cap.since(killed_at + 0.2)[0][0] - killed_at
        time.sleep(4)
        # New address and rate, live: the channel plays on.
        moved_at = time.time()
        relay.configure(UdpSettings(other.url, 3_000_000, "幸福乡村频道", "监山乡"))
        assert wait_for(lambda: other.since(moved_at), 10) is not None
        moved_after = other.since(moved_at)[0][0] - moved_at
        time.sleep(4)
        relay.configure(UdpSettings())
        assert wait_for(lambda: relay.health()["state"] == "off", 2)
        off_at = time.time()
        time.sleep(1)
        after, elapsed = status()["last_segment"], time.monotonic() - before_at
    finally:
        stop.set()
        channel.join()
        relay.stop()

    # 1. The clean 20 s: paced, tables and PCRs as a head-end wants them.
    clean = [d for d in cap.datagrams if clean_from <= d[0] < killed_at]
    report = udp_check.analyse(clean, RATE)
    print(f"\nclean: {report}\nback after kill: {back_after:.2f} s; "
          f"moved after: {moved_after:.2f} s")  # fmt: skip
    assert report.priority_1_ok(), report
    assert report.pcr_discontinuity_errors == 0 and report.pcr_accuracy_max_ns <= 500
    stream = b"".join(d for _, d in clean)
    pcrs = [p for _, p in ts.pcrs(stream)]
    assert max(b - a for a, b in zip(pcrs, pcrs[1:], strict=False)) <= 40 * 27_000  # placed
    # Timing on a shared 2-core machine: a vCPU can stall for ~20 ms now and then, so the
    # spec figures (arrival repetition <= 40 ms, p99 <= 5 ms) are bench/udp_bench.py's to
    # report; here: no stall beyond 100 ms and the 99th percentile within the spec.
    assert report.pcr_interval_max_ms < 100 and report.pcr_jitter_p99_ms <= 5
    assert report.interval_max_s[ts.PAT_PID] <= 0.1 and report.interval_max_s[ts.PMT_PID] <= 0.1
    assert report.interval_max_s[ts.SDT_PID] <= 2
    assert report.fluid_window_min > 0.85 and report.fluid_window_max < 1.15
    assert report.pcr_jitter_p50_ms < 5
    assert report.service_names == {(ts.dvb_text("监山乡"), ts.dvb_text("幸福乡村频道"))}
    assert sending["state"] == "sending" and abs(sending["sent_bps"] - RATE) < RATE * 0.1
    (tmp_path / "udp.ts").write_bytes(b"".join(d for _, d in clean))
    probe = ["ffprobe", "-v", "quiet", "-of", "json", "-show_programs", str(tmp_path / "udp.ts")]
    (program,) = json.loads(ffmpeg.run(probe).stdout)["programs"]
    assert program["tags"] == {"service_name": "幸福乡村频道", "service_provider": "监山乡"}

    # 2. Through the kill: flagged, so no continuity error; PCR still on the wall clock.
    first_run = [d for d in cap.datagrams if d[0] >= clean_from]
    whole = udp_check.analyse(first_run, RATE)
    assert whole.cc_errors == 0 and whole.pcr_discontinuity_errors == 0
    assert whole.discontinuities >= 1
    assert back_after < 3
    offsets = pcr_offsets(first_run)
    pre = [o for t, o in offsets if t < killed_at]
    post = [o for t, o in offsets if t > killed_at + back_after]
    assert abs(sorted(post)[len(post) // 2] - sorted(pre)[len(pre) // 2]) < 0.02

    # 3. The new address took over within 10 s at the new rate; the old one fell silent.
    assert moved_after < 10
    assert not [d for d in cap.datagrams if d[0] > moved_at + 2]
    moved = [d for d in other.datagrams if moved_at + moved_after + 1 < d[0] < off_at]
    assert abs(udp_check.analyse(moved, 3_000_000).fluid_window_min - 1) < 0.15
    assert not [d for d in other.datagrams if d[0] > off_at + 0.5]  # and off means off

    # HLS went on through all of it: a segment every 3.84 s, no gap.
    assert after - before >= elapsed // 3.84 - 1 >= 1
    playlist = (tmp_path / "hls" / "udp" / "index.m3u8").read_text()
    assert "DISCONTINUITY" not in playlist
