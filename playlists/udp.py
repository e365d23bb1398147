"""Constant-bitrate MPEG-TS over UDP for the cable head-end, through a supervised relay.

Our continuous TS is piped into one ``ffmpeg -re ... -c copy -f mpegts -muxrate R udp://``
process. ffmpeg re-muxes without touching the pictures: it paces by our timestamps, adds the
DVB tables (SDT with service and provider names), pads with null packets to a constant
mux rate and sends 7 TS packets per datagram. A writer thread owns the pipe, so a stuck or
dead relay never holds up HLS; if the relay dies a new one starts within ~1 s.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import queue
import subprocess
import threading
import time
from urllib.parse import urlsplit

from renderer import ffmpeg

log = logging.getLogger(__name__)

DATAGRAM_BYTES = 1316  # 7 x 188: fits a 1500-byte Ethernet MTU with IP/UDP headers
QUEUE_CHUNKS = 4  # segments buffered for the relay (~15 s) before we start dropping
RESTART_DELAY_S = 1.0  # well inside the 5 s the head-end tolerates
STALL_S = 15.0  # a write blocked this long means a hung relay (normal: < one segment)
STDERR_LINES = 40


def relay_url(url: str) -> str:
    """Validate ``udp://host:port`` and add the datagram size if it is not given."""
    parts = urlsplit(url)
    if parts.scheme != "udp" or not parts.hostname or not parts.port:
        raise ValueError(f"expected udp://host:port, got {url!r}")
    if "pkt_size=" in parts.query:
        return url
    return f"{url}{'&' if parts.query else '?'}pkt_size={DATAGRAM_BYTES}"


class UdpRelay:
    """Keeps one ffmpeg relay running and feeds it TS chunks (whole units) from a queue."""

    def __init__(
        self,
        url: str,
        muxrate_bps: int,
        service_name: str,
        provider_name: str,
        *,
        queue_chunks: int = QUEUE_CHUNKS,
        restart_delay: float = RESTART_DELAY_S,
    ) -> None:
        self.cmd = ffmpeg.udp_relay_cmd(relay_url(url), muxrate_bps, service_name, provider_name)
        self.restart_delay = restart_delay
        self.starts = 0
        self.dropped = 0
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=queue_chunks)
        self._stop = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_since: float | None = None
        self._thread = threading.Thread(target=self._run, name="udp-relay", daemon=True)

    @property
    def pid(self) -> int | None:
        """Process id of the running relay (for tests and the status file)."""
        proc = self._proc
        return proc.pid if proc and proc.poll() is None else None

    def start(self) -> UdpRelay:
        self._thread.start()
        return self

    def send(self, chunk: bytes) -> bool:
        """Queue a chunk for the relay without ever blocking; False if it had to be dropped.

        Also the hang check: a relay that has not taken a chunk for STALL_S is killed, and
        the writer thread then restarts it.
        """
        since, proc = self._write_since, self._proc
        if since is not None and proc is not None and time.monotonic() - since > STALL_S:
            log.warning("udp relay stalled for %.0f s; killing pid %s", STALL_S, proc.pid)
            proc.kill()
        try:
            self._queue.put_nowait(chunk)
            return True
        except queue.Full:
            self.dropped += 1
            return False

    def stop(self, timeout: float = 5.0) -> None:
        """Stop feeding, let the relay flush what it has, and end it."""
        self._stop.set()
        self._thread.join(1.0)
        if self._thread.is_alive() and self._proc is not None:
            self._proc.kill()  # the writer is blocked on a relay that stopped reading
            self._thread.join(timeout)
        self._end(self._proc, timeout)

    def _spawn(self) -> subprocess.Popen[bytes]:
        proc = ffmpeg.spawn(self.cmd)
        self.starts += 1
        threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
        log.info("udp relay started (pid %s, start #%d)", proc.pid, self.starts)
        return proc

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    @staticmethod
    def _end(proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
        if proc is None:
            return
        if proc.stdin and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._proc is None or self._proc.poll() is not None:
                if self._proc is not None:
                    log.warning(
                        "udp relay exited %s: %s",
                        self._proc.returncode,
                        " | ".join(list(self.stderr_tail)[-3:]),
                    )
                    self._end(self._proc, 1)
                    if self._stop.wait(self.restart_delay):
                        break
                try:
                    self._proc = self._spawn()
                except ffmpeg.FFmpegError as exc:
                    log.error("udp relay cannot start: %s", exc)
                    self._proc = None
                    self._stop.wait(self.restart_delay)
                    continue
            try:
                chunk = self._queue.get(timeout=0.25)
            except queue.Empty:
                continue
            proc = self._proc
            self._write_since = time.monotonic()
            try:
                assert proc.stdin is not None
                proc.stdin.write(chunk)
                proc.stdin.flush()
            except (OSError, ValueError):
                proc.kill()  # cannot take the rest of the chunk: the check above restarts it
                proc.wait()
            finally:
                self._write_since = None
