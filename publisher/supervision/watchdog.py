"""supervisord's event listener: restarts hung processes and counts restarts.

supervisord restarts a process that exits. A process that hangs (a deadlock, a stuck
disk) keeps running, so on every TICK_5 this listener compares each watched process's
heartbeat with supervisord's view of it and SIGKILLs one whose heartbeat is stale;
supervisord's autorestart then starts it again. PROCESS_STATE events are counted into a
small file the admin reads (restarts, last unexpected exit).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
import xmlrpc.client
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from publisher.models.base import utcnow
from publisher.supervision.heartbeat import (
    HEARTBEAT_DIR,
    STALE_SECONDS,
    Heartbeat,
    read_heartbeat,
)
from renderer.atomic import write_atomic

log = logging.getLogger(__name__)
EVENTS_NAME = "supervision.json"
RUNNING = "RUNNING"


@dataclass(frozen=True)
class ProcessView:
    """What supervisord says of one process (from ``supervisor.getProcessInfo``)."""

    name: str
    state: str  # RUNNING, STARTING, BACKOFF, EXITED, FATAL, STOPPED …
    pid: int
    uptime_s: float  # how long it has been running (0 if not running)


def is_hung(view: ProcessView, beat: Heartbeat | None, monotonic_now: float,
            stale_s: float = STALE_SECONDS) -> bool:
    """A running process that has not beaten for ``stale_s``: hung.

    A freshly started process has ``stale_s`` to write its first beat; a beat written by
    an earlier process (another pid) does not count for the current one.
    """
    if view.state != RUNNING or view.uptime_s <= stale_s:
        return False
    if beat is None or beat.pid != view.pid:
        return True
    return beat.age_s(monotonic_now) > stale_s


def parse_payload(payload: str) -> dict[str, str]:
    """supervisord's ``key:value key:value`` event payload (first line) as a dict."""
    first = payload.split("\n", 1)[0]
    return dict(token.split(":", 1) for token in first.split() if ":" in token)


def record_event(events: dict[str, Any], event: str, payload: Mapping[str, str],
                 now: datetime) -> bool:
    """Count a PROCESS_STATE event into ``events`` (changed in place); True if it changed.

    A restart is a STARTING that follows an exit or a back-off (not the first start, nor a
    start after an operator's stop); an unexpected exit is an EXITED with expected:0.
    """
    name = payload.get("processname")
    if not name:
        return False
    entry = events.setdefault(name, {"restarts": 0, "last_exit_at": None, "hung_kills": 0})
    if event == "PROCESS_STATE_STARTING" and payload.get("from_state") in ("EXITED", "BACKOFF"):
        entry["restarts"] += 1
        return True
    if event == "PROCESS_STATE_EXITED" and payload.get("expected") == "0":
        entry["last_exit_at"] = now.isoformat()
        return True
    return False


def read_events(status_dir: Path) -> dict[str, Any]:
    try:
        raw = json.loads((status_dir / HEARTBEAT_DIR / EVENTS_NAME).read_text("utf-8"))
        return raw if isinstance(raw, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_events(status_dir: Path, events: dict[str, Any]) -> None:
    path = status_dir / HEARTBEAT_DIR / EVENTS_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(events).encode())


def _view(info: Mapping[str, Any]) -> ProcessView:
    running = info["statename"] == RUNNING
    return ProcessView(info["name"], info["statename"], int(info["pid"]),
                       float(info["now"] - info["start"]) if running else 0.0)


def run_listener(status_dir: Path, watched: list[str], rpc: Any, *,
                 stale_s: float = STALE_SECONDS,
                 stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """The event loop supervisord drives through stdin/stdout (never returns)."""
    from supervisor import childutils

    events = read_events(status_dir)
    while True:
        headers, payload = childutils.listener.wait(stdin, stdout)
        event = headers.get("eventname", "")
        try:
            if event.startswith("PROCESS_STATE_"):
                if record_event(events, event, parse_payload(payload), utcnow()):
                    _save_events(status_dir, events)
            elif event.startswith("TICK_"):
                _kill_hung(status_dir, watched, rpc, events, stale_s)
        except xmlrpc.client.Fault as fault:  # e.g. SHUTDOWN_STATE while supervisord stops
            log.info("watchdog: supervisord answered %s", fault.faultString)
        except Exception:  # noqa: BLE001 - the listener must answer every event
            log.exception("watchdog: handling %s failed", event)
        childutils.listener.ok(stdout)


def _kill_hung(status_dir: Path, watched: list[str], rpc: Any, events: dict[str, Any],
               stale_s: float) -> None:
    for name in watched:
        view = _view(rpc.supervisor.getProcessInfo(name))
        beat = read_heartbeat(status_dir, name)
        if is_hung(view, beat, time.monotonic(), stale_s):
            log.warning("watchdog: %s (pid %s) has not beaten for %.0f s: killing it",
                        name, view.pid, stale_s)
            try:
                os.kill(view.pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            entry = events.setdefault(name, {"restarts": 0, "last_exit_at": None,
                                             "hung_kills": 0})
            entry["hung_kills"] = entry.get("hung_kills", 0) + 1
            _save_events(status_dir, events)
