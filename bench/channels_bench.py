"""Many channels on one machine: CPU, memory, segment timing and UDP pacing at N channels.

    .venv/bin/python bench/channels_bench.py [--hls 10,50,100] [--udp 10,30] [--seconds 60]

Each run airs N channels at once in one playout process, as ``villagecast playout`` does
(one feed thread per channel, :func:`playlists.playout.run_channel` with the real timeline,
and for UDP one :class:`playlists.udp.UdpRelay` per channel with its paced sender), from one
shared set of pre-rendered units. After a warm-up it measures ``--seconds`` of air:

* CPU per channel: CPU time of the playout process and its senders over the window, divided
  by the wall time and by N (read from /proc, so set-up and warm-up do not count);
* memory per channel: proportional set size (PSS) of the playout process and its senders,
  the largest sample, divided by N (shared pages are shared, not counted N times);
* segment lateness: each HLS segment file's write time against its wall-clock due time (the
  start of the segment), and each playlist update against the start of the segment it adds;
  every segment due in the window must be there, with no discontinuity;
* UDP: every datagram captured on 127.0.0.1 with its kernel arrival time and checked with
  :mod:`playlists.udp_check` (TR 101 290 priority 1 and the PCR checks, PCR against arrival,
  rate per 100 ms window), plus the worst gap between datagrams and the largest burst;
* a sample of segments decoded back with ffprobe, and continuity counters across them.

A channel is clean when every segment came on time (``ON_TIME_S``), none is missing, the
sampled segments probe as H.264 + AAC without continuity errors, and (UDP) its capture
passes TR 101 290 priority 1 and the PCR checks with no datagram or unit dropped as late.
The machine's load average is printed beside each run: other work on the machine shows in
the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from udp_bench import make_plan  # noqa: E402

from playlists import hls, ts, udp_check  # noqa: E402
from playlists.cbr import DATAGRAM_BYTES, default_muxrate_bps  # noqa: E402
from playlists.feed import SystemClock, unit_index_at  # noqa: E402
from playlists.plan import load_plan, save_plan  # noqa: E402
from playlists.playout import run_channel  # noqa: E402
from playlists.priority import ahead_of_ordinary_work  # noqa: E402
from playlists.timeline import next_slot  # noqa: E402
from playlists.udp import UdpRelay, UdpSettings  # noqa: E402
from playlists.udp_capture import SO_TIMESTAMPNS  # noqa: E402
from renderer import audio, encode, ffmpeg  # noqa: E402

# A segment written this long after its start is late: a player three segments behind would
# not notice, but playout means to publish each segment as it starts, so lateness that
# grows with N is the sign of a machine running out of time.
ON_TIME_S = 1.0
START_LIMIT_S = 120.0  # every channel has published a segment within this
WARMUP_S = 8.0  # after which channels have settled (lineups written) and the window opens
PROBED_CHANNELS = 3  # channels whose segments are decoded back with ffprobe
PROBED_SEGMENTS = 2  # consecutive segments per probed channel
BURST_WINDOW_S = 0.010  # the largest number of datagrams in any 10 ms, against the nominal
PAGE_SECONDS = (7.68, 10.24, 12.8, 15.36)
CLK_TCK = os.sysconf("SC_CLK_TCK")
_TIMESPEC = struct.Struct("@qq")


# --- the playout process (child) -------------------------------------------------------


def child(root: Path, n: int, urls: list[str], rate: int) -> None:
    """Air channels ``ch0 .. ch{n-1}`` until stdin closes, as the playout job airs them."""
    ahead_of_ordinary_work()  # as publisher.jobs.playout does
    stop = threading.Event()
    relays = [UdpRelay(UdpSettings(u, rate, f"乡村频道{i}", "乾元县")).start()
              for i, u in enumerate(urls)]  # fmt: skip
    threads = []
    for i in range(n):
        relay = relays[i] if i < len(relays) else None
        thread = threading.Thread(
            target=run_channel, name=f"feed-ch{i}",
            args=(root / "plans" / f"ch{i}.json", root / "hls", relay, root / "cache",
                  next_slot, lambda page: None, stop, SystemClock()),
            kwargs={"status_dir": root / "status"}, daemon=True)  # fmt: skip
        thread.start()
        threads.append(thread)
    for _ in sys.stdin:  # each line: the relays' counters now (the window's start)
        print(json.dumps({"relays": [r.health() for r in relays]}), flush=True)
    stop.set()  # input closed: the window is over
    for thread in threads:
        thread.join(timeout=10)
    health = [r.health() for r in relays]
    for relay in relays:
        relay.stop()
    print(json.dumps({"relays": health}), flush=True)


# --- measuring from outside --------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the playout process and its UDP senders)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeMeter:
    """CPU time over a window and the largest PSS of a process tree, sampled every second."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_pss_mb = 0.0
        self._cpu0: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def begin(self) -> None:
        self._cpu0 = {p: _cpu_s(p) for p in _tree(self.pid)}
        self._t0 = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak_pss_mb = max(self.peak_pss_mb, sum(_pss_mb(p) for p in _tree(self.pid)))

    def end(self) -> tuple[float, float, float]:
        """(CPU seconds of the tree, of the root process alone, wall seconds) since
        :meth:`begin`."""
        self._stop.set()
        used = {p: _cpu_s(p) - self._cpu0.get(p, 0.0) for p in _tree(self.pid)}
        return sum(used.values()), used[self.pid], time.monotonic() - self._t0


class PlaylistWatch:
    """Notes when each channel's playlist changes and which segment it adds (polled)."""

    def __init__(self, hls_dir: Path, n: int) -> None:
        self.paths = [hls_dir / f"ch{i}" / hls.PLAYLIST_NAME for i in range(n)]
        self.updates: list[dict[str, float]] = [{} for _ in range(n)]  # name -> mtime
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        seen = [0] * len(self.paths)
        while not self._stop.wait(0.5):
            for i, path in enumerate(self.paths):
                try:
                    mtime = path.stat().st_mtime_ns
                    if mtime != seen[i]:
                        seen[i] = mtime
                        last = path.read_text().rstrip().rsplit("\n", 1)[-1]
                        self.updates[i].setdefault(last, mtime / 1e9)
                except OSError:
                    continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class MultiCapture:
    """Datagrams with kernel arrival times on N loopback sockets, one thread for all."""

    def __init__(self, n: int) -> None:
        self.socks = []
        self.datagrams: list[list[tuple[float, bytes]]] = [[] for _ in range(n)]
        self._sel = selectors.DefaultSelector()
        for i in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.bind(("127.0.0.1", 0))
            sock.setblocking(False)
            self._sel.register(sock, selectors.EVENT_READ, i)
            self.socks.append(sock)
        self.urls = [f"udp://127.0.0.1:{s.getsockname()[1]}" for s in self.socks]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        space = socket.CMSG_SPACE(_TIMESPEC.size)
        while not self._stop.is_set():
            for key, _ in self._sel.select(0.2):
                sock, out = key.fileobj, self.datagrams[key.data]
                while True:
                    try:
                        data, ancillary, _, _ = sock.recvmsg(2048, space)
                    except BlockingIOError:
                        break
                    sec, nsec = _TIMESPEC.unpack(ancillary[0][2][: _TIMESPEC.size])
                    out.append((sec + nsec / 1e9, data))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.socks:
            sock.close()


# --- checking what came out --------------------------------------------------------------


@dataclass
class ChannelResult:
    segments: int = 0
    missing: int = 0
    discontinuities: int = 0
    worst_late_s: float = 0.0
    worst_playlist_late_s: float = 0.0
    probe_ok: bool = True
    udp: udp_check.CaptureReport | None = None
    worst_gap_ms: float = 0.0
    worst_burst: float = 0.0  # datagrams in the busiest 10 ms over the nominal number
    udp_dropped: int = 0
    sender_priority: str = ""  # how the paced sender got scheduled (udp_send.raise_priority)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def check_hls(channel_dir: Path, begin: float, end: float, playlist: dict[str, float],
              result: ChannelResult) -> list[Path]:  # fmt: skip
    """Segments due in [begin, end): all there, in order, on time. Returns their files."""
    try:
        state = json.loads((channel_dir / hls.STATE_NAME).read_text())
    except (OSError, ValueError):
        state = {"segments": []}
    due = {s["n"]: s for s in state["segments"]
           if begin <= hls.segment_start(s["n"]).timestamp() < end}  # fmt: skip
    around = hls.segment_of_unit(unit_index_at(datetime.fromtimestamp(begin, UTC)))
    last = hls.segment_of_unit(unit_index_at(datetime.fromtimestamp(end, UTC)))
    wanted = [n for n in range(around, last + 1)
              if begin <= hls.segment_start(n).timestamp() < end]  # fmt: skip
    result.missing += sum(1 for n in wanted if n not in due)
    files = []
    for n in sorted(due):
        seg = due[n]
        path = channel_dir / seg["name"]
        result.segments += 1
        result.discontinuities += bool(seg["disc"])
        late = path.stat().st_mtime - hls.segment_start(n).timestamp()
        result.worst_late_s = max(result.worst_late_s, late)
        if seg["name"] in playlist:
            late = playlist[seg["name"]] - hls.segment_start(n).timestamp()
            result.worst_playlist_late_s = max(result.worst_playlist_late_s, late)
        files.append(path)
    if result.missing:
        result.problems.append(f"{result.missing} segments missing")
    if result.discontinuities:
        result.problems.append(f"{result.discontinuities} discontinuities")
    late = max(result.worst_late_s, result.worst_playlist_late_s)
    if late > ON_TIME_S:
        result.problems.append(f"segment or playlist {late:.2f} s late")
    return files


def probe_segments(files: list[Path], result: ChannelResult) -> None:
    """Decode consecutive segments back: one H.264 and one AAC stream, no CC errors."""
    data = b"".join(p.read_bytes() for p in files)
    cc = ts.continuity_errors(data)
    for path in files:
        streams = {s["codec_name"] for s in ffmpeg.probe(path)["streams"]}
        if not {"h264", "aac"} <= streams:
            result.problems.append(f"{path.name}: streams {sorted(streams)}")
    if any(cc.values()):
        result.problems.append(f"continuity errors {cc}")
    result.probe_ok = not result.problems


def check_udp(capture: list[tuple[float, bytes]], begin: float, end: float, rate: int,
              health: dict[str, object], result: ChannelResult) -> None:  # fmt: skip
    window = [d for d in capture if begin <= d[0] < end]
    report = udp_check.analyse(window, rate)
    result.udp = report
    arrivals = [a for a, _ in window]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    result.worst_gap_ms = max(gaps, default=float("inf")) * 1000
    nominal = rate * BURST_WINDOW_S / (DATAGRAM_BYTES * 8)
    most, lo = 0, 0
    for hi, t in enumerate(arrivals):
        while t - arrivals[lo] >= BURST_WINDOW_S:
            lo += 1
        most = max(most, hi - lo + 1)
    result.worst_burst = most / nominal
    result.sender_priority = str(health.get("priority", ""))
    result.udp_dropped = sum(int(health[k]) for k in ("late_datagrams", "dropped", "late_units"))
    if not report.datagrams:
        result.problems.append("no datagrams")
    elif not (report.priority_1_ok() and report.pcr_ok()):
        tables = {k: round(v * 1000) for k, v in report.interval_max_s.items()}
        result.problems.append(
            f"TR 101 290: CC {report.cc_errors}, sync {report.sync_errors}, PID intervals "
            f"{tables} ms, PCR every {report.pcr_interval_max_ms:.1f} ms, accuracy "
            f"{report.pcr_accuracy_max_ns:.0f} ns, unflagged jumps "
            f"{report.pcr_discontinuity_errors}")  # fmt: skip
    if result.udp_dropped:
        result.problems.append(f"sender dropped {health['late_datagrams']} datagrams as late, "
                               f"relay {health['dropped']} segments and {health['late_units']}"
                               " units")  # fmt: skip
    if health["starts"]:
        result.problems.append(f"sender restarted {health['starts']} times")


# --- one run -----------------------------------------------------------------------------


@dataclass
class RunResult:
    mode: str
    n: int
    load: tuple[float, float, float]
    cpu_s: float  # the playout process and its senders
    playout_cpu_s: float  # the playout process alone
    wall_s: float
    pss_mb: float
    channels: list[ChannelResult]
    start_s: float = 0.0  # until every channel had published its first segment
    start_late: float = 0.0  # worst playlist lateness before the window (start, warm-up)

    @property
    def cpu_per_channel(self) -> float:
        return self.cpu_s / self.wall_s / self.n

    @property
    def clean(self) -> int:
        return sum(c.clean for c in self.channels)


def prepare(base: Path, enc: encode.EncodingProfile) -> None:
    """One shared render and cache for every channel of every run, and a plan of pages
    as long as a township's (7.68 to 15.36 s: the timeline and lineup cost what they do)."""
    base.mkdir(parents=True, exist_ok=True)
    plan = load_plan(make_plan(base, enc))
    item = plan.items[0]
    pages = tuple(replace(p, duration_s=PAGE_SECONDS[k % len(PAGE_SECONDS)])
                  for k, p in enumerate(item.pages))  # fmt: skip
    item = replace(item, pages=pages)
    save_plan(replace(plan, items=(item,), filler=item), base / "plan.json")
    encode.ensure_slate_unit(base / "cache", enc)  # once, not in N feeds at once
    audio.ensure_bed(base / "cache", enc.audio_kbps)


def run(root: Path, enc: encode.EncodingProfile, n: int, udp: bool, seconds: float) -> RunResult:
    base = root / "base"
    work = Path(tempfile.mkdtemp(prefix=f"run-{n}-", dir=root))
    (work / "cache").symlink_to(base / "cache")
    plans = work / "plans"
    plan = load_plan(base / "plan.json")
    for i in range(n):
        save_plan(replace(plan, slug=f"ch{i}", name=f"乡村频道{i}"), plans / f"ch{i}.json")
    rate = default_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)
    capture = MultiCapture(n) if udp else None
    urls = capture.urls if capture else []
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(work), str(n), json.dumps(urls), str(rate)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    watch = PlaylistWatch(work / "hls", n)
    started = time.monotonic()
    while not all((work / "hls" / f"ch{i}" / hls.STATE_NAME).exists() for i in range(n)):
        if time.monotonic() - started > START_LIMIT_S or proc.poll() is not None:
            proc.kill()
            raise SystemExit(f"{n} channels did not all start within {START_LIMIT_S:.0f} s")
        time.sleep(0.5)
    start_s = time.monotonic() - started
    time.sleep(WARMUP_S)
    meter = TreeMeter(proc.pid)
    meter.begin()
    begin = time.time()
    proc.stdin.write("mark\n")
    proc.stdin.flush()
    before = json.loads(proc.stdout.readline())["relays"]
    time.sleep(seconds)
    end = time.time()
    cpu, playout_cpu, wall = meter.end()
    load = os.getloadavg()
    out, _ = proc.communicate()
    watch.stop()
    if capture:
        capture.close()
    after = json.loads(out.strip().splitlines()[-1])["relays"]
    counted = ("late_datagrams", "dropped", "late_units", "starts")
    health = [{k: a[k] - b[k] for k in counted} | {"priority": a["priority"]}
              for a, b in zip(after, before, strict=True)]  # fmt: skip
    results = []
    for i in range(n):
        result = ChannelResult()
        files = check_hls(work / "hls" / f"ch{i}", begin, end, watch.updates[i], result)
        if i in _probed(n) and len(files) >= PROBED_SEGMENTS:
            probe_segments(files[len(files) // 2 :][:PROBED_SEGMENTS], result)
        if capture:
            check_udp(capture.datagrams[i], begin + 1, end - 1, rate, health[i], result)
            capture.datagrams[i] = []  # memory: 2 Mbit/s x 60 s per channel
        results.append(result)
    start_late = max((late for updates in watch.updates
                      for late in _start_lateness(updates, begin)), default=0.0)
    return RunResult("UDP" if udp else "HLS", n, load, cpu, playout_cpu, wall, meter.peak_pss_mb,
                     results, start_s, start_late)  # fmt: skip


def _start_lateness(updates: dict[str, float], begin: float) -> list[float]:
    """Playlist lateness of the segments before the window (start and warm-up). A fresh
    channel names each segment after its wall-clock number (playlists.playout)."""
    found = []
    for name, mtime in updates.items():
        digits = name.removeprefix("seg-").removesuffix(".ts")
        due = hls.segment_start(int(digits)).timestamp() if digits.isdigit() else begin
        if due < begin:
            found.append(mtime - due)
    return found


def _probed(n: int) -> set[int]:
    return {0, n // 2, n - 1} if n >= PROBED_CHANNELS else set(range(n))


# --- the table ---------------------------------------------------------------------------


def row(r: RunResult) -> str:
    worst_late = max(c.worst_late_s for c in r.channels)
    worst_pl = max(c.worst_playlist_late_s for c in r.channels)
    udp = [c for c in r.channels if c.udp]
    if udp:
        jitter = max(c.udp.pcr_jitter_max_ms for c in udp)
        acc = max(c.udp.pcr_accuracy_max_ns for c in udp)
        gap = max(c.worst_gap_ms for c in udp)
        burst = max(c.worst_burst for c in udp)
        lo = min(c.udp.window_min for c in udp)
        hi = max(c.udp.window_max for c in udp)
        pacing = f"{jitter:7.2f} {acc:6.0f} {gap:6.1f} {burst:5.1f} {lo:.2f}-{hi:.2f}"
    else:
        pacing = f"{'-':>7} {'-':>6} {'-':>6} {'-':>5} {'-':>9}"
    playout = 100 * r.playout_cpu_s / r.wall_s / r.n
    return (f"{r.mode:4} {r.n:4} {100 * r.cpu_per_channel:6.2f}% {playout:5.2f}% "
            f"{r.pss_mb / r.n:6.1f} "
            f"{worst_late:7.3f} {worst_pl:7.3f} {pacing} {r.clean:4}/{r.n:<4} "
            f"{r.load[0]:5.2f} {r.start_s:6.1f} {r.start_late:6.2f}")  # fmt: skip


HEADER_LINE = (
    "mode    N  CPU/ch (mux) MB/ch  seg-late pl-late PCRjit  PCRacc gap    burst  rate/100ms"
    "  clean     load1  start  st-late\n"
    "          (core)        (PSS)      (s)     (s)   (ms)    (ns)  (ms)   (x)    (min-max)"
    "                    (s)    (s)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hls", default="10,50,100", help="channel counts with HLS only")
    parser.add_argument("--udp", default="10,30", help="channel counts with HLS and paced UDP")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--profile", default="720p", choices=sorted(encode.PROFILES))
    parser.add_argument("--dir", help="where the data directory goes (e.g. /dev/shm: a tmpfs, "
                        "away from other work's disk traffic); default: the system's temp dir")
    args = parser.parse_args()
    enc = encode.PROFILES[args.profile]
    runs = [(int(n), False) for n in args.hls.split(",") if n]
    runs += [(int(n), True) for n in args.udp.split(",") if n]
    print(f"data directory under {args.dir or tempfile.gettempdir()}")
    print(f"{os.cpu_count()} cores, profile {enc.name}, {args.seconds:.0f} s of air per run "
          f"after {WARMUP_S:.0f} s warm-up; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(prefix="channels-bench-", dir=args.dir) as tmp:
        root = Path(tmp)
        prepare(root / "base", enc)
        print(HEADER_LINE, flush=True)
        for n, udp in runs:
            r = run(root, enc, n, udp, args.seconds)
            results.append(r)
            print(row(r), flush=True)
            if udp:
                kinds = sorted({c.sender_priority for c in r.channels})
                print(f"     senders scheduled: {', '.join(kinds)}")
            for i, c in enumerate(r.channels):
                if c.problems:
                    print(f"     ch{i}: {'; '.join(c.problems)}")
    for mode in ("HLS", "UDP"):
        clean = [r for r in results if r.mode == mode and r.clean == r.n]
        if clean:
            best = max(clean, key=lambda r: r.n)
            print(f"{mode}: largest N measured with every channel clean: {best.n} "
                  f"({100 * best.cpu_per_channel * best.n:.0f}% of one core); one core's worth "
                  f"at that cost: ~{int(1 / best.cpu_per_channel)} channels")  # fmt: skip
        elif any(r.mode == mode for r in results):
            print(f"{mode}: no run with every channel clean")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        a = sys.argv[2:]
        child(Path(a[0]), int(a[1]), json.loads(a[2]), int(a[3]))
    else:
        main()
