"""Waking the clock process when content changes, instead of waiting for its next tick.

The web process commits an approval (or a submission, a withdrawal) and pokes a named pipe in
the data directory; the clock, blocked reading that pipe, runs its air lane at once (see
``publisher.jobs.clock``). A poke with no clock listening is dropped: the clock's own ticks
still find the change, at most a second later. Nothing here ever blocks a request.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)
WAKE_NAME = "clock.wake"


def wake_path(data_dir: Path) -> Path:
    return Path(data_dir) / WAKE_NAME


def poke(path: Path) -> bool:
    """Wake whoever listens on ``path``; False if nobody does (never raises, never blocks)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # no pipe (ENOENT) or no reader (ENXIO): the tick will find the change
        return False
    try:
        os.write(fd, b"!")
    except OSError:  # full (EAGAIN): wakes are already pending
        pass
    finally:
        os.close(fd)
    return True


def wake_clock() -> bool:
    """Poke the clock of the current app's data directory (after a commit)."""
    return poke(wake_path(current_app.config["DATA_DIR"]))


class WakeListener:
    """Calls ``on_wake`` each time the pipe at ``path`` is poked (once per burst of pokes).

    A thread blocks on the pipe; it holds a write end open itself so a poker closing its end
    never reads as end-of-file (which would make ``select`` spin).
    """

    def __init__(self, path: Path, on_wake: Callable[[], None]) -> None:
        self.path = Path(path)
        self.on_wake = on_wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fds: tuple[int, int] | None = None

    def start(self) -> WakeListener:
        """Listen from now on; without a pipe (a file system that has none) the clock's own
        ticks carry on alone, a second later at most."""
        try:
            with contextlib.suppress(FileNotFoundError):
                if not stat.S_ISFIFO(self.path.lstat().st_mode):
                    self.path.unlink()  # not ours: a pipe only ever stands here
            with contextlib.suppress(FileExistsError):
                os.mkfifo(self.path, 0o600)
            read_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            self._fds = (read_fd, os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            log.exception("no wake pipe at %s; the clock runs on its ticks alone", self.path)
            return self
        self._thread = threading.Thread(target=self._run, name="clock-wake", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self._fds is not None
        read_fd = self._fds[0]
        while not self._stop.is_set():
            ready, _, _ = select.select([read_fd], [], [], 0.5)
            if not ready:
                continue
            with contextlib.suppress(BlockingIOError):
                while os.read(read_fd, 4096):  # a burst of pokes is one wake
                    pass
            if self._stop.is_set():
                break
            try:
                self.on_wake()
            except Exception:  # noqa: BLE001 - a failed wake only means waiting for the tick
                log.exception("clock wake failed")

    def stop(self) -> None:
        self._stop.set()
        if self._fds:
            os.write(self._fds[1], b"!")
        if self._thread:
            self._thread.join(timeout=2)
        if self._fds:
            for fd in self._fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._fds = None
