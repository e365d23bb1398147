"""The paced UDP sender: ``python -m playlists.udp_send HOST PORT RATE [TTL]``.

It reads runs of packet slots from stdin, each framed as a 12-byte header (first slot,
packet count; big-endian) and the packets, and sends datagram d (slots 7d ... 7d+6) when
the monotonic clock reaches slot 7d's departure time (see :mod:`playlists.cbr`). A slot
it was given nothing for goes as a null packet; a datagram it holds nothing for is not
sent. It runs in its own process with a single thread, so nothing (no GIL, no HLS
writing, no garbage collection of the playout) stands between it and its deadlines.

Once a second it prints one JSON line of counters. It exits when stdin closes, so a
killed playout never leaves a sender behind, and a sender killed any way is restarted
by the playout (``playlists.udp.UdpRelay``).
"""

from __future__ import annotations

import gc
import json
import os
import select
import socket
import struct
import sys
import time
from collections import deque

from playlists import ts
from playlists.cbr import PACKETS_PER_DATAGRAM, SLOT_BITS
from playlists.feed import STREAM_EPOCH

HEADER = struct.Struct(">QI")
LATE_S = 0.1  # a datagram this late is dropped rather than sent in a burst
REPORT_S = 1.0
# Runs normally arrive ~0.3-2 s ahead of their time; this far off, the wall clock moved.
RESYNC_LATE_S, RESYNC_AHEAD_S = 2.0, 30.0
READ_BYTES = 1 << 18


def wall_minus_monotonic() -> float:
    """Wall-clock seconds minus monotonic seconds, from the tightest of a few readings."""
    best = None
    for _ in range(5):
        m0 = time.monotonic()
        w = time.time()
        m1 = time.monotonic()
        if best is None or m1 - m0 < best[0]:
            best = (m1 - m0, w - (m0 + m1) / 2)
    assert best is not None
    return best[1]


class Sender:
    """Holds the slots it was given and sends each datagram on time."""

    def __init__(self, sock: socket.socket, address: tuple[str, int], rate_bps: int) -> None:
        self.sock, self.address, self.rate = sock, address, rate_bps
        epoch = STREAM_EPOCH.timestamp()
        self._mono_epoch = epoch - wall_minus_monotonic()  # stream time 0 on monotonic time
        self.runs: deque[tuple[int, bytes]] = deque()  # (first slot, packets), in order
        self.datagram: int | None = None  # the next datagram to send
        self.sent = self.late = self.errors = 0
        self.last_error = ""
        self.priority = "normal"

    def departure(self, datagram: int) -> float:
        """Monotonic time at which ``datagram`` leaves."""
        return self._mono_epoch + datagram * PACKETS_PER_DATAGRAM * SLOT_BITS / self.rate

    def add(self, first_slot: int, packets: bytes) -> None:
        """Take a run of slots; one that goes back in time replaces what was queued.

        A run far from now on our clock means the wall clock was stepped (playout follows
        it): take the wall clock's new reading rather than wait or drop for an hour.
        """
        ahead = self.departure(first_slot // PACKETS_PER_DATAGRAM) - time.monotonic()
        if not -RESYNC_LATE_S < ahead < RESYNC_AHEAD_S:
            self._mono_epoch = STREAM_EPOCH.timestamp() - wall_minus_monotonic()
        end = self.runs[-1][0] + len(self.runs[-1][1]) // ts.PACKET_SIZE if self.runs else None
        if end is not None and first_slot < end:
            self.runs.clear()
            self.datagram = None
        self.runs.append((first_slot, packets))
        if self.datagram is None:
            self.datagram = first_slot // PACKETS_PER_DATAGRAM

    def _take(self, datagram: int) -> bytes | None:
        """The 7 packets of ``datagram`` (nulls where none was given), or None if empty."""
        lo = datagram * PACKETS_PER_DATAGRAM
        hi = lo + PACKETS_PER_DATAGRAM
        while self.runs and self.runs[0][0] + len(self.runs[0][1]) // ts.PACKET_SIZE <= lo:
            self.runs.popleft()
        if not self.runs or self.runs[0][0] >= hi:
            return None
        first, data = self.runs[0]
        if first <= lo and (hi - first) * ts.PACKET_SIZE <= len(data):
            offset = (lo - first) * ts.PACKET_SIZE  # the usual case: one run holds it all
            return data[offset : offset + PACKETS_PER_DATAGRAM * ts.PACKET_SIZE]
        out = []
        for slot in range(lo, hi):
            packet = ts.NULL_PACKET
            for first, data in self.runs:
                if first > slot:
                    break
                offset = (slot - first) * ts.PACKET_SIZE
                if offset < len(data):
                    packet = data[offset : offset + ts.PACKET_SIZE]
                    break
            out.append(packet)
        return b"".join(out)

    def next_deadline(self) -> float | None:
        """When the next datagram is due, skipping a gap in what was given."""
        if self.datagram is None or not self.runs:
            return None
        first = self.runs[0][0] // PACKETS_PER_DATAGRAM
        self.datagram = max(self.datagram, first)
        return self.departure(self.datagram)

    def send_due(self, now: float) -> None:
        """Send the datagram that is due (if it is not hopelessly late)."""
        assert self.datagram is not None
        d = self.datagram
        self.datagram = d + 1
        payload = self._take(d)
        if payload is None:
            return
        if now - self.departure(d) > LATE_S:
            self.late += 1
            return
        try:
            self.sock.sendto(payload, self.address)
            self.sent += 1
        except OSError as exc:
            self.errors += 1
            self.last_error = str(exc)


def raise_priority() -> str:
    """Ask to be scheduled ahead of ordinary work; the pacer's deadlines are milliseconds.

    Real-time round robin at the lowest priority when allowed (root, CAP_SYS_NICE or an
    RTPRIO limit; the kernel's RT throttling still leaves 5 % to everyone else), else a
    lower nice value, else nothing. Returns which one it got.
    """
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))
        return "realtime"
    except (AttributeError, OSError):
        pass
    try:
        os.nice(-10)
        return "nice"
    except OSError:
        return "normal"


def _report(sender: Sender) -> None:
    line = {"sent": sender.sent, "late": sender.late, "errors": sender.errors,
            "error": sender.last_error, "priority": sender.priority}  # fmt: skip
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def run(host: str, port: int, rate_bps: int, ttl: int) -> int:
    """Send what stdin gives until it closes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    address = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM)[0][4]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    if family == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    sender = Sender(sock, (address[0], address[1]), rate_bps)
    stdin = sys.stdin.buffer.fileno()
    os.set_blocking(stdin, False)
    inbox = bytearray()
    gc.disable()  # nothing here makes cycles; a collection must not delay a datagram
    sender.priority = raise_priority()
    _report(sender)  # the first line says we are ready: the relay waits for it
    next_report = time.monotonic() + REPORT_S
    while True:
        now = time.monotonic()
        deadline = sender.next_deadline()
        if deadline is not None and deadline <= now:
            sender.send_due(now)
            continue
        if now >= next_report:
            _report(sender)
            next_report = now + REPORT_S
        wait = min(next_report, deadline if deadline is not None else next_report) - now
        readable, _, _ = select.select([stdin], [], [], max(0.0, wait))
        if not readable:
            continue
        try:
            chunk = os.read(stdin, READ_BYTES)
        except BlockingIOError:
            continue
        if not chunk:
            return 0  # the playout is gone (or stopped us): so are we
        inbox += chunk
        while len(inbox) >= HEADER.size:
            first, count = HEADER.unpack_from(inbox)
            size = HEADER.size + count * ts.PACKET_SIZE
            if len(inbox) < size:
                break
            sender.add(first, bytes(inbox[HEADER.size : size]))
            del inbox[:size]


def main(argv: list[str]) -> int:
    host, port, rate = argv[0], int(argv[1]), int(argv[2])
    ttl = int(argv[3]) if len(argv) > 3 else 16
    return run(host, port, rate, ttl)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
