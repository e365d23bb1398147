"""Heartbeats: each long-running process says it is alive, in a small file.

A heartbeat carries both the wall time (for people) and ``time.monotonic()`` (for the age):
on Linux the monotonic clock is one per machine and never steps, so a reader in another
process measures the age exactly even while NTP steps the wall clock.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from publisher.models.base import utcnow
from renderer.atomic import write_atomic

HEARTBEAT_DIR = "processes"
BEAT_SECONDS = 2.0  # how often a process beats
STALE_SECONDS = 30.0  # no beat for this long while running: the process is hung


@dataclass(frozen=True)
class Heartbeat:
    name: str
    pid: int
    started_at: datetime  # UTC wall time the process started
    beat_at: datetime  # UTC wall time of the last beat
    beat_monotonic: float  # time.monotonic() of the last beat
    detail: str = ""  # a short word on what the process is doing

    def age_s(self, monotonic_now: float) -> float:
        return max(0.0, monotonic_now - self.beat_monotonic)


def heartbeat_path(status_dir: Path, name: str) -> Path:
    return status_dir / HEARTBEAT_DIR / f"{name}.json"


def write_heartbeat(status_dir: Path, beat: Heartbeat) -> None:
    path = heartbeat_path(status_dir, beat.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        "name": beat.name,
        "pid": beat.pid,
        "started_at": beat.started_at.isoformat(),
        "beat_at": beat.beat_at.isoformat(),
        "beat_monotonic": beat.beat_monotonic,
        "detail": beat.detail,
    }
    write_atomic(path, json.dumps(raw).encode(), durable=False)  # rewritten every 2 s


def read_heartbeat(status_dir: Path, name: str) -> Heartbeat | None:
    """The last heartbeat of ``name``, or None if it never beat (or the file is unreadable)."""
    try:
        raw = json.loads(heartbeat_path(status_dir, name).read_text("utf-8"))
        return Heartbeat(
            str(raw["name"]),
            int(raw["pid"]),
            datetime.fromisoformat(raw["started_at"]),
            datetime.fromisoformat(raw["beat_at"]),
            float(raw["beat_monotonic"]),
            str(raw.get("detail", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Beater:
    """Beats for one process from a daemon thread until stopped.

    ``alive`` lets the process say whether its main work is still healthy (for example
    that the scheduler still runs): a beat is only written while it returns True, so a
    process whose core has died looks stale to the watchdog even if this thread lives on.
    """

    def __init__(self, status_dir: Path, name: str, alive=None, every_s: float = BEAT_SECONDS):  # noqa: ANN001
        self.status_dir = status_dir
        self.name = name
        self.alive = alive or (lambda: True)
        self.every_s = every_s
        self.started_at = utcnow()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{name}", daemon=True)

    def beat(self, detail: str = "") -> None:
        write_heartbeat(
            self.status_dir,
            Heartbeat(self.name, os.getpid(), self.started_at, utcnow(),
                      time.monotonic(), detail),
        )

    def start(self) -> Beater:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.alive():
                    self.beat()
            except OSError:
                pass  # a full disk must not kill the process; the beat just goes stale
            self._stop.wait(self.every_s)
