"""Constant-bitrate MPEG-TS over UDP for the cable head-end: the relay in the playout.

Playout hands the relay each segment's units ahead of time. A writer thread places them
into the constant-rate slot row (:mod:`playlists.cbr`) and feeds the slots to a paced
sender process (:mod:`playlists.udp_send`) through a pipe. The relay never blocks HLS:
``send`` only queues, and a stuck or dead sender is killed and restarted; after a
restart the units whose windows have not begun are muxed again (with the discontinuity
indicator), so the head-end loses at most about a unit. ``configure`` changes address,
rate or names, or turns the output off, while the channel plays on.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

from playlists import cbr
from playlists.feed import STREAM_EPOCH
from playlists.udp_send import HEADER
from renderer.encode import EncodingProfile
from renderer.timing import TICKS_PER_SECOND

log = logging.getLogger(__name__)

QUEUE_CHUNKS = 4  # segments buffered for the sender (~15 s) before we start dropping
RESTART_DELAY_S = 0.1  # a killed sender is back (and sending) within about half a second
STALL_S = 5.0  # a pipe write blocked this long means a hung sender
START_MARGIN_S = 0.2  # slots due sooner than this cannot reach a (new) sender in time
KEEP_UNITS = 12  # recent units kept for muxing again after a sender restart (~7.7 s)
REPORT_STALE_S = 3.0  # a sender silent this long is not counted as sending
STDERR_LINES = 20
READY_S = 3.0  # how long a new sender may take to start (Python on a busy machine)


def parse_url(url: str) -> tuple[str, int, int]:
    """``udp://host:port[?ttl=N]`` as (host, port, ttl); raise ValueError otherwise."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "udp" or not parts.hostname or not port:
        raise ValueError(f"expected udp://host:port, got {url!r}")
    query = parse_qs(parts.query)
    size = query.get("pkt_size", [str(cbr.DATAGRAM_BYTES)])[0]
    if size != str(cbr.DATAGRAM_BYTES):
        raise ValueError(f"datagrams are {cbr.DATAGRAM_BYTES} bytes (7 packets), not {size}")
    return parts.hostname, port, int(query.get("ttl", ["16"])[0])


@dataclass(frozen=True)
class UdpSettings:
    """What the channel's settings say about its UDP output; an empty ``url`` is off."""

    url: str = ""
    muxrate_bps: int = cbr.DEFAULT_MUXRATE_BPS
    service_name: str = ""
    provider_name: str = ""

    @classmethod
    def for_profile(
        cls, url: str, enc: EncodingProfile, service_name: str, provider_name: str
    ) -> UdpSettings:
        """Settings at the profile's default mux rate (2 Mbit/s unless it needs more)."""
        rate = cbr.default_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)
        return cls(url, rate, service_name, provider_name)


def now_stream_ticks() -> int:
    """Stream time now (90 kHz ticks since the stream epoch), from the wall clock.

    Pacing of the UDP sender, not domain time: the machine's clock, never a test's fake.
    """
    return round((time.time() - STREAM_EPOCH.timestamp()) * TICKS_PER_SECOND)


def sender_cmd(settings: UdpSettings) -> list[str]:
    """The paced sender's command line."""
    host, port, ttl = parse_url(settings.url)
    return [sys.executable, "-m", "playlists.udp_send", host, str(port),
            str(settings.muxrate_bps), str(ttl)]  # fmt: skip


class UdpRelay:
    """Keeps one paced sender running for the channel and feeds it muxed slots."""

    def __init__(self, settings: UdpSettings, *, restart_delay: float = RESTART_DELAY_S) -> None:
        self.settings = settings
        self.restart_delay = restart_delay
        self.starts = 0
        self.dropped = 0  # segments dropped because the sender could not keep up
        self.skipped_units = 0  # units that came too late for their window
        self.error = ""  # why the output is not sending, in the sender's words
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._report: dict[str, object] = {}
        self._ready = threading.Event()  # the running sender has reported once
        # (monotonic time, datagrams sent, send errors) from the sender's last reports
        self._reports: collections.deque[tuple[float, int, int]] = collections.deque(maxlen=4)
        self._wanted = settings
        self._queue: queue.Queue[tuple[int, bytes]] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self._recent: collections.deque[tuple[int, bytes]] = collections.deque(maxlen=KEEP_UNITS)
        self._stop = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._mux: cbr.CbrMux | None = None
        self._write_since: float | None = None
        self._thread = threading.Thread(target=self._run, name="udp-relay", daemon=True)

    # --- what playout calls ---------------------------------------------------------

    def start(self) -> UdpRelay:
        self._thread.start()
        return self

    def configure(self, settings: UdpSettings) -> None:
        """Take new settings; the writer thread applies them within a tenth of a second."""
        self._wanted = settings

    def send(self, first_unit: int, data: bytes) -> bool:
        """Queue units ``first_unit ...`` (muxed TS) without ever blocking; False if dropped.

        Also the hang check: a sender that has not taken slots for STALL_S is killed, and
        the writer thread then restarts it.
        """
        since, proc = self._write_since, self._proc
        if since is not None and proc is not None and time.monotonic() - since > STALL_S:
            log.warning("udp sender stalled for %.0f s; killing pid %s", STALL_S, proc.pid)
            proc.kill()
        if not (self.settings.url or self._wanted.url):
            return True
        try:
            self._queue.put_nowait((first_unit, data))
            return True
        except queue.Full:
            self.dropped += 1
            return False

    @property
    def pid(self) -> int | None:
        """Process id of the running sender (for tests and the status file)."""
        proc = self._proc
        return proc.pid if proc and proc.poll() is None else None

    def state(self) -> str:
        """``off``, ``sending`` (the sender reports datagrams going out) or ``error``."""
        if not self.settings.url:
            return "off"
        reports = list(self._reports)
        fresh = reports and time.monotonic() - reports[-1][0] < REPORT_STALE_S
        moving = len(reports) >= 2 and reports[-1][1] > reports[0][1]
        failing = len(reports) >= 2 and reports[-1][2] > reports[0][2]
        if self.pid and fresh and moving and not failing:
            return "sending"
        return "error"

    def sent_bps(self) -> int:
        """The rate the sender reports over its last few seconds (bits per second)."""
        reports = list(self._reports)
        if len(reports) < 2 or reports[-1][0] <= reports[0][0]:
            return 0
        datagrams = reports[-1][1] - reports[0][1]
        return round(datagrams * cbr.DATAGRAM_BYTES * 8 / (reports[-1][0] - reports[0][0]))

    def health(self) -> dict[str, object]:
        """What the status file says about the output (read by the admin)."""
        state = self.state()
        detail = ""
        if state == "error":
            detail = self.error or str(self._report.get("error") or "")
        return {
            "state": state,
            "url": self.settings.url,
            "muxrate_bps": self.settings.muxrate_bps,
            "sent_bps": self.sent_bps() if state == "sending" else 0,
            "detail": detail,
            "starts": self.starts,
            "dropped": self.dropped,
            "late_units": self.skipped_units,
            "late_datagrams": int(self._report.get("late", 0) or 0),
            "priority": str(self._report.get("priority", "")),
            "pid": self.pid,
        }

    def stop(self, timeout: float = 5.0) -> None:
        """Stop feeding and end the sender."""
        self._stop.set()
        self._thread.join(1.0)
        if self._thread.is_alive() and self._proc is not None:
            self._proc.kill()  # the writer is blocked on a sender that stopped reading
            self._thread.join(timeout)
        self._end()

    # --- the writer thread ----------------------------------------------------------

    def _spawn(self) -> None:
        try:
            cmd = sender_cmd(self.settings)
            proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except (OSError, ValueError) as exc:
            self.error = str(exc)
            log.error("udp sender cannot start: %s", exc)
            return
        self.starts += 1
        self._proc = proc
        self._reports.clear()
        self._report = {}
        self._ready.clear()
        threading.Thread(target=self._read_reports, args=(proc,), daemon=True).start()
        threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
        # Slots are handed over only once the sender runs, so none is due before it can
        # send it (the first ones carry the discontinuity flags).
        if not self._ready.wait(READY_S):
            log.warning("udp sender pid %s not ready after %.0f s", proc.pid, READY_S)
        log.info("udp sender started (pid %s, start #%d) to %s at %d bit/s",
                 proc.pid, self.starts, self.settings.url, self.settings.muxrate_bps)  # fmt: skip
        # A new sender hears a new stream: a fresh mux marks the discontinuity, and the
        # units whose windows are still ahead go again.
        s = self.settings
        self._mux = cbr.CbrMux(s.muxrate_bps, s.service_name, s.provider_name)
        for unit, data in list(self._recent):
            self._feed(unit, data, part=True)

    def _read_reports(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with contextlib.suppress(ValueError):
                report = json.loads(line)
                self._report = report
                sent, errors = int(report.get("sent", 0)), int(report.get("errors", 0))
                self._reports.append((time.monotonic(), sent, errors))
                self._ready.set()
                if report.get("error") and report.get("errors"):
                    self.error = str(report["error"])

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    def _end(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the sender exits when its input closes
        try:
            proc.wait(1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _feed(self, unit: int, data: bytes, part: bool = False) -> None:
        """Mux one unit and hand its slots to the sender, unless its window has begun.

        ``part``: a new sender starts at once, part-way through a unit's window.
        """
        proc, mux = self._proc, self._mux
        if proc is None or mux is None:
            return
        opens = cbr.unit_first_slot(unit, mux.rate)
        soon = cbr.slot_at_ticks(now_stream_ticks() + int(START_MARGIN_S * TICKS_PER_SECOND),
                                 mux.rate)  # fmt: skip
        if opens < soon and not (part and soon < cbr.unit_first_slot(unit + 1, mux.rate)):
            self.skipped_units += 1
            return
        run = mux.mux_unit(unit, data, not_before=soon if opens < soon else None)
        self._write_since = time.monotonic()
        try:
            assert proc.stdin is not None
            proc.stdin.write(HEADER.pack(run.first_slot, len(run.packets) // 188) + run.packets)
            proc.stdin.flush()
        except (OSError, ValueError):
            proc.kill()  # cannot take the rest: the loop restarts it
        finally:
            self._write_since = None

    def _apply_settings(self) -> None:
        wanted = self._wanted
        if wanted == self.settings and (self._proc is not None or not wanted.url):
            return
        if wanted != self.settings:
            log.info("udp output settings changed: %s", wanted)
            self._end()
            self.settings = replace(wanted)
            self.error = ""
        if not self.settings.url:
            return
        self._spawn()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._apply_settings()
            proc = self._proc
            if proc is not None and proc.poll() is not None:
                tail = " | ".join(list(self.stderr_tail)[-3:])
                log.warning("udp sender exited %s: %s", proc.returncode, tail)
                self.error = tail or f"sender exited {proc.returncode}"
                self._end()
                if self._stop.wait(self.restart_delay):
                    break
                continue  # _apply_settings starts a new one
            if proc is None and self.settings.url:
                self._stop.wait(max(self.restart_delay, 1.0))  # could not start: retry
                continue
            try:
                first, data = self._queue.get(timeout=0.1)  # also how soon a death is seen
            except queue.Empty:
                continue
            for i, unit_data in enumerate(cbr.split_units(data)):
                self._recent.append((first + i, unit_data))  # for a sender (re)started soon
                if self.settings.url:
                    self._feed(first + i, unit_data)
        self._end()
