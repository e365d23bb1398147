"""The receiving end of the UDP output, for tests and benchmarks: datagrams and arrival times.

Arrival times are the kernel's receive timestamps (``SO_TIMESTAMPNS``, wall-clock seconds),
so a receiving thread that is scheduled late does not count as jitter in the stream.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; Python does not name it
_TIMESPEC = struct.Struct("@qq")


class UdpCapture:
    """Datagrams received on 127.0.0.1 (any free port), with their arrival times."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"udp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.datagrams: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="udp-capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        space = socket.CMSG_SPACE(_TIMESPEC.size)
        while not self._stop.is_set():
            try:
                data, ancillary, _, _ = self.sock.recvmsg(4096, space)
            except TimeoutError:
                continue
            arrival = time.time()
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = _TIMESPEC.unpack(value[: _TIMESPEC.size])
                    arrival = sec + nsec / 1e9
            self.datagrams.append((arrival, data))

    def since(self, t: float) -> list[tuple[float, bytes]]:
        """Datagrams that arrived at or after wall-clock time ``t``."""
        return [d for d in list(self.datagrams) if d[0] >= t]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()
